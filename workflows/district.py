"""The district profile (DISTRICT_CONFIG): departments, categories and their routing, the 동.

Data, not code: a district replaces the JSON file, not this module. The loader refuses a profile a
resident would be misled by (every problem at once, with its field): a 동 without its English name
(``{"name": "자양1동", "name_en": "Jayang 1-dong"}``, Revised Romanization), a phone number nobody
can dial, a placeholder such as "확인 필요" or "TODO" (workflows/district_info.py has the checks).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from workflows import district_info
from workflows.business_time import Period
from workflows.texts import ENGLISH_DATA, both

DEFAULT_PATH = Path(__file__).parent / "data" / "sample_district.json"


@dataclass(frozen=True)
class Department:
    code: str
    name_ko: str
    name_en: str
    phone: str = ""
    group_chat_id: int | None = None

    def name(self, lang: str) -> str:
        return self.name_en if lang in ENGLISH_DATA else self.name_ko


@dataclass(frozen=True)
class Category:
    code: str
    name_ko: str
    name_en: str
    department: str
    kind: str  # 질의 / 건의 / 고충 / 기타
    keywords: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_en if lang in ENGLISH_DATA else self.name_ko


@dataclass(frozen=True)
class Remedy:
    code: str
    ko: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang in ENGLISH_DATA else self.ko


def dong_in(address: str | None, dongs: tuple[str, ...]) -> str | None:
    """The 동 a typed address names as a whole word (a complaint's place, a licence's address)."""
    return next((w for w in re.split(r"[\s,()]+", address or "") if w in dongs), None)


@dataclass(frozen=True)
class District:
    name_ko: str
    name_en: str
    departments: dict[str, Department]
    categories: dict[str, Category]
    kind_periods: dict[str, Period]
    first_contact: str
    dongs: tuple[str, ...]
    remedies: dict[str, Remedy]
    answered_autoclose_days: int = 7
    reminder_business_hours_before: float = 8
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    dongs_en: dict[str, str] = field(default_factory=dict)  # 동 -> its English name

    def dong_in(self, address: str | None) -> str | None:
        return dong_in(address, self.dongs)

    def dong_at(self, index: str) -> str | None:
        """The 동 a button names by its place in the list (callback data keeps the index, not the
        name); None for an index no button had (a forged or stale press)."""
        return self.dongs[int(index)] if index.isdigit() and int(index) < len(self.dongs) else None

    def dong_name(self, dong: str, lang: str) -> str:
        """A 동 as a resident of `lang` reads it: "자양1동", or "Jayang 1-dong (자양1동)" (texts.both)."""
        return both(dong, self.dongs_en.get(dong), lang)

    def department(self, code: str) -> Department:
        return self.departments[code]

    def category(self, code: str) -> Category:
        return self.categories[code]

    def period_for(self, category_code: str) -> Period:
        return self.kind_periods[self.categories[category_code].kind]

    def route(self, category_code: str) -> str:
        """Department responsible for a category; unknown ones go to the first-contact desk."""
        cat = self.categories.get(category_code)
        if cat is None or cat.department not in self.departments:
            return self.first_contact
        return cat.department

    def suggest_category(self, text: str) -> Category | None:
        """The category whose keywords best match a free sentence (most hits, then longest keyword)."""
        lower = text.lower()
        norm = re.sub(r"\s+", "", lower)
        words = set(re.findall(r"[a-z]+", lower))
        best: tuple[int, int, str] | None = None
        for cat in self.categories.values():
            hits = [kw for kw in cat.keywords if _matches(kw.lower(), norm, lower, words)]
            if hits:
                score = (len(hits), max(len(h) for h in hits), cat.code)
                if best is None or score[:2] > best[:2]:
                    best = score
        return self.categories[best[2]] if best else None


def _matches(keyword: str, norm: str, lower: str, words: set[str]) -> bool:
    """Korean keywords match inside words (particles attach to them: 가로등이); Latin-script
    keywords match whole words only ("tree" is not in "street")."""
    if keyword.isascii():
        return (keyword in words) if " " not in keyword else re.search(rf"\b{re.escape(keyword)}\b", lower) is not None
    return keyword.replace(" ", "") in norm


def _dongs(raw: dict, problems: list[str]) -> dict[str, str]:
    """The 동 list, each with its English name: {"name": "자양1동", "name_en": "Jayang 1-dong"}."""
    found: dict[str, str] = {}
    for i, d in enumerate(raw.get("dongs", ())):
        name, en = (d.get("name"), d.get("name_en")) if isinstance(d, dict) else (d, None)
        where = f"dongs[{i}]" + (f" ({name})" if isinstance(name, str) else "")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name: missing")
            continue
        if not isinstance(en, str) or not en.strip():
            problems.append(
                f'{where}.name_en: missing (the English name, e.g. {{"name": "자양1동", '
                f'"name_en": "Jayang 1-dong"}}; Revised Romanization)'
            )
            continue
        district_info.check_english(en, f"{where}.name_en", problems)
        if name in found:
            problems.append(f"{where}: {name} is listed twice")
        found[name] = en.strip()
    return found


def check_profile(raw: dict) -> list[str]:
    """What a resident would be misled by in a profile: phones nobody can dial, placeholders."""
    problems: list[str] = []
    info = raw.get("district", {})
    if info.get("main_phone") and (wrong := district_info.check_phone(info["main_phone"], info.get("name_ko", ""))):
        problems.append(f"district.main_phone: {wrong}")
    for d in raw.get("departments", ()):
        if d.get("phone") and (wrong := district_info.check_phone(d["phone"], d.get("name_ko", ""))):
            problems.append(f"departments ({d.get('code')}).phone: {wrong}")
    district_info.check_values(raw, "", problems, skip=("source", "legal_basis_source"))
    district_info.english_forms(raw.get("onestop") or {}, "onestop", problems)  # e.g. the grant's legal basis
    return problems


def load_district(path: str | Path | None = None) -> District:
    where = str(path or DEFAULT_PATH)
    raw = json.loads(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
    problems: list[str] = []
    dongs = _dongs(raw, problems)
    problems += check_profile(raw)
    if problems:
        raise district_info.DistrictDataError(where, problems)
    deps = {
        d["code"]: Department(d["code"], d["name_ko"], d["name_en"], d.get("phone", ""), d.get("group_chat_id"))
        for d in raw["departments"]
    }
    if raw["first_contact_department"] not in deps:
        raise ValueError("first_contact_department is not a department")
    # a category without a department (the catch-all) goes to the first-contact desk, which classifies it
    cats = {
        c["code"]: Category(
            c["code"],
            c["name_ko"],
            c["name_en"],
            c.get("department") or raw["first_contact_department"],
            c["kind"],
            tuple(c.get("keywords", ())),
        )
        for c in raw["categories"]
    }
    periods = {k: Period.parse(v) for k, v in raw["complaint_kinds"].items() if not k.startswith("_")}
    for cat in cats.values():
        if cat.department not in deps:
            raise ValueError(f"category {cat.code}: unknown department {cat.department}")
        if cat.kind not in periods:
            raise ValueError(f"category {cat.code}: unknown complaint kind {cat.kind}")
    remedies = {r["code"]: Remedy(r["code"], r["ko"], r["en"]) for r in raw.get("reject_remedies", [])}
    return District(
        name_ko=raw["district"]["name_ko"],
        name_en=raw["district"]["name_en"],
        departments=deps,
        categories=cats,
        kind_periods=periods,
        first_contact=raw["first_contact_department"],
        dongs=tuple(dongs),
        dongs_en=dongs,
        remedies=remedies,
        answered_autoclose_days=int(raw.get("answered_autoclose_days", 7)),
        reminder_business_hours_before=float(raw.get("reminder_business_hours_before", 8)),
        raw=raw,
    )
