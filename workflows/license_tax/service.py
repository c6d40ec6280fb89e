"""등록면허세 (면허분) one-stop, after 서울 광진구's 인허가기관 원스톱 (service-models.md): the tax is
computed from the statute, paid into a virtual account without a visit, and the licensing body is
told at once (workflows/license_tax/licensing_bodies.py) instead of receiving a fax a month later.

The law (kr-facts.md §2, data in data/license_tax.json):

* 지방세법 §34① rate table, 제1종–제5종 × 인구 50만 이상 시 / 그 밖의 시 / 군. Which column: the
  district profile's ``district.tax_class`` (area_kinds in the data): 특별시·광역시의 구 = 50만 이상
  시, 광역시의 군 = 군 (§34③); a 시 by its 1 January 주민등록 인구 (§34④, ``population_jan1``); a
  도농복합시 or 특별자치시 by the 사업장's area: 읍·면 (``eup_myeon``) = 군, 동 = 시, 50만 by the 동
  area population (§34②, ``population_dong_areas``); a 군 = 군.
* The 종 of a licence type comes from 시행령 별표 1, which we could not read: the catalogue carries
  secondary-source examples marked unconfirmed (the tax officer confirms the 종 before a notice is
  issued) and 식품접객업 with no 종 at all (the resident gives the 영업장 면적; the officer decides).
* 시행령 §40② non-taxable cases are answered as such, without a notice.
* §35①: pay before the licence certificate is issued — the due date is the day before the expected
  issue date (never before today), else ``default_due_days`` from the notice.
* §37: a refund when the licence is not granted — a routed request (a complaint of the profile's
  ``refund_category``) to 세무과.

Virtual accounts: ``account_prefix`` + the notice id in ``serial_digits`` digits + one Luhn check
digit (see ``check_digit``). Receipts carry a verification code: HMAC-SHA256 with the receipt key
over notice number, amount and payment time, 10 base32 characters (``verification_code``).

Every request, notice, payment and confirmation is a LicenseTaxEvent; nothing is deleted. Service
functions take the caller's session and Services; the caller commits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import (
    Complaint,
    LicenseTaxConfirmation,
    LicenseTaxEvent,
    LicenseTaxNotice,
    LicenseTaxPayment,
    User,
)
from workflows import audit, group_cards, webhooks
from workflows.license_tax import licensing_bodies
from workflows.license_tax import notice_render
from workflows.contact import looks_like_rrn
from workflows.complaints import service as complaints
from workflows.complaints import states
from workflows.complaints.common import Draft as ComplaintDraft
from workflows.context import Services, fmt_day
from workflows.district import District
from workflows.outbox import attach, enqueue
from workflows.roles import Principal, officers_of
from workflows.state_machine import Machine, TransitionError
from workflows.texts import ENGLISH_DATA, clip, escape, t
from workflows.date_words import DateInputError, parse_date

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

DATA = Path(__file__).parent.parent / "data" / "license_tax.json"
CITY_500K, CITY, COUNTY = "city_500k", "city", "county"
COLUMNS = (CITY_500K, CITY, COUNTY)
CLASSES = (1, 2, 3, 4, 5)

# notice states (non_taxable: the tax officer found a change request not taxable under 시행령 §40②1)
AWAITING_CLASS, ISSUED, PAID, CANCELLED, REFUND = "awaiting_class", "issued", "paid", "cancelled", "refund_requested"
NON_TAXABLE = "non_taxable"
OPEN_STATES = (AWAITING_CLASS, ISSUED)
# payment statuses
APPLIED, ACCEPTED, TO_RETURN = "applied", "accepted", "to_return"
HELD_MISMATCH, HELD_UNMATCHED, HELD_DUPLICATE, HELD_CANCELLED = (
    "held_mismatch",
    "held_unmatched",
    "held_duplicate",
    "held_cancelled",
)
HELD = (HELD_MISMATCH, HELD_UNMATCHED, HELD_DUPLICATE, HELD_CANCELLED)

CONSENT_PURPOSE = "license_tax"
BUSINESS_MAX, NAME_MAX, REASON_MIN, REASON_MAX = 60, 40, 5, 500
FIGURE_MAX = 1_000_000
ISSUE_DATE_HORIZON = timedelta(days=366)


# Text keys by state / status / code, spelt out so every key is a literal.
STATE_KEYS = {
    AWAITING_CLASS: "lt.state.awaiting_class",
    ISSUED: "lt.state.issued",
    PAID: "lt.state.paid",
    CANCELLED: "lt.state.cancelled",
    REFUND: "lt.state.refund_requested",
    NON_TAXABLE: "lt.state.non_taxable",
}
PAY_KEYS = {
    APPLIED: "lt.pay.applied",
    ACCEPTED: "lt.pay.accepted",
    TO_RETURN: "lt.pay.to_return",
    HELD_MISMATCH: "lt.pay.held_mismatch",
    HELD_UNMATCHED: "lt.pay.held_unmatched",
    HELD_DUPLICATE: "lt.pay.held_duplicate",
    HELD_CANCELLED: "lt.pay.held_cancelled",
}
SOURCE_KEYS = {"bank": "lt.pay.source.bank", "officer": "lt.pay.source.officer"}
AREA_KEYS = {"dong": "lt.area.dong", "eup_myeon": "lt.area.eup_myeon"}
FIGURE_KEYS = {
    "area_m2": ("lt.figure.area_m2.ask", "lt.figure.area_m2.value"),
    "staff": ("lt.figure.staff.ask", "lt.figure.staff.value"),
}
FIGURE_ERROR_KEYS = {"area_m2": "lt.err.figure.area_m2", "staff": "lt.err.figure.staff"}
ERROR_KEYS = {
    "unknown": "lt.err.unknown",
    "duplicate": "lt.err.duplicate",
    "date_format": "lt.err.date_format",
    "date_past": "lt.err.date_past",
    "date_far": "lt.err.date_far",
    "rrn": "lt.err.rrn",
    "business": "lt.err.business",
    "name": "lt.err.name",
    "figure": "lt.err.figure",
    "non_taxable": "lt.err.non_taxable",
    "payment": "lt.err.payment",
    "stale": "lt.err.stale",
    "cannot_accept": "lt.err.cannot_accept",
    "reason": "lt.err.reason",
    "not_tax_officer": "lt.err.not_tax_officer",
    "not_found": "lt.err.not_found",
    "not_registered": "lt.err.not_registered",
    "not_change": "lt.err.not_change",
}


class LicenseTaxError(ValueError):
    """A request the service refuses; ``code`` names the text to show (ERROR_KEYS)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    def text(self, lang: str, **values) -> str:
        return t(lang, ERROR_KEYS[self.code], **values)


class NoticeTransitionError(TransitionError, LicenseTaxError):
    """A move the notice's state does not allow: "stale" to the screens (it has moved on since the
    button was shown)."""

    kind, code = "licence tax notice", "stale"


# The notice's states; each action (also the LicenseTaxEvent's action) -> (from, to). A request
# starts awaiting_class (its "requested" event) and is issued at once when the 종 is certain.
NOTICE = Machine(
    (AWAITING_CLASS, ISSUED, PAID, CANCELLED, REFUND, NON_TAXABLE),
    {
        "issued": ({AWAITING_CLASS}, ISSUED),
        "non_taxable": ({AWAITING_CLASS}, NON_TAXABLE),
        "paid": ({ISSUED}, PAID),
        "cancelled": (OPEN_STATES, CANCELLED),  # by the tax officer
        "withdrawn": (OPEN_STATES, CANCELLED),  # by the resident
        "licence_refused": (OPEN_STATES, CANCELLED),  # not yet paid: no tax is due
        "refund_requested": ({PAID}, REFUND),  # paid: §37 refund
    },
    error=NoticeTransitionError,
)


class PaymentTransitionError(TransitionError, LicenseTaxError):
    """A move the payment's status does not allow: "stale" to the screens."""

    kind, code = "licence tax payment", "stale"


# A payment's status: set when it arrives (_match: applied to its notice, or held and why); then a
# payment that lost the race for its notice is held as a duplicate, and the tax officer settles a
# held one: accepted (an amount that differs, allowed) or to be returned to the payer.
PAYMENT = Machine(
    (APPLIED, *HELD, ACCEPTED, TO_RETURN),
    {
        "claim_lost": ({APPLIED}, HELD_DUPLICATE),  # another payment paid the notice a moment ago
        "accept": ({HELD_MISMATCH}, ACCEPTED),
        "return": (HELD, TO_RETURN),
    },
    error=PaymentTransitionError,
    column="status",
)


class DuplicatePayment(LicenseTaxError):
    """The bank sent this transaction id before: a replay, answered 409, applied once."""

    def __init__(self):
        super().__init__("duplicate")


# --- the statute and the catalogue as data ----------------------------------------------------


@dataclass(frozen=True)
class Band:
    """The 종 by a figure (영업장 면적 ㎡ or 종업원 수): min <= figure < max (max None = no limit)."""

    min: int
    max: int | None
    tax_class: int
    confirmed: bool = False


@dataclass(frozen=True)
class Licence:
    code: str
    name_ko: str
    name_en: str
    keywords: tuple[str, ...]
    tax_class: int | None
    confirmed: bool
    confidence: str
    source: str
    figure: str | None = None  # area_m2 / staff
    bands: tuple[Band, ...] = ()
    bodies: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_en if lang in ENGLISH_DATA else self.name_ko

    def class_for(self, figure: int | None) -> tuple[int | None, bool]:
        """(제N종, confirmed) — by the bands when the figure falls in one, else the catalogue's."""
        if figure is not None:
            for b in self.bands:
                if b.min <= figure and (b.max is None or figure < b.max):
                    return b.tax_class, b.confirmed
        return self.tax_class, self.confirmed

    def matches(self, query: str) -> bool:
        """The whole query (spaces ignored) or any of its words appears in a name or keyword."""
        hay = [re.sub(r"\s+", "", h.lower()) for h in (self.name_ko, self.name_en, *self.keywords)]
        words = {re.sub(r"\s+", "", query.lower())} | {w for w in query.lower().split() if len(w) > 1}
        return any(w and any(w in h for h in hay) for w in words)


@dataclass(frozen=True)
class Kind:
    """What is applied for. A top-level kind (group None) is the first question; one that ``asks``
    is followed by its reasons (group = its code), and the reason picked is the kind filed.
    ``officer_decides``: the tax officer settles the 종 and whether it is taxed at all (비과세)."""

    code: str
    ko: str
    en: str
    basis: str = ""
    non_taxable: str | None = None
    asks: str | None = None
    group: str | None = None
    officer_decides: bool = False

    def label(self, lang: str) -> str:
        return self.en if lang in ENGLISH_DATA else self.ko

    @property
    def is_change(self) -> bool:
        return self.group == "change"


@dataclass(frozen=True)
class NonTaxable:
    code: str
    ko: str
    en: str
    basis: str
    applies_to: str  # issue / periodic
    confirmed: bool
    extra: dict = field(default_factory=dict, compare=False)
    source: str = ""

    def text(self, lang: str) -> str:
        return self.en if lang in ENGLISH_DATA else self.ko


@dataclass(frozen=True)
class AreaKind:
    code: str
    rule: str  # fixed / by_population / by_area
    column: str | None
    ko: str
    en: str
    basis: str

    def label(self, lang: str) -> str:
        return self.en if lang in ENGLISH_DATA else self.ko


@dataclass(frozen=True)
class Catalogue:
    rates: dict[int, dict[str, int]]
    rates_source: str
    effective_from: str
    threshold: int
    column_labels: dict[str, dict[str, str]]
    area_kinds: dict[str, AreaKind]
    kinds: dict[str, Kind]
    non_taxable: dict[str, NonTaxable]
    licences: dict[str, Licence]
    pyeong_m2: tuple[int, int] = (400, 121)  # 1평 = 400/121 ㎡

    def rate(self, tax_class: int, column: str) -> int:
        return self.rates[tax_class][column]

    def column_label(self, column: str, lang: str) -> str:
        return self.column_labels[column]["en" if lang in ENGLISH_DATA else "ko"]

    def search(self, query: str, limit: int = 8) -> list[Licence]:
        return [lic for lic in self.licences.values() if lic.matches(query)][:limit]

    def first_kinds(self) -> list[Kind]:
        """The first question's answers (new, change, ...)."""
        return [k for k in self.kinds.values() if k.group is None]

    def reasons(self, kind: Kind) -> list[Kind]:
        """The answers to the follow-up question of a kind that asks one (what changed)."""
        return [k for k in self.kinds.values() if kind.asks and k.group == kind.code]


def _parse_catalogue(raw: dict) -> Catalogue:
    r = raw["rates"]
    rates = {int(k): {c: int(v[c]) for c in COLUMNS} for k, v in r["table"].items()}
    if sorted(rates) != list(CLASSES):
        raise ValueError("the §34 table needs exactly 제1종–제5종")
    areas = {
        code: AreaKind(code, a["rule"], a.get("column"), a["ko"], a["en"], a["basis"])
        for code, a in raw["area_kinds"].items()
    }
    for a in areas.values():
        if a.rule not in ("fixed", "by_population", "by_area") or (a.rule == "fixed" and a.column not in COLUMNS):
            raise ValueError(f"area kind {a.code}: bad rule or column")
    non_taxable = {
        n["code"]: NonTaxable(
            n["code"],
            n["ko"],
            n["en"],
            n["basis"],
            n["applies_to"],
            bool(n.get("confirmed")),
            {k: v for k, v in n.items() if k in ("closure_cutoff", "idle_days")},
            n.get("source", ""),
        )
        for n in raw["non_taxable"]
    }
    kinds = {
        k["code"]: Kind(k["code"], k["ko"], k["en"], k.get("basis", ""), k.get("non_taxable"), k.get("asks"))
        for k in raw["kinds"]
    }
    for k in list(kinds.values()):
        if k.asks:
            if not raw.get(k.asks):
                raise ValueError(f"kind {k.code}: asks {k.asks}, which the catalogue does not have")
            for reason in raw[k.asks]:
                if reason["code"] in kinds or not (bool(reason.get("non_taxable")) ^ bool(reason.get("taxable"))):
                    raise ValueError(f"reason {reason['code']}: a new code, and either taxable or non_taxable")
                kinds[reason["code"]] = Kind(
                    reason["code"],
                    reason["ko"],
                    reason["en"],
                    reason.get("basis", ""),
                    reason.get("non_taxable"),
                    group=k.code,
                    officer_decides=bool(reason.get("officer_decides")),
                )
    for k in kinds.values():
        if k.non_taxable and k.non_taxable not in non_taxable:
            raise ValueError(f"kind {k.code}: unknown non-taxable case {k.non_taxable}")
        if len(k.code) > 20:  # license_tax_notices.request_kind is String(20)
            raise ValueError(f"kind {k.code}: codes are at most 20 characters")
    licences = {}
    for lic in raw["licences"]:
        cls = lic.get("class")
        if cls is not None and cls not in CLASSES:
            raise ValueError(f"licence {lic['code']}: class must be 1-5 or null")
        if cls is None and lic.get("confirmed"):
            raise ValueError(f"licence {lic['code']}: a confirmed licence needs its class")
        bands = tuple(
            Band(b["min"], b.get("max"), b["class"], bool(b.get("confirmed"))) for b in lic.get("bands") or ()
        )
        licences[lic["code"]] = Licence(
            lic["code"],
            lic["ko"],
            lic["en"],
            tuple(lic.get("keywords", ())),
            cls,
            bool(lic.get("confirmed")),
            lic.get("confidence", "low"),
            lic["source"],
            lic.get("figure"),
            bands,
            tuple(lic.get("bodies", ())),
        )
    pyeong = raw.get("pyeong") or {"m2_numerator": 400, "m2_denominator": 121}
    return Catalogue(
        rates,
        r["source"],
        r["effective_from"],
        int(r["population_threshold"]),
        r["columns"],
        areas,
        kinds,
        non_taxable,
        licences,
        (int(pyeong["m2_numerator"]), int(pyeong["m2_denominator"])),
    )


@lru_cache(maxsize=8)
def _catalogue_at(path: str) -> Catalogue:
    return _parse_catalogue(json.loads(Path(path).read_text(encoding="utf-8")))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    return _catalogue_at(str(path or DATA))


def enabled(district: District) -> bool:
    """The profile has a license_tax block and says which kind of area the district is."""
    return bool(district.raw.get("license_tax")) and bool((district.raw.get("district") or {}).get("tax_class"))


def catalogue_for(district: District) -> Catalogue:
    return load_catalogue(_profile_path(district, "catalogue_file"))


def _profile_path(district: District, key: str) -> str | None:
    value = (district.raw.get("license_tax") or {}).get(key)
    return str(value) if value else None


# --- §34②③④: which column --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    code: str  # city_500k / city / county
    area: AreaKind
    by_area: str | None = None  # "dong" / "eup_myeon" for a 도농복합시

    def basis(self, lang: str) -> str:
        return self.area.basis


def column_for(info: dict, place: str, cat: Catalogue) -> Column:
    """The §34 column for a 사업장 at ``place`` in the district described by the profile's
    ``district`` block (tax_class, population_jan1, population_dong_areas, eup_myeon)."""
    kind = cat.area_kinds.get(info.get("tax_class") or "")
    if kind is None:
        raise ValueError(f"district.tax_class must be one of {sorted(cat.area_kinds)}")
    if kind.rule == "fixed":
        return Column(kind.column, kind)
    if kind.rule == "by_population":
        population = info.get("population_jan1")
        if not isinstance(population, int):
            raise ValueError("a 시 needs district.population_jan1 (§34④: 1월 1일 현재 주민등록 인구)")
        return Column(CITY_500K if population >= cat.threshold else CITY, kind)
    if place in set(info.get("eup_myeon") or ()):
        return Column(COUNTY, kind, "eup_myeon")
    population = info.get("population_dong_areas")
    if not isinstance(population, int):
        raise ValueError("a 도농복합시 needs district.population_dong_areas (§34②: the 동 area population)")
    return Column(CITY_500K if population >= cat.threshold else CITY, kind, "dong")


# --- the assessment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    licence: Licence
    kind: Kind
    column: Column
    tax_class: int | None
    class_confirmed: bool
    amount: int | None
    non_taxable: NonTaxable | None = None

    @property
    def taxable(self) -> bool:
        return self.non_taxable is None

    def legal_basis(self, cat: Catalogue, lang: str = "ko") -> str:
        return legal_basis(cat, self.tax_class, self.column, lang)


def legal_basis(cat: Catalogue, tax_class: int | None, column: Column, lang: str = "ko") -> str:
    cls = t(lang, "lt.class_n", n=tax_class) if tax_class else t(lang, "lt.class_unknown")
    where = column.area.label(lang)
    if column.by_area:
        where += " · " + t(lang, AREA_KEYS[column.by_area])
    return t(
        lang, "lt.basis", cls=cls, column=cat.column_label(column.code, lang), where=where, area_basis=column.area.basis
    )


def assess(
    cat: Catalogue, district: District, *, licence: str, kind: str, place: str, figure: float | None = None
) -> Assessment:
    """Amount and legal basis of one request, or the §40② case that makes it non-taxable. A kind
    that asks a follow-up (변경면허: what changed) is not assessable itself: its reason is. When the
    officer decides (the 종 may or may not have gone up), the 종 is never taken as confirmed."""
    lic = cat.licences.get(licence)
    k = cat.kinds.get(kind)
    if lic is None or k is None or k.asks:
        raise LicenseTaxError("unknown")
    column = column_for(district.raw.get("district") or {}, place, cat)
    if k.non_taxable:
        return Assessment(lic, k, column, None, False, None, cat.non_taxable[k.non_taxable])
    tax_class, confirmed = lic.class_for(figure)
    amount = cat.rate(tax_class, column.code) if tax_class else None
    return Assessment(lic, k, column, tax_class, confirmed and not k.officer_decides, amount)


def periodic_exempt(
    cat: Catalogue, tax_year: int, *, closure_reported_on: date | None = None, idle_since: date | None = None
) -> NonTaxable | None:
    """시행령 §40② for the annual levy (정기분, deemed renewed on 1 January, §35②): closure reported
    by 25 January of the tax year, or in fact idle for a year or more on 1 January."""
    closed = cat.non_taxable["closed_by_jan"]
    month, day = (int(x) for x in closed.extra["closure_cutoff"].split("-"))
    if closure_reported_on is not None and closure_reported_on <= date(tax_year, month, day):
        return closed
    idle = cat.non_taxable["idle_one_year"]
    if idle_since is not None and (date(tax_year, 1, 1) - idle_since).days >= idle.extra["idle_days"]:
        return idle
    return None


# --- numbers: virtual account with a check digit, due date, verification code ----------------------


def check_digit(digits: str) -> str:
    """The Luhn (weighted mod-10) check digit of a digit string.

    From the rightmost digit leftwards, every second digit (starting with the rightmost) is doubled
    and 9 subtracted when the result exceeds 9; the check digit brings the sum to a multiple of 10.
    It catches every single wrong digit and every swap of two adjacent digits except 09 <-> 90."""
    if not digits.isdigit():
        raise ValueError("digits only")
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def valid_check_digit(number: str) -> bool:
    return len(number) > 1 and number.isdigit() and check_digit(number[:-1]) == number[-1]


@dataclass(frozen=True)
class PaymentConfig:
    department: str
    refund_category: str
    bank_code: str
    bank_ko: str
    bank_en: str
    account_prefix: str
    serial_digits: int
    default_due_days: int

    def bank(self, lang: str) -> str:
        return self.bank_en if lang in ENGLISH_DATA else self.bank_ko


def payment_config(district: District) -> PaymentConfig:
    c = district.raw.get("license_tax")
    if not c:
        raise ValueError("the district profile has no license_tax block")
    prefix, digits = str(c["account_prefix"]), int(c["serial_digits"])
    if not prefix.isdigit() or not 4 <= digits <= 12:
        raise ValueError("license_tax.account_prefix must be digits and serial_digits 4-12")
    if c["department"] not in district.departments or c["refund_category"] not in district.categories:
        raise ValueError("license_tax.department / refund_category must exist in the profile")
    return PaymentConfig(
        c["department"],
        c["refund_category"],
        str(c["bank"]["code"]),
        c["bank"]["name_ko"],
        c["bank"]["name_en"],
        prefix,
        digits,
        int(c["default_due_days"]),
    )


def virtual_account(cfg: PaymentConfig, serial: int) -> str:
    """prefix + serial (zero-padded) + Luhn check digit: one account per notice."""
    body = f"{cfg.account_prefix}{serial:0{cfg.serial_digits}d}"
    if len(body) != len(cfg.account_prefix) + cfg.serial_digits:
        raise ValueError("serial too large for serial_digits")
    return body + check_digit(body)


def format_account(cfg: PaymentConfig, account: str) -> str:
    p = len(cfg.account_prefix)
    return f"{account[:p]}-{account[p:-1]}-{account[-1]}"


def normalize_account(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw or "")


def due_date(today: date, expected_issue: date | None, default_days: int) -> date:
    """§35①: paid before the certificate is issued — the day before the expected issue date (not
    before today); without a date, ``default_days`` from today."""
    if expected_issue is not None:
        return max(expected_issue - timedelta(days=1), today)
    return today + timedelta(days=default_days)


def receipt_key(svc: Services) -> bytes:
    if not svc.receipt_key:
        raise RuntimeError("no receipt key: set RECEIPT_KEY or DATA_KEY")
    return svc.receipt_key


def verification_code(key: bytes, notice_no: str, amount: int, paid_at: datetime) -> str:
    """HMAC-SHA256(key, "notice|amount|paid_at as Unix seconds") -> the first 10 base32 characters
    (50 bits: guessing one is hopeless), shown as two groups of five joined by a hyphen (e.g. OCMTP-L6RZM)."""
    msg = f"{notice_no}|{amount}|{int(paid_at.timestamp())}"
    digest = hmac.new(key, msg.encode(), hashlib.sha256).digest()
    code = base64.b32encode(digest[:10]).decode()[:10]
    return f"{code[:5]}-{code[5:]}"


def check_code(key: bytes, n: LicenseTaxNotice, code: str) -> bool:
    if n.paid_at is None or n.paid_amount is None:
        return False
    given = re.sub(r"[\s\-]", "", code or "").upper()
    expected = verification_code(key, n.notice_no, n.paid_amount, n.paid_at).replace("-", "")
    return hmac.compare_digest(given.encode(), expected.encode())  # str compare_digest refuses non-ASCII


_DATE_ERRORS = {"format": "date_format", "too_old": "date_past", "future": "date_far"}


def parse_issue_date(text: str, today: date) -> date:
    """The expected licence date as people type it, read like the birth and death forms' dates
    (workflows/date_words.parse_date: 2026-12-01, 2026.12.1, 20261201, 2026년 12월 1일, 12월 1일, 12/1,
    오늘, 내일): from today up to a year ahead; a date without a year is the next one in that window."""
    try:
        return parse_date(text, today, oldest=today, latest=today + ISSUE_DATE_HORIZON)
    except DateInputError as e:
        raise LicenseTaxError(_DATE_ERRORS[e.code]) from None


def date_example(today: date) -> date:
    """The example date the form shows: two weeks ahead, so never a day already past."""
    return today + timedelta(days=14)


def date_example_values(today: date, lang: str) -> dict[str, str]:
    """{example} and {example_short} of the date question and its error: the same future day
    written in full and without the year (12월 18일 / 12/18), as the parser reads both."""
    d = date_example(today)
    return {
        "example": d.isoformat(),
        "example_short": f"{d.month}월 {d.day}일" if lang == "ko" else f"{d.month}/{d.day}",
    }


def clean_text(text: str | None, *, limit: int, code: str) -> str:
    value = re.sub(r"\s+", " ", text or "").strip()
    if looks_like_rrn(value):
        raise LicenseTaxError("rrn")
    if not value or len(value) > limit:
        raise LicenseTaxError(code)
    return value


@dataclass(frozen=True)
class Figure:
    """The 영업장 면적 in ㎡ (or 종업원 수) as the resident gave it; ``pyeong`` when they typed 평."""

    value: float
    pyeong: float | None = None


_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
_AREA_UNITS = {
    "": None,
    "㎡": None,
    "m2": None,
    "m²": None,
    "제곱미터": None,
    "평방미터": None,
    "sqm": None,
    "평": "pyeong",
    "py": "pyeong",
}
_STAFF_UNITS = ("", "명", "인", "people", "persons")


def parse_figure(text: str, kind: str = "area_m2", cat: Catalogue | None = None) -> Figure:
    """85, 85.5, 1,200, 85㎡, 85.5 m2, 30평 (converted: 1평 = 400/121 ㎡, kept to 0.01 ㎡) for an area;
    12, 12명 for staff (whole people). LicenseTaxError("figure") for anything else, zero, or more
    than FIGURE_MAX."""
    s = re.sub(r"\s+", "", (text or "").lower()).removeprefix("약")
    m = re.fullmatch(_NUMBER + r"(.*)", s)
    if not m:
        raise LicenseTaxError("figure")
    number, unit = float(m[1].replace(",", "") + (m[2] or "")), m[3]
    if kind == "staff":
        if m[2] or unit not in _STAFF_UNITS:
            raise LicenseTaxError("figure")
        figure = Figure(number)
    elif unit not in _AREA_UNITS:
        raise LicenseTaxError("figure")
    elif _AREA_UNITS[unit] == "pyeong":
        num, den = (cat or load_catalogue()).pyeong_m2
        figure = Figure(round(number * num / den, 2), number)
    else:
        figure = Figure(round(number, 2))
    if not 0 < figure.value <= FIGURE_MAX:
        raise LicenseTaxError("figure")
    return figure


def fmt_number(x: float | None) -> str:
    """1200 -> '1,200', 85.5 -> '85.5', 99.17 -> '99.17' (no trailing zeros)."""
    if x is None:
        return "-"
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return text


def won(amount: int | None, lang: str) -> str:
    if amount is None:
        return t(lang, "lt.amount_unknown")
    return {"en": f"KRW {amount:,}", "zh": f"{amount:,}韩元"}.get(lang, f"{amount:,}원")


def local_today(svc: Services) -> date:
    return svc.now().astimezone(svc.tz).date()


def fmt_date(svc: Services, d: date | None, lang: str) -> str:
    if d is None:
        return "-"
    return fmt_day(d, lang)


# --- the request ------------------------------------------------------------------------------


@dataclass
class Draft:
    """What the resident answered (FSM data until confirmed)."""

    licence: str
    kind: str
    body: str
    business_name: str
    dong: str
    figure: float | None = None
    taxpayer_name: str | None = None
    expected_issue_date: date | None = None


def _event(
    session: AsyncSession,
    svc: Services,
    n: LicenseTaxNotice | None,
    action: str,
    *,
    actor_kind: str,
    actor_id: int | None = None,
    from_state: str | None = None,
    note: str | None = None,
    payment: LicenseTaxPayment | None = None,
) -> None:
    session.add(
        LicenseTaxEvent(
            notice_id=n.id if n else None,
            payment_id=payment.id if payment else None,
            at=svc.now(),
            actor_kind=actor_kind,
            actor_id=actor_id,
            action=action,
            from_state=from_state,
            to_state=n.state if n else None,
            note=note,
        )
    )


def _move(
    session: AsyncSession,
    svc: Services,
    n: LicenseTaxNotice,
    action: str,
    *,
    actor_kind: str,
    actor_id: int | None = None,
    note: str | None = None,
    payment: LicenseTaxPayment | None = None,
) -> None:
    move = NOTICE.apply(n, action)
    n.updated_at = svc.now()
    _event(
        session,
        svc,
        n,
        action,
        actor_kind=actor_kind,
        actor_id=actor_id,
        from_state=move.from_state,
        note=note,
        payment=payment,
    )


def _audit(
    session: AsyncSession,
    svc: Services,
    actor_id: int,
    action: str,
    n: LicenseTaxNotice | None,
    event: str | None = None,
    payment: LicenseTaxPayment | None = None,
    **detail,
) -> None:
    """An officer's view of, or action on, a resident's notice: notice number and codes only."""
    audit.record(
        session,
        action,
        actor_id=actor_id,
        actor_role="officer",
        subject_kind="tax_notice",
        subject_id=n.notice_no if n else None,
        detail=audit.details(event=event, payment=payment.id if payment else None, **detail),
        at=svc.now(),
    )


def officer_view(
    session: AsyncSession, svc: Services, officer: Principal, n: LicenseTaxNotice, lang: str, *, via: str = "open"
) -> str:
    """The tax officer's card of a notice (licence, business, 동, amount): the view is audited."""
    _check_officer(svc, officer)
    text = officer_card(svc, n, lang)
    _audit(session, svc, officer.user_id, audit.TAX_VIEW, n, via=via)
    return text


async def find_by_submit_key(session: AsyncSession, submit_key: str) -> LicenseTaxNotice | None:
    return await session.scalar(select(LicenseTaxNotice).where(LicenseTaxNotice.submit_key == submit_key))


async def get_notice(
    session: AsyncSession, *, notice_id: int | None = None, notice_no: str | None = None
) -> LicenseTaxNotice | None:
    if notice_id is not None:
        return await session.get(LicenseTaxNotice, notice_id)
    return await session.scalar(
        select(LicenseTaxNotice).where(LicenseTaxNotice.notice_no == (notice_no or "").strip().upper())
    )


async def list_for_citizen(session: AsyncSession, citizen_id: int, limit: int = 5) -> list[LicenseTaxNotice]:
    return list(
        (
            await session.scalars(
                select(LicenseTaxNotice)
                .where(LicenseTaxNotice.citizen_id == citizen_id)
                .order_by(LicenseTaxNotice.id.desc())
                .limit(limit)
            )
        ).all()
    )


def validate(svc: Services, draft: Draft) -> Assessment:
    cat = catalogue_for(svc.district)
    bodies = licensing_bodies.load_bodies(svc.district)
    if draft.body not in bodies:
        raise LicenseTaxError("unknown")
    if draft.dong not in svc.district.dongs:
        raise LicenseTaxError("unknown")
    clean_text(draft.business_name, limit=BUSINESS_MAX, code="business")
    if draft.taxpayer_name is not None:
        clean_text(draft.taxpayer_name, limit=NAME_MAX, code="name")
    a = assess(cat, svc.district, licence=draft.licence, kind=draft.kind, place=draft.dong, figure=draft.figure)
    if not a.taxable:
        raise LicenseTaxError("non_taxable")
    if a.licence.figure and draft.figure is None:
        raise LicenseTaxError("figure")
    return a


async def request_notice(
    session: AsyncSession, svc: Services, *, citizen_id: int, submit_key: str, draft: Draft
) -> tuple[LicenseTaxNotice, bool]:
    """File the request once per form. A confirmed 종 issues the notice at once; an unconfirmed one
    waits for the tax officer (awaiting_class), who is told."""
    existing = await find_by_submit_key(session, submit_key)
    if existing is not None:
        return existing, False
    a = validate(svc, draft)
    cat = catalogue_for(svc.district)
    now = svc.now()
    n = LicenseTaxNotice(
        # unique until the id is known; fits the column (PostgreSQL enforces String(20))
        notice_no="tmp-" + hashlib.sha256(submit_key.encode()).hexdigest()[:16],
        submit_key=submit_key,
        citizen_id=citizen_id,
        licence_code=a.licence.code,
        licence_name=a.licence.name_ko,
        request_kind=a.kind.code,
        figure=draft.figure,
        tax_class=a.tax_class,
        class_confirmed=a.class_confirmed,
        rate_column=a.column.code,
        amount=a.amount if a.class_confirmed else None,
        legal_basis=a.legal_basis(cat),
        body_code=draft.body,
        business_name=clean_text(draft.business_name, limit=BUSINESS_MAX, code="business"),
        dong=draft.dong,
        expected_issue_date=draft.expected_issue_date,
        taxpayer_name_enc=svc.cipher.encrypt(draft.taxpayer_name.strip()) if draft.taxpayer_name else None,
        state=AWAITING_CLASS,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(n)
            await session.flush()
    except IntegrityError:
        return await find_by_submit_key(session, submit_key), False
    n.notice_no = f"LT-{now.astimezone(svc.tz).year}-{n.id:06d}"
    _event(
        session,
        svc,
        n,
        "requested",
        actor_kind="citizen",
        actor_id=citizen_id,
        note=f"{a.licence.code} {a.kind.code} 종={a.tax_class} confirmed={a.class_confirmed} column={a.column.code}"
        + (f" figure={fmt_number(draft.figure)}" if draft.figure is not None else ""),
    )
    if a.class_confirmed:
        await _issue(session, svc, n, actor_kind="system")
    else:
        head = "lt.op.new_change" if a.kind.is_change else "lt.op.new_unconfirmed"
        await _notify_officers(
            session, svc, f"lt:class:{n.id}", head, n, buttons=lambda lang: officer_buttons(n, lang, cat)
        )
    return n, True


async def confirm_class(
    session: AsyncSession, svc: Services, officer: Principal, n: LicenseTaxNotice, tax_class: int
) -> None:
    """The tax officer settles the 종 (시행령 별표 1) of a request; the notice is issued with it."""
    _check_officer(svc, officer)
    NOTICE.require(n.state, "issued")
    if tax_class not in CLASSES:
        raise LicenseTaxError("unknown")
    cat = catalogue_for(svc.district)
    column = column_for(svc.district.raw.get("district") or {}, n.dong, cat)
    suggested = n.tax_class
    n.tax_class, n.class_confirmed, n.officer_id = tax_class, True, officer.user_id
    n.amount, n.legal_basis = cat.rate(tax_class, column.code), legal_basis(cat, tax_class, column)
    _event(
        session,
        svc,
        n,
        "class_confirmed",
        actor_kind="officer",
        actor_id=officer.user_id,
        from_state=n.state,
        note=f"제{tax_class}종 (catalogue: {suggested or '-'})",
    )
    _audit(session, svc, officer.user_id, audit.TAX_ACTION, n, "class_confirmed", tax_class=tax_class)
    await _issue(session, svc, n, actor_kind="officer", actor_id=officer.user_id)


async def declare_non_taxable(session: AsyncSession, svc: Services, officer: Principal, n: LicenseTaxNotice) -> None:
    """The tax officer finds a 변경면허 request not taxable (시행령 §40②1: neither the licensee
    changes nor the 종 goes up; the 1 January renewal is not applied for here): no notice, nothing to
    pay; the resident is told why, in words, to show the licensing body."""
    _check_officer(svc, officer)
    NOTICE.require(n.state, "non_taxable")
    cat = catalogue_for(svc.district)
    kind = cat.kinds.get(n.request_kind)
    if kind is None or not kind.is_change:
        raise LicenseTaxError("not_change")
    case = cat.non_taxable["change_not_taxable"]
    n.officer_id, n.amount, n.closed_at = officer.user_id, 0, svc.now()
    n.legal_basis = case.basis
    _move(session, svc, n, "non_taxable", actor_kind="officer", actor_id=officer.user_id, note=case.basis)
    _audit(session, svc, officer.user_id, audit.TAX_ACTION, n, "non_taxable")
    lang = await _lang(session, n.citizen_id)
    await enqueue(
        session,
        key=f"lt:non_taxable:{n.id}",
        chat_id=n.citizen_id,
        text=t(
            lang,
            "lt.citizen.non_taxable",
            no=n.notice_no,
            licence=escape(_licence_name(svc, n, lang)),
            case=escape(case.text(lang)),
            basis=escape(case.basis),
            phone=_tax_phone(svc),
        ),
    )


async def _issue(
    session: AsyncSession, svc: Services, n: LicenseTaxNotice, *, actor_kind: str, actor_id: int | None = None
) -> None:
    cfg = payment_config(svc.district)
    n.bank_code, n.virtual_account = cfg.bank_code, virtual_account(cfg, n.id)
    n.due_date = due_date(local_today(svc), n.expected_issue_date, cfg.default_due_days)
    n.issued_at = svc.now()
    _move(
        session,
        svc,
        n,
        "issued",
        actor_kind=actor_kind,
        actor_id=actor_id,
        note=f"{n.amount} won, account {n.virtual_account}, due {n.due_date}",
    )
    lang = await _lang(session, n.citizen_id)
    await _to_citizen(
        session,
        n,
        lang,
        "notice",
        notice_text(svc, n, lang),
        f"{n.notice_no}.png",
        notice_sheet(svc, n),
        t(lang, "lt.png.notice", no=n.notice_no),
    )


async def _send_png(session: AsyncSession, key: str, chat_id: int, filename: str, png: bytes, caption: str) -> None:
    """The notice or receipt as an image; the caption is one short template line (notice number and
    code only), far within Telegram's 1,024 characters, so it is sent whole."""
    await enqueue(
        session,
        key=key,
        chat_id=chat_id,
        method="sendDocument",
        params={"document": await attach(session, filename, png, "image/png"), "caption": caption},
    )


# --- payments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentResult:
    payment: LicenseTaxPayment
    notice: LicenseTaxNotice | None

    @property
    def status(self) -> str:
        return self.payment.status


async def record_bank_payment(
    session: AsyncSession, svc: Services, *, transaction_id: str, account: str, amount: int, paid_at: datetime
) -> PaymentResult:
    """A bank's payment notification (already authenticated by the caller). Applied once: the same
    transaction id again raises DuplicatePayment. A payment that does not match an issued notice
    exactly (amount, state, account) is held for the officer, never applied."""
    if not transaction_id or len(transaction_id) > 80 or not isinstance(amount, int) or amount <= 0:
        raise LicenseTaxError("payment")
    account = normalize_account(account)
    if await session.scalar(select(LicenseTaxPayment.id).where(LicenseTaxPayment.transaction_id == transaction_id)):
        raise DuplicatePayment()
    n = None
    if valid_check_digit(account):
        n = await session.scalar(select(LicenseTaxNotice).where(LicenseTaxNotice.virtual_account == account))
    p = LicenseTaxPayment(
        transaction_id=transaction_id,
        source="bank",
        notice_id=n.id if n else None,
        virtual_account=account[:40],
        amount=amount,
        paid_at=paid_at,
        received_at=svc.now(),
        status=_match(n, amount),
    )
    try:
        async with session.begin_nested():
            session.add(p)
            await session.flush()
    except IntegrityError:
        raise DuplicatePayment() from None
    await _after_payment(session, svc, n, p, actor_kind="bank")
    return PaymentResult(p, n)


def _match(n: LicenseTaxNotice | None, amount: int) -> str:
    if n is None:
        return HELD_UNMATCHED
    if n.state in (PAID, REFUND):
        return HELD_DUPLICATE
    if not NOTICE.allows(n.state, "paid"):
        return HELD_CANCELLED
    return APPLIED if amount == n.amount else HELD_MISMATCH


async def _after_payment(
    session: AsyncSession,
    svc: Services,
    n: LicenseTaxNotice | None,
    p: LicenseTaxPayment,
    *,
    actor_kind: str,
    actor_id: int | None = None,
) -> None:
    if p.status == APPLIED and not await _claim(session, n):
        PAYMENT.apply(p, "claim_lost")  # another payment paid it a moment ago (two notifications at once)
    _event(
        session,
        svc,
        n,
        "payment_received",
        actor_kind=actor_kind,
        actor_id=actor_id,
        payment=p,
        from_state=n.state if n else None,
        note=f"{p.source} {p.amount} won: {p.status}",
    )
    if p.status == APPLIED:
        await _paid(session, svc, n, p, actor_kind=actor_kind, actor_id=actor_id)
        return
    await _notify_officers(
        session,
        svc,
        f"lt:held:{p.id}",
        "lt.op.payment_held",
        n,
        payment=p,
        buttons=lambda lang: payment_buttons(p, n, lang),
    )
    if n is not None and p.status == HELD_MISMATCH:
        lang = await _lang(session, n.citizen_id)
        await enqueue(
            session,
            key=f"lt:held_citizen:{p.id}",
            chat_id=n.citizen_id,
            text=t(
                lang,
                "lt.citizen.payment_held",
                no=n.notice_no,
                paid=won(p.amount, lang),
                amount=won(n.amount, lang),
                phone=_tax_phone(svc),
            ),
        )


async def _claim(session: AsyncSession, n: LicenseTaxNotice) -> bool:
    """Only one payment may pay a notice: a conditional UPDATE (the row as the database has it, not as
    this session read it) decides between concurrent ones."""
    res = await session.execute(
        update(LicenseTaxNotice)
        .where(LicenseTaxNotice.id == n.id, LicenseTaxNotice.state.in_(NOTICE.sources("paid")))
        .values(state=PAID)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount == 1


async def _paid(
    session: AsyncSession,
    svc: Services,
    n: LicenseTaxNotice,
    p: LicenseTaxPayment,
    *,
    actor_kind: str,
    actor_id: int | None = None,
) -> None:
    n.paid_at, n.paid_amount = p.paid_at, p.amount
    n.verification_code = verification_code(receipt_key(svc), n.notice_no, p.amount, p.paid_at)
    late = n.due_date is not None and p.paid_at.astimezone(svc.tz).date() > n.due_date
    _move(
        session,
        svc,
        n,
        "paid",
        actor_kind=actor_kind,
        actor_id=actor_id,
        payment=p,
        note="after the due date" if late else None,
    )
    lang = await _lang(session, n.citizen_id)
    await _to_citizen(
        session,
        n,
        lang,
        "receipt",
        receipt_text(svc, n, lang),
        f"{n.notice_no}-receipt.png",
        receipt_sheet(svc, n),
        t(lang, "lt.png.receipt", no=n.notice_no, code=n.verification_code),
    )
    await _confirm_to_body(session, svc, n)


async def _to_citizen(
    session: AsyncSession,
    n: LicenseTaxNotice,
    lang: str,
    kind: str,
    text: str,
    png_name: str,
    sheet: notice_render.Sheet,
    caption: str,
) -> None:
    """The notice or the receipt to the resident: its text with the "not mine" button, then the
    sheet as a picture (one outbox key each, so a repeat sends neither twice)."""
    await enqueue(
        session,
        key=f"lt:{kind}:{n.id}",
        chat_id=n.citizen_id,
        text=text,
        buttons=[[(t(lang, "lt.btn.refused"), cb("refuse_ask", n.id))]],
    )
    await _send_png(session, f"lt:{kind}_png:{n.id}", n.citizen_id, png_name, notice_render.render(sheet), caption)


async def _confirm_to_body(session: AsyncSession, svc: Services, n: LicenseTaxNotice) -> None:
    body = licensing_bodies.load_bodies(svc.district)[n.body_code]
    payload = {
        "event": "license_tax.paid",
        "district": svc.district.name_ko,
        "notice_no": n.notice_no,
        "licence": n.licence_name,
        "licence_code": n.licence_code,
        "tax_class": n.tax_class,
        "business_name": n.business_name,
        "dong": n.dong,
        "amount": n.paid_amount,
        "paid_at": n.paid_at.isoformat(),
        "verification_code": n.verification_code,
    }
    c = await licensing_bodies.queue(
        session,
        svc,
        notice_id=n.id,
        body=body,
        payload=payload,
        chat_text=lambda lang: body_text(svc, n, body, lang),
        buttons=lambda lang: [[(t(lang, "lt.btn.body_refused"), cb("refuse_ask", n.id))]],
        group_text=lambda lang: t(
            lang,
            "lt.group.body_paid",
            no=n.notice_no,
            licence=escape(_licence_name(svc, n, lang)),
            dong=escape(svc.district.dong_name(n.dong, lang)),
        ),
    )
    _event(session, svc, n, "confirmation_queued", actor_kind="system", note=f"{c.channel} {body.code}: {c.status}")
    if c.channel == licensing_bodies.MANUAL:
        await confirmation_failed(session, svc, c, "no channel configured")


async def _confirmation_delivered(
    session: AsyncSession, svc: Services, c: LicenseTaxConfirmation, resp: httpx.Response, ms: int
) -> None:
    c.status, c.sent_at = licensing_bodies.SENT, svc.now()
    await confirmation_sent(session, svc, c, f"webhook HTTP {resp.status_code} in {ms} ms")


async def _confirmation_gave_up(session: AsyncSession, svc: Services, c: LicenseTaxConfirmation, error: str) -> None:
    c.status, c.last_error = licensing_bodies.FAILED, error[:300]
    await confirmation_failed(session, svc, c, error)


async def deliver_confirmations(session: AsyncSession, svc: Services, *, limit: int = 20) -> int:
    """POST every webhook payment confirmation that is due (licensing_bodies.webhook_queue); returns
    how many were delivered."""
    queue = licensing_bodies.webhook_queue(_confirmation_delivered, _confirmation_gave_up)
    return await webhooks.deliver_due(session, svc, queue, limit=limit)


async def confirmation_sent(session: AsyncSession, svc: Services, c: LicenseTaxConfirmation, note: str) -> None:
    n = await session.get(LicenseTaxNotice, c.notice_id)
    _event(session, svc, n, "confirmation_sent", actor_kind="system", note=note)


async def confirmation_failed(session: AsyncSession, svc: Services, c: LicenseTaxConfirmation, error: str) -> None:
    """The body could not be told through its channel: the tax officers tell it by hand."""
    n = await session.get(LicenseTaxNotice, c.notice_id)
    _event(session, svc, n, "confirmation_failed", actor_kind="system", note=error[:300])
    body = licensing_bodies.load_bodies(svc.district).get(c.body_code)
    await _notify_officers(
        session,
        svc,
        f"lt:relay:{c.id}",
        "lt.op.relay_by_hand",
        n,
        body=lambda lang: escape(body.name(lang) if body else c.body_code),
        body_phone=escape(body.phone if body else "-"),
        error=escape(clip(error, 200)),
    )


async def mark_paid(session: AsyncSession, svc: Services, officer: Principal, n: LicenseTaxNotice) -> LicenseTaxPayment:
    """세무과 수납 처리 from the chat (a payment seen in the bank's own system)."""
    _check_officer(svc, officer)
    NOTICE.require(n.state, "paid")
    now = svc.now()
    p = LicenseTaxPayment(
        transaction_id=f"officer:{n.id}",
        source="officer",
        notice_id=n.id,
        virtual_account=n.virtual_account,
        amount=n.amount,
        paid_at=now,
        received_at=now,
        status=APPLIED,
        officer_id=officer.user_id,
    )
    try:
        async with session.begin_nested():
            session.add(p)
            await session.flush()
    except IntegrityError:
        raise LicenseTaxError("stale") from None
    await _after_payment(session, svc, n, p, actor_kind="officer", actor_id=officer.user_id)
    _audit(session, svc, officer.user_id, audit.TAX_ACTION, n, "marked_paid", p)
    return p


async def resolve_payment(
    session: AsyncSession, svc: Services, officer: Principal, p: LicenseTaxPayment, *, accept: bool
) -> LicenseTaxNotice | None:
    """A held payment: accept it as paying its notice (an amount mismatch the officer allows), or mark
    it to be returned to the payer."""
    _check_officer(svc, officer)
    action = "accept" if accept else "return"
    PAYMENT.require(p.status, "return")  # settled already (only a held payment can be): "stale"
    n = await session.get(LicenseTaxNotice, p.notice_id) if p.notice_id else None
    if accept and (n is None or not NOTICE.allows(n.state, "paid") or not PAYMENT.allows(p.status, action)):
        raise LicenseTaxError("cannot_accept")
    if accept and not await _claim(session, n):
        raise LicenseTaxError("stale")
    PAYMENT.apply(p, action)
    p.resolved_at, p.resolved_by = svc.now(), officer.user_id
    _event(
        session,
        svc,
        n,
        "payment_accepted" if accept else "payment_to_return",
        actor_kind="officer",
        actor_id=officer.user_id,
        payment=p,
        from_state=n.state if n else None,
    )
    _audit(session, svc, officer.user_id, audit.TAX_ACTION, n, "payment_accepted" if accept else "payment_to_return", p)
    if accept:
        await _paid(session, svc, n, p, actor_kind="officer", actor_id=officer.user_id)
    elif n is not None:
        lang = await _lang(session, n.citizen_id)
        await enqueue(
            session,
            key=f"lt:return:{p.id}",
            chat_id=n.citizen_id,
            text=t(
                lang, "lt.citizen.payment_returned", no=n.notice_no, paid=won(p.amount, lang), phone=_tax_phone(svc)
            ),
        )
    return n


async def cancel(session: AsyncSession, svc: Services, officer: Principal, n: LicenseTaxNotice, reason: str) -> None:
    _check_officer(svc, officer)
    reason = re.sub(r"\s+", " ", reason or "").strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise LicenseTaxError("reason")
    NOTICE.require(n.state, "cancelled")
    n.closed_at = svc.now()
    _move(session, svc, n, "cancelled", actor_kind="officer", actor_id=officer.user_id, note=reason)
    _audit(session, svc, officer.user_id, audit.TAX_ACTION, n, "cancelled")
    lang = await _lang(session, n.citizen_id)
    await enqueue(
        session,
        key=f"lt:cancelled:{n.id}",
        chat_id=n.citizen_id,
        text=t(lang, "lt.citizen.cancelled", no=n.notice_no, reason=escape(reason), phone=_tax_phone(svc)),
    )


async def withdraw(session: AsyncSession, svc: Services, n: LicenseTaxNotice) -> bool:
    """The resident withdraws a request not yet paid (before deleting their data,
    workflows/privacy/service.py): the notice is cancelled and the tax officers are told. A paid notice is
    a tax record and stays; False when there was nothing to withdraw."""
    if not NOTICE.allows(n.state, "withdrawn"):
        return False
    n.closed_at = svc.now()
    _move(
        session,
        svc,
        n,
        "withdrawn",
        actor_kind="citizen",
        actor_id=n.citizen_id,
        note="신청인 취하 (개인정보 삭제 요청)",
    )
    await _notify_officers(session, svc, f"lt:withdrawn:{n.id}", "lt.op.withdrawn", n)
    return True


async def licence_refused(
    session: AsyncSession, svc: Services, n: LicenseTaxNotice, *, actor_kind: str, actor_id: int
) -> str:
    """The licence was not granted. Unpaid: the notice is cancelled (no tax is due). Paid: a §37
    refund request goes to 세무과 as a routed request (a complaint the resident can follow)."""
    if NOTICE.allows(n.state, "licence_refused"):
        if actor_kind == "officer":
            _audit(session, svc, actor_id, audit.TAX_ACTION, n, "licence_refused", outcome="cancelled")
        n.closed_at = svc.now()
        _move(
            session,
            svc,
            n,
            "licence_refused",
            actor_kind=actor_kind,
            actor_id=actor_id,
            note="면허 불허: 납부 전 고지 취소",
        )
        lang = await _lang(session, n.citizen_id)
        await enqueue(
            session,
            key=f"lt:refused:{n.id}",
            chat_id=n.citizen_id,
            text=t(lang, "lt.citizen.refused_unpaid", no=n.notice_no),
        )
        return "cancelled"
    NOTICE.require(n.state, "refund_requested")
    if actor_kind == "officer":
        _audit(session, svc, actor_id, audit.TAX_ACTION, n, "licence_refused", outcome="refund")
    cfg = payment_config(svc.district)
    body = licensing_bodies.load_bodies(svc.district).get(n.body_code)
    description = t(
        "ko",
        "lt.refund.description",
        no=n.notice_no,
        licence=n.licence_name,
        amount=won(n.paid_amount, "ko"),
        paid=svc.fmt(n.paid_at, "ko"),
        account=n.virtual_account,
        body=body.name_ko if body else n.body_code,
        who=t("ko", "lt.refund.by_body" if actor_kind == "body" else "lt.refund.by_citizen"),
    )
    c, _ = await complaints.submit(
        session,
        svc,
        citizen_id=n.citizen_id,
        submit_key=f"lt-refund:{n.id}",
        draft=ComplaintDraft(category=cfg.refund_category, description=description),
    )
    n.refund_complaint_id, n.closed_at = c.id, svc.now()
    _move(
        session,
        svc,
        n,
        "refund_requested",
        actor_kind=actor_kind,
        actor_id=actor_id,
        note=f"complaint {c.receipt_no}",
    )
    lang = await _lang(session, n.citizen_id)
    await enqueue(
        session,
        key=f"lt:refund:{n.id}",
        chat_id=n.citizen_id,
        text=t(
            lang, "lt.citizen.refund_filed", no=n.notice_no, receipt=c.receipt_no, deadline=svc.fmt(c.deadline_at, lang)
        ),
    )
    return "refund"


# --- verification by the licensing body --------------------------------------------------------


async def verify(
    session: AsyncSession, svc: Services, *, chat_id: int, principal: Principal, notice_no: str
) -> LicenseTaxNotice:
    """A notice as its licensing body sees it (its registered chat) or the tax division does.
    A notice of another body is answered like a missing one."""
    n = await get_notice(session, notice_no=notice_no)
    if is_tax_officer(svc, principal):
        if n is None:
            raise LicenseTaxError("not_found")
        return n
    body = licensing_bodies.body_for_chat(licensing_bodies.load_bodies(svc.district), chat_id)
    if body is None:
        raise LicenseTaxError("not_registered")
    if n is None or n.body_code != body.code:
        raise LicenseTaxError("not_found")
    _event(session, svc, n, "verified", actor_kind="body", actor_id=principal.user_id, note=body.code)
    return n


def may_report_refusal(svc: Services, n: LicenseTaxNotice, *, chat_id: int, principal: Principal) -> str | None:
    """Who says the licence was refused: the resident (their own notice), the body (its chat), a tax
    officer. Returns the actor kind, or None."""
    if chat_id == n.citizen_id and principal.user_id == n.citizen_id:
        return "citizen"
    body = licensing_bodies.body_for_chat(licensing_bodies.load_bodies(svc.district), chat_id)
    if body is not None and body.code == n.body_code:
        return "body"
    if is_tax_officer(svc, principal):
        return "officer"
    return None


# --- officers ------------------------------------------------------------------------------------


def is_tax_officer(svc: Services, p: Principal) -> bool:
    return p.is_officer and p.department == payment_config(svc.district).department


def _check_officer(svc: Services, p: Principal) -> None:
    if not is_tax_officer(svc, p):
        raise LicenseTaxError("not_tax_officer")


@dataclass
class Inbox:
    awaiting: list[LicenseTaxNotice]
    unpaid: list[LicenseTaxNotice]
    held: list[LicenseTaxPayment]
    refunds: list[tuple[LicenseTaxNotice, Complaint]]
    failed: list[LicenseTaxConfirmation]
    counts: dict[str, int]


async def inbox(session: AsyncSession, limit: int = 10) -> Inbox:
    """What waits for 세무과: 종 to settle, unpaid notices, held payments, open refund requests and
    confirmations that could not be delivered."""

    async def notices(state: str):
        q = select(LicenseTaxNotice).where(LicenseTaxNotice.state == state)
        total = await session.scalar(select(func.count()).select_from(q.subquery()))
        return list((await session.scalars(q.order_by(LicenseTaxNotice.id).limit(limit))).all()), int(total or 0)

    awaiting, n_awaiting = await notices(AWAITING_CLASS)
    unpaid, n_unpaid = await notices(ISSUED)
    held_q = select(LicenseTaxPayment).where(LicenseTaxPayment.status.in_(HELD))
    held = list((await session.scalars(held_q.order_by(LicenseTaxPayment.id).limit(limit))).all())
    n_held = await session.scalar(select(func.count()).select_from(held_q.subquery()))
    refund_rows = (
        await session.execute(
            select(LicenseTaxNotice, Complaint)
            .join(Complaint, Complaint.id == LicenseTaxNotice.refund_complaint_id)
            .where(LicenseTaxNotice.state == REFUND, Complaint.state.in_(states.OPEN))
            .order_by(LicenseTaxNotice.id)
        )
    ).all()
    failed = list(
        (
            await session.scalars(
                select(LicenseTaxConfirmation)
                .where(LicenseTaxConfirmation.status == licensing_bodies.FAILED)
                .order_by(LicenseTaxConfirmation.id)
                .limit(limit)
            )
        ).all()
    )
    return Inbox(
        awaiting,
        unpaid,
        held,
        [(r[0], r[1]) for r in refund_rows[:limit]],
        failed,
        {
            "awaiting": n_awaiting,
            "unpaid": n_unpaid,
            "held": int(n_held or 0),
            "refunds": len(refund_rows),
            "failed": len(failed),
        },
    )


def cb(action: str, notice_or_payment_id: int, arg: int = 0) -> str:
    """Callback data of the feature's buttons (handlers/license_tax.LtCb packs the same string)."""
    return f"lt:{action}:{notice_or_payment_id}:{arg}"


def is_change_request(n: LicenseTaxNotice, cat: Catalogue | None = None) -> bool:
    kind = (cat or load_catalogue()).kinds.get(n.request_kind)
    return bool(kind and kind.is_change)


def officer_buttons(n: LicenseTaxNotice, lang: str, cat: Catalogue | None = None) -> list[list[tuple[str, str]]]:
    if n.state == AWAITING_CLASS:
        rows = [[(t(lang, "lt.btn.class", n=c), cb("class", n.id, c)) for c in CLASSES]]
        if is_change_request(n, cat):  # 시행령 §40②1: a change may not be taxable at all
            rows.append([(t(lang, "lt.btn.non_taxable"), cb("nontax_ask", n.id))])
        return rows + [[(t(lang, "lt.btn.cancel_notice"), cb("cancel", n.id))]]
    if n.state == ISSUED:
        return [
            [(t(lang, "lt.btn.mark_paid"), cb("paid_ask", n.id)), (t(lang, "lt.btn.cancel_notice"), cb("cancel", n.id))]
        ]
    if n.state == PAID:
        return [[(t(lang, "lt.btn.body_refused"), cb("refuse_ask", n.id))]]
    return []


def payment_buttons(p: LicenseTaxPayment, n: LicenseTaxNotice | None, lang: str) -> list[list[tuple[str, str]]]:
    if not PAYMENT.allows(p.status, "return"):  # not held (any more)
        return []
    row = []
    if PAYMENT.allows(p.status, "accept") and n is not None and NOTICE.allows(n.state, "paid"):
        row.append((t(lang, "lt.btn.accept_payment"), cb("accept", p.id)))
    row.append((t(lang, "lt.btn.return_payment"), cb("return", p.id)))
    return [row]


async def _notify_officers(
    session: AsyncSession,
    svc: Services,
    key: str,
    text_key: str,
    n: LicenseTaxNotice | None,
    *,
    buttons=None,
    payment: LicenseTaxPayment | None = None,
    **extra,
) -> None:
    cfg = payment_config(svc.district)
    dept = svc.district.department(cfg.department)
    recipients = [(oid, await _lang(session, oid)) for oid in await officers_of(session, cfg.department)]
    if dept.group_chat_id:
        recipients.append((dept.group_chat_id, "ko"))
    if not recipients:  # no tax officer yet: the first-contact desk hears of it (as for complaints)
        recipients = [
            (oid, await _lang(session, oid)) for oid in await officers_of(session, svc.district.first_contact)
        ]
    for chat_id, lang in recipients:
        if chat_id == dept.group_chat_id:  # the group: no business, taxpayer or amount (workflows/group_cards.py)
            await enqueue(
                session,
                key=f"{key}:{chat_id}",
                chat_id=chat_id,
                text=group_card(svc, n, text_key, lang),
                buttons=group_buttons(svc, n, payment, lang),
            )
            continue
        text = t(
            lang,
            text_key,
            card=officer_card(svc, n, lang) if n else "-",
            payment=payment_line(svc, payment, lang) if payment else "",
            **{k: v(lang) if callable(v) else v for k, v in extra.items()},
        )
        await enqueue(
            session, key=f"{key}:{chat_id}", chat_id=chat_id, text=text, buttons=buttons(lang) if buttons else None
        )


# --- texts --------------------------------------------------------------------------------------


async def _lang(session: AsyncSession, user_id: int) -> str:
    u = await session.get(User, user_id)
    return u.language if u else "ko"


def _tax_phone(svc: Services) -> str:
    """The tax division's phone from the district profile, for an HTML message (escaped)."""
    return escape(svc.district.department(payment_config(svc.district).department).phone or "-")


def _body_name(svc: Services, code: str, lang: str) -> str:
    body = licensing_bodies.load_bodies(svc.district).get(code)
    return body.name(lang) if body else code


# the officers' heads (texts) -> the group's, which leave out what the payer wrote
GROUP_HEADS = {
    "lt.op.new_change": "lt.group.new_change",
    "lt.op.new_unconfirmed": "lt.group.new_unconfirmed",
    "lt.op.withdrawn": "lt.group.withdrawn",
    "lt.op.payment_held": "lt.group.payment_held",
    "lt.op.relay_by_hand": "lt.group.relay_by_hand",
}


def group_card(svc: Services, n: LicenseTaxNotice | None, head: str, lang: str) -> str:
    """What a department's group chat sees of a notice (workflows/group_cards.py): its number,
    state, the licence and the 동 — no business, taxpayer or amount."""
    line = (
        t(
            lang,
            "lt.group.notice",
            no=n.notice_no,
            state=state_text(n, lang),
            licence=escape(_licence_name(svc, n, lang)),
            dong=escape(svc.district.dong_name(n.dong, lang)),
        )
        if n is not None
        else t(lang, "lt.group.no_notice")
    )
    return t(lang, "lt.group.card", head=t(lang, GROUP_HEADS.get(head, "lt.group.update")), notice=line)


def group_buttons(
    svc: Services, n: LicenseTaxNotice | None, payment: LicenseTaxPayment | None, lang: str
) -> list[list[tuple[str, str]]] | None:
    if payment is not None:
        return group_cards.open_buttons(svc, group_cards.PAYMENT, payment.id, lang)
    return group_cards.open_buttons(svc, group_cards.TAX, n.id, lang) if n is not None else None


def _licence_name(svc: Services, n: LicenseTaxNotice, lang: str) -> str:
    lic = catalogue_for(svc.district).licences.get(n.licence_code)
    return lic.name(lang) if lic else n.licence_name


def column_text(svc: Services, n: LicenseTaxNotice, lang: str) -> str:
    cat = catalogue_for(svc.district)
    return cat.column_label(n.rate_column, lang)


def notice_text(svc: Services, n: LicenseTaxNotice, lang: str) -> str:
    cfg = payment_config(svc.district)
    district = escape(svc.district.name_en if lang in ENGLISH_DATA else svc.district.name_ko)
    return t(
        lang,
        "lt.notice",
        no=n.notice_no,
        district=district,
        licence=escape(_licence_name(svc, n, lang)),
        cls=t(lang, "lt.class_n", n=n.tax_class),
        column=escape(column_text(svc, n, lang)),
        amount=won(n.amount, lang),
        due=fmt_date(svc, n.due_date, lang),
        bank=escape(cfg.bank(lang)),
        account=format_account(cfg, n.virtual_account),
        holder=district,
        business=escape(n.business_name),
        dong=escape(svc.district.dong_name(n.dong, lang)),
        body=escape(_body_name(svc, n.body_code, lang)),
        basis=escape(n.legal_basis),
        taxpayer=escape(taxpayer(svc, n)) or "-",
    )


def receipt_text(svc: Services, n: LicenseTaxNotice, lang: str) -> str:
    return t(
        lang,
        "lt.receipt",
        no=n.notice_no,
        licence=escape(_licence_name(svc, n, lang)),
        cls=t(lang, "lt.class_n", n=n.tax_class),
        amount=won(n.paid_amount, lang),
        paid=svc.fmt(n.paid_at, lang),
        code=n.verification_code,
        business=escape(n.business_name),
        dong=escape(svc.district.dong_name(n.dong, lang)),
        body=escape(_body_name(svc, n.body_code, lang)),
    )


def body_text(svc: Services, n: LicenseTaxNotice, body: licensing_bodies.Body, lang: str) -> str:
    return t(
        lang,
        "lt.body.paid",
        district=escape(svc.district.name_en if lang in ENGLISH_DATA else svc.district.name_ko),
        body=escape(body.name(lang)),
        no=n.notice_no,
        licence=escape(_licence_name(svc, n, lang)),
        business=escape(n.business_name),
        dong=escape(svc.district.dong_name(n.dong, lang)),
        amount=won(n.paid_amount, lang),
        paid=svc.fmt(n.paid_at, lang),
        code=n.verification_code,
    )


def taxpayer(svc: Services, n: LicenseTaxNotice) -> str:
    return (svc.cipher.decrypt(n.taxpayer_name_enc) or "") if n.taxpayer_name_enc else ""


def state_text(n: LicenseTaxNotice, lang: str) -> str:
    return t(lang, STATE_KEYS[n.state])


def class_basis(lic: Licence | None, n: LicenseTaxNotice, lang: str) -> str:
    """Where the 종 comes from, in words for the tax officer (the catalogue's sources stay in the
    data file): 시행령 별표 1, and whether the suggested 종 still has to be checked there."""
    if n.class_confirmed:
        return t(lang, "lt.op.class_basis.confirmed")
    if n.tax_class:
        return t(lang, "lt.op.class_basis.suggested", cls=t(lang, "lt.class_n", n=n.tax_class))
    return t(lang, "lt.op.class_basis.figure" if lic and lic.figure else "lt.op.class_basis.none")


def kind_text(cat: Catalogue, code: str, lang: str) -> str:
    """'새로 면허를 받습니다' or '면허 내용이 바뀌어 … — 대표자 이름만 바뀝니다' (a change and what changed)."""
    kind = cat.kinds.get(code)
    if kind is None:
        return code
    parent = cat.kinds.get(kind.group) if kind.group else None
    return f"{parent.label(lang)} — {kind.label(lang)}" if parent else kind.label(lang)


def officer_card(svc: Services, n: LicenseTaxNotice, lang: str) -> str:
    cat = catalogue_for(svc.district)
    lic = cat.licences.get(n.licence_code)
    kind = cat.kinds.get(n.request_kind)
    suggested = t(lang, "lt.class_n", n=n.tax_class) if n.tax_class else t(lang, "lt.class_unknown")
    figure = "-"
    if n.figure is not None and lic and lic.figure:
        figure = t(lang, FIGURE_KEYS[lic.figure][1], n=fmt_number(n.figure))
    return t(
        lang,
        "lt.op.card",
        no=n.notice_no,
        state=state_text(n, lang),
        licence=escape(_licence_name(svc, n, lang)),
        kind=escape(kind_text(cat, n.request_kind, lang)),
        kind_basis=escape(kind.basis if kind else "-"),
        cls=suggested,
        confirmed=t(lang, "lt.op.confirmed" if n.class_confirmed else "lt.op.unconfirmed"),
        class_basis=escape(class_basis(lic, n, lang)),
        figure=figure,
        column=escape(column_text(svc, n, lang)),
        amount=won(n.amount, lang),
        business=escape(n.business_name),
        dong=escape(svc.district.dong_name(n.dong, lang)),
        body=escape(_body_name(svc, n.body_code, lang)),
        due=fmt_date(svc, n.due_date, lang),
        requested=svc.fmt(n.created_at, lang),
    )


def payment_line(svc: Services, p: LicenseTaxPayment, lang: str) -> str:
    return t(
        lang,
        "lt.op.payment_line",
        status=t(lang, PAY_KEYS[p.status]),
        amount=won(p.amount, lang),
        paid=svc.fmt(p.paid_at, lang),
        source=t(lang, SOURCE_KEYS[p.source]),
        account=escape(p.virtual_account or "-"),
        tx=escape(p.transaction_id),
    )


def verify_text(svc: Services, n: LicenseTaxNotice, lang: str, *, code: str | None = None) -> str:
    text = t(
        lang,
        "lt.verify.result",
        no=n.notice_no,
        state=state_text(n, lang),
        licence=escape(_licence_name(svc, n, lang)),
        business=escape(n.business_name),
        dong=escape(svc.district.dong_name(n.dong, lang)),
        amount=won(n.paid_amount if n.state in (PAID, REFUND) else n.amount, lang),
        paid=svc.fmt(n.paid_at, lang) if n.paid_at else "-",
        # checking a code shows only whether it matches, never the right one
        vcode=(n.verification_code or "-") if code is None else t(lang, "lt.verify.code_checked"),
    )
    if code is not None:
        ok = check_code(receipt_key(svc), n, code)
        text += "\n" + t(lang, "lt.verify.code_ok" if ok else "lt.verify.code_bad")
    return text


# --- the PNG sheets (rendered by workflows/license_tax/notice_render.py) ---------------------------------------


def _row(key: str, value: str, value_en: str | None = None, *, strong: bool = False) -> notice_render.Row:
    return notice_render.Row(t("ko", key), t("en", key), value, value_en, strong)


def _sheet(
    svc: Services,
    n: LicenseTaxNotice,
    keys: tuple[str, str],
    rows: list[notice_render.Row],
    at: datetime | None,
    stamp: bool = False,
) -> notice_render.Sheet:
    """Both sheets open with the same rows: notice number, licence, business, place, body."""
    d, dept = svc.district, svc.district.department(payment_config(svc.district).department)
    head = [
        _row("lt.sheet.notice_no", n.notice_no),
        _row("lt.sheet.licence", _licence_name(svc, n, "ko"), _licence_name(svc, n, "en")),
        _row("lt.sheet.business", n.business_name),
        _row("lt.sheet.place", n.dong, svc.district.dong_name(n.dong, "en")),
        _row("lt.sheet.body", _body_name(svc, n.body_code, "ko"), _body_name(svc, n.body_code, "en")),
    ]
    return notice_render.Sheet(
        title_ko=t("ko", keys[0]),
        title_en=t("en", keys[0]),
        issuer_ko=f"{d.name_ko} {dept.name_ko}",
        issuer_en=f"{d.name_en} {dept.name_en}",
        rows=tuple(head + rows),
        note_ko=t("ko", keys[1]),
        note_en=t("en", keys[1]),
        issued=svc.fmt(at, "ko"),
        issued_en=svc.fmt(at, "en"),
        stamp_ko=t("ko", "lt.sheet.stamp") if stamp else None,
        stamp_en=t("en", "lt.sheet.stamp") if stamp else None,
    )


def notice_sheet(svc: Services, n: LicenseTaxNotice) -> notice_render.Sheet:
    cfg = payment_config(svc.district)
    account = format_account(cfg, n.virtual_account)
    return _sheet(
        svc,
        n,
        ("lt.sheet.notice.title", "lt.sheet.notice.note"),
        [
            _row(
                "lt.sheet.class",
                f"{t('ko', 'lt.class_n', n=n.tax_class)} · {column_text(svc, n, 'ko')}",
                f"{t('en', 'lt.class_n', n=n.tax_class)} / {column_text(svc, n, 'en')}",
            ),
            _row("lt.sheet.taxpayer", taxpayer(svc, n) or "-"),
            _row("lt.sheet.amount", won(n.amount, "ko"), won(n.amount, "en"), strong=True),
            _row("lt.sheet.due", fmt_date(svc, n.due_date, "ko"), fmt_date(svc, n.due_date, "en"), strong=True),
            _row("lt.sheet.account", f"{cfg.bank_ko} {account}", f"{cfg.bank_en} {account}", strong=True),
            _row("lt.sheet.holder", svc.district.name_ko, svc.district.name_en),
            _row("lt.sheet.basis", n.legal_basis, t("en", "lt.sheet.basis_en")),
        ],
        n.issued_at,
    )


def receipt_sheet(svc: Services, n: LicenseTaxNotice) -> notice_render.Sheet:
    return _sheet(
        svc,
        n,
        ("lt.sheet.receipt.title", "lt.sheet.receipt.note"),
        [
            _row("lt.sheet.paid_amount", won(n.paid_amount, "ko"), won(n.paid_amount, "en"), strong=True),
            _row("lt.sheet.paid_at", svc.fmt(n.paid_at, "ko"), svc.fmt(n.paid_at, "en"), strong=True),
            _row("lt.sheet.code", n.verification_code, strong=True),
        ],
        n.paid_at,
        stamp=True,
    )
