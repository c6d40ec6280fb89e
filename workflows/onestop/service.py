"""Birth and death one-stop (출생·사망 원스톱, 대전 유성구 model): one report fans out into one
sub-request per linked service, each routed to its office or outside body, with its own status.

* Birth: the benefits engine (workflows/onestop/benefits.py) decides what the family can apply for; each
  benefit becomes a sub-request for the household's 동 주민센터, the 보건소 or the 세무과, or a
  notice to an outside body (한전, 도시가스사, 지역난방공사) through workflows/onestop/agency_notify.py.
  If the 출생신고 is not yet made its deadline is tracked and reminded of.
* Death: each related agency of the district profile is told (departments as sub-requests,
  outside bodies through their channel) and the reporter gets a personal checklist with dates
  computed from the date of death, with reminders unless they opt out.

Periods follow 민법 §157 (초일 불산입, unless a law says the first day counts), §160 (a period in
months ends the day before the corresponding day, or on the month's last day when there is
none) and §161 (a last day on a Saturday or 공휴일 moves to the next day). Every rule is data:
benefits.json (출생신고, 과태료) and death_agencies.json (agencies, checklist).

Like workflows/complaints/service.py: functions take the caller's session and Services; the caller
commits; every message the system sends on its own goes through the outbox in the same
transaction as the change it reports.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workflows.models import (
    AgencyNotification,
    OnestopApplication,
    OnestopItem,
    OnestopItemEvent,
    OnestopReminder,
    User,
)
from workflows import audit, group_cards, ratings, webhooks
from workflows import district_info
from workflows.onestop import agency_notify
from workflows.onestop.benefits import (
    Catalogue,
    DistrictGrant,
    Household,
    add_months,
    district_grant,
    load_catalogue,
    period_end,
)
from workflows.complaints.common import next_receipt_no
from workflows.contact import mask_phones
from workflows.context import Services, fmt_day
from workflows.district import District
from workflows.outbox import enqueue
from workflows.roles import Principal, can_handle, officers_of
from workflows.state_machine import Machine, TransitionError
from workflows.texts import ENGLISH_DATA, escape, pack, t

if TYPE_CHECKING:
    import httpx

DEATH_RULES_PATH = Path(__file__).parent.parent / "data" / "death_agencies.json"
NOTICE_VERSION = "2026-12-04"  # version of the one-stop consent screens (stored with each consent)

BIRTH, DEATH = "birth", "death"
OPEN, COMPLETED = "open", "completed"
# sub-request states
PENDING, RECEIVED, SUPPLEMENT, DONE, NOTIFIED, SKIPPED = (
    "pending",
    "received",
    "supplement",
    "done",
    "notified",
    "skipped",
)
WORKABLE = frozenset({PENDING, RECEIVED, SUPPLEMENT})  # an officer can act on it
FINAL = frozenset({DONE, SKIPPED})
STATE_KEYS = {
    PENDING: "onestop.state.pending",
    RECEIVED: "onestop.state.received",
    SUPPLEMENT: "onestop.state.supplement",
    DONE: "onestop.state.done",
    NOTIFIED: "onestop.state.notified",
    SKIPPED: "onestop.state.skipped",
}
STATE_ICONS = {PENDING: "🕓", RECEIVED: "📥", SUPPLEMENT: "⚠️", DONE: "✅", NOTIFIED: "📨", SKIPPED: "➖"}
KIND_KEYS = {BIRTH: "onestop.kind.birth", DEATH: "onestop.kind.death"}
ORDER_KEYS = {1: "onestop.order.first", 2: "onestop.order.second", 3: "onestop.order.third"}
HEATING_KEYS = {
    "city_gas": "onestop.heating.city_gas",
    "district": "onestop.heating.district",
    "other": "onestop.heating.other",
}
FACT_NAME_KEYS = {
    "birth_date": "onestop.fact_name.birth_date",
    "order": "onestop.fact_name.order",
    "dong": "onestop.fact_name.dong",
    "report_made": "onestop.fact_name.report_made",
    "recipient": "onestop.fact_name.recipient",
    "heating": "onestop.fact_name.heating",
    "death_date": "onestop.fact_name.death_date",
    "relationship": "onestop.fact_name.relationship",
    "contact": "onestop.fact_name.contact",
}
REPORT_KEYS = {BIRTH: "onestop.fact.report_made_birth", DEATH: "onestop.fact.report_made_death"}
FACT_KEYS = {
    "birth_date": "onestop.fact.birth_date",
    "order": "onestop.fact.order",
    "dong": "onestop.fact.dong",
    "recipient": "onestop.fact.recipient",
    "heating": "onestop.fact.heating",
    "death_date": "onestop.fact.death_date",
    "relationship": "onestop.fact.relationship",
    "contact": "onestop.fact.contact",
}

NOTE_MIN, NOTE_MAX = 5, 1000
# /death: does anyone concerned live abroad? heir = an heir has an address abroad (whether or not the
# deceased had one), deceased = only the deceased had one, none = everyone in Korea (or not answered)
ABROAD = ("heir", "deceased", "none")
ABROAD_KEYS = {"heir": "onestop.abroad.heir", "deceased": "onestop.abroad.deceased", "none": "onestop.abroad.none"}
BIRTH_MAX_AGE_MONTHS = 24  # the birth one-stop is for children under 2 (부모급여, 첫만남이용권)
DEATH_MAX_AGE_DAYS = 3 * 366


class OnestopError(ValueError):
    """A request that cannot be carried out; .code names the reason (and the text shown)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # not_found, forbidden, state, short, long


# --- callback data (matched by CallbackData classes in handlers/onestop*.py) ---------------


def cb_item(action: str, item_id: int) -> str:
    return f"osi:{action}:{item_id}"


def cb_supplement(item_id: int) -> str:
    return f"osup:{item_id}"


def cb_reminder(action: str, application_id: int) -> str:
    return f"orem:{action}:{application_id}"


# --- rules: data files and the district profile --------------------------------------------


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    name_ko: str
    name_en: str
    legal_basis: str
    start: str  # event_day / next_day / month_end
    months: int
    holiday_shift: bool = True
    reminder_days_before: tuple[int, ...] = (7, 0)
    where_ko: str = ""
    where_en: str = ""
    skip_when_reported: bool = False
    confidence: str = ""
    abroad_when: tuple[str, ...] = ()  # the ABROAD answers that lengthen the period
    abroad_months: int | None = None
    abroad_basis: str = ""
    legal_basis_en: str = ""
    abroad_basis_en: str = ""

    def name(self, lang: str) -> str:
        return self.name_en if lang in ENGLISH_DATA else self.name_ko

    def where(self, lang: str) -> str:
        return self.where_en if lang in ENGLISH_DATA else self.where_ko

    def basis(self, lang: str) -> str:
        return self.legal_basis_en if lang in ENGLISH_DATA and self.legal_basis_en else self.legal_basis

    def for_abroad(self, abroad: str | None) -> "DeadlineRule":
        """The rule as it applies to this family: the longer period (and its basis) when the
        answer about an address abroad is one it names (상증세법 §67④, 지방세법 §20①)."""
        if abroad in self.abroad_when and self.abroad_months:
            return dataclasses.replace(
                self, months=self.abroad_months, legal_basis=self.abroad_basis, legal_basis_en=self.abroad_basis_en
            )
        return self

    @classmethod
    def from_dict(cls, d: dict) -> "DeadlineRule":
        if d["start"] not in ("event_day", "next_day", "month_end"):
            raise ValueError(f"deadline rule {d['code']}: unknown start {d['start']!r}")
        abroad = d.get("abroad") or {}
        if abroad and (set(abroad["when"]) - set(ABROAD) or int(abroad["months"]) <= int(d["months"])):
            raise ValueError(f"deadline rule {d['code']}: abroad needs answers of {ABROAD} and a longer period")
        return cls(
            d["code"],
            d["name_ko"],
            d["name_en"],
            d["legal_basis"],
            d["start"],
            int(d["months"]),
            bool(d.get("holiday_shift", True)),
            tuple(int(x) for x in d.get("reminder_days_before", (7, 0))),
            d.get("where_ko", ""),
            d.get("where_en", ""),
            bool(d.get("skip_when_reported", False)),
            d.get("confidence", ""),
            tuple(abroad.get("when", ())),
            int(abroad["months"]) if abroad else None,
            abroad.get("legal_basis", ""),
            d.get("legal_basis_en", ""),
            abroad.get("legal_basis_en", ""),
        )


@dataclass(frozen=True)
class Agency:
    code: str
    kind: str  # outside / office
    name_ko: str
    name_en: str
    purpose_ko: str
    purpose_en: str
    facts: tuple[str, ...]
    follow_up_ko: str
    follow_up_en: str
    legal_basis: str
    office: str | None = None
    phone: str = ""
    retention_ko: str = ""
    retention_en: str = ""
    confirmed: bool = False
    legal_basis_en: str = ""

    def name(self, lang: str) -> str:
        return self.name_en if lang in ENGLISH_DATA else self.name_ko

    def purpose(self, lang: str) -> str:
        return self.purpose_en if lang in ENGLISH_DATA else self.purpose_ko

    def follow_up(self, lang: str) -> str:
        return self.follow_up_en if lang in ENGLISH_DATA else self.follow_up_ko

    def retention(self, lang: str) -> str:
        return self.retention_en if lang in ENGLISH_DATA else self.retention_ko


@dataclass(frozen=True)
class DeathRules:
    agencies: dict[str, Agency]
    relationships: dict[str, tuple[str, str]]  # code -> (ko, en)
    checklist: tuple[DeadlineRule, ...]
    reminder_hour: int = 9

    def relationship(self, code: str, lang: str) -> str:
        ko, en = self.relationships[code]
        return en if lang in ENGLISH_DATA else ko


@lru_cache(maxsize=4)
def _death_rules(path: str) -> DeathRules:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    district_info.check_onestop_data(raw, path)  # real phones, English forms, no placeholders
    agencies = {}
    for a in raw["agencies"]:
        bad_office = a["kind"] == "office" and a.get("office") not in ("dong", "tax", "health")
        if a["kind"] not in ("outside", "office") or bad_office:
            raise ValueError(f"agency {a['code']}: bad kind/office")
        agencies[a["code"]] = Agency(
            a["code"],
            a["kind"],
            a["name_ko"],
            a["name_en"],
            a["purpose_ko"],
            a["purpose_en"],
            tuple(a.get("facts", ())),
            a.get("follow_up_ko", ""),
            a.get("follow_up_en", ""),
            a.get("legal_basis", ""),
            a.get("office"),
            a.get("phone", ""),
            a.get("retention_ko", ""),
            a.get("retention_en", ""),
            bool(a.get("confirmed", False)),
            a.get("legal_basis_en", ""),
        )
    rels = {r["code"]: (r["name_ko"], r["name_en"]) for r in raw["relationships"]}
    return DeathRules(
        agencies, rels, tuple(DeadlineRule.from_dict(c) for c in raw["checklist"]), int(raw.get("reminder_hour", 9))
    )


def load_death_rules(path: str | Path | None = None) -> DeathRules:
    return _death_rules(str(path or DEATH_RULES_PATH))


@dataclass(frozen=True)
class Profile:
    """The district's one-stop settings (district profile, key "onestop")."""

    region_class: str
    coordinator: str
    offices: dict[str, str]
    grant: DistrictGrant | None
    death_agencies: tuple[str, ...]
    retention_days: int


def profile(district: District) -> Profile:
    raw = district.raw.get("onestop") or {}
    offices = {
        "health": district.first_contact,
        "tax": district.first_contact,
        "dong_fallback": district.first_contact,
        **raw.get("offices", {}),
    }
    return Profile(
        raw.get("region_class", "capital_area"),
        raw.get("coordinator", district.first_contact),
        offices,
        district_grant(raw),
        tuple(raw.get("death_agencies", ())),
        int(raw.get("retention_days", 365)),
    )


def dong_office(district: District, dong: str) -> str:
    """The 동 주민센터 department of a 동 (by its Korean name), else the fallback office."""
    want = f"{dong} 주민센터"
    for d in district.departments.values():
        if d.name_ko == want:
            return d.code
    return profile(district).offices["dong_fallback"]


def office_department(district: District, office: str, dong: str) -> str:
    if office == "dong":
        return dong_office(district, dong)
    code = profile(district).offices.get(office, district.first_contact)
    return code if code in district.departments else district.first_contact


# --- dates ------------------------------------------------------------------------------------


def rule_deadline(rule: DeadlineRule, event: date, svc_or_calendar) -> date:
    """The last day of a period counted from an event (birth, death) under the rule's start."""
    calendar = getattr(svc_or_calendar, "calendar", svc_or_calendar)
    if rule.start == "event_day":
        first = event
    elif rule.start == "next_day":
        first = event + timedelta(days=1)
    else:  # month_end: from the last day of the event's month, that day not counted
        first = add_months(date(event.year, event.month, 1), 1)
    end = period_end(first, rule.months)
    if rule.holiday_shift and not calendar.is_business_day(end):
        end = calendar.next_business_day(end)
    return end


@dataclass(frozen=True)
class LateFine:
    days_late: int
    label_ko: str
    label_en: str
    fine: int
    after_demand: int

    def label(self, lang: str) -> str:
        return self.label_en if lang in ENGLISH_DATA else self.label_ko


def late_fine(deadline: date, today: date, fines: dict) -> LateFine | None:
    """가족관계등록법 §122 band for a report not made by its deadline (None if not late yet)."""
    if today <= deadline:
        return None
    days = (today - deadline).days
    for band in fines["bands"]:
        if "below_days" in band and days >= band["below_days"]:
            continue
        if "below_months" in band and today >= add_months(deadline, band["below_months"]):
            continue
        return LateFine(days, band["label_ko"], band["label_en"], int(band["fine"]), int(band["after_demand"]))
    raise ValueError("the fine schedule needs an open-ended last band")


def birth_report_rule(catalogue: Catalogue | None = None) -> DeadlineRule:
    return DeadlineRule.from_dict((catalogue or load_catalogue()).birth_report)


@dataclass(frozen=True)
class ChecklistEntry:
    rule: DeadlineRule
    deadline: date
    done: bool = False  # already made (사망신고 reported)


def checklist_rules(abroad: str | None = None, rules: DeathRules | None = None) -> list[DeadlineRule]:
    """The checklist as it applies to a family, given the answer about an address abroad."""
    return [r.for_abroad(abroad) for r in (rules or load_death_rules()).checklist]


def death_checklist(
    svc: Services,
    death_date: date,
    *,
    report_made: bool = False,
    rules: DeathRules | None = None,
    abroad: str | None = None,
) -> list[ChecklistEntry]:
    return [
        ChecklistEntry(r, rule_deadline(r, death_date, svc), report_made and r.skip_when_reported)
        for r in checklist_rules(abroad, rules)
    ]


def local_today(svc: Services) -> date:
    return svc.now().astimezone(svc.tz).date()


def fmt_date(d: date, lang: str) -> str:
    return fmt_day(d, lang)


# --- answers and plans -------------------------------------------------------------------------


@dataclass
class BirthAnswers:
    birth_date: date
    order: int
    dong: str
    report_made: bool
    recipient: bool | None = None
    heating: str | None = None

    def household(self) -> Household:
        return Household(self.birth_date, self.order, self.recipient, self.heating)

    def facts(self) -> dict:
        return {
            "birth_date": self.birth_date.isoformat(),
            "order": self.order,
            "dong": self.dong,
            "report_made": self.report_made,
            "recipient": self.recipient,
            "heating": self.heating,
        }


@dataclass
class DeathAnswers:
    death_date: date
    relationship: str
    dong: str
    report_made: bool
    abroad: str = "none"  # ABROAD: decides the 상속세/취득세 periods (6 or 9 months)

    def facts(self) -> dict:
        return {
            "death_date": self.death_date.isoformat(),
            "relationship": self.relationship,
            "dong": self.dong,
            "report_made": self.report_made,
            "abroad": self.abroad,
        }


@dataclass(frozen=True)
class PlannedItem:
    """One sub-request as it will be filed (or dropped because a provision consent was refused)."""

    code: str
    name_ko: str
    name_en: str
    office: str  # dong / health / tax / outside
    department_code: str | None  # internal office
    agency_code: str | None  # outside body
    facts: tuple[str, ...]
    first_year: int | None = None
    confirmed: bool = True
    upper_bound: bool = False
    starts_later: bool = False
    amount_text_ko: str = ""
    amount_text_en: str = ""
    needs_ko: str = ""
    needs_en: str = ""
    legal_basis: str = ""
    skipped: bool = False
    legal_basis_en: str = ""

    def name(self, lang: str) -> str:
        return self.name_en if lang in ENGLISH_DATA else self.name_ko

    def basis(self, lang: str) -> str:
        return self.legal_basis_en if lang in ENGLISH_DATA and self.legal_basis_en else self.legal_basis

    def amount_text(self, lang: str) -> str:
        return self.amount_text_en if lang in ENGLISH_DATA else self.amount_text_ko

    def needs(self, lang: str) -> str:
        return self.needs_en if lang in ENGLISH_DATA else self.needs_ko


@dataclass
class Plan:
    kind: str
    items: list[PlannedItem] = field(default_factory=list)
    not_combined: list[tuple[str, str]] = field(default_factory=list)  # (left-out code, kept code)

    @property
    def bodies(self) -> list[str]:
        """Outside bodies that need a §17 provision consent, in the order they first appear."""
        out: list[str] = []
        for it in self.items:
            if it.agency_code and it.office == "outside" and it.agency_code not in out:
                out.append(it.agency_code)
        return out

    def services_of(self, body: str) -> list[PlannedItem]:
        return [it for it in self.items if it.agency_code == body]

    def applied(self) -> list[PlannedItem]:
        return [it for it in self.items if not it.skipped]

    def total(self, *, confirmed: bool) -> int:
        return sum(it.first_year or 0 for it in self.applied() if (it.confirmed and not it.upper_bound) == confirmed)


def plan_birth(
    svc: Services,
    answers: BirthAnswers,
    provision: dict[str, bool] | None = None,
    *,
    catalogue: Catalogue | None = None,
) -> Plan:
    """What this family can apply for, with amounts; items of a refused provision are skipped."""
    cat = catalogue or load_catalogue()
    prof = profile(svc.district)
    h = answers.household()
    today = local_today(svc)  # the application date: it decides from which month monthly benefits are paid
    ev = cat.evaluate(h, today=today, region_class=prof.region_class, grant=prof.grant)
    plan = Plan(BIRTH, not_combined=[(left.code, kept.code) for left, kept in ev.not_combined])
    for e in ev.entitled:
        b = e.benefit
        if b.office == "district":
            g = prof.grant
            name_ko, name_en, office = g.name_ko, g.name_en, g.office
            needs_ko, needs_en, basis, basis_en = g.needs_ko, g.needs_en, g.legal_basis, g.legal_basis_en
        else:
            name_ko, name_en, office = b.name_ko, b.name_en, b.office
            needs_ko, needs_en, basis, basis_en = b.needs_ko, b.needs_en, b.legal_basis, b.legal_basis_en
        outside = office == "outside"
        skipped = bool(provision is not None and outside and not provision.get(b.body, False))
        plan.items.append(
            PlannedItem(
                code=b.code,
                name_ko=name_ko,
                name_en=name_en,
                office=office,
                department_code=None if outside else office_department(svc.district, office, answers.dong),
                agency_code=b.body if outside else None,
                facts=b.facts,
                first_year=e.first_year,
                confirmed=e.confirmed,
                upper_bound=e.upper_bound,
                starts_later=e.starts_later,
                amount_text_ko=cat.amount_rule_text(b, h, "ko", prof.grant, prof.region_class, applied_on=today),
                amount_text_en=cat.amount_rule_text(b, h, "en", prof.grant, prof.region_class, applied_on=today),
                needs_ko=needs_ko,
                needs_en=needs_en,
                legal_basis=basis,
                legal_basis_en=basis_en,
                skipped=skipped,
            )
        )
    return plan


def plan_death(
    svc: Services, answers: DeathAnswers, provision: dict[str, bool] | None = None, *, rules: DeathRules | None = None
) -> Plan:
    rules = rules or load_death_rules()
    plan = Plan(DEATH)
    for code in profile(svc.district).death_agencies:
        a = rules.agencies.get(code)
        if a is None:
            continue
        outside = a.kind == "outside"
        skipped = bool(provision is not None and outside and not provision.get(code, False))
        plan.items.append(
            PlannedItem(
                code=code,
                name_ko=a.name_ko,
                name_en=a.name_en,
                office="outside" if outside else a.office,
                department_code=None if outside else office_department(svc.district, a.office, answers.dong),
                agency_code=code if outside else None,
                facts=a.facts,
                needs_ko=a.follow_up_ko,
                needs_en=a.follow_up_en,
                legal_basis=a.legal_basis,
                legal_basis_en=a.legal_basis_en,
                skipped=skipped,
            )
        )
    return plan


def body_info(kind: str, code: str, lang: str) -> tuple[str, str]:
    """(name, retention) of an outside body for its §17 screen."""
    if kind == BIRTH:
        b = load_catalogue().bodies[code]
        return b.name(lang), b.retention(lang)
    a = load_death_rules().agencies[code]
    return a.name(lang), a.retention(lang)


def body_phone(kind: str, code: str) -> str:
    return load_catalogue().bodies[code].phone if kind == BIRTH else load_death_rules().agencies[code].phone


def provision_purpose(kind: str, plan: Plan, body: str, lang: str) -> str:
    if kind == DEATH:
        return load_death_rules().agencies[body].purpose(lang)
    return ", ".join(t(lang, "onestop.purpose.apply", service=escape(it.name(lang))) for it in plan.services_of(body))


def provision_items(plan: Plan, body: str, lang: str) -> str:
    facts: list[str] = []
    for it in plan.services_of(body):
        for f in it.facts:
            if f not in facts:
                facts.append(f)
    names = [t(lang, FACT_NAME_KEYS[f]) for f in facts if f in FACT_NAME_KEYS]
    return ", ".join(names + [t(lang, "onestop.fact_name.receipt")])


# --- queries -------------------------------------------------------------------------------------


def _app_load():
    return (selectinload(OnestopApplication.items).selectinload(OnestopItem.events),)


async def get_application(session: AsyncSession, application_id: int) -> OnestopApplication | None:
    return (
        await session.execute(
            select(OnestopApplication).options(*_app_load()).where(OnestopApplication.id == application_id)
        )
    ).scalar_one_or_none()


async def get_item(session: AsyncSession, item_id: int) -> OnestopItem | None:
    return (
        await session.execute(
            select(OnestopItem)
            .options(
                selectinload(OnestopItem.application).selectinload(OnestopApplication.items),
                selectinload(OnestopItem.events),
            )
            .where(OnestopItem.id == item_id)
        )
    ).scalar_one_or_none()


async def list_for_citizen(session: AsyncSession, citizen_id: int, limit: int = 5) -> list[OnestopApplication]:
    q = (
        select(OnestopApplication)
        .options(*_app_load())
        .where(OnestopApplication.citizen_id == citizen_id)
        .order_by(OnestopApplication.created_at.desc(), OnestopApplication.id.desc())
        .limit(limit)
    )
    return list((await session.execute(q)).scalars())


async def department_items(
    session: AsyncSession, department_code: str, limit: int = 30
) -> tuple[list[OnestopItem], int]:
    """Open sub-requests of one department, oldest first, and how many there are."""
    where = (OnestopItem.department_code == department_code, OnestopItem.state.in_(WORKABLE))
    total = await session.scalar(select(func.count()).select_from(OnestopItem).where(*where))
    rows = await session.execute(
        select(OnestopItem)
        .options(selectinload(OnestopItem.application))
        .where(*where)
        .order_by(OnestopItem.id)
        .limit(limit)
    )
    return list(rows.scalars()), int(total or 0)


async def find_by_submit_key(session: AsyncSession, citizen_id: int, submit_key: str) -> OnestopApplication | None:
    return (
        await session.execute(
            select(OnestopApplication).where(
                OnestopApplication.submit_key == submit_key, OnestopApplication.citizen_id == citizen_id
            )
        )
    ).scalar_one_or_none()


async def _lang(session: AsyncSession, user_id: int) -> str:
    u = await session.get(User, user_id)
    return u.language if u else "ko"


# --- display helpers ------------------------------------------------------------------------------


def item_name(item: OnestopItem, kind: str, lang: str, district: District) -> str:
    if kind == DEATH:
        a = load_death_rules().agencies.get(item.code)
        return a.name(lang) if a else item.code
    if item.code == "district_birth_grant":
        g = profile(district).grant
        if g is not None:
            return g.name_en if lang in ENGLISH_DATA else g.name_ko
    b = load_catalogue().benefits.get(item.code)
    return b.name(lang) if b else item.code


def handler_name(svc: Services, item: OnestopItem, kind: str, lang: str) -> str:
    """Who handles it, as the family sees it: the department or the outside body."""
    if item.agency_code:
        return body_info(kind, item.agency_code, lang)[0]
    return svc.district.department(item.department_code).name(lang)


def planned_handler(svc: Services, it: PlannedItem, kind: str, lang: str) -> str:
    if it.agency_code:
        return body_info(kind, it.agency_code, lang)[0]
    return svc.district.department(it.department_code).name(lang)


def fact_value(key: str, facts: dict, lang: str, kind: str) -> str:
    v = facts.get(key)
    if key in ("birth_date", "death_date"):
        return v or "-"
    if key == "order":
        return t(lang, ORDER_KEYS.get(v, "onestop.order.first"))
    if key in ("report_made", "recipient"):
        if v is None:
            return t(lang, "onestop.answer.unanswered")
        return t(lang, "onestop.answer.yes" if v else "onestop.answer.no")
    if key == "heating":
        return t(lang, HEATING_KEYS[v]) if v in HEATING_KEYS else t(lang, "onestop.answer.unanswered")
    if key == "relationship":
        rels = load_death_rules().relationships
        return load_death_rules().relationship(v, lang) if v in rels else "-"
    return str(v) if v is not None else "-"


def facts_lines(item_facts: tuple[str, ...] | list[str], app: OnestopApplication, lang: str) -> str:
    lines = []
    for key in item_facts:
        label = REPORT_KEYS[app.kind] if key == "report_made" else FACT_KEYS.get(key)
        if key == "contact" or label is None:
            continue  # the contact goes only to outside bodies that were consented to
        lines.append(t(lang, label, value=escape(fact_value(key, app.facts, lang, app.kind))))
    return "\n".join(lines)


def _item_facts(item: OnestopItem, kind: str) -> tuple[str, ...]:
    if kind == DEATH:
        a = load_death_rules().agencies.get(item.code)
        return a.facts if a else ("death_date", "dong")
    b = load_catalogue().benefits.get(item.code)
    return b.facts if b else ("birth_date", "dong")


def officer_card(svc: Services, item: OnestopItem, lang: str) -> str:
    app = item.application
    text = t(
        lang,
        "onestop.op.card",
        receipt=app.receipt_no,
        kind=t(lang, KIND_KEYS[app.kind]),
        service=escape(item_name(item, app.kind, lang, svc.district)),
        department=escape(svc.district.department(item.department_code).name(lang)) if item.department_code else "-",
        state=t(lang, STATE_KEYS[item.state]),
        filed=svc.fmt(app.created_at, lang),
        facts=facts_lines(_item_facts(item, app.kind), app, lang),
    )
    if item.agency_code:
        text += t(lang, "onestop.op.relay", body=escape(body_info(app.kind, item.agency_code, lang)[0]))
    if item.state == SUPPLEMENT and item.note:
        text += t(lang, "onestop.op.supplement_open", note=escape(item.note))
    return text


def officer_buttons(item: OnestopItem, lang: str) -> list[list[tuple[str, str]]]:
    if item.state not in WORKABLE:
        return []
    row = [] if item.state == RECEIVED else [(t(lang, "onestop.op.btn_take"), cb_item("take", item.id))]
    row.append((t(lang, "onestop.op.btn_done"), cb_item("done", item.id)))
    rows = [row, [(t(lang, "onestop.op.btn_supplement"), cb_item("supp", item.id))]]
    if contact_to_relay(item):
        rows.append([(t(lang, "onestop.op.btn_contact"), cb_item("contact", item.id))])
    return rows


def contact_to_relay(item: OnestopItem) -> bool:
    """An outside body's item relayed by hand by a district office, where the body needs the
    family's phone and the family gave it (and consented to this body): the officer may open it."""
    app = item.application
    return bool(
        item.agency_code and item.department_code and app.contact_phone_enc and "contact" in _item_facts(item, app.kind)
    )


def _audit(session: AsyncSession, svc: Services, p: Principal, item: OnestopItem, action: str, **detail) -> None:
    audit.record(
        session,
        action,
        actor_id=p.user_id,
        actor_role="officer" if p.is_officer else "admin",
        subject_kind="onestop",
        subject_id=item.application.receipt_no,
        detail=audit.details(item=item.code, dept=item.department_code, agency=item.agency_code, **detail),
        at=svc.now(),
    )


def officer_view(session: AsyncSession, svc: Services, p: Principal, item: OnestopItem, lang: str) -> str:
    """The officer's card of one sub-request (the family's dates, 동, relationship): audited."""
    _check_officer(p, item)
    text = officer_card(svc, item, lang)
    _audit(session, svc, p, item, audit.ONESTOP_VIEW)
    return text


async def reveal_contact(session: AsyncSession, svc: Services, p: Principal, item: OnestopItem) -> str:
    """The family's phone, decrypted for the officer who relays the notice by hand; audited
    (onestop_contact). OnestopError("state") once the item is done, "not_found" without a contact."""
    _check_officer(p, item)
    if item.state not in WORKABLE:
        raise OnestopError("state")
    phone = await contact_for(svc, item.application, item) if contact_to_relay(item) else None
    if not phone:
        raise OnestopError("not_found")
    _audit(session, svc, p, item, audit.ONESTOP_CONTACT)
    return phone


def status_messages(svc: Services, app: OnestopApplication, lang: str) -> list[str]:
    """The family's view of one application — every item with its state (and the officer's request
    for 보완, whole), and (death) the checklist — in as many messages as it takes."""
    done = sum(1 for it in app.items if it.state in FINAL)
    blocks = [
        t(
            lang,
            "onestop.status.head",
            kind=t(lang, KIND_KEYS[app.kind]),
            receipt=app.receipt_no,
            filed=svc.fmt(app.created_at, lang),
            done=done,
            n=len(app.items),
            state=t(lang, "onestop.status.completed" if app.state == COMPLETED else "onestop.status.open"),
        )
    ]
    for it in app.items:
        note = ""
        if it.state == SUPPLEMENT and it.note:
            note = t(lang, "onestop.status.note", note=escape(it.note))
        blocks.append("\n" + item_line(svc, it, app.kind, lang, note))
    today = local_today(svc)
    if app.kind == BIRTH and not app.report_made:
        deadline = rule_deadline(birth_report_rule(), app.event_date, svc)
        blocks.append(
            "\n\n"
            + t(
                lang,
                "onestop.status.birth_report",
                deadline=fmt_date(deadline, lang),
                left=days_left_text(deadline, today, lang),
            )
        )
    if app.kind == DEATH:
        lines = checklist_lines(
            svc, app.event_date, app.report_made, lang, today=today, abroad=(app.facts or {}).get("abroad")
        )
        blocks += ["\n\n" + lines[0], *("\n" + line for line in lines[1:])]
    return pack(blocks, sep="")


def item_line(svc: Services, it: OnestopItem, kind: str, lang: str, note: str = "") -> str:
    """One item as the family sees it: "✅ 부모급여 — 중곡1동 주민센터: 처리완료" (an agency told
    directly is named once)."""
    service, handler = item_name(it, kind, lang, svc.district), handler_name(svc, it, kind, lang)
    key = "onestop.status.item_self" if service == handler else "onestop.status.item"
    return t(
        lang,
        key,
        icon=STATE_ICONS[it.state],
        service=escape(service),
        handler=escape(handler),
        state=t(lang, STATE_KEYS[it.state]),
        note=note,
    )


def days_left_text(deadline: date, today: date, lang: str) -> str:
    n = (deadline - today).days
    if n > 0:
        return t(lang, "onestop.left.days", n=n)
    if n == 0:
        return t(lang, "onestop.left.today")
    return t(lang, "onestop.left.passed", n=-n)


def checklist_lines(
    svc: Services,
    death_date: date,
    report_made: bool,
    lang: str,
    *,
    today: date | None = None,
    abroad: str | None = None,
) -> list[str]:
    today = today or local_today(svc)
    lines = [t(lang, "onestop.checklist.head", date=fmt_date(death_date, lang))]
    for e in death_checklist(svc, death_date, report_made=report_made, abroad=abroad):
        if e.done:
            lines.append(t(lang, "onestop.checklist.done", name=escape(e.rule.name(lang))))
            continue
        lines.append(
            t(
                lang,
                "onestop.checklist.line",
                name=escape(e.rule.name(lang)),
                deadline=fmt_date(e.deadline, lang),
                left=days_left_text(e.deadline, today, lang),
                where=escape(e.rule.where(lang)),
                basis=escape(e.rule.basis(lang)),
            )
        )
    lines.append(t(lang, "onestop.checklist.foot"))
    return lines


def checklist_text(
    svc: Services,
    death_date: date,
    report_made: bool,
    lang: str,
    *,
    today: date | None = None,
    abroad: str | None = None,
) -> str:
    return "\n".join(checklist_lines(svc, death_date, report_made, lang, today=today, abroad=abroad))


# --- filing --------------------------------------------------------------------------------------


async def submit(
    session: AsyncSession,
    svc: Services,
    *,
    kind: str,
    citizen_id: int,
    submit_key: str,
    answers: BirthAnswers | DeathAnswers,
    provision: dict[str, bool],
    collected_at: datetime,
    phone_enc: str | None = None,
    reminders_on: bool = True,
) -> tuple[OnestopApplication, bool]:
    """File one application once per form: the same submit_key returns the first one."""
    existing = (
        await session.execute(
            select(OnestopApplication).options(*_app_load()).where(OnestopApplication.submit_key == submit_key)
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    if answers.dong not in svc.district.dongs:
        raise ValueError("unknown dong")
    plan = plan_birth(svc, answers, provision) if kind == BIRTH else plan_death(svc, answers, provision)
    now = svc.now()
    event = answers.birth_date if kind == BIRTH else answers.death_date
    app = OnestopApplication(
        receipt_no=await next_receipt_no(session, now.astimezone(svc.tz).year),  # one series for the district
        submit_key=submit_key,
        kind=kind,
        citizen_id=citizen_id,
        dong=answers.dong,
        event_date=event,
        report_made=answers.report_made,
        facts=answers.facts(),
        consents={
            "version": NOTICE_VERSION,
            "collection": collected_at.isoformat(),
            "provision": {b: {"granted": bool(provision.get(b, False)), "at": now.isoformat()} for b in plan.bodies},
        },
        contact_phone_enc=phone_enc if any(provision.get(b) for b in plan.bodies) else None,
        reminders_on=reminders_on,
        state=OPEN,
        created_at=now,
    )
    channels = agency_notify.channels(svc.district)
    coordinator = profile(svc.district).coordinator
    for it in plan.items:
        item = OnestopItem(
            code=it.code,
            department_code=it.department_code,
            agency_code=it.agency_code,
            state=SKIPPED if it.skipped else PENDING,
            first_year_amount=it.first_year,
            amount_confirmed=it.confirmed and not it.upper_bound,
            updated_at=now,
        )
        if it.agency_code and not it.skipped and it.agency_code not in channels:
            item.department_code = coordinator  # no channel to this body: relayed by hand
        item.events.append(
            OnestopItemEvent(
                at=now,
                actor_id=citizen_id,
                action="skip" if it.skipped else "submit",
                to_state=item.state,
                note="consent_refused" if it.skipped else None,
            )
        )
        app.items.append(item)
    try:
        async with session.begin_nested():
            session.add(app)
    except IntegrityError:
        existing = (
            await session.execute(
                select(OnestopApplication).options(*_app_load()).where(OnestopApplication.submit_key == submit_key)
            )
        ).scalar_one()
        return existing, False
    for item in app.items:
        if item.state != PENDING:
            continue
        if item.department_code:
            await _notify_department(session, svc, item, app, key=f"osnew:{item.id}")
        else:
            await agency_notify.create(
                session,
                svc,
                item=item,
                channel=channels[item.agency_code],
                payload=agency_payload(svc, app, item),
                chat_text=agency_chat_text(svc, app, item),
            )
            if channels[item.agency_code].type == agency_notify.TELEGRAM:
                _transition(item, "notify", None, now)
    await _schedule_reminders(session, svc, app)
    await _maybe_complete(session, svc, app)  # every item dropped: nothing to wait for
    return app, True


def agency_payload(svc: Services, app: OnestopApplication, item: OnestopItem) -> dict:
    """What an outside body receives: the minimum its service needs (the phone is added at send
    time from the encrypted column, only where the family consented)."""
    facts = {k: app.facts.get(k) for k in _item_facts(item, app.kind) if k in app.facts}
    return {
        "receipt_no": app.receipt_no,
        "kind": app.kind,
        "service": item.code,
        "agency": item.agency_code,
        "district": svc.district.name_ko,
        "facts": facts,
        "wants_contact": "contact" in _item_facts(item, app.kind),
        "consent": {
            "version": app.consents.get("version"),
            "at": (app.consents.get("provision", {}).get(item.agency_code) or {}).get("at"),
        },
    }


def agency_chat_text(svc: Services, app: OnestopApplication, item: OnestopItem) -> str:
    lang = "ko"
    wants_phone = bool(app.contact_phone_enc) and "contact" in _item_facts(item, app.kind)
    return t(
        lang,
        "onestop.agency.chat",
        district=escape(svc.district.name_ko),
        receipt=app.receipt_no,
        kind=t(lang, KIND_KEYS[app.kind]),
        service=escape(item_name(item, app.kind, lang, svc.district)),
        facts=facts_lines(_item_facts(item, app.kind), app, lang),
        contact=t(
            lang,
            "onestop.agency.contact_phone" if wants_phone else "onestop.agency.contact_none",
            phone=escape(coordinator_phone(svc)),
        ),
    )


def coordinator_phone(svc: Services) -> str:
    dept = svc.district.departments.get(profile(svc.district).coordinator)
    return (dept.phone if dept else "") or svc.district.raw["district"].get("main_phone", "")


async def contact_for(svc: Services, app: OnestopApplication, item: OnestopItem) -> str | None:
    """The family's phone for an outside body that needs it (decrypted only to be sent)."""
    if app.contact_phone_enc and "contact" in _item_facts(item, app.kind):
        return svc.cipher.decrypt(app.contact_phone_enc)
    return None


# the officers' heads (texts) -> the group's, which leave out what the family wrote
GROUP_HEADS = {
    "onestop.op.new": "onestop.op.new",
    "onestop.op.reply": "onestop.group.reply",
    "onestop.op.relay_failed": "onestop.op.relay_failed",
    "onestop.op.withdrawn": "onestop.op.withdrawn",
}


def group_card(svc: Services, item: OnestopItem, head: str, lang: str) -> str:
    """What a department's group chat sees of a sub-request (workflows/group_cards.py): its kind,
    receipt number, the 동 and its state."""
    app = item.application
    dong = (app.facts or {}).get("dong")
    return t(
        lang,
        "onestop.group.card",
        head=t(lang, GROUP_HEADS.get(head, "onestop.group.update")),
        kind=t(lang, KIND_KEYS[app.kind]),
        receipt=app.receipt_no,
        service=escape(item_name(item, app.kind, lang, svc.district)),
        dong=escape(svc.district.dong_name(dong, lang)) if dong else t(lang, "op.group.no_dong"),
        state=t(lang, STATE_KEYS[item.state]),
    )


async def _notify_department(
    session: AsyncSession,
    svc: Services,
    item: OnestopItem,
    app: OnestopApplication,
    *,
    key: str,
    head: str = "onestop.op.new",
    **extra,
) -> None:
    dept = svc.district.department(item.department_code)
    recipients = [(oid, await _lang(session, oid)) for oid in await officers_of(session, item.department_code)]
    if dept.group_chat_id:
        recipients.append((dept.group_chat_id, "ko"))
    orphan = not recipients
    if orphan:  # nobody can work it yet: the coordinator hears of it (and can only ask for an officer)
        coordinator = profile(svc.district).coordinator
        recipients = [(oid, await _lang(session, oid)) for oid in await officers_of(session, coordinator)]
    for chat_id, lang in recipients:
        if chat_id == dept.group_chat_id:  # the group: nothing of the family's (workflows/group_cards.py)
            await enqueue(
                session,
                key=f"{key}:{chat_id}",
                chat_id=chat_id,
                text=group_card(svc, item, head, lang),
                buttons=group_cards.open_buttons(svc, group_cards.ONESTOP, item.id, lang),
            )
            continue
        values = {k: v(lang) if callable(v) else v for k, v in extra.items()}
        text = t(lang, head, **values) + "\n" + officer_card(svc, item, lang)
        if orphan:
            text = t(lang, "onestop.op.no_officer", department=escape(dept.name(lang))) + "\n" + text
        await enqueue(
            session,
            key=f"{key}:{chat_id}",
            chat_id=chat_id,
            text=text,
            buttons=None if orphan else officer_buttons(item, lang),
        )


async def _schedule_reminders(session: AsyncSession, svc: Services, app: OnestopApplication) -> None:
    """Reminder rows for the deadlines still ahead (a week before and on the last day for the
    출생신고; the checklist's own offsets for a death)."""
    now = svc.now()
    hour = load_death_rules().reminder_hour
    if app.kind == BIRTH:
        rules = [] if app.report_made else [birth_report_rule()]
    else:
        if not app.reminders_on:
            return
        rules = [
            r
            for r in checklist_rules((app.facts or {}).get("abroad"))
            if not (app.report_made and r.skip_when_reported)
        ]
    for rule in rules:
        deadline = rule_deadline(rule, app.event_date, svc)
        for days in rule.reminder_days_before:
            due = datetime.combine(deadline - timedelta(days=days), time(hour), svc.tz)
            if due <= now:
                continue
            session.add(
                OnestopReminder(
                    application_id=app.id,
                    code=rule.code,
                    deadline=deadline,
                    days_before=days,
                    due_at=due,
                    status="pending",
                )
            )


# --- state changes -----------------------------------------------------------------------------


class ItemTransitionError(TransitionError, OnestopError):
    """A move the item's state does not allow: OnestopError("state") to the screens."""

    kind, code = "one-stop item", "state"


ITEM = Machine(
    (PENDING, RECEIVED, SUPPLEMENT, DONE, NOTIFIED, SKIPPED),
    {
        "take": ({PENDING}, RECEIVED),
        "complete": (WORKABLE, DONE),
        "supplement": ({PENDING, RECEIVED}, SUPPLEMENT),
        "reply": ({SUPPLEMENT}, RECEIVED),
        "notify": ({PENDING}, NOTIFIED),
        "ack": ({PENDING, NOTIFIED}, DONE),
        "relay": ({PENDING, NOTIFIED}, PENDING),
        "withdraw": (WORKABLE | {NOTIFIED}, SKIPPED),  # the family withdrew (workflows/privacy/service.py)
    },
    error=ItemTransitionError,
)


def _transition(item: OnestopItem, action: str, actor_id: int | None, now: datetime, note: str | None = None) -> None:
    move = ITEM.apply(item, action)
    item.updated_at = now
    if item.state == DONE:
        item.done_at = now
    item.events.append(
        OnestopItemEvent(
            at=now, actor_id=actor_id, action=action, from_state=move.from_state, to_state=move.to_state, note=note
        )
    )


def _check_officer(p: Principal, item: OnestopItem) -> None:
    if item.department_code is None or not can_handle(p, item.department_code):
        raise OnestopError("forbidden")


def _message(text: str | None, *, required: bool) -> str | None:
    text = (text or "").strip()
    if not text and not required:
        return None
    if len(text) < NOTE_MIN:
        raise OnestopError("short")
    if len(text) > NOTE_MAX:
        raise OnestopError("long")
    return text


async def take(session: AsyncSession, svc: Services, p: Principal, item: OnestopItem) -> OnestopItem:
    """접수: the office has it (shown in the family's /status)."""
    _check_officer(p, item)
    _transition(item, "take", p.user_id, svc.now())
    item.officer_id = p.user_id
    _audit(session, svc, p, item, audit.ONESTOP_TAKE)
    return item


async def complete(
    session: AsyncSession, svc: Services, p: Principal, item: OnestopItem, note: str | None = None
) -> OnestopItem:
    """처리완료, with an optional message to the family."""
    _check_officer(p, item)
    note = _message(note, required=False)
    now = svc.now()
    _transition(item, "complete", p.user_id, now, note=note)
    item.officer_id = p.user_id
    item.note = note
    _audit(session, svc, p, item, audit.ONESTOP_COMPLETE, message="yes" if note else "no")
    app = item.application
    await _push_family(
        session,
        svc,
        app,
        "onestop.push.relayed" if item.agency_code else "onestop.push.done",
        key=f"osdone:{item.id}",
        item=item,
        note=(lambda lang: t(lang, "onestop.push.note", note=escape(note))) if note else "",
    )
    await _maybe_complete(session, svc, app)
    return item


async def request_supplement(
    session: AsyncSession, svc: Services, p: Principal, item: OnestopItem, message: str
) -> OnestopItem:
    """보완요청: the office needs something from the family; they can answer from the chat."""
    _check_officer(p, item)
    message = _message(message, required=True)
    _transition(item, "supplement", p.user_id, svc.now(), note=message)
    item.officer_id = item.officer_id or p.user_id
    item.note = message
    _audit(session, svc, p, item, audit.ONESTOP_SUPPLEMENT)
    phone = svc.district.department(item.department_code).phone
    await _push_family(
        session,
        svc,
        item.application,
        "onestop.push.supplement",
        key=f"ossupp:{item.id}:{len(item.events)}",
        item=item,
        note=escape(message),
        phone=escape(phone),
        buttons=lambda lang: [[(t(lang, "onestop.btn.reply"), cb_supplement(item.id))]],
    )
    return item


async def family_reply(session: AsyncSession, svc: Services, user_id: int, item: OnestopItem, text: str) -> OnestopItem:
    """The family answers a 보완요청: back to the office as 접수, with their answer."""
    if item.application.citizen_id != user_id:
        raise OnestopError("not_found")
    text = _message(text, required=True)
    _transition(item, "reply", user_id, svc.now(), note=text)
    item.note = None
    await _notify_department(
        session,
        svc,
        item,
        item.application,
        key=f"osreply:{item.id}:{len(item.events)}",
        head="onestop.op.reply",
        answer=escape(mask_phones(text)),
    )  # officers: phones masked
    return item


async def outside_acknowledged(
    session: AsyncSession, svc: Services, item: OnestopItem, *, actor_id: int | None = None, ref: str | None = None
) -> OnestopItem:
    """An outside body acknowledged its notice: the family's item is done."""
    if item.state in FINAL:
        return item
    _transition(item, "ack", actor_id, svc.now(), note=ref)
    app = item.application
    await _push_family(
        session,
        svc,
        app,
        "onestop.push.acknowledged",
        key=f"osack:{item.id}",
        item=item,
        follow_up=lambda lang: escape(_follow_up(app.kind, item.code, lang)),
    )
    await _maybe_complete(session, svc, app)
    return item


async def acknowledge_notice(
    session: AsyncSession, svc: Services, *, notification_id: int, chat_id: int, user_id: int
) -> AgencyNotification:
    """수신 확인 pressed in the outside body's chat (agency_notify.acknowledge checks it): the
    family's item is done."""
    n = await agency_notify.acknowledge(session, svc, notification_id=notification_id, chat_id=chat_id, user_id=user_id)
    await outside_acknowledged(session, svc, await _item_of(session, n), actor_id=user_id, ref=f"telegram:{user_id}")
    return n


# --- webhook notices: agency_notify builds and signs them, workflows/webhooks.py sends them; what
# a delivery or a failure does to the family's item is decided here


async def _item_of(session: AsyncSession, n: AgencyNotification) -> OnestopItem:
    item = await get_item(session, n.item_id)
    if item is None:  # item_id is a foreign key: only a database edited by hand gets here
        raise LookupError(f"agency notice {n.id}: item {n.item_id} is gone")
    return item


async def _notice_request(session: AsyncSession, svc: Services, n: AgencyNotification) -> webhooks.Request | str:
    item = await _item_of(session, n)
    return agency_notify.request(svc, n, phone=await contact_for(svc, item.application, item))


async def _notice_delivered(
    session: AsyncSession, svc: Services, n: AgencyNotification, resp: httpx.Response, _ms: int
) -> None:
    agency_notify.delivered(svc, n, resp)
    await outside_acknowledged(session, svc, await _item_of(session, n), ref=n.ack_ref)


async def _notice_failed(session: AsyncSession, svc: Services, n: AgencyNotification, error: str) -> None:
    agency_notify.failed(n, error)
    await relay_by_hand(session, svc, await _item_of(session, n), error)


NOTICES = webhooks.Queue("agency notice", AgencyNotification, _notice_request, _notice_delivered, _notice_failed)


async def deliver_notices(session: AsyncSession, svc: Services, *, limit: int = 20) -> int:
    """POST every webhook notice to an outside body that is due; returns how many were delivered."""
    return await webhooks.deliver_due(session, svc, NOTICES, limit=limit)


def _follow_up(kind: str, code: str, lang: str) -> str:
    if kind == DEATH and code in load_death_rules().agencies:
        return load_death_rules().agencies[code].follow_up(lang)
    b = load_catalogue().benefits.get(code)
    return b.needs(lang) if b else ""


async def relay_by_hand(session: AsyncSession, svc: Services, item: OnestopItem, reason: str) -> OnestopItem:
    """A notice that could not be delivered goes to the coordinator department to pass on by hand."""
    if item.state in FINAL:
        return item
    coordinator = profile(svc.district).coordinator
    _transition(item, "relay", None, svc.now(), note=reason[:300])
    item.department_code = coordinator
    await _notify_department(
        session, svc, item, item.application, key=f"osrelay:{item.id}", head="onestop.op.relay_failed"
    )
    return item


async def _push_family(
    session: AsyncSession,
    svc: Services,
    app: OnestopApplication,
    text_key: str,
    *,
    key: str,
    item: OnestopItem | None = None,
    buttons=None,
    **extra,
) -> None:
    lang = await _lang(session, app.citizen_id)
    values = {k: v(lang) if callable(v) else v for k, v in extra.items()}
    if item is not None:
        values.update(
            service=escape(item_name(item, app.kind, lang, svc.district)),
            handler=escape(handler_name(svc, item, app.kind, lang)),
        )
    await enqueue(
        session,
        key=key,
        chat_id=app.citizen_id,
        text=t(lang, text_key, receipt=app.receipt_no, **values),
        buttons=buttons(lang) if callable(buttons) else buttons,
    )


async def _maybe_complete(session: AsyncSession, svc: Services, app: OnestopApplication) -> bool:
    """When every item is done or dropped: the completion message, then the 5-item survey for
    the departments that handled a part."""
    if app.state == COMPLETED or any(it.state not in FINAL for it in app.items):
        return False
    now = svc.now()
    app.state, app.completed_at = COMPLETED, now
    lang = await _lang(session, app.citizen_id)
    lines = "\n".join(item_line(svc, it, app.kind, lang) for it in app.items)
    key = "onestop.push.completed_birth" if app.kind == BIRTH else "onestop.push.completed_death"
    await enqueue(
        session,
        key=f"oscomplete:{app.id}",
        chat_id=app.citizen_id,
        text=t(lang, key, receipt=app.receipt_no, n=sum(it.state == DONE for it in app.items), items=lines),
    )
    await send_survey(session, svc, app)
    return True


# --- the 5-item rating of a completed one-stop (친절 OSS: workflows/ratings.py) -----------------
# The family answers once and the answers are attributed to every department that completed a part.


async def send_survey(session: AsyncSession, svc: Services, app: OnestopApplication) -> bool:
    handled: dict[str, int | None] = {}
    for it in app.items:
        if it.state == DONE and it.department_code and it.officer_id is not None:
            handled[it.department_code] = it.officer_id
    if not handled or await ratings.onestop_surveyed(session, app.id):
        return False
    # staff do not rate their own work (issue 16 §5)
    reason, excluded = await ratings.onestop_conflict(session, app, app.citizen_id, handled)
    handled = {d: o for d, o in handled.items() if d not in excluded}
    lang = await _lang(session, app.citizen_id)
    if not handled:  # say why there is no survey rather than stay silent
        await enqueue(
            session,
            key=f"ossurvey:{app.id}",
            chat_id=app.citizen_id,
            text=t(
                lang,
                "onestop.rate.not_offered.handled" if reason == "handled" else "onestop.rate.not_offered.own_staff",
                receipt=app.receipt_no,
            ),
        )
        return False
    rows = ratings.open_onestop(session, svc, app.id, handled)
    names = ", ".join(escape(svc.district.department(d).name(lang)) for d in handled)
    await enqueue(
        session,
        key=f"ossurvey:{app.id}",
        chat_id=app.citizen_id,
        text=t(lang, "onestop.rate.ask", receipt=app.receipt_no, departments=names),
        buttons=ratings.score_buttons(rows[0], ratings.OVERALL),
    )
    return True


# --- reminders and the family's own switches ----------------------------------------------------


async def _own_application(session: AsyncSession, user_id: int, application_id: int) -> OnestopApplication:
    app = await get_application(session, application_id)
    if app is None or app.citizen_id != user_id:
        raise OnestopError("not_found")
    return app


async def _cancel_reminders(session: AsyncSession, application_id: int, codes: tuple[str, ...] | None = None) -> int:
    rows = (
        (
            await session.execute(
                select(OnestopReminder).where(
                    OnestopReminder.application_id == application_id, OnestopReminder.status == "pending"
                )
            )
        )
        .scalars()
        .all()
    )
    n = 0
    for r in rows:
        if codes is None or r.code in codes:
            r.status = "cancelled"
            n += 1
    return n


async def mark_reported(session: AsyncSession, svc: Services, user_id: int, application_id: int) -> OnestopApplication:
    """The family made the 출생신고 / 사망신고: its reminders stop."""
    app = await _own_application(session, user_id, application_id)
    app.report_made = True
    app.facts = {**app.facts, "report_made": True}
    await _cancel_reminders(session, app.id, ("birth_report", "death_report"))
    return app


async def stop_reminders(session: AsyncSession, svc: Services, user_id: int, application_id: int) -> OnestopApplication:
    app = await _own_application(session, user_id, application_id)
    app.reminders_on = False
    await _cancel_reminders(session, app.id)
    return app


async def withdraw(session: AsyncSession, svc: Services, app: OnestopApplication) -> int:
    """The family withdraws an open application (before deleting their data, workflows/privacy/service.py):
    every item not yet final is dropped, the offices working on one are told to stop, notices to
    outside bodies not yet sent and reminders are cancelled. No completion message, no survey.
    Returns how many items were dropped (0 when it was already finished)."""
    if app.state == COMPLETED:
        return 0
    now = svc.now()
    dropped = []
    for item in app.items:
        if not ITEM.allows(item.state, "withdraw"):
            continue  # done or dropped already
        at_office = item.department_code is not None and item.state in WORKABLE
        _transition(item, "withdraw", app.citizen_id, now)
        dropped.append(item.id)
        if at_office:
            await _notify_department(session, svc, item, app, key=f"oswithdrawn:{item.id}", head="onestop.op.withdrawn")
    if dropped:
        await session.execute(
            update(AgencyNotification)
            .where(AgencyNotification.item_id.in_(dropped), AgencyNotification.status == agency_notify.PENDING)
            .values(status="cancelled", last_error="withdrawn by the family")
        )
    await _cancel_reminders(session, app.id)
    app.state, app.completed_at = COMPLETED, now
    return len(dropped)


async def send_due_reminders(session: AsyncSession, svc: Services) -> int:
    """Scheduler duty: every reminder whose time has come goes out once (outbox key per row);
    one whose deadline already passed, or whose family opted out or reported, is not sent."""
    now = svc.now()
    today = local_today(svc)
    rows = (
        (
            await session.execute(
                select(OnestopReminder)
                .where(OnestopReminder.status == "pending", OnestopReminder.due_at <= now)
                .order_by(OnestopReminder.due_at, OnestopReminder.id)
            )
        )
        .scalars()
        .all()
    )
    sent = 0
    for r in rows:
        app = await session.get(OnestopApplication, r.application_id)
        reported = app.report_made and r.code in ("birth_report", "death_report")
        if app is None or reported or not app.reminders_on:
            r.status = "cancelled"
            continue
        if r.deadline < today:
            r.status = "skipped"  # the process was down past the deadline: too late to help
            continue
        rule = (
            birth_report_rule()
            if r.code == "birth_report"
            else next((c for c in checklist_rules((app.facts or {}).get("abroad")) if c.code == r.code), None)
        )
        if rule is None:
            r.status = "skipped"
            continue
        lang = await _lang(session, app.citizen_id)
        buttons = []
        if r.code in ("birth_report", "death_report"):
            buttons.append([(t(lang, "onestop.btn.reported"), cb_reminder("reported", app.id))])
        buttons.append([(t(lang, "onestop.btn.stop_reminders"), cb_reminder("stop", app.id))])
        key = "onestop.remind.birth_report" if r.code == "birth_report" else "onestop.remind.death"
        await enqueue(
            session,
            key=f"osrem:{r.id}",
            chat_id=app.citizen_id,
            buttons=buttons,
            text=t(
                lang,
                key,
                receipt=app.receipt_no,
                name=escape(rule.name(lang)),
                deadline=fmt_date(r.deadline, lang),
                left=days_left_text(r.deadline, today, lang),
                where=escape(rule.where(lang)),
                basis=escape(rule.basis(lang)),
            ),
        )
        r.status, r.sent_at = "sent", now
        sent += 1
    return sent


async def purge_expired(session: AsyncSession, svc: Services) -> int:
    """개인정보 보호법 §21: completed applications are destroyed after the retention period (the
    ratings stay, without the link)."""
    days = profile(svc.district).retention_days
    res = await session.execute(
        delete(OnestopApplication).where(
            OnestopApplication.state == COMPLETED, OnestopApplication.completed_at < svc.now() - timedelta(days=days)
        )
    )
    return res.rowcount or 0


async def run_duties(session: AsyncSession, svc: Services) -> int:
    """The one scheduler entry: reminders, outside-body notices (webhooks with retries), purge."""
    n = await send_due_reminders(session, svc)
    await session.commit()
    n += await deliver_notices(session, svc)
    n += await purge_expired(session, svc)
    return n
