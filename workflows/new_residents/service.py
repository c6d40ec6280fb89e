"""New-resident information (전입주민 생활정보; 송파구 MMS and 광산구 맞춤형 마을지도 models).

A resident who has moved in (or is about to) gives the date, the 동 and, optionally, a few household
facts; after an explicit opt-in consent (its own purpose, 개인정보 보호법 §15②, §22①) they get the
information for their 동 and household at once (through the outbox: one message per topic, its notes
and a list of its places with addresses and map links, 수신 거부 under the last one),
a follow-up a week later with a way to ask the district a question (filed as a complaint of kind
질의 to the responsible department), and the monthly newsletter (workflows/new_residents/newsletter.py).

수신 거부 deletes the subscription, withdraws the consent and cancels whatever of this feature is
still waiting in the outbox for that chat. The subscription is also deleted ``retention_days``
after the move-in date (§21). Functions take the caller's session; the caller commits.
"""

from __future__ import annotations

import html
import json
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, time, timedelta
from functools import lru_cache, cache
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import Complaint, NewResident, OutboxMessage, User
from workflows.errors import DomainError
from workflows import users
from workflows import district_info
from workflows.complaints import service as complaints
from workflows.complaints.common import Draft
from workflows.contact import looks_like_rrn
from workflows.context import Services
from workflows.district_info import DongInfo, Place
from workflows.outbox import enqueue
from workflows.texts import ENGLISH_DATA, escape, pack, t
from workflows.date_words import COMPACT, FULL, RELATIVE_DAYS, SHORT

DEFAULT_PATH = Path(__file__).parent.parent / "data" / "new_residents.json"
FACTS = ("children_under_7", "school_age_children", "seniors_65", "pet", "car")
# Callback data of the buttons this feature puts into the outbox; handlers/moving.NrCb packs the
# same strings (prefix "nr", one field): a test checks both sides agree.
STOP_CB, ASK_CB = "nr:stop", "nr:ask"
# Outbox rows of this feature carry these key prefixes, so 수신 거부 can cancel what still waits.
KEY_PREFIXES = ("newres:", "newsletter:")
CANCELLED = "cancelled"

SECTION_TITLES = {
    "basics": "nr.title.basics",
    "life": "nr.title.life",
    "young_children": "nr.title.young_children",
    "school": "nr.title.school",
    "senior": "nr.title.senior",
    "pet": "nr.title.pet",
    "car": "nr.title.car",
}
NOTE_LABELS = {
    "waste": "nr.note.waste",
    "recycling": "nr.note.recycling",
    "parking_permit": "nr.note.parking_permit",
    "library": "nr.note.library",
    "childcare": "nr.note.childcare",
    "school": "nr.note.school",
    "senior": "nr.note.senior",
    "animal_registration": "nr.note.animal_registration",
    "resident_parking": "nr.note.resident_parking",
}
PLACE_HEADINGS = {kind: f"nr.kind.{kind}" for kind in ("centre",) + district_info.KINDS}
NO_PREVIEW = {"link_preview_options": {"is_disabled": True}}  # the map links are links, not a preview


# --- settings (data/new_residents.json) ------------------------------------------------------


@dataclass(frozen=True)
class Section:
    code: str
    fact: str | None  # None = always
    head_ages: tuple[str, ...]  # heads of household that get it when the fact was not answered
    notes: tuple[str, ...]
    places: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    code: str
    ko: str
    en: str
    category: str

    def name(self, lang: str) -> str:
        return self.en if lang in ENGLISH_DATA else self.ko


@dataclass(frozen=True)
class NewsletterSettings:
    editor_department: str
    send_day: int
    send_time: time
    text_max: int
    caption_max: int
    max_links: int
    file_max_bytes: int


@dataclass(frozen=True)
class Settings:
    consent_purpose: str
    dong_dir: Path
    past_days: int
    future_days: int
    retention_days: int
    follow_up_days: int
    max_venues: int
    map_links: dict[str, str]  # lang -> URL template with {name}, {lat}, {lon}
    age_bands: dict[str, tuple[str, str]]  # code -> (ko, en)
    sections: tuple[Section, ...]
    question_kind: str
    topics: dict[str, Topic]
    newsletter: NewsletterSettings

    def age_band(self, code: str | None, lang: str) -> str | None:
        pair = self.age_bands.get(code or "")
        return None if pair is None else (pair[1] if lang in ENGLISH_DATA else pair[0])


def load_settings(path: str | Path = DEFAULT_PATH) -> Settings:
    path = Path(path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    bands = {b["code"]: (b["ko"], b["en"]) for b in raw["age_bands"]}
    sections = []
    for s in raw["sections"]:
        when = s["when"]
        fact = None if when == "always" else when["fact"]
        heads = tuple(() if when == "always" else when.get("head_age_if_unanswered", ()))
        if fact is not None and fact not in FACTS:
            raise ValueError(f"{path}: section {s['code']}: unknown fact {fact!r}")
        if s["code"] not in SECTION_TITLES:
            raise ValueError(f"{path}: unknown section {s['code']!r}")
        bad = [x for x in s["notes"] if x not in district_info.NOTE_KEYS]
        bad += [x for x in s["places"] if x != "centre" and x not in district_info.KINDS]
        bad += [h for h in heads if h not in bands]
        if bad:
            raise ValueError(f"{path}: section {s['code']}: unknown {bad}")
        sections.append(Section(s["code"], fact, heads, tuple(s["notes"]), tuple(s["places"])))
    nl = raw["newsletter"]
    hour, minute = (int(x) for x in nl["send_time"].split(":"))
    if not 1 <= int(nl["send_day"]) <= 28:
        raise ValueError(f"{path}: newsletter.send_day must be 1-28 (every month has it)")
    window = raw["move_in_window"]
    return Settings(
        consent_purpose=raw["consent_purpose"],
        dong_dir=path.parent / raw["dong_data_dir"],
        past_days=int(window["past_days"]),
        future_days=int(window["future_days"]),
        retention_days=int(raw["retention_days"]),
        follow_up_days=int(raw["follow_up_days"]),
        max_venues=int(raw["max_venues_per_kind"]),
        map_links=dict(raw["map_links"]),
        age_bands=bands,
        sections=tuple(sections),
        question_kind=raw["question_kind"],
        topics={q["code"]: Topic(q["code"], q["ko"], q["en"], q["category"]) for q in raw["question_topics"]},
        newsletter=NewsletterSettings(
            nl["editor_department"],
            int(nl["send_day"]),
            time(hour, minute),
            int(nl["text_max"]),
            int(nl["caption_max"]),
            int(nl["max_links"]),
            int(nl["file_max_bytes"]),
        ),
    )


@cache
def settings() -> Settings:
    return load_settings()


@lru_cache(maxsize=8)
def _dong_data(folder: Path, dongs: tuple[str, ...]) -> dict[str, DongInfo]:
    return district_info.load_all(folder, dongs)


def dong_data(svc: Services) -> dict[str, DongInfo]:
    """The validated 동 files (loaded once); a broken file raises DistrictDataError."""
    return _dong_data(settings().dong_dir, tuple(svc.district.dongs))


# --- the household -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Household:
    """What the resident chose to tell; None = question skipped (not the same as "no")."""

    head_age: str | None = None
    children_under_7: bool | None = None
    school_age_children: bool | None = None
    seniors_65: bool | None = None
    pet: bool | None = None
    car: bool | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "Household":
        return cls(**{f.name: data.get(f.name) for f in fields(cls)})

    def to_dict(self) -> dict:
        return asdict(self)


def sections_for(h: Household, cfg: Settings | None = None) -> list[Section]:
    """The sections a household gets: an explicit answer decides; a skipped question falls back
    to the age band of the household head (광산구: 30s -> young children, 60s+ -> seniors)."""
    cfg = cfg or settings()
    chosen = []
    for s in cfg.sections:
        if s.fact is None:
            chosen.append(s)
            continue
        answer = getattr(h, s.fact)
        if answer is True or (answer is None and h.head_age in s.head_ages):
            chosen.append(s)
    return chosen


# --- move-in date --------------------------------------------------------------------------------


class DateError(ValueError):
    def __init__(self, code: str, value: date | None = None):
        super().__init__(code)
        self.code, self.value = code, value  # "format", "past", "future"; the date read, if any


def parse_move_in_date(text: str, today: date, cfg: Settings | None = None) -> date:
    """2026-11-20, 2026.11.20, 2026/11/20, 20261120, 2026년 11월 20일, 11/20, 11월 20일, 오늘, 어제 (today, 今天 ...).

    Without a year, the year that puts the date nearest to today. Raises DateError("format") for
    anything else or an impossible day, "past"/"future" outside the plausible window."""
    cfg = cfg or settings()
    s = (text or "").strip().lower()
    if len(s) > 40:
        raise DateError("format")
    try:
        if s in RELATIVE_DAYS:
            d = today + timedelta(days=RELATIVE_DAYS[s])
        elif m := (FULL.fullmatch(s) or COMPACT.fullmatch(s)):
            d = date(int(m[1]), int(m[2]), int(m[3]))
        elif m := SHORT.fullmatch(s):
            month, day = int(m[1]), int(m[2])
            candidates = []
            for y in (today.year - 1, today.year, today.year + 1):
                try:
                    candidates.append(date(y, month, day))
                except ValueError:
                    pass  # 2/29 in a year without it
            if not candidates:
                raise ValueError
            d = min(candidates, key=lambda c: abs((c - today).days))
        else:
            raise DateError("format")
    except ValueError as e:
        if isinstance(e, DateError):
            raise
        raise DateError("format") from None
    if d < today - timedelta(days=cfg.past_days):
        raise DateError("past", d)
    if d > today + timedelta(days=cfg.future_days):
        raise DateError("future", d)
    return d


# --- what a household receives -----------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One message for the outbox (a sendMessage with its text)."""

    method: str
    text: str | None = None
    params: dict | None = field(default_factory=lambda: dict(NO_PREVIEW))


def stop_buttons(lang: str, *, ask: bool = False) -> list[list[tuple[str, str]]]:
    rows = [[(t(lang, "nr.btn.ask"), ASK_CB)]] if ask else []
    return rows + [[(t(lang, "nr.btn.stop"), STOP_CB)]]


def map_link(p: Place, lang: str, cfg: Settings | None = None) -> str:
    """A map at the place (Kakao Map in Korean, Google Maps in English: data/new_residents.json)."""
    cfg = cfg or settings()
    template = cfg.map_links.get(lang) or cfg.map_links["ko"]
    return template.format(name=quote(p.name, safe=""), lat=f"{p.lat:.5f}", lon=f"{p.lon:.5f}")


def place_line(p: Place, lang: str, cfg: Settings | None = None) -> str:
    """One place of a list: its name (English with the Korean in brackets, for English), what it is
    for, then address · phone · hours · a map link."""
    head = f"• <b>{escape(p.title(lang))}</b>" + (f" — {escape(p.about(lang))}" if p.detail else "")
    link = f'<a href="{html.escape(map_link(p, lang, cfg), quote=True)}">{t(lang, "nr.map")}</a>'
    return f"{head}\n   {escape(p.venue_address(lang))} · {link}"


def _section_blocks(
    s: Section, info: DongInfo, places: list[Place], lang: str, moved_in_on: date, svc: Services, cfg: Settings
) -> list[str]:
    dong = escape(svc.district.dong_name(info.dong, lang))
    blocks = [t(lang, SECTION_TITLES[s.code], dong=dong)]
    if s.code == "basics":
        district = svc.district.name_en if lang in ENGLISH_DATA else svc.district.name_ko
        blocks.append(t(lang, "nr.welcome", district=escape(district), dong=dong, date=moved_in_on.isoformat()))
    for key in s.notes:
        note = info.note(key, lang)
        if note:
            blocks.append(f"{t(lang, NOTE_LABELS[key])}\n{escape(note)}")
    for kind in dict.fromkeys(p.kind for p in places):  # the places, a heading per kind
        blocks.append(
            "\n".join([t(lang, PLACE_HEADINGS[kind])] + [place_line(p, lang, cfg) for p in places if p.kind == kind])
        )
    if s.code == "basics":
        blocks.append(
            t(lang, "nr.data_as_of", updated=info.updated.isoformat())
            + (t(lang, "nr.sample_data") if info.sample else "")
        )
    return blocks


def build_messages(
    info: DongInfo, h: Household, lang: str, moved_in_on: date, svc: Services, cfg: Settings | None = None
) -> list[Outgoing]:
    """The information for one 동 and household: one message per section (a topic), its notes and
    the list of its places with their addresses and map links; a section longer than a message
    is split between blocks (texts.pack), never inside one."""
    cfg = cfg or settings()
    out: list[Outgoing] = []
    for s in sections_for(h, cfg):
        places = [p for kind in s.places for p in info.places(kind, cfg.max_venues)]
        has_notes = any(info.note(k, lang) for k in s.notes)
        if s.code != "basics" and not places and not has_notes:
            continue  # this 동's file has nothing for the section
        out.extend(
            Outgoing("sendMessage", text=text)
            for text in pack(_section_blocks(s, info, places, lang, moved_in_on, svc, cfg), sep="\n\n")
        )
    return out


def _no_data_message(svc: Services, dong: str, lang: str) -> Outgoing:
    return Outgoing(
        "sendMessage",
        text=t(
            lang,
            "nr.no_dong_data",
            dong=escape(svc.district.dong_name(dong, lang)),
            phone=escape(svc.district.raw["district"].get("main_phone", "")),
        ),
    )


# --- subscribing and stopping --------------------------------------------------------------------


async def subscription(session: AsyncSession, user_id: int) -> NewResident | None:
    return await session.get(NewResident, user_id)


async def _cancel_pending(session: AsyncSession, chat_id: int, prefixes=KEY_PREFIXES) -> int:
    """Cancel this feature's rows still waiting for one chat (the worker re-reads the status)."""
    res = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status == "pending",
            or_(*(OutboxMessage.dedup_key.startswith(p) for p in prefixes)),
        )
        .values(status=CANCELLED, last_error="unsubscribed")
    )
    return res.rowcount or 0


async def subscribe(
    session: AsyncSession, svc: Services, *, user_id: int, dong: str, moved_in_on: date, household: Household
) -> NewResident:
    """Record the consent and the subscription, then queue the information and the follow-up.
    Subscribing again replaces the earlier subscription (what it still had queued is cancelled)."""
    cfg = settings()
    if dong not in svc.district.dongs:
        raise ValueError("unknown dong")
    if household.head_age is not None and household.head_age not in cfg.age_bands:
        raise ValueError("unknown age band")
    now = svc.now()
    await users.give_consent(session, user_id, cfg.consent_purpose)
    sub = await subscription(session, user_id)
    if sub is not None:
        await _cancel_pending(session, user_id, ("newres:",))
    else:
        sub = NewResident(user_id=user_id)
        session.add(sub)
    sub.token = uuid.uuid4().hex
    sub.dong, sub.moved_in_on, sub.subscribed_at = dong, moved_in_on, now
    for name, value in household.to_dict().items():
        setattr(sub, name, value)
    await session.flush()

    user = await session.get(User, user_id)
    lang = user.language if user else "ko"
    info = dong_data(svc).get(dong)
    messages = (
        build_messages(info, household, lang, moved_in_on, svc, cfg) if info else [_no_data_message(svc, dong, lang)]
    )
    for i, m in enumerate(messages):  # 수신 거부 under the last one (it stops what is still queued too)
        await enqueue(
            session,
            key=f"newres:{sub.token}:info:{i}",
            chat_id=user_id,
            text=m.text,
            method=m.method,
            params=m.params,
            buttons=stop_buttons(lang) if i == len(messages) - 1 else None,
        )
    await enqueue(
        session,
        key=f"newres:{sub.token}:followup",
        chat_id=user_id,
        text=t(lang, "nr.followup", dong=escape(svc.district.dong_name(dong, lang))),
        buttons=stop_buttons(lang, ask=True),
        not_before=now + timedelta(days=cfg.follow_up_days),
    )
    return sub


async def unsubscribe(session: AsyncSession, user_id: int) -> bool:
    """수신 거부: delete the subscription, withdraw the consent, cancel what is still queued.
    False when there was nothing to stop (pressed twice)."""
    cfg = settings()
    sub = await subscription(session, user_id)
    withdrawn = await users.withdraw_consent(session, user_id, cfg.consent_purpose)
    cancelled = await _cancel_pending(session, user_id)
    if sub is not None:
        await session.delete(sub)
    return sub is not None or withdrawn or cancelled > 0


async def expire(session: AsyncSession, svc: Services) -> int:
    """Delete subscriptions older than the retention period (stated in the consent notice)."""
    cfg = settings()
    cutoff = svc.now().astimezone(svc.tz).date() - timedelta(days=cfg.retention_days)
    ids = list(await session.scalars(select(NewResident.user_id).where(NewResident.moved_in_on < cutoff)))
    for uid in ids:
        await users.withdraw_consent(session, uid, cfg.consent_purpose)
        await _cancel_pending(session, uid)
    if ids:
        await session.execute(delete(NewResident).where(NewResident.user_id.in_(ids)))
    return len(ids)


# --- questions ("anything we can help with?") --------------------------------------------------


async def file_question(
    session: AsyncSession, svc: Services, *, user_id: int, topic: str, text: str, submit_key: str
) -> tuple[Complaint, bool]:
    """File a new resident's question as a complaint of kind 질의 (7 days) in the topic's category,
    so complaints.submit routes it to that category's department like any complaint. The
    category keeps its code (officers and /status show it as usual); only the kind differs."""
    cfg = settings()
    tp = cfg.topics.get(topic)
    if tp is None or tp.category not in svc.district.categories:
        raise ValueError("unknown topic")
    text = complaints.validate_description(text)
    if looks_like_rrn(text):
        raise DomainError("cf.rrn_refused")
    cat = svc.district.category(tp.category)
    district = replace(
        svc.district, categories={**svc.district.categories, cat.code: replace(cat, kind=cfg.question_kind)}
    )
    return await complaints.submit(
        session,
        replace(svc, district=district),
        citizen_id=user_id,
        submit_key=submit_key,
        draft=Draft(category=cat.code, description=text),
    )
