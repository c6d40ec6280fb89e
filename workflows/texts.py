"""Every user-facing text, in gettext catalogues: workflows/locales/<lang>/LC_MESSAGES/<catalogue>.po,
Korean the source, English and Simplified Chinese translations (workflows/locales/README.md).
Nothing user-facing lives elsewhere.

Use `t(lang, key, **values)`. A missing Chinese text falls back to English, then Korean; a missing
English one to Korean; a missing key is a programming error and raises KeyError (a test checks every
key used in the code exists, in every language).
"""

from __future__ import annotations

import hashlib
import html
import marshal
import os
import re
import string
import sys
from collections.abc import Iterable
from pathlib import Path

PRIVACY_VERSION = "2026-11-21"

LANGS = ("ko", "en", "zh")
SOURCE_LANG = "ko"
LOCALES = Path(__file__).with_name("locales")
# where t() looks, in order: the language, then its fallbacks (indices into LANGS)
_LOOKUP = {"ko": (0,), "en": (1, 0), "zh": (2, 1, 0)}
_KOREAN = (0,)  # any other language code

# the catalogue (one .po file per language) a key belongs to, by the key's prefix
CATALOGUES = {
    "common": (
        "start",
        "help",
        "menu",
        "hint",
        "cancel",
        "language",
        "unknown_command",
        "fallback",
        "stale_button",
        "not_allowed",
        "flood",
        "error",
        "undelivered",
        "btn",
        "edit",
    ),
    "commands": ("cmd",),
    "privacy": ("privacy", "rrn"),
    "complaint": ("cf", "status", "state", "action", "push", "citizen", "rate", "attach"),
    "officer": (
        "op",
        "staff_link",
        "group",
        "grp",
        "ans",
        "tpl",
        "desk",
        "bounce",
        "reach",
        "esc",
        "ws",
        "sp",
        "role",
        "invite",
    ),
    "admin": ("admin", "bc", "audit"),
    "food": ("food",),
    "reports": ("report", "ranking"),
    "opinion": ("opd",),
    "new_residents": ("nr",),
    "newsletter": ("nl",),
    "onestop": ("onestop", "phone"),
    "license_tax": ("lt",),
}
_CATALOGUE_OF_PREFIX = {prefix: name for name, prefixes in CATALOGUES.items() for prefix in prefixes}


def catalogue_of(key: str) -> str:
    """The catalogue a text key is filed in: its prefix's ("privacy.agree" -> "privacy")."""
    return _CATALOGUE_OF_PREFIX[key.split(".")[0]]


def load_catalogues(root: Path = LOCALES) -> dict[str, dict[str, str]]:
    """{lang: {key: text}} from every catalogue under `root`; untranslated (empty) and fuzzy entries left out.

    Parsing the .po files takes about 0.4 s, at every start: what they give is kept in
    ``root/__pycache__``, under a name made from their content and the Python version, and read
    back while that content is the same (a changed catalogue is parsed again; a cache that cannot be
    written or read is simply not used)."""
    files = [po for lang in LANGS for po in sorted((root / lang / "LC_MESSAGES").glob("*.po"))]
    digest = hashlib.sha256(sys.version.encode())
    for po in files:
        digest.update(str(po.relative_to(root)).encode() + b"\0" + po.read_bytes() + b"\0")
    cache = root / "__pycache__" / f"texts-{digest.hexdigest()[:24]}.marshal"
    try:
        found = marshal.loads(cache.read_bytes())
        if isinstance(found, dict) and set(found) == set(LANGS):
            return found
    except (OSError, ValueError, EOFError, TypeError):
        pass
    found = _parse_catalogues(root)
    try:
        cache.parent.mkdir(exist_ok=True)
        for old in cache.parent.glob("texts-*.marshal"):
            old.unlink(missing_ok=True)
        part = cache.with_suffix(f".{os.getpid()}.part")
        part.write_bytes(marshal.dumps(found))
        part.replace(cache)
    except OSError:  # a read-only install: parsed at every start, as before
        pass
    return found


def _parse_catalogues(root: Path) -> dict[str, dict[str, str]]:
    from babel.messages.pofile import read_po

    found: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        texts = found[lang] = {}
        for po in sorted((root / lang / "LC_MESSAGES").glob("*.po")):
            with po.open("rb") as f:
                for m in read_po(f, charset="utf-8"):
                    if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy:
                        texts[m.id] = m.string  # keys are plain msgids: no plural forms here
    return found


def _texts(catalogues: dict[str, dict[str, str]]) -> dict[str, tuple[str, ...]]:
    keys = dict.fromkeys(k for lang in LANGS for k in catalogues[lang])
    return {k: tuple(catalogues[lang].get(k, "") for lang in LANGS) for k in keys}


# key -> its text in each of LANGS, in that order; "" where a language has no text yet
TEXTS: dict[str, tuple[str, ...]] = _texts(load_catalogues())


def norm_lang(code: str | None) -> str:
    """Telegram's language_code ('en-US', 'ko', 'zh-hans') to one we speak; Korean by default.
    Every Chinese code (zh, zh-hans, zh-cn, zh-sg, and zh-tw/zh-hant too) is our Simplified Chinese."""
    code = (code or "").lower()
    if code.startswith("en"):
        return "en"
    if code == "zh" or code.startswith(("zh-", "zh_")):
        return "zh"
    return "ko"


# Names and data kept in Korean and English only (동, departments, benefits, agencies, the district
# profile): Chinese shows the English form, as its texts fall back (zh -> en -> ko).
ENGLISH_DATA = frozenset({"en", "zh"})


def pick(lang: str, ko: str, en: str | None) -> str:
    """The form of a Korean-and-English datum `lang` reads: English for en and zh, else (or when
    there is no English form) Korean."""
    return en if lang in ENGLISH_DATA and en else ko


def escape(s: str | None) -> str:
    """Any text the code did not write itself — what a resident or officer typed, names from the
    district profile or the database — made safe to put into an HTML-mode message."""
    return html.escape(s or "", quote=False)


def both(ko: str, en: str | None, lang: str) -> str:
    """A proper name (a 동, a place, an office) for `lang`: Korean as it is; in English and Chinese
    the English (romanised) form with the Korean in brackets, as residents find it on signs and maps
    ("Jayang 1-dong (자양1동)"); the Korean alone when the data has no English form. Plain text:
    escape() after."""
    if lang not in ENGLISH_DATA or not en or en == ko:
        return ko if lang not in ENGLISH_DATA or not en else en
    return f"{en} ({ko})"


# Telegram's limits, counted on the text after it parses the HTML (tags gone, entities decoded)
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"
_TAG = re.compile(r"<[^>]*>")


def units(s: str) -> int:
    """Length in UTF-16 code units: never less than Telegram's own count (code points; an emoji
    outside the BMP counts 2 here, 1 there), so what fits here fits there."""
    return len(s.encode("utf-16-le")) // 2


def clip(s: str | None, n: int) -> str:
    """Plain text (not HTML: clip first, then escape) shortened to at most n characters, cut on a
    character boundary and ended with "…" when something was left out."""
    s = s or ""
    if units(s) <= n:
        return s
    if n < units(ELLIPSIS):
        return ""
    budget, out = n - units(ELLIPSIS), []
    for ch in s:
        budget -= units(ch)
        if budget < 0:
            break
        out.append(ch)
    return "".join(out).rstrip() + ELLIPSIS


def visible_len(rendered: str) -> int:
    """How long Telegram counts a message this bot rendered in HTML: tags removed, entities
    decoded (the bot's own markup only: escape() and the templates' tags)."""
    return units(html.unescape(_TAG.sub("", rendered)))


def pack(blocks: Iterable[str], limit: int = MESSAGE_LIMIT, sep: str = "\n") -> list[str]:
    """Already-rendered HTML blocks (each one whole: its tags close inside it) gathered in order into
    as few messages as keep each within `limit` characters after parsing. A block is never split;
    one longer than the limit is a bug of its builder, which must clip the user's text first."""
    messages: list[str] = []
    current, size = "", 0
    for block in blocks:
        n = visible_len(block)
        if n > limit:
            raise ValueError(f"a rendered block of {n} characters is over the {limit} limit")
        if not block.strip():
            continue
        joined = size + visible_len(sep) + n if current else n
        if current and joined > limit:
            messages.append(current)
            current, size = block.lstrip("\n"), visible_len(block.lstrip("\n"))
        elif current:
            current, size = current + sep + block, joined
        else:
            current, size = block.lstrip("\n"), visible_len(block.lstrip("\n"))
    if current:
        messages.append(current)
    return messages


# --- Korean particles that follow the word (첫인사는, 민원을, 청소행정과로) -----------------------

PARTICLES = {
    "은/는": ("은", "는"),
    "이/가": ("이", "가"),
    "을/를": ("을", "를"),
    "과/와": ("과", "와"),
    "와/과": ("과", "와"),
    "으로/로": ("으로", "로"),
    "이나/나": ("이나", "나"),
    "아/야": ("아", "야"),
}
# how a final digit or Latin letter is read aloud: True = the reading ends in a consonant (a
# 받침), "ㄹ" = in ㄹ (which takes 로, not 으로). 0 영, 1 일, 3 삼, 6 육, 7 칠, 8 팔; L 엘, M 엠, N 엔, R 알
_READ_FINAL = {
    "0": True,
    "1": "ㄹ",
    "3": True,
    "6": True,
    "7": "ㄹ",
    "8": "ㄹ",
    "l": "ㄹ",
    "m": True,
    "n": True,
    "r": "ㄹ",
}
_BRACKETED = re.compile(r"\s*(\([^()]*\)|\[[^\[\]]*\])$")


def _final(word: str) -> bool | str:
    """The last sound of `word` as a particle sees it: False (a vowel), True (a consonant) or "ㄹ".
    Tags, entities, a trailing bracketed aside ("부모급여 (Parental allowance)") and closing quotes
    or punctuation are skipped: the particle follows the word itself."""
    s = html.unescape(_TAG.sub("", word or "")).rstrip()
    while True:
        stripped = _BRACKETED.sub("", s).rstrip()
        stripped = stripped.rstrip(" \"'”’」』》〉.,!?…")
        if stripped == s:
            break
        s = stripped
    if not s:
        return False
    ch = s[-1]
    if "가" <= ch <= "힣":
        jong = (ord(ch) - 0xAC00) % 28
        return "ㄹ" if jong == 8 else jong != 0
    return _READ_FINAL.get(ch.lower(), False)


def particle(word: str, pair: str) -> str:
    """`word` followed by the particle of `pair` ("은/는", "이/가", "을/를", "와/과", "으로/로") that
    its last syllable takes: 첫인사는, 안내는, 민원을, 청소행정과로, 서울시로, 2026-12-01로, 2026-000123을."""
    after_consonant, after_vowel = PARTICLES[pair]
    final = _final(word)
    if pair == "으로/로":
        return word + (after_consonant if final is True else after_vowel)
    return word + (after_consonant if final else after_vowel)


class _Formatter(string.Formatter):
    """str.format, plus a particle as the format spec: "{item:은/는}" -> "첫인사는"; with "~" the
    particle alone, for a value in quotes or tags: "<b>{item}</b>{item:~은/는}" -> "<b>첫인사</b>는"."""

    def format_field(self, value, format_spec):
        alone = format_spec.startswith("~")
        if format_spec.removeprefix("~") in PARTICLES:
            with_particle = particle(str(value), format_spec.removeprefix("~"))
            return with_particle[len(str(value)) :] if alone else with_particle
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()
_HAS_PARTICLE = re.compile(r"\{[^{}:]*:~?(?:" + "|".join(re.escape(p) for p in PARTICLES) + r")\}")


def t(lang: str, key: str, **values) -> str:
    texts = TEXTS[key]
    for i in _LOOKUP.get(lang, _KOREAN):
        if i < len(texts) and texts[i]:
            text = texts[i]
            break
    else:
        text = texts[0]
    if not values:
        return text
    return _FORMATTER.format(text, **values) if _HAS_PARTICLE.search(text) else text.format(**values)


def t_fit(lang: str, key: str, field: str, text: str | None, *, limit: int = MESSAGE_LIMIT, **values) -> str:
    """t(lang, key, ...) with one user-written value, `field`, clipped to the room the rest of the
    message leaves under `limit` (after parsing), then escaped: the message always fits."""
    room = limit - visible_len(t(lang, key, **values, **{field: ""}))
    return t(lang, key, **values, **{field: escape(clip(text, max(room, 0)))})
