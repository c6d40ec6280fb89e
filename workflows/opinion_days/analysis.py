"""The analysis of one opinion day: counts, poll results, themes by keyword, share per 동.

Pure functions (no database, no Telegram), so the rule can be tested on fixed opinions.

Korean keywords without a tokenizer dependency — the simple rule, with every list in
``workflows/data/opinion_days.json`` ("analysis"):

1. Normalise: Unicode NFKC and lower case; a token is a run of Hangul syllables or a run of
   Latin letters/digits (so "CCTV를" gives "cctv" and "를").
2. A token in ``keep`` is a noun as it stands (words the rule below would cut wrongly:
   횡단보도, 피해, 참여 ...).
3. A copula ending (입니다, 이에요 ...) is cut off: "문제입니다" -> "문제".
4. A token ending in a predicate ending (습니다, 해요, 으면, 어 ...) is a verb or adjective:
   dropped. Korean opinions carry their subject in nouns; predicates (좋겠습니다, 위험해요) cut
   across every subject.
5. Otherwise the longest particle (조사) at its end is stripped, one pass, if at least two
   syllables remain ("놀이터에서는" -> "놀이터"), then a plural 들 ("어르신들" -> "어르신").
   If only one syllable would remain, the token is a one-syllable noun plus a particle when
   the particle is one of ``final_particles`` (이/가/을/를/에 ...: "밤에", "차를") or longer
   than one syllable ("번으로"): dropped. Otherwise it stays whole ("도로", "결과", "회의").
6. ``synonyms`` map variants onto one keyword ("주차장" -> "주차", "아이" -> "어린이"), then
   ``stopwords`` (words in every theme: 설치, 개선, 너무 ...) and one-syllable tokens are dropped.

What remains are noun-like keywords; each opinion counts a keyword once. Themes are picked
greedily: the keyword found in most of the not-yet-grouped opinions becomes a theme and takes
those opinions; repeat up to ``top_themes`` times while a keyword still covers
``min_theme_size`` opinions. The rest is "other". Ties go to the keyword found in more opinions
overall, then to the alphabetically first, so the result does not depend on input order.
Known limits: one-syllable nouns (길, 차) are lost, homographs are not told apart, and a
misspelt word is its own keyword.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from workflows.contact import mask_phones

TOKEN = re.compile(r"[가-힣]+|[a-z0-9]+")
URL = re.compile(r"https?://\S+|www\.\S+")


@dataclass(frozen=True)
class Rules:
    """The word lists of the simple rule (from the JSON file)."""

    particles: tuple[str, ...] = ()
    final_particles: frozenset[str] = frozenset()
    copulas: tuple[str, ...] = ()
    predicate_endings: tuple[str, ...] = ()
    stopwords: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()
    synonyms: dict[str, str] = field(default_factory=dict)
    top_themes: int = 5
    min_theme_size: int = 2
    representatives: int = 2
    representative_chars: int = 150

    @classmethod
    def from_json(cls, raw: dict) -> "Rules":
        longest_first = lambda xs: tuple(sorted(set(xs), key=lambda s: (-len(s), s)))  # noqa: E731
        return cls(
            particles=longest_first(raw.get("particles", ())),
            final_particles=frozenset(raw.get("final_particles", ())),
            copulas=longest_first(raw.get("copulas", ())),
            predicate_endings=longest_first(raw.get("predicate_endings", ())),
            stopwords=frozenset(raw.get("stopwords", ())),
            keep=frozenset(raw.get("keep", ())),
            synonyms=dict(raw.get("synonyms", {})),
            top_themes=int(raw.get("top_themes", 5)),
            min_theme_size=int(raw.get("min_theme_size", 2)),
            representatives=int(raw.get("representatives", 2)),
            representative_chars=int(raw.get("representative_chars", 150)),
        )


def normalise(text: str) -> str:
    return URL.sub(" ", unicodedata.normalize("NFKC", text or "").lower())


def _strip_suffix(token: str, suffixes: Iterable[str], min_stem: int = 2) -> str | None:
    for s in suffixes:  # longest first
        if token.endswith(s) and len(token) - len(s) >= min_stem:
            return token[: -len(s)]
    return None


def _strip_particle(token: str, rules: Rules) -> str | None:
    """The noun without its particle; None for a one-syllable noun with a particle."""
    for p in rules.particles:  # longest first
        if token.endswith(p) and len(token) > len(p):
            stem = token[: -len(p)]
            if len(stem) >= 2:
                return stem[:-1] if stem.endswith("들") and stem not in rules.keep else stem
            if len(p) > 1 or p in rules.final_particles:
                return None
            return token
    return token[:-1] if token.endswith("들") and len(token) >= 2 else token


def keyword(token: str, rules: Rules) -> str | None:
    """One token to its keyword, or None if it is not noun-like (see the module docstring)."""
    if not token.isascii():
        if token not in rules.keep:
            stem = _strip_suffix(token, rules.copulas)
            if stem is not None:
                token = stem
            elif any(token.endswith(e) for e in rules.predicate_endings):
                return None
            else:
                token = _strip_particle(token, rules)
                if token is None:
                    return None
    token = rules.synonyms.get(token, token)
    if len(token) < 2 or token in rules.stopwords or token.isdigit():
        return None
    return token


def keywords(text: str, rules: Rules) -> list[str]:
    """The distinct keywords of one opinion, in order of first appearance."""
    out: dict[str, None] = {}
    for tok in TOKEN.findall(normalise(text)):
        kw = keyword(tok, rules)
        if kw is not None:
            out.setdefault(kw)
    return list(out)


# --- the analysis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Opinion:
    id: int
    user_id: int
    text: str


@dataclass
class Theme:
    keyword: str
    related: list[str]  # other keywords frequent among its opinions
    opinion_ids: list[int]
    participants: int
    share: float  # of all opinions
    examples: list[str]  # representative opinions (shortened)


@dataclass
class Analysis:
    participants: int
    opinions: int
    voters: int
    poll: list[tuple[str, int, float]]  # (option, votes, share of voters)
    themes: list[Theme]
    other: int  # opinions in no theme
    dongs: list[tuple[str, int, float]]  # (동, participants, share of those who gave one)
    dong_unknown: int
    theme_of: dict[int, str] = field(default_factory=dict)  # opinion id -> theme keyword

    def to_json(self) -> dict:
        return {
            "participants": self.participants,
            "opinions": self.opinions,
            "voters": self.voters,
            "poll": [list(p) for p in self.poll],
            "other": self.other,
            "dongs": [list(d) for d in self.dongs],
            "dong_unknown": self.dong_unknown,
            "themes": [
                {
                    "keyword": th.keyword,
                    "related": th.related,
                    "opinions": len(th.opinion_ids),
                    "participants": th.participants,
                    "share": th.share,
                    "examples": th.examples,
                }
                for th in self.themes
            ],
        }


def _shorten(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def group_themes(opinions: Sequence[Opinion], rules: Rules) -> tuple[list[Theme], dict[int, str]]:
    kws = {o.id: set(keywords(o.text, rules)) for o in opinions}
    overall = Counter(k for ks in kws.values() for k in ks)
    by_id = {o.id: o for o in opinions}
    left = {o.id for o in opinions if kws[o.id]}
    themes: list[Theme] = []
    theme_of: dict[int, str] = {}
    total = len(opinions) or 1
    while len(themes) < rules.top_themes and left:
        counts = Counter(k for i in left for k in kws[i])
        kw, n = min(counts.items(), key=lambda kv: (-kv[1], -overall[kv[0]], kv[0]))
        if n < rules.min_theme_size:
            break
        members = sorted(i for i in left if kw in kws[i])
        left -= set(members)
        co = Counter(k for i in members for k in kws[i] if k != kw)
        related = [k for k, c in sorted(co.items(), key=lambda kv: (-kv[1], kv[0])) if c >= 2][:3]
        # representative: shares most of the theme's related words; then the earliest; no repeats
        ranked = sorted(members, key=lambda i: (-len(kws[i] & set(related)), i))
        examples: list[str] = []
        for i in ranked:
            # quoted to the officers and then to every participant: a phone typed in it masked
            text = _shorten(mask_phones(by_id[i].text), rules.representative_chars)
            if text not in examples:
                examples.append(text)
            if len(examples) == rules.representatives:
                break
        themes.append(
            Theme(kw, related, members, len({by_id[i].user_id for i in members}), len(members) / total, examples)
        )
        theme_of.update(dict.fromkeys(members, kw))
    return themes, theme_of


def analyse(
    opinions: Sequence[Opinion],
    *,
    rules: Rules,
    poll_options: Sequence[str] = (),
    votes: dict[int, Sequence[int]] | None = None,
    dong_of: dict[int, str | None] | None = None,
) -> Analysis:
    """``votes``: user id -> chosen option indices; ``dong_of``: participant -> 동 (or None).
    Participants are everyone who wrote or voted (``dong_of`` may name more users: ignored)."""
    votes = {u: list(v) for u, v in (votes or {}).items() if v}
    people = {o.user_id for o in opinions} | set(votes)
    voters = len(votes)
    tally = Counter(i for v in votes.values() for i in set(v))
    poll = [(opt, tally.get(i, 0), tally.get(i, 0) / voters if voters else 0.0) for i, opt in enumerate(poll_options)]
    themes, theme_of = group_themes(opinions, rules)
    dongs = Counter(d for u, d in (dong_of or {}).items() if u in people and d)
    known = sum(dongs.values())
    return Analysis(
        participants=len(people),
        opinions=len(opinions),
        voters=voters,
        poll=poll,
        themes=themes,
        other=len(opinions) - len(theme_of),
        dongs=[(d, n, n / known) for d, n in sorted(dongs.items(), key=lambda kv: (-kv[1], kv[0]))],
        dong_unknown=len(people) - known,
        theme_of=theme_of,
    )
