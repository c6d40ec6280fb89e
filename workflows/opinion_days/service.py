"""Monthly opinion days (소통 Day, after 부산광역시's 소통3.0 Day).

On the third Thursday of each month the district asks its subscribers about one policy topic:
the announcement goes out at 10:00, opinions (up to 3 per person, 1,000 characters each; an
edit replaces) and poll answers are taken until 24:00, then the analysis draft is made for the
officers of the 소통 department. The analysis is due 3 calendar days after the day, what was
reflected in policy 20 days after; officers are reminded on day 2 and day 18, an overdue one is
escalated once, and the achieved times are the indicators (days to analysis, days to policy
answer, on time). Numbers and times are data (``data/opinion_days.json``); the day is a rule.

Service layer as in workflows/complaints/service.py: functions take the caller's session and Services,
the caller commits; every message the system sends goes through the outbox with a dedup key,
and what is due lives in ``opinion_topics`` (status, *_reminded_at, *_escalated_at), so a duty
that runs late or twice does the right thing once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import (
    OpinionEntry,
    OpinionParticipant,
    OpinionPoll,
    OpinionSubscription,
    OpinionTheme,
    OpinionTopic,
    User,
)
from workflows import context, users
from workflows.contact import looks_like_rrn
from workflows.context import Services
from workflows.opinion_days.analysis import Opinion, Rules, analyse
from workflows.outbox import enqueue
from workflows.roles import Principal, officers_of
from workflows.state_machine import Machine, TransitionError
from workflows.texts import escape, t

DATA_PATH = Path(__file__).parent.parent / "data" / "opinion_days.json"
PURPOSE = "opinion"  # consent purpose: 소통 Day 의견 수집·분석·결과 통지
THURSDAY, NTH = 3, 3  # the third Thursday
TITLE_LEN, BACKGROUND_LEN, QUESTION_LEN, LINK_LEN, OPTION_LEN = (2, 100), (10, 1500), (5, 300), 300, 100
ANALYSIS_TEXT_LEN, NOTE_LEN = (20, 3500), (5, 500)
CAPTION_MAX = 1024
POLICY_STATUSES = ("reflected", "partly", "reviewing", "not")
POLICY_LABEL = {
    "reflected": "opd.policy.reflected",
    "partly": "opd.policy.partly",
    "reviewing": "opd.policy.reviewing",
    "not": "opd.policy.not",
}
SCHEDULED, OPEN, CLOSED, ANALYSED, ANSWERED, MISSED = "scheduled", "open", "closed", "analysed", "answered", "missed"
URL = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$")


class OpinionError(ValueError):
    """Input or an action that cannot be carried out; ``code`` is the text key to show."""

    def __init__(self, code: str, **kw):
        super().__init__(code)
        self.code, self.kw = code, kw


_REFUSED = {"publish_analysis": "opd.err.not_draft", "publish_answer": "opd.err.not_answerable"}


class TopicTransitionError(TransitionError, OpinionError):
    """A move the topic's status does not allow; ``code`` the text the organiser is shown."""

    kind = "opinion-day topic"

    def __init__(self, action: str, state: str | None):
        super().__init__(action, state)
        # the other moves are the scheduler's (and a replacement before the announcement)
        self.code, self.kw = _REFUSED.get(action, "opd.err.closed"), {}


# The topic's status (OpinionTopic.status); action -> (from, to). Scheduled by an organiser (and
# replaced until announced), announced at 10:00 or missed, closed at 24:00, then the analysis and
# the policy answer are published. The times are columns of the topic (no event table).
TOPIC = Machine(
    (SCHEDULED, OPEN, CLOSED, ANALYSED, ANSWERED, MISSED),
    {
        "reschedule": ({SCHEDULED}, SCHEDULED),
        "announce": ({SCHEDULED}, OPEN),
        "miss": ({SCHEDULED}, MISSED),
        "close": ({OPEN}, CLOSED),
        "publish_analysis": ({CLOSED}, ANALYSED),
        "publish_answer": ({ANALYSED}, ANSWERED),
    },
    error=TopicTransitionError,
    column="status",
)


# --- the day -----------------------------------------------------------------------------------


def third_thursday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(THURSDAY - first.weekday()) % 7 + 7 * (NTH - 1))


def opinion_days_after(day: date, n: int = 1) -> list[date]:
    """The next ``n`` opinion days strictly after ``day``."""
    out: list[date] = []
    year, month = day.year, day.month
    while len(out) < n:
        d = third_thursday(year, month)
        if d > day:
            out.append(d)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# --- settings ----------------------------------------------------------------------------------


def _minutes(hhmm: str) -> int:
    """ "10:00" -> 600; "24:00" (the end of the day) -> 1440."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(hhmm))
    if not m or int(m[2]) > 59 or int(m[1]) * 60 + int(m[2]) > 1440:
        raise ValueError(f"not a HH:MM time: {hhmm!r}")
    return int(m[1]) * 60 + int(m[2])


@dataclass(frozen=True)
class Config:
    department: str
    announce_minute: int = 600
    close_minute: int = 1440
    prepare_days_before: int = 3
    prepare_minute: int = 540
    analysis_days: int = 3
    answer_days: int = 20
    analysis_reminder_day: int = 2
    answer_reminder_day: int = 18
    reminder_minute: int = 540
    per_person: int = 3
    min_chars: int = 5
    max_chars: int = 1000
    poll_min: int = 2
    poll_max: int = 10
    retention_days: int = 365
    rules: Rules = field(default_factory=Rules)

    @classmethod
    def from_json(cls, raw: dict) -> "Config":
        cfg = cls(
            department=raw["department"],
            announce_minute=_minutes(raw["announce_time"]),
            close_minute=_minutes(raw["close_time"]),
            prepare_days_before=int(raw["prepare_reminder_days_before"]),
            prepare_minute=_minutes(raw["prepare_reminder_time"]),
            analysis_days=int(raw["analysis_days"]),
            answer_days=int(raw["answer_days"]),
            analysis_reminder_day=int(raw["analysis_reminder_day"]),
            answer_reminder_day=int(raw["answer_reminder_day"]),
            reminder_minute=_minutes(raw["reminder_time"]),
            per_person=int(raw["opinions_per_person"]),
            min_chars=int(raw["opinion_min_chars"]),
            max_chars=int(raw["opinion_max_chars"]),
            poll_min=int(raw["poll_min_options"]),
            poll_max=int(raw["poll_max_options"]),
            retention_days=int(raw["retention_days_after_answer"]),
            rules=Rules.from_json(raw.get("analysis", {})),
        )
        if not cfg.announce_minute < cfg.close_minute:
            raise ValueError("opinion days: the announcement must come before the close")
        if not 0 < cfg.analysis_reminder_day <= cfg.analysis_days <= cfg.answer_days:
            raise ValueError("opinion days: need 0 < analysis_reminder_day <= analysis_days <= answer_days")
        if not 0 < cfg.answer_reminder_day <= cfg.answer_days:
            raise ValueError("opinion days: need 0 < answer_reminder_day <= answer_days")
        if not 2 <= cfg.poll_min <= cfg.poll_max <= 10:  # Telegram: 2-10 options (this product's limit)
            raise ValueError("opinion days: poll options must be within 2..10")
        return cfg


_configs: dict[int, tuple[object, Config]] = {}


def load_config(overrides: dict | None = None, path: Path = DATA_PATH) -> Config:
    raw = json.loads(path.read_text(encoding="utf-8"))
    for key, value in (overrides or {}).items():
        raw[key] = {**raw.get(key, {}), **value} if key == "analysis" else value
    return Config.from_json(raw)


def config(svc: Services) -> Config:
    """The bundled settings with the district profile's "opinion_days" overrides (cached)."""
    hit = _configs.get(id(svc.district))
    if hit is None or hit[0] is not svc.district:
        cfg = load_config(svc.district.raw.get("opinion_days"))
        if cfg.department not in svc.district.departments:
            raise ValueError(f"opinion days: department {cfg.department} is not in the district profile")
        hit = _configs[id(svc.district)] = (svc.district, cfg)
    return hit[1]


def is_organiser(svc: Services, p: Principal) -> bool:
    """Officers of the configured 소통 department prepare topics and publish results."""
    return p.is_officer and p.department == config(svc).department


# --- times -------------------------------------------------------------------------------------


def local_at(svc: Services, day: date, minute: int) -> datetime:
    """``minute`` minutes after local midnight starting ``day``, as UTC (1440 = next midnight)."""
    start = datetime(day.year, day.month, day.day, tzinfo=svc.tz)
    return (start + timedelta(minutes=minute)).astimezone(timezone.utc)


@dataclass(frozen=True)
class Schedule:
    day: date
    announce_at: datetime
    close_at: datetime
    analysis_due_at: datetime
    answer_due_at: datetime
    analysis_remind_at: datetime
    answer_remind_at: datetime
    analysis_escalate_at: datetime
    answer_escalate_at: datetime
    prepare_remind_at: datetime


def schedule(svc: Services, day: date) -> Schedule:
    """Every time of one opinion day. A deadline of N days is the end of day + N (local);
    an overdue one is escalated at reminder_time the next morning."""
    c = config(svc)

    def on(offset: int, minute: int) -> datetime:
        return local_at(svc, day + timedelta(days=offset), minute)

    return Schedule(
        day=day,
        announce_at=on(0, c.announce_minute),
        close_at=on(0, c.close_minute),
        analysis_due_at=on(c.analysis_days + 1, 0),
        answer_due_at=on(c.answer_days + 1, 0),
        analysis_remind_at=on(c.analysis_reminder_day, c.reminder_minute),
        answer_remind_at=on(c.answer_reminder_day, c.reminder_minute),
        analysis_escalate_at=on(c.analysis_days + 1, c.reminder_minute),
        answer_escalate_at=on(c.answer_days + 1, c.reminder_minute),
        prepare_remind_at=on(-c.prepare_days_before, c.prepare_minute),
    )


def next_day(svc: Services, now: datetime | None = None) -> date:
    """The next opinion day whose announcement is still to come."""
    now = now or svc.now()
    day = opinion_days_after(now.astimezone(svc.tz).date() - timedelta(days=1))[0]
    while local_at(svc, day, config(svc).announce_minute) <= now:
        day = opinion_days_after(day)[0]
    return day


def fmt_day(day: date, lang: str) -> str:
    return context.fmt_day(day, lang)


def fmt_due(svc: Services, due: datetime, lang: str) -> str:
    """A deadline at local midnight reads as 24:00 of the day before (2026-12-20(일) 24:00)."""
    local = due.astimezone(svc.tz)
    if (local.hour, local.minute) != (0, 0):
        return svc.fmt(due, lang)
    return f"{fmt_day(local.date() - timedelta(days=1), lang)} 24:00"


def cb(action: str, tid: int = 0, n: int = 0, s: str = "") -> str:
    """Callback data of the buttons put into the outbox; the same string as
    handlers.opinion_days.OpdCb(action=..., tid=..., n=..., s=...).pack() (a test checks)."""
    return f"opd:{action}:{tid}:{n}:{s}"


# --- validation --------------------------------------------------------------------------------


def _length(text: str | None, bounds: tuple[int, int], code: str) -> str:
    text = (text or "").strip()
    if not bounds[0] <= len(text) <= bounds[1]:
        raise OpinionError(code, min=bounds[0], max=bounds[1], n=len(text))
    return text


def clean_title(text: str | None) -> str:
    return _length(text, TITLE_LEN, "opd.err.title")


def clean_background(text: str | None) -> str:
    return _length(text, BACKGROUND_LEN, "opd.err.background")


def clean_question(text: str | None) -> str:
    return _length(text, QUESTION_LEN, "opd.err.question")


def clean_link(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > LINK_LEN or not URL.match(text):
        raise OpinionError("opd.err.link")
    return text


def parse_poll_options(svc: Services, text: str | None) -> list[str]:
    """One option per line: 2-10 (data), each 1-100 characters, no repeats."""
    c = config(svc)
    options = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not c.poll_min <= len(options) <= c.poll_max:
        raise OpinionError("opd.err.poll_count", min=c.poll_min, max=c.poll_max, n=len(options))
    if any(len(o) > OPTION_LEN for o in options):
        raise OpinionError("opd.err.poll_long", max=OPTION_LEN)
    if len({o.casefold() for o in options}) != len(options):
        raise OpinionError("opd.err.poll_dup")
    return options


def clean_opinion(svc: Services, text: str | None) -> str:
    c = config(svc)
    text = _length(text, (c.min_chars, c.max_chars), "opd.err.opinion_len")
    if looks_like_rrn(text):
        raise OpinionError("opd.err.rrn")
    return text


@dataclass
class TopicDraft:
    """What the officer prepared in the chat (kept in FSM data until scheduled)."""

    title: str
    background: str
    question: str
    image_file_id: str | None = None
    link: str | None = None
    poll_options: list[str] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: dict) -> "TopicDraft":
        return cls(
            title=data["title"],
            background=data["background"],
            question=data["question"],
            image_file_id=data.get("image"),
            link=data.get("link"),
            poll_options=list(data.get("poll") or []),
        )


# --- topics ------------------------------------------------------------------------------------


async def get_topic(session: AsyncSession, topic_id: int) -> OpinionTopic | None:
    return await session.get(OpinionTopic, topic_id)


async def topic_on(session: AsyncSession, day: date) -> OpinionTopic | None:
    return await session.scalar(select(OpinionTopic).where(OpinionTopic.day == day))


async def recent_topics(session: AsyncSession, limit: int = 4) -> list[OpinionTopic]:
    return list(await session.scalars(select(OpinionTopic).order_by(OpinionTopic.day.desc()).limit(limit)))


def is_open(svc: Services, topic: OpinionTopic | None) -> bool:
    return topic is not None and topic.status == OPEN and svc.now() < topic.close_at


async def open_topic(session: AsyncSession, svc: Services) -> OpinionTopic | None:
    """The topic taking opinions now (announced, before 24:00), if any."""
    now = svc.now()
    return await session.scalar(
        select(OpinionTopic).where(
            OpinionTopic.status == OPEN, OpinionTopic.announce_at <= now, OpinionTopic.close_at > now
        )
    )


async def schedule_topic(session: AsyncSession, svc: Services, by: int, draft: TopicDraft) -> tuple[OpinionTopic, bool]:
    """Schedule the draft for the next opinion day; a topic already scheduled for it is
    replaced (it was not announced yet). Returns (topic, replaced)."""
    title, background, question = (
        clean_title(draft.title),
        clean_background(draft.background),
        clean_question(draft.question),
    )
    link = clean_link(draft.link) if draft.link else None
    options = parse_poll_options(svc, "\n".join(draft.poll_options)) if draft.poll_options else None
    day = next_day(svc)
    sch = schedule(svc, day)
    topic = await topic_on(session, day)
    replaced = topic is not None
    if topic is None:
        topic = OpinionTopic(day=day, created_at=svc.now(), status=SCHEDULED)
        session.add(topic)
    else:
        TOPIC.apply(topic, "reschedule")
    topic.department_code, topic.created_by = config(svc).department, by
    topic.title, topic.background, topic.question, topic.link = title, background, question, link
    topic.image_file_id, topic.poll_options = draft.image_file_id, options
    topic.announce_at, topic.close_at = sch.announce_at, sch.close_at
    topic.analysis_due_at, topic.answer_due_at = sch.analysis_due_at, sch.answer_due_at
    await session.flush()
    return topic, replaced


def announcement_text(svc: Services, topic: OpinionTopic | TopicDraft, lang: str, day: date) -> str:
    c = config(svc)
    link = t(lang, "opd.ann.link", link=escape(topic.link)) if topic.link else ""
    poll = t(lang, "opd.ann.poll") if topic.poll_options else ""
    return t(
        lang,
        "opd.ann.text",
        day=fmt_day(day, lang),
        title=escape(topic.title),
        background=escape(topic.background),
        link=link,
        question=escape(topic.question),
        poll=poll,
        n=c.per_person,
        chars=f"{c.max_chars:,}",
    )


async def _langs(session: AsyncSession, ids) -> dict[int, str]:
    """Language of each active user among ``ids`` (blocked ones are left out)."""
    ids = list(ids)
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        rows = await session.execute(
            select(User.id, User.language).where(User.id.in_(ids[i : i + 500]), User.is_active.is_(True))
        )
        out.update({uid: lang for uid, lang in rows.all()})
    return out


async def send_topic(session: AsyncSession, svc: Services, topic: OpinionTopic, user_id: int, lang: str) -> bool:
    """The announcement (and the poll) to one resident, once per topic (dedup keys)."""
    text = announcement_text(svc, topic, lang, topic.day)
    buttons = [[(t(lang, "opd.btn.write"), cb("write", topic.id))]]
    new = False
    if topic.image_file_id:
        fits = len(text) <= CAPTION_MAX
        new |= await enqueue(
            session,
            key=f"opd:img:{topic.id}:{user_id}",
            chat_id=user_id,
            method="sendPhoto",
            params={
                "photo": topic.image_file_id,
                "parse_mode": "HTML",
                "caption": text if fits else f"<b>{escape(topic.title)}</b>",
            },
            buttons=buttons if fits else None,
        )
        if not fits:
            new |= await enqueue(
                session, key=f"opd:ann:{topic.id}:{user_id}", chat_id=user_id, text=text, buttons=buttons
            )
    else:
        new |= await enqueue(session, key=f"opd:ann:{topic.id}:{user_id}", chat_id=user_id, text=text, buttons=buttons)
    return await send_poll(session, topic, user_id) or new


async def send_poll(session: AsyncSession, topic: OpinionTopic, user_id: int) -> bool:
    """The native poll (not anonymous, so each answer comes back as a poll_answer), once."""
    if not topic.poll_options:
        return False
    return await enqueue(
        session,
        key=f"opd:poll:{topic.id}:{user_id}",
        chat_id=user_id,
        method="sendPoll",
        params={
            "question": escape(topic.question),
            "is_anonymous": False,
            "options": [{"text": escape(o)} for o in topic.poll_options],
        },
    )


# --- subscriptions -----------------------------------------------------------------------------


async def profile(session: AsyncSession, user_id: int) -> OpinionSubscription | None:
    return await session.get(OpinionSubscription, user_id)


async def _profile(session: AsyncSession, user_id: int) -> OpinionSubscription:
    row = await profile(session, user_id)
    if row is None:
        row = OpinionSubscription(user_id=user_id, active=False)
        session.add(row)
    return row


async def has_consent(session: AsyncSession, user_id: int) -> bool:
    return await users.active_consent(session, user_id, PURPOSE) is not None


async def consent(session: AsyncSession, user_id: int) -> None:
    await users.give_consent(session, user_id, PURPOSE)


async def subscribe(session: AsyncSession, svc: Services, user_id: int) -> bool:
    """Opt in (recording the consent); False if already subscribed. On the day itself the
    open topic is sent at once."""
    row = await _profile(session, user_id)
    if row.active:
        return False
    await consent(session, user_id)
    row.active, row.subscribed_at, row.unsubscribed_at = True, svc.now(), None
    topic = await open_topic(session, svc)
    if topic is not None:
        lang = (await _langs(session, [user_id])).get(user_id, "ko")
        await send_topic(session, svc, topic, user_id, lang)
    return True


async def unsubscribe(session: AsyncSession, svc: Services, user_id: int) -> bool:
    row = await profile(session, user_id)
    if row is None or not row.active:
        return False
    row.active, row.unsubscribed_at = False, svc.now()
    return True


async def set_dong(session: AsyncSession, svc: Services, user_id: int, dong: str | None) -> None:
    """The resident's 동 (optional), also for the topic open now if they take part in it."""
    if dong is not None and dong not in svc.district.dongs:
        raise OpinionError("opd.err.dong")
    row = await _profile(session, user_id)
    row.dong = dong
    topic = await open_topic(session, svc)
    if topic is not None:
        part = await session.scalar(
            select(OpinionParticipant).where(
                OpinionParticipant.topic_id == topic.id, OpinionParticipant.user_id == user_id
            )
        )
        if part is not None:
            part.dong = dong


async def subscribers(session: AsyncSession) -> list[int]:
    rows = await session.scalars(
        select(OpinionSubscription.user_id)
        .join(User, User.id == OpinionSubscription.user_id)
        .where(OpinionSubscription.active.is_(True), User.is_active.is_(True))
        .order_by(OpinionSubscription.user_id)
    )
    return list(rows)


# --- taking part -------------------------------------------------------------------------------


def _check_open(svc: Services, topic: OpinionTopic | None) -> OpinionTopic:
    if not is_open(svc, topic):
        raise OpinionError("opd.err.closed")
    return topic


async def _participant(session: AsyncSession, svc: Services, topic: OpinionTopic, user_id: int) -> OpinionParticipant:
    part = await session.scalar(
        select(OpinionParticipant).where(OpinionParticipant.topic_id == topic.id, OpinionParticipant.user_id == user_id)
    )
    if part is None:
        prof = await profile(session, user_id)
        part = OpinionParticipant(
            topic_id=topic.id, user_id=user_id, dong=prof.dong if prof else None, joined_at=svc.now()
        )
        session.add(part)
    return part


async def my_opinions(session: AsyncSession, topic_id: int, user_id: int) -> list[OpinionEntry]:
    return list(
        await session.scalars(
            select(OpinionEntry)
            .where(OpinionEntry.topic_id == topic_id, OpinionEntry.user_id == user_id)
            .order_by(OpinionEntry.slot)
        )
    )


async def add_opinion(
    session: AsyncSession,
    svc: Services,
    topic: OpinionTopic | None,
    user_id: int,
    text: str,
    message_id: int | None = None,
) -> OpinionEntry:
    """Store a new opinion in the first free slot (at most ``opinions_per_person``)."""
    topic = _check_open(svc, topic)
    text = clean_opinion(svc, text)
    mine = await my_opinions(session, topic.id, user_id)
    limit = config(svc).per_person
    if len(mine) >= limit:
        raise OpinionError("opd.err.limit", n=limit)
    slot = min(set(range(1, limit + 1)) - {e.slot for e in mine})
    await _participant(session, svc, topic, user_id)
    now = svc.now()
    entry = OpinionEntry(
        topic_id=topic.id, user_id=user_id, slot=slot, text=text, message_id=message_id, created_at=now, updated_at=now
    )
    session.add(entry)
    await session.flush()
    return entry


async def replace_opinion(
    session: AsyncSession,
    svc: Services,
    topic: OpinionTopic | None,
    user_id: int,
    slot: int,
    text: str,
    message_id: int | None = None,
) -> OpinionEntry:
    """An edit replaces the opinion in that slot (the count stays)."""
    topic = _check_open(svc, topic)
    text = clean_opinion(svc, text)
    entry = await session.scalar(
        select(OpinionEntry).where(
            OpinionEntry.topic_id == topic.id, OpinionEntry.user_id == user_id, OpinionEntry.slot == slot
        )
    )
    if entry is None:
        raise OpinionError("opd.err.no_such_opinion")
    entry.text, entry.updated_at = text, svc.now()
    if message_id is not None:
        entry.message_id = message_id
    return entry


async def replace_by_message(
    session: AsyncSession, svc: Services, user_id: int, message_id: int, text: str
) -> OpinionEntry | None:
    """The resident edited the Telegram message that carried an opinion: the edit replaces it.
    None if that message was not an opinion."""
    entry = await session.scalar(
        select(OpinionEntry)
        .where(OpinionEntry.user_id == user_id, OpinionEntry.message_id == message_id)
        .order_by(OpinionEntry.id.desc())
    )
    if entry is None:
        return None
    topic = await get_topic(session, entry.topic_id)
    return await replace_opinion(session, svc, topic, user_id, entry.slot, text)


async def record_poll_sent(session: AsyncSession, *, dedup_key: str, poll_id: str) -> None:
    """Called when Telegram accepted a poll sent through the outbox (key opd:poll:<topic>:<user>)."""
    m = re.fullmatch(r"opd:poll:(\d+):(-?\d+)", dedup_key)
    if m is None or await session.get(OpinionPoll, poll_id) is not None:
        return
    session.add(OpinionPoll(poll_id=poll_id, topic_id=int(m[1]), user_id=int(m[2])))


async def record_vote(
    session: AsyncSession, svc: Services, *, poll_id: str, user_id: int, option_ids: list[int]
) -> bool:
    """A poll_answer: counted while the topic is open; an empty answer withdraws the vote."""
    poll = await session.get(OpinionPoll, poll_id)
    if poll is None or poll.user_id != user_id:
        return False
    topic = await get_topic(session, poll.topic_id)
    if not is_open(svc, topic):
        return False
    n = len(topic.poll_options or [])
    choice = sorted({i for i in option_ids if 0 <= i < n})
    part = await _participant(session, svc, topic, user_id)
    part.poll_choice, part.voted_at = (choice or None), svc.now()
    return True


# --- the analysis ------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{x * 100:.0f}"


def analysis_text(svc: Services, topic: OpinionTopic, data: dict, lang: str = "ko", examples: int | None = None) -> str:
    """The analysis as residents read it (HTML; what residents wrote is escaped)."""
    return "\n".join(_analysis_parts(topic, data, lang, examples))


def _analysis_parts(topic: OpinionTopic, data: dict, lang: str, examples: int | None) -> list[str]:
    """The analysis as whole HTML lines (each closes its own tags)."""
    parts = [
        t(
            lang,
            "opd.an.head",
            title=escape(topic.title),
            day=fmt_day(topic.day, lang),
            participants=data["participants"],
            opinions=data["opinions"],
            voters=data["voters"],
        )
    ]
    if data["poll"]:
        parts.append(t(lang, "opd.an.poll_head", question=escape(topic.question)))
        parts += [t(lang, "opd.an.poll_line", option=escape(o), votes=v, pct=_pct(s)) for o, v, s in data["poll"]]
    if data["themes"]:
        parts.append(t(lang, "opd.an.themes_head"))
        for i, th in enumerate(data["themes"], 1):
            related = (
                t(lang, "opd.an.related", words=", ".join(escape(w) for w in th["related"])) if th["related"] else ""
            )
            parts.append(
                t(
                    lang,
                    "opd.an.theme_line",
                    n=i,
                    keyword=escape(th["keyword"]),
                    related=related,
                    opinions=th["opinions"],
                    pct=_pct(th["share"]),
                    participants=th["participants"],
                )
            )
            parts += [t(lang, "opd.an.example", text=escape(ex)) for ex in th["examples"][:examples]]
        if data["other"]:
            parts.append(t(lang, "opd.an.other", n=data["other"]))
    elif data["opinions"]:
        parts.append(t(lang, "opd.an.no_themes", n=data["opinions"]))
    if data["dongs"]:
        dongs = " · ".join(f"{escape(d)} {n}({_pct(s)}%)" for d, n, s in data["dongs"])
        parts.append(t(lang, "opd.an.dongs", dongs=dongs, unknown=data["dong_unknown"]))
    return parts


def _fitting_text(svc: Services, topic: OpinionTopic, data: dict) -> str:
    """The draft within the length an officer's edit may have: fewer quoted examples first, then
    whole lines from the end (never a cut inside a tag)."""
    for examples in (None, 1, 0):
        parts = _analysis_parts(topic, data, "ko", examples)
        if len("\n".join(parts)) <= ANALYSIS_TEXT_LEN[1]:
            return "\n".join(parts)
    while len(parts) > 1 and len("\n".join(parts)) > ANALYSIS_TEXT_LEN[1]:
        parts.pop()
    return "\n".join(parts)


async def build_analysis(session: AsyncSession, svc: Services, topic: OpinionTopic) -> dict:
    """Counts, poll results, themes (stored with each opinion's theme) and 동 shares; the
    draft text for the officers. Running it again gives the same result."""
    entries = list(
        await session.scalars(select(OpinionEntry).where(OpinionEntry.topic_id == topic.id).order_by(OpinionEntry.id))
    )
    parts = list(await session.scalars(select(OpinionParticipant).where(OpinionParticipant.topic_id == topic.id)))
    result = analyse(
        [Opinion(e.id, e.user_id, e.text) for e in entries],
        rules=config(svc).rules,
        poll_options=topic.poll_options or [],
        votes={p.user_id: p.poll_choice or [] for p in parts},
        dong_of={p.user_id: p.dong for p in parts},
    )
    for e in entries:
        e.theme = result.theme_of.get(e.id)
    await session.execute(delete(OpinionTheme).where(OpinionTheme.topic_id == topic.id))
    for rank, th in enumerate(result.themes, 1):
        session.add(
            OpinionTheme(
                topic_id=topic.id,
                rank=rank,
                keyword=th.keyword[:40],
                opinions=len(th.opinion_ids),
                participants=th.participants,
            )
        )
    topic.analysis = result.to_json()
    topic.analysis_text = _fitting_text(svc, topic, topic.analysis)
    return topic.analysis


def staff_buttons(topic: OpinionTopic, lang: str) -> list[list[tuple[str, str]]]:
    if TOPIC.allows(topic.status, "publish_analysis"):
        return [
            [
                (t(lang, "opd.btn.publish"), cb("pub", topic.id)),
                (t(lang, "opd.btn.edit_analysis"), cb("anedit", topic.id)),
            ]
        ]
    if TOPIC.allows(topic.status, "publish_answer"):
        return [[(t(lang, "opd.btn.policy"), cb("themes", topic.id))]]
    return []


async def _organisers(session: AsyncSession, svc: Services) -> dict[int, str]:
    """The 소통 department's officers (the admins when it has none yet), with their language."""
    ids = await officers_of(session, config(svc).department) or sorted(svc.admin_ids)
    langs = await _langs(session, ids)
    return {i: langs.get(i, "ko") for i in ids}


async def _tell_organisers(session: AsyncSession, svc: Services, key: str, text_key: str, buttons=None, **kw) -> int:
    n = 0
    for chat_id, lang in (await _organisers(session, svc)).items():
        values = {k: (v(lang) if callable(v) else v) for k, v in kw.items()}
        n += await enqueue(
            session,
            key=f"{key}:{chat_id}",
            chat_id=chat_id,
            text=t(lang, text_key, **values),
            buttons=buttons(lang) if callable(buttons) else buttons,
        )
    return n


async def _participants(session: AsyncSession, topic_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(OpinionParticipant.user_id)
            .where(OpinionParticipant.topic_id == topic_id)
            .order_by(OpinionParticipant.user_id)
        )
    )


async def set_analysis_text(session: AsyncSession, svc: Services, topic: OpinionTopic, text: str) -> str:
    """The officer's edit of the draft (HTML as Telegram gives it) replaces it before publication."""
    TOPIC.require(topic.status, "publish_analysis")
    topic.analysis_text = _length(text, ANALYSIS_TEXT_LEN, "opd.err.analysis_len")
    return topic.analysis_text


async def publish_analysis(session: AsyncSession, svc: Services, topic: OpinionTopic, by: int) -> int:
    """Publish the (approved) analysis: every participant gets it once. Returns how many."""
    TOPIC.apply(topic, "publish_analysis")
    topic.analysis_published_at, topic.analysis_published_by = svc.now(), by
    langs = await _langs(session, await _participants(session, topic.id))
    for uid, lang in langs.items():
        await enqueue(
            session,
            key=f"opd:an:{topic.id}:{uid}",
            chat_id=uid,
            text=t(lang, "opd.push.analysis", title=escape(topic.title), text=topic.analysis_text),
        )
    return len(langs)


# --- the policy answer -------------------------------------------------------------------------


async def themes(session: AsyncSession, topic_id: int) -> list[OpinionTheme]:
    return list(
        await session.scalars(select(OpinionTheme).where(OpinionTheme.topic_id == topic_id).order_by(OpinionTheme.rank))
    )


async def record_theme_answer(
    session: AsyncSession, svc: Services, topic: OpinionTopic, by: int, theme_id: int, status: str, note: str
) -> OpinionTheme:
    """What was reflected in policy for one theme, and how (it can be rewritten until published)."""
    TOPIC.require(topic.status, "publish_answer")
    theme = await session.get(OpinionTheme, theme_id)
    if theme is None or theme.topic_id != topic.id:
        raise OpinionError("opd.err.no_such_theme")
    if status not in POLICY_STATUSES:
        raise OpinionError("opd.err.policy_status")
    theme.policy_status, theme.policy_note = status, _length(note, NOTE_LEN, "opd.err.note_len")
    theme.recorded_at, theme.recorded_by = svc.now(), by
    return theme


def _theme_line(theme: OpinionTheme, lang: str) -> str:
    return t(
        lang,
        "opd.answer.line",
        keyword=escape(theme.keyword),
        status=t(lang, POLICY_LABEL[theme.policy_status]),
        note=escape(theme.policy_note),
    )


async def publish_answer(session: AsyncSession, svc: Services, topic: OpinionTopic, by: int) -> int:
    """Publish what was reflected: every participant gets it, with the themes they raised first."""
    TOPIC.require(topic.status, "publish_answer")
    rows = await themes(session, topic.id)
    missing = [th.keyword for th in rows if th.policy_status is None]
    if missing:
        raise OpinionError("opd.err.themes_missing", themes=", ".join(missing))
    TOPIC.apply(topic, "publish_answer")
    topic.answer_published_at, topic.answer_published_by = svc.now(), by
    raised: dict[int, list[str]] = {}
    for uid, theme in (
        await session.execute(
            select(OpinionEntry.user_id, OpinionEntry.theme)
            .where(OpinionEntry.topic_id == topic.id, OpinionEntry.theme.is_not(None))
            .order_by(OpinionEntry.id)
        )
    ).all():
        if theme not in raised.setdefault(uid, []):
            raised[uid].append(theme)
    by_kw = {th.keyword: th for th in rows}
    langs = await _langs(session, await _participants(session, topic.id))
    for uid, lang in langs.items():
        mine = [by_kw[k] for k in raised.get(uid, []) if k in by_kw]
        yours = (
            t(lang, "opd.answer.yours", lines="\n".join(_theme_line(th, lang) for th in mine))
            if mine
            else t(lang, "opd.answer.yours_none")
        )
        others = "\n".join(_theme_line(th, lang) for th in rows if th not in mine)
        await enqueue(
            session,
            key=f"opd:answer:{topic.id}:{uid}",
            chat_id=uid,
            text=t(
                lang,
                "opd.push.answer",
                title=escape(topic.title),
                yours=yours,
                others=t(lang, "opd.answer.others", lines=others) if others else "",
            ),
        )
    return len(langs)


# --- scheduled duties --------------------------------------------------------------------------


async def announce_due(session: AsyncSession, svc: Services) -> int:
    """At 10:00 on the day: the topic goes to every subscriber (announcement and poll). A topic
    whose day ended before the bot could announce it is marked missed and the officers told."""
    now = svc.now()
    due = list(
        await session.scalars(
            select(OpinionTopic).where(OpinionTopic.status == SCHEDULED, OpinionTopic.announce_at <= now)
        )
    )
    for topic in due:
        if topic.close_at <= now:
            TOPIC.apply(topic, "miss")
            await _tell_organisers(
                session,
                svc,
                f"opd:missed:{topic.id}",
                "opd.op.missed",
                title=escape(topic.title),
                day=lambda lang, d=topic.day: fmt_day(d, lang),
            )
            continue
        TOPIC.apply(topic, "announce")
        topic.announced_at = now
        langs = await _langs(session, await subscribers(session))
        for uid, lang in langs.items():
            await send_topic(session, svc, topic, uid, lang)
        await _tell_organisers(
            session, svc, f"opd:announced:{topic.id}", "opd.op.announced", title=escape(topic.title), n=len(langs)
        )
    return len(due)


async def close_due(session: AsyncSession, svc: Services) -> int:
    """At 24:00: collection closes and the analysis draft goes to the officers."""
    now = svc.now()
    due = list(
        await session.scalars(select(OpinionTopic).where(OpinionTopic.status == OPEN, OpinionTopic.close_at <= now))
    )
    for topic in due:
        TOPIC.apply(topic, "close")
        topic.closed_at = now
        await build_analysis(session, svc, topic)
        await _tell_organisers(
            session,
            svc,
            f"opd:draft:{topic.id}",
            "opd.op.draft",
            buttons=lambda lang, tp=topic: staff_buttons(tp, lang),
            title=escape(topic.title),
            due=lambda lang, tp=topic: fmt_due(svc, tp.analysis_due_at, lang),
            text=topic.analysis_text,
        )
    return len(due)


async def remind_preparation(session: AsyncSession, svc: Services) -> int:
    """From the Monday before (data) the officers are told once if no topic is scheduled yet."""
    now = svc.now()
    day = next_day(svc, now)
    if now < schedule(svc, day).prepare_remind_at or await topic_on(session, day) is not None:
        return 0
    return await _tell_organisers(
        session,
        svc,
        f"opd:prep:{day.isoformat()}",
        "opd.op.prepare",
        buttons=lambda lang: [[(t(lang, "opd.btn.prepare"), cb("prep"))]],
        day=lambda lang: fmt_day(day, lang),
    )


async def deadline_reminders(session: AsyncSession, svc: Services) -> int:
    """Day 2 (analysis) and day 18 (policy answer): once each, if not yet published."""
    now = svc.now()
    n = 0
    for topic in await session.scalars(select(OpinionTopic).where(OpinionTopic.status.in_((CLOSED, ANALYSED)))):
        sch = schedule(svc, topic.day)
        for what, status, remind_at, due_attr, text_key in (
            ("analysis", CLOSED, sch.analysis_remind_at, "analysis_due_at", "opd.op.remind_analysis"),
            ("answer", ANALYSED, sch.answer_remind_at, "answer_due_at", "opd.op.remind_answer"),
        ):
            due = getattr(topic, due_attr)
            if (
                topic.status != status
                or getattr(topic, f"{what}_reminded_at") is not None
                or not remind_at <= now < due
            ):
                continue
            setattr(topic, f"{what}_reminded_at", now)
            n += 1
            await _tell_organisers(
                session,
                svc,
                f"opd:remind:{what}:{topic.id}",
                text_key,
                buttons=lambda lang, tp=topic: staff_buttons(tp, lang),
                title=escape(topic.title),
                due=lambda lang, d=due: fmt_due(svc, d, lang),
            )
    return n


async def _escalate(session: AsyncSession, svc: Services, topic: OpinionTopic, what: str, due: datetime) -> None:
    """Once: the department's group chat, the admins and the officers."""
    dept = svc.district.department(topic.department_code)
    targets = dict(await _organisers(session, svc))
    targets.update(await _langs(session, svc.admin_ids))
    if dept.group_chat_id:
        targets[dept.group_chat_id] = "ko"
    label = {"an": "opd.op.what_analysis", "ans": "opd.op.what_answer"}[what]
    for chat_id, lang in targets.items():
        await enqueue(
            session,
            key=f"opd:esc:{what}:{topic.id}:{chat_id}",
            chat_id=chat_id,
            text=t(
                lang,
                "opd.op.escalation",
                what=t(lang, label),
                title=escape(topic.title),
                department=escape(dept.name(lang)),
                due=fmt_due(svc, due, lang),
            ),
            buttons=staff_buttons(topic, lang) or None,
        )


async def escalate_overdue(session: AsyncSession, svc: Services) -> int:
    """The morning after a missed deadline, once per deadline."""
    now = svc.now()
    n = 0
    for topic in await session.scalars(select(OpinionTopic).where(OpinionTopic.status.in_((CLOSED, ANALYSED)))):
        sch = schedule(svc, topic.day)
        if topic.status == CLOSED and topic.analysis_escalated_at is None and now >= sch.analysis_escalate_at:
            topic.analysis_escalated_at = now
            n += 1
            await _escalate(session, svc, topic, "an", topic.analysis_due_at)
        if topic.answer_escalated_at is None and now >= sch.answer_escalate_at:
            topic.answer_escalated_at = now
            n += 1
            await _escalate(session, svc, topic, "ans", topic.answer_due_at)
    return n


async def purge_expired(session: AsyncSession, svc: Services) -> int:
    """The privacy notice's retention: a year (data) after the policy answer the opinions, votes
    and poll ids of a topic are deleted; its analysis (counts and themes) stays."""
    cutoff = svc.now() - timedelta(days=config(svc).retention_days)
    ids = list(
        await session.scalars(
            select(OpinionTopic.id).where(
                OpinionTopic.answer_published_at.is_not(None), OpinionTopic.answer_published_at < cutoff
            )
        )
    )
    n = 0
    for model in (OpinionEntry, OpinionParticipant, OpinionPoll):
        n += (await session.execute(delete(model).where(model.topic_id.in_(ids)))).rowcount or 0
    return n


# The scheduler runs these in order, each in its own transaction (bot/scheduler.py).
DUTIES = (
    ("opinion_announce", announce_due),
    ("opinion_close", close_due),
    ("opinion_prepare", remind_preparation),
    ("opinion_reminders", deadline_reminders),
    ("opinion_escalation", escalate_overdue),
    ("opinion_purge", purge_expired),
)


# --- indicators --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Achieved:
    """One public deadline: calendar days from the day to publication, and whether in time.
    Both None while it is still open and not yet due; an overdue unpublished one is late."""

    days: int | None
    on_time: bool | None


def achieved(svc: Services, day: date, due_at: datetime, done_at: datetime | None, now: datetime) -> Achieved:
    if done_at is not None:
        return Achieved((done_at.astimezone(svc.tz).date() - day).days, done_at < due_at)
    return Achieved(None, False if now >= due_at else None)


@dataclass(frozen=True)
class TopicIndicators:
    topic_id: int
    day: date
    participants: int
    opinions: int
    analysis: Achieved
    answer: Achieved


def topic_indicators(svc: Services, topic: OpinionTopic, now: datetime | None = None) -> TopicIndicators:
    now = now or svc.now()
    data = topic.analysis or {}
    return TopicIndicators(
        topic.id,
        topic.day,
        data.get("participants", 0),
        data.get("opinions", 0),
        achieved(svc, topic.day, topic.analysis_due_at, topic.analysis_published_at, now),
        achieved(svc, topic.day, topic.answer_due_at, topic.answer_published_at, now),
    )


def summarise(rows: list[TopicIndicators]) -> dict:
    """Averages over what was published; on-time rates over the deadlines already decided."""

    def avg(xs):
        xs = [x for x in xs if x is not None]
        return round(sum(xs) / len(xs), 2) if xs else None

    def rate(xs):
        xs = [x for x in xs if x is not None]
        return round(sum(xs) / len(xs), 4) if xs else None

    return {
        "topics": len(rows),
        "participants": sum(r.participants for r in rows),
        "opinions": sum(r.opinions for r in rows),
        "avg_days_to_analysis": avg(r.analysis.days for r in rows),
        "avg_days_to_answer": avg(r.answer.days for r in rows),
        "analysis_on_time_rate": rate(r.analysis.on_time for r in rows),
        "answer_on_time_rate": rate(r.answer.on_time for r in rows),
        "on_time_rate": rate([r.analysis.on_time for r in rows] + [r.answer.on_time for r in rows]),
    }


async def indicators(
    session: AsyncSession, svc: Services, since: date | None = None, until: date | None = None
) -> tuple[list[TopicIndicators], dict]:
    """Per opinion day held in [since, until] (days that were announced), and the summary."""
    q = select(OpinionTopic).where(OpinionTopic.status.in_((CLOSED, ANALYSED, ANSWERED))).order_by(OpinionTopic.day)
    if since is not None:
        q = q.where(OpinionTopic.day >= since)
    if until is not None:
        q = q.where(OpinionTopic.day <= until)
    rows = [topic_indicators(svc, tp) for tp in await session.scalars(q)]
    return rows, summarise(rows)
