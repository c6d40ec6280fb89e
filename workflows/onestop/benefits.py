"""Birth benefits: from the catalogue (data/benefits.json) and a family's answers, the list they
are entitled to, each amount, and a first-year total.

Data, not code: every amount, age limit, regional add-on and effective date is read from the
catalogue; the district's own 출산지원금 and its region class from the district profile. A value
kr-facts.md marks unverified stays in the data with confirmed=false: it is shown as "to be
confirmed" and kept out of the confirmed total instead of being hidden or passed off as certain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from workflows import district_info
from workflows.texts import ENGLISH_DATA, t

CATALOGUE_PATH = Path(__file__).parent.parent / "data" / "benefits.json"
ORDER_MAX = 3  # 셋째 이상
HEATING = ("city_gas", "district", "other")


@dataclass(frozen=True)
class Household:
    """What the family told us; None = not answered (an optional question skipped)."""

    birth_date: date
    order: int  # 1, 2, or 3 = 셋째 이상
    recipient: bool | None = None  # 기초생활수급 가구
    heating: str | None = None  # city_gas / district / other


@dataclass(frozen=True)
class Benefit:
    code: str
    name_ko: str
    name_en: str
    legal_basis: str
    amount: dict
    eligibility: dict
    office: str  # dong / health / tax / outside / district
    body: str | None
    consents: tuple[str, ...]
    facts: tuple[str, ...]
    needs_ko: str
    needs_en: str
    effective_from: date | None
    effective_to: date | None
    source: str
    confidence: str
    confirmed: bool
    exclusive_group: str | None = None
    legal_basis_en: str = ""

    def name(self, lang: str) -> str:
        return self.name_en if lang in ENGLISH_DATA else self.name_ko

    def needs(self, lang: str) -> str:
        return self.needs_en if lang in ENGLISH_DATA else self.needs_ko

    @property
    def provision_bodies(self) -> tuple[str, ...]:
        return tuple(c.split(":", 1)[1] for c in self.consents if c.startswith("provision:"))


@dataclass(frozen=True)
class Body:
    """An outside body that receives data for a benefit (§17 provision consent per body)."""

    code: str
    name_ko: str
    name_en: str
    phone: str
    retention_ko: str
    retention_en: str
    confirmed: bool

    def name(self, lang: str) -> str:
        return self.name_en if lang in ENGLISH_DATA else self.name_ko

    def retention(self, lang: str) -> str:
        return self.retention_en if lang in ENGLISH_DATA else self.retention_ko


@dataclass(frozen=True)
class Entitlement:
    benefit: Benefit
    first_year: int | None  # won in the first 12 payment months; None = amount not known
    upper_bound: bool = False  # the amount is a cap ("up to")
    starts_later: bool = False  # nothing in the first year (e.g. 가정양육수당 from 24 months)
    confirmed: bool = True  # every part of the amount is confirmed in the sources
    paid_from: date | None = None  # monthly benefits: the first month paid (1st of the month)
    late: bool = False  # applied after the window that pays from the birth month

    @property
    def code(self) -> str:
        return self.benefit.code


@dataclass
class Evaluation:
    entitled: list[Entitlement] = field(default_factory=list)
    not_combined: list[tuple[Benefit, Benefit]] = field(default_factory=list)  # (left out, kept)

    def total(self, *, confirmed: bool) -> int:
        """First-year total of the confirmed amounts, or of the unconfirmed / upper-bound ones."""
        return sum(e.first_year or 0 for e in self.entitled if (e.confirmed and not e.upper_bound) == confirmed)


def _date(s: str | None) -> date | None:
    return date.fromisoformat(s) if s else None


def add_months(d: date, n: int) -> date:
    """The same day n months later (the month's last day when it has no such day)."""
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, _days_in(y, m)))


def _days_in(y: int, m: int) -> int:
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - date(y, m, 1)).days


def period_end(first_day: date, months: int) -> date:
    """민법 §160②③: a period of `months` whose first counted day is `first_day` ends on the day
    before the corresponding day of the last month, or on that month's last day if it has no
    such day (first day 8/31, 1 month -> 9/30; first day 3/2 -> 4/1)."""
    y, m = divmod(first_day.month - 1 + months, 12)
    y, m = first_day.year + y, m + 1
    if first_day.day <= _days_in(y, m):
        return date(y, m, first_day.day) - timedelta(days=1)
    return date(y, m, _days_in(y, m))


def voucher_last_day(birth: date, years: int) -> date:
    """The last day a voucher "usable from the day of birth until the day N years are reached" can
    be used (아동수당법 시행령 §10의3⑥ "출생한 날부터 2년이 되는 날까지"): the birth day is the
    first day of the period (민법 §158, age counts from the day of birth), so it ends the day before
    the N-th birthday (born 2026-01-31 -> 2028-01-30), on 2/28 for a child born on 2/29 (§160③)."""
    return period_end(birth, 12 * years)


def age_months(birth: date, on: date) -> int:
    """Completed months of age on a day (만 나이 in months)."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if on.day < birth.day and on.day < _days_in(on.year, on.month):
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class DistrictGrant:
    """The district's own 출산지원금 (district profile, onestop.birth_grant)."""

    name_ko: str
    name_en: str
    legal_basis: str
    office: str
    amounts_by_order: dict[str, int]
    needs_ko: str
    needs_en: str
    effective_from: date | None
    confirmed: bool
    sample: bool
    legal_basis_en: str = ""


def district_grant(profile: dict) -> DistrictGrant | None:
    g = profile.get("birth_grant")
    if not g:
        return None
    return DistrictGrant(
        g["name_ko"],
        g["name_en"],
        g.get("legal_basis", ""),
        g.get("office", "dong"),
        {k: int(v) for k, v in g["amounts_by_order"].items()},
        g.get("needs_ko", ""),
        g.get("needs_en", ""),
        _date(g.get("effective_from")),
        bool(g.get("confirmed", False)),
        bool(g.get("sample", False)),
        g.get("legal_basis_en", ""),
    )


class Catalogue:
    def __init__(self, raw: dict):
        district_info.check_onestop_data(raw, "benefits.json")  # real phones, English forms, no placeholders
        self.raw = raw
        self.first_year_months = int(raw.get("first_year_months", 12))
        self.payment_day = int(raw.get("payment_day", 25))
        self.region_classes = tuple(raw["region_classes"])
        self.bodies = {
            code: Body(
                code,
                b["name_ko"],
                b["name_en"],
                b.get("phone", ""),
                b["retention_ko"],
                b["retention_en"],
                bool(b.get("confirmed", False)),
            )
            for code, b in raw["bodies"].items()
        }
        self.benefits: dict[str, Benefit] = {}
        for b in raw["benefits"]:
            benefit = Benefit(
                code=b["code"],
                name_ko=b["name_ko"],
                name_en=b["name_en"],
                legal_basis=b["legal_basis"],
                amount=b["amount"],
                eligibility=b.get("eligibility", {}),
                office=b["office"],
                body=b.get("body"),
                consents=tuple(b.get("consents", ("collection",))),
                facts=tuple(b.get("facts", ())),
                needs_ko=b.get("needs_ko", ""),
                needs_en=b.get("needs_en", ""),
                effective_from=_date(b.get("effective_from")),
                effective_to=_date(b.get("effective_to")),
                source=b.get("source", ""),
                confidence=b.get("confidence", ""),
                confirmed=bool(b.get("confirmed", False)),
                exclusive_group=b.get("exclusive_group"),
                legal_basis_en=b.get("legal_basis_en", ""),
            )
            self._check(benefit)
            self.benefits[benefit.code] = benefit
        self.birth_report = raw["birth_report"]
        self.late_fines = raw["late_fines"]

    def _check(self, b: Benefit) -> None:
        kind = b.amount.get("type")
        if kind not in {
            "monthly_by_age",
            "monthly",
            "lump_sum_by_order",
            "lump_sum",
            "monthly_cap",
            "unknown",
            "district",
        }:
            raise ValueError(f"benefit {b.code}: unknown amount type {kind!r}")
        if b.office == "outside" and (b.body not in self.bodies or f"provision:{b.body}" not in b.consents):
            raise ValueError(f"benefit {b.code}: an outside body needs a known body and its provision consent")
        rule = b.amount.get("paid_from")
        if rule is not None and (kind not in ("monthly_by_age", "monthly") or int(rule["within_days"]) < 0):
            raise ValueError(f"benefit {b.code}: paid_from needs a monthly amount and within_days >= 0")
        for add_on in b.amount.get("add_ons", ()):
            unknown = set(add_on["region_classes"]) - set(self.region_classes)
            if unknown:
                raise ValueError(f"benefit {b.code}: unknown region class {unknown}")

    # --- the engine -------------------------------------------------------------------------

    def payment_months(self, birth: date) -> list[date]:
        """The payment days of the child's first year: the 25th of the birth month and the 11 after
        it (index i = the child's i-th month of life)."""
        first = date(birth.year, birth.month, 1)
        return [add_months(first, i).replace(day=self.payment_day) for i in range(self.first_year_months)]

    def paid_from(self, b: Benefit, birth: date, applied_on: date) -> tuple[date, bool]:
        """(first month paid, late) under the benefit's application rule (amount.paid_from): applied
        within `within_days` of birth (the birth day not counted, 민법 §157) -> from the birth month;
        later -> from the month of the application. Without a rule: the birth month."""
        birth_month = date(birth.year, birth.month, 1)
        rule = b.amount.get("paid_from")
        if not rule or (applied_on - birth).days <= int(rule["within_days"]):
            return birth_month, False
        return max(birth_month, date(applied_on.year, applied_on.month, 1)), True

    def eligible(self, b: Benefit, h: Household, today: date, grant: DistrictGrant | None) -> bool:
        rule = b.eligibility
        if b.office == "district" and (grant is None or (grant.effective_from and today < grant.effective_from)):
            return False
        if b.effective_to is not None and today > b.effective_to:
            return False
        if b.effective_from is not None and today < b.effective_from:
            return False
        if "order_min" in rule and h.order < rule["order_min"]:
            return False
        if "recipient" in rule and h.recipient is not rule["recipient"]:
            return False
        if "heating" in rule and h.heating != rule["heating"]:
            return False
        if "max_age_months" in rule and age_months(h.birth_date, today) >= rule["max_age_months"]:
            return False
        return True

    def first_year(
        self, b: Benefit, h: Household, region_class: str, grant: DistrictGrant | None, applied_on: date | None = None
    ) -> Entitlement:
        """What the benefit brings in the child's first year (the birth month and the 11 after it).
        Monthly benefits count only the months paid under the application rule for an application
        made on `applied_on` (default: within the window, i.e. from the birth month)."""
        a = b.amount
        kind = a["type"]
        months = self.payment_months(h.birth_date)
        confirmed = b.confirmed
        if kind in ("monthly_by_age", "monthly"):
            start, late = self.paid_from(b, h.birth_date, applied_on or h.birth_date)
            paid = [(i, d) for i, d in enumerate(months) if d >= start]
            if kind == "monthly_by_age":
                total = sum(_band(a["bands"], i) for i, _ in paid)
                later = not any(_band(a["bands"], i) for i in range(len(months)))
                return Entitlement(b, total, starts_later=later, confirmed=confirmed, paid_from=start, late=late)
            total = 0
            for _, pay_day in paid:
                total += int(a["amount"])
                for add_on in a.get("add_ons", ()):
                    if region_class in add_on["region_classes"] and _date(add_on["from"]) <= pay_day <= (
                        _date(add_on.get("to")) or date.max
                    ):
                        total += int(add_on["amount"])
            return Entitlement(b, total, confirmed=confirmed, paid_from=start, late=late)
        if kind == "lump_sum_by_order":
            return Entitlement(b, int(a["amounts"][str(min(h.order, ORDER_MAX))]), confirmed=confirmed)
        if kind == "lump_sum":
            return Entitlement(b, int(a["amount"]), confirmed=confirmed)
        if kind == "monthly_cap":
            limit = a.get("max_age_months")
            n = len(months) if limit is None else min(len(months), int(limit))
            return Entitlement(b, int(a["cap"]) * n, upper_bound=True, confirmed=confirmed)
        if kind == "district":
            assert grant is not None
            return Entitlement(b, grant.amounts_by_order[str(min(h.order, ORDER_MAX))], confirmed=grant.confirmed)
        return Entitlement(b, None, confirmed=False)  # unknown

    def evaluate(
        self, h: Household, *, today: date, region_class: str, grant: DistrictGrant | None = None
    ) -> Evaluation:
        """The benefits this household can apply for today, in catalogue order; today is also the
        application date that decides from which month monthly benefits are paid."""
        if region_class not in self.region_classes:
            raise ValueError(f"unknown region class {region_class!r}")
        if not 1 <= h.order <= ORDER_MAX:
            raise ValueError("order must be 1, 2 or 3 (셋째 이상)")
        out = Evaluation()
        kept: dict[str, Benefit] = {}
        for b in self.benefits.values():
            if not self.eligible(b, h, today, grant):
                continue
            if b.exclusive_group:
                if b.exclusive_group in kept:
                    out.not_combined.append((b, kept[b.exclusive_group]))
                    continue
                kept[b.exclusive_group] = b
            out.entitled.append(self.first_year(b, h, region_class, grant, applied_on=today))
        return out

    # --- display ------------------------------------------------------------------------------

    def amount_rule_text(
        self,
        b: Benefit,
        h: Household,
        lang: str,
        grant: DistrictGrant | None,
        region_class: str,
        applied_on: date | None = None,
    ) -> str:
        """The rule in words: "월 100만원 (0세) · 월 50만원 (1세)", "첫째 200만원", "월 최대 1만 6천원";
        for a monthly benefit applied for after its window (applied_on), the month it is paid from."""
        a = b.amount
        kind = a["type"]
        if kind in ("monthly_by_age", "monthly"):
            if kind == "monthly_by_age":
                text = " · ".join(
                    t(lang, "onestop.amount.monthly_age", amount=won(band["amount"], lang), age=_age_label(band, lang))
                    for band in a["bands"]
                )
            else:
                text = t(lang, "onestop.amount.monthly", amount=won(a["amount"], lang))
                for add_on in a.get("add_ons", ()):
                    if region_class in add_on["region_classes"]:
                        text += t(
                            lang,
                            "onestop.amount.add_on",
                            amount=won(add_on["amount"], lang),
                            start=add_on["from"],
                            end=add_on.get("to") or "",
                        )
            if applied_on is not None:
                start, late = self.paid_from(b, h.birth_date, applied_on)
                if late:
                    text += t(
                        lang,
                        "onestop.amount.paid_from_late",
                        month=f"{start:%Y-%m}",
                        days=a["paid_from"]["within_days"],
                    )
            return text
        if kind == "lump_sum_by_order":
            text = t(lang, "onestop.amount.lump", amount=won(a["amounts"][str(min(h.order, ORDER_MAX))], lang))
            if a.get("valid_years"):
                until = voucher_last_day(h.birth_date, int(a["valid_years"]))
                text += t(lang, "onestop.amount.valid_until", until=until.isoformat())
            return text
        if kind == "lump_sum":
            return t(lang, "onestop.amount.lump", amount=won(a["amount"], lang))
        if kind == "monthly_cap":
            return t(lang, "onestop.amount.monthly_cap", amount=won(a["cap"], lang))
        if kind == "district" and grant is not None:
            amount = grant.amounts_by_order[str(min(h.order, ORDER_MAX))]
            return t(lang, "onestop.amount.lump", amount=won(amount, lang))
        return t(lang, "onestop.amount.unknown")


def _band(bands: list[dict], month_index: int) -> int:
    for band in bands:
        if band["from_month"] <= month_index < band["to_month"]:
            return int(band["amount"])
    return 0


def _age_label(band: dict, lang: str) -> str:
    lo, hi = band["from_month"], band["to_month"]
    if lo % 12 == 0 and hi - lo == 12:
        return t(lang, "onestop.age.years", n=lo // 12)
    return t(lang, "onestop.age.months", lo=lo, hi=hi)


def won(n: int | None, lang: str) -> str:
    """1000000 -> '100만원' / '₩1,000,000' / '1,000,000韩元'; 16000 -> '1만 6천원'."""
    if n is None:
        return "-"
    n = int(n)
    if lang == "en":
        return f"₩{n:,}"
    if lang == "zh":
        return f"{n:,}韩元"
    man, rest = divmod(n, 10000)
    if man and not rest:
        return f"{man:,}만원"
    if man and rest % 1000 == 0:
        return f"{man:,}만 {rest // 1000}천원"
    return f"{n:,}원"


@lru_cache(maxsize=4)
def _load(path: str) -> Catalogue:
    return Catalogue(json.loads(Path(path).read_text(encoding="utf-8")))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    return _load(str(path or CATALOGUE_PATH))
