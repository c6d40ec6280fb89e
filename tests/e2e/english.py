"""What an English-speaking resident reads: Hangul is allowed only as the Korean form of a proper
name given in English right before it, "English (Korean)" (texts.both): "Jayang 1-dong (자양1동)"."""

from __future__ import annotations

import html
import re

from workflows import district_info
from workflows.onestop import benefits
from workflows.district import District

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_TAG = re.compile(r"<[^>]*>")


def proper_names(district: District) -> dict[str, str]:
    """Korean -> English of every proper name the district data gives in both forms: the 동, the
    places of the 동 files, and the benefits whose English name carries the Korean one."""
    names = {ko: en for ko, en in district.dongs_en.items()}
    for info in district_info.load_all(dongs=district.dongs).values():
        for p in (info.centre, *info.facilities):
            names[p.name] = p.name_en
    cat = benefits.load_catalogue()
    for b in cat.benefits.values():
        if b.name_en.endswith(f" ({b.name_ko})"):
            names[b.name_ko] = b.name_en.removesuffix(f" ({b.name_ko})")
    return names


def visible(call) -> list[str]:
    """The texts a resident sees in one sent message: its text (or caption), tags removed and
    entities decoded, and its buttons' labels."""
    p = call.params
    out = [html.unescape(_TAG.sub("", p.get("text") or p.get("caption") or ""))]
    out += [b["text"] for row in (p.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
    return [x for x in out if x]


def korean_left(text: str, names: dict[str, str]) -> list[str]:
    """The lines of `text` that still hold Hangul once every "English (Korean)" is taken out."""
    for ko, en in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(f"{en} ({ko})", en)
    return [line for line in text.splitlines() if HANGUL.search(line)]


def check(calls, names: dict[str, str]) -> list[str]:
    return [f"{c.method}: {line}" for c in calls for text in visible(c) for line in korean_left(text, names)]
