"""The resident services as one list (data/services.json): what /menu and the /start greeting
show, and which service a free sentence is about ("출생신고 하려면…" -> /birth) or whether it is
only a greeting. No aiogram here: handlers/common.py renders the menu and runs the entries.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).parent / "data" / "services.json"
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Service:
    code: str
    command: str
    keywords: tuple[str, ...] = ()
    operators: bool = False  # food alerts: for restaurant operators, listed for everyone


@dataclass(frozen=True)
class Catalogue:
    services: tuple[Service, ...]
    greetings: tuple[str, ...]
    fillers: tuple[str, ...]

    def get(self, code: str) -> Service | None:
        return next((s for s in self.services if s.code == code), None)


def load(path: str | Path = DEFAULT_PATH) -> Catalogue:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    services = tuple(
        Service(s["code"], s["command"], tuple(s.get("keywords", ())), bool(s.get("operators")))
        for s in raw["services"]
    )
    codes = [s.code for s in services]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path}: a service code appears twice")
    return Catalogue(services, tuple(raw.get("greetings", ())), tuple(raw.get("greeting_fillers", ())))


@cache
def catalogue() -> Catalogue:
    return load()


def _hit(keyword: str, squeezed: str, lower: str) -> bool:
    """Korean keywords match inside words, spaces ignored (particles attach: 등록면허세를);
    Latin-script ones match whole words or phrases ("died" is not in "studied")."""
    k = keyword.lower()
    if k.isascii():
        return re.search(rf"(?<![a-z]){re.escape(k)}(?![a-z])", lower) is not None
    return re.sub(r"\s+", "", k) in squeezed


def match(text: str, cat: Catalogue | None = None) -> Service | None:
    """The service a sentence is about: the one with the most keyword hits, then the longest."""
    cat = cat or catalogue()
    lower = (text or "").lower()
    squeezed = re.sub(r"\s+", "", lower)
    best, best_score = None, (0, 0)
    for s in cat.services:
        hits = [k for k in s.keywords if _hit(k, squeezed, lower)]
        score = (len(hits), max((len(h) for h in hits), default=0))
        if hits and score > best_score:
            best, best_score = s, score
    return best


def is_greeting(text: str, cat: Catalogue | None = None) -> bool:
    """Nothing but greetings and fillers ("안녕하세요!", "hi there 👋", "Hello bot"): greeted with
    the menu, not offered as a complaint."""
    cat = cat or catalogue()
    rest = f" {_PUNCT.sub(' ', (text or '').lower())} "
    found = False
    for phrase in sorted(cat.greetings, key=len, reverse=True):
        p = f" {_PUNCT.sub(' ', phrase.lower()).strip()} "
        while p in rest:
            rest, found = rest.replace(p, " "), True
    if not found:
        return False
    for filler in cat.fillers:
        rest = rest.replace(f" {filler.lower()} ", " ")
    return not rest.strip()
