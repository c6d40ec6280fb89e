"""What the service refuses, said once: an error carries the text a person is shown.

``DomainError(key, **values)``: ``key`` is a catalogue text key (or, in a feature whose codes are
short names, a code its ``keys`` table turns into one) and ``values`` fill the text in. A handler
answers ``e.text(lang)``; it never re-checks the rule to name the problem.

``Length``: how long a typed text may be and what a person is told otherwise. The domain holds the
rule (complaints.DESCRIPTION, complaints.ANSWER ...), the handler asks it: ``rule.problem(text)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from workflows.texts import t


class DomainError(ValueError):
    keys: ClassVar[Mapping[str, str]] = {}  # code -> text key, where the codes are short names

    def __init__(self, code: str, **values: Any):
        super().__init__(code)
        self.code, self.values = code, values

    @property
    def key(self) -> str:
        return self.keys.get(self.code, self.code)

    def text(self, lang: str, **more: Any) -> str:
        return t(lang, self.key, **{**self.values, **more})


@dataclass(frozen=True)
class Length:
    """Between ``lo`` and ``hi`` characters (after stripping); ``short`` and ``long`` are the text
    keys shown otherwise, given ``n`` (the length), ``min`` and ``max``."""

    lo: int
    hi: int
    short: str
    long: str

    def problem(self, text: str) -> DomainError | None:
        n = len(text.strip())
        if self.lo <= n <= self.hi:
            return None
        return DomainError(self.short if n < self.lo else self.long, n=n, min=self.lo, max=self.hi)

    def fits(self, text: str | None) -> bool:
        return text is not None and self.problem(text) is None

    def check(self, text: str) -> str:
        """The text stripped, or the DomainError that says what is wrong with it."""
        if (e := self.problem(text)) is not None:
            raise e
        return text.strip()
