"""Food-poisoning alerts for restaurant operators (식중독 예방 알림, after 대구's 식중독지수 문자 통보제).

* Data (``data/food_alerts.json``): grades 1-4 with the district's checklist per grade, the 업종
  short list, the season months, the alert threshold, the NHIS area codes.
* Operators register in the chat (name, 업종, 동) and can change or stop any time; stopping deletes
  the registration. Businesses imported from the licence export (``food_import.py``) wait as
  "invited" rows until their one-time invite is redeemed.
* The morning run (``morning``): in season, fetch the NHIS forecast (``nhis_forecast.py``), store
  the rows with their fetch time, and queue one alert per operator per day per grade. A second
  grade the same day is sent as an update; a grade already announced that day is not sent again
  (outbox dedup key ``food:<day>:<risk>:<chat>``). A failed fetch is retried until 07:30; then the
  위생과 officers are told once and the operators get nothing (no stale forecast as today's).
* Outbreak notices from 위생과 officers to all operators, one 동 or one 업종.

Every function takes the caller's session (the caller commits), except ``morning``, which fetches
outside any transaction and hands the database work to ``run`` (bot.scheduler.Duties.run).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial
from pathlib import Path
from typing import Awaitable, Callable

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import FoodAlertRun, FoodForecast, FoodNotice, FoodOperator, Invite, User, utcnow
from workflows import roles, users
from workflows.context import Services
from workflows.contact import looks_like_rrn
from workflows.food_alerts.nhis_forecast import ForecastError, ForecastRow, NhisForecastClient
from workflows.outbox import Queued, delivery_counts, enqueue, enqueue_many
from workflows.roles import OPERATOR, officers_of
from workflows.texts import ENGLISH_DATA, LANGS, clip, escape, t

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).parent.parent / "data" / "food_alerts.json"
FETCH_DEADLINE = time(7, 30)  # after this, a missing forecast is reported, not waited for
RETRY_EVERY = 600.0  # seconds between fetch attempts before the deadline
FANOUT_BATCH = 500  # alerts queued per commit (keeps SQLite's write lock short)
CONSENT_PURPOSE = "food_alert"
NAME_MIN, NAME_MAX = 2, 60
NOTICE_MIN, NOTICE_MAX = 10, 2000
INVITED, ACTIVE = "invited", "active"
AUDIENCES = ("all", "dong", "type")

Runner = Callable[[str, Callable[[AsyncSession, Services], Awaitable[int]]], Awaitable[int]]


# --- configuration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    risk: int
    ko: str
    en: str
    emoji: str
    checklist_ko: tuple[str, ...]
    checklist_en: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.en if lang in ENGLISH_DATA else self.ko

    def checklist(self, lang: str) -> tuple[str, ...]:
        return self.checklist_en if lang in ENGLISH_DATA else self.checklist_ko


@dataclass(frozen=True)
class BusinessType:
    code: str
    ko: str
    en: str
    export_names: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.en if lang in ENGLISH_DATA else self.ko


@dataclass(frozen=True)
class FoodConfig:
    url: str
    diss_cd: int
    zn_cd: str
    lowrnk_zn_cd: str
    season_months: frozenset[int]
    threshold: int
    department: str
    invite_ttl: timedelta
    grades: dict[int, Grade]
    types: dict[str, BusinessType]
    export_columns: dict[str, tuple[str, ...]]
    open_status: tuple[str, ...]
    max_rows: int
    max_bytes: int


def load_config(path: str | Path | None = None) -> FoodConfig:
    raw = json.loads(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
    nhis, export = raw["nhis"], raw["licence_export"]
    grades = {
        g["risk"]: Grade(g["risk"], g["ko"], g["en"], g["emoji"], tuple(g["checklist_ko"]), tuple(g["checklist_en"]))
        for g in raw["grades"]["levels"]
    }
    if sorted(grades) != [1, 2, 3, 4]:
        raise ValueError("food_alerts.json: grades must be risk 1-4")
    types = {
        b["code"]: BusinessType(b["code"], b["ko"], b["en"], tuple(b["export_names"]))
        for b in raw["business_types"]["types"]
    }
    if "other" not in types:
        raise ValueError("food_alerts.json: the 업종 list needs an 'other' entry")
    months = frozenset(int(m) for m in raw["season"]["months"])
    if not months <= set(range(1, 13)):
        raise ValueError("food_alerts.json: season months must be 1-12")
    threshold = int(raw["threshold"]["risk"])
    if threshold not in grades:
        raise ValueError("food_alerts.json: threshold must be a risk 1-4")
    return FoodConfig(
        url=nhis["url"],
        diss_cd=int(nhis["dissCd"]),
        zn_cd=str(nhis["znCd"]),
        lowrnk_zn_cd=str(nhis["lowrnkZnCd"]),
        season_months=months,
        threshold=threshold,
        department=raw["responsible_department"]["code"],
        invite_ttl=timedelta(days=int(raw["invite_ttl_days"]["days"])),
        grades=grades,
        types=types,
        export_columns={k: tuple(v) for k, v in export["columns"].items()},
        open_status=tuple(export["open_status"]),
        max_rows=int(export["max_rows"]),
        max_bytes=int(export["max_bytes"]),
    )


@lru_cache(maxsize=1)
def config() -> FoodConfig:
    return load_config()


def grade(cfg: FoodConfig, risk: int) -> Grade:
    """NHIS risk code -> grade (1 관심, 2 주의, 3 경고, 4 위험); anything else is refused."""
    try:
        return cfg.grades[int(risk)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"not a food-poisoning risk code: {risk!r}") from None


def in_season(cfg: FoodConfig, day: date) -> bool:
    return day.month in cfg.season_months


MONTHS_EN = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def season_label(cfg: FoodConfig, lang: str) -> str:
    """5~9월 / May–September (a list when the months are not one run)."""
    months = sorted(cfg.season_months)
    run = len(months) > 1 and months == list(range(months[0], months[-1] + 1))
    if lang == "en":
        return f"{MONTHS_EN[months[0]]}–{MONTHS_EN[months[-1]]}" if run else ", ".join(MONTHS_EN[m] for m in months)
    month = "月" if lang == "zh" else "월"
    return f"{months[0]}~{months[-1]}{month}" if run else ", ".join(f"{m}{month}" for m in months)


def at_or_above_threshold(cfg: FoodConfig, risk: int) -> bool:
    return grade(cfg, risk).risk >= cfg.threshold


def local_day(svc: Services) -> date:
    return svc.now().astimezone(svc.tz).date()


# --- registration ---------------------------------------------------------------------------


def validate_name(text: str | None) -> str:
    """A business name as typed: ValueError("short" | "long" | "rrn")."""
    name = " ".join((text or "").split())
    if looks_like_rrn(name):
        raise ValueError("rrn")
    if len(name) < NAME_MIN:
        raise ValueError("short")
    if len(name) > NAME_MAX:
        raise ValueError("long")
    return name


async def get_operator(session: AsyncSession, user_id: int) -> FoodOperator | None:
    return await session.scalar(select(FoodOperator).where(FoodOperator.user_id == user_id))


async def register(
    session: AsyncSession,
    svc: Services,
    *,
    user_id: int,
    name: str,
    business_type: str,
    dong: str | None,
    cfg: FoodConfig | None = None,
) -> FoodOperator:
    """Opt in (or confirm again): one registration per chat, the operator role, the consent record."""
    cfg = cfg or config()
    if business_type not in cfg.types:
        raise ValueError(f"unknown business type {business_type}")
    if dong is not None and dong not in svc.district.dongs:
        raise ValueError(f"unknown dong {dong}")
    name = validate_name(name)
    await roles.grant(
        session,
        user_id=user_id,
        role=OPERATOR,
        department_code=None,
        by=user_id,
        departments=svc.district.departments,
        actor_role=roles.CITIZEN,
    )  # creates the User row if needed
    await users.give_consent(session, user_id, CONSENT_PURPOSE)
    op = await get_operator(session, user_id)
    if op is None:
        op = FoodOperator(user_id=user_id, status=ACTIVE)
        session.add(op)
    op.business_name, op.business_type, op.dong = name, business_type, dong
    op.status, op.updated_at = ACTIVE, utcnow()
    await session.flush()
    return op


async def change(
    session: AsyncSession,
    svc: Services,
    op: FoodOperator,
    *,
    name: str | None = None,
    business_type: str | None = None,
    dong: str | None = None,
    cfg: FoodConfig | None = None,
) -> FoodOperator:
    cfg = cfg or config()
    if name is not None:
        op.business_name = validate_name(name)
    if business_type is not None:
        if business_type not in cfg.types:
            raise ValueError(f"unknown business type {business_type}")
        op.business_type = business_type
    if dong is not None:
        if dong not in svc.district.dongs:
            raise ValueError(f"unknown dong {dong}")
        op.dong = dong
    op.updated_at = utcnow()
    return op


async def stop(session: AsyncSession, user_id: int) -> bool:
    """Stop alerts: the registration is deleted (its purpose has ended), role and consent withdrawn."""
    res = await session.execute(delete(FoodOperator).where(FoodOperator.user_id == user_id))
    await roles.revoke(session, user_id=user_id, role=OPERATOR, by=user_id, actor_role=roles.CITIZEN)
    await users.withdraw_consent(session, user_id, CONSENT_PURPOSE)
    return bool(res.rowcount)


async def claim_redeemed(session: AsyncSession, user_id: int | None = None) -> int:
    """Imported businesses whose invite was redeemed become that user's registration (unless the
    user already has one). Runs before each fan-out and when an operator opens /foodalert."""
    q = (
        select(FoodOperator, Invite.used_by)
        .join(Invite, Invite.token == FoodOperator.invite_token)
        .where(FoodOperator.status == INVITED, Invite.used_by.is_not(None))
        .order_by(FoodOperator.id)
    )
    if user_id is not None:
        q = q.where(Invite.used_by == user_id)
    pending = (await session.execute(q)).all()
    if not pending:
        return 0
    taken = set(await session.scalars(select(FoodOperator.user_id).where(FoodOperator.user_id.is_not(None))))
    n = 0
    for op, uid in pending:
        if uid in taken:
            continue
        op.user_id, op.status, op.updated_at = uid, ACTIVE, utcnow()
        taken.add(uid)
        n += 1
    await session.flush()
    return n


async def counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(FoodOperator.status, func.count()).group_by(FoodOperator.status))
    return {INVITED: 0, ACTIVE: 0, **{s: n for s, n in rows.all()}}


# --- forecast -------------------------------------------------------------------------------


def forecast_client(svc: Services, cfg: FoodConfig) -> NhisForecastClient | None:
    """None when NHIS_SERVICE_KEY is not set (alerts off, the rest of the feature works)."""
    if not svc.nhis_service_key:
        return None
    return NhisForecastClient(svc.nhis_service_key, transport=svc.http_transport, url=cfg.url)


def pick_today(cfg: FoodConfig, rows: list[ForecastRow], today: date) -> ForecastRow | None:
    """Today's row for the district's 시군구, else for its 시도 (lowrnkZnCd 0); never another day's."""
    mine = [r for r in rows if r.day == today and r.zn_cd in (cfg.zn_cd, "")]
    for area in (cfg.lowrnk_zn_cd, "0"):
        for r in mine:
            if r.lowrnk_zn_cd == area:
                return r
    return None


async def store_forecast(session: AsyncSession, cfg: FoodConfig, rows: list[ForecastRow], fetched_at: datetime) -> int:
    """Keep the district's and its 시도's rows (today and the coming days) with the fetch time."""
    keep = [r for r in rows if r.lowrnk_zn_cd in (cfg.lowrnk_zn_cd, "0") and r.zn_cd in (cfg.zn_cd, "")]
    session.add_all(
        FoodForecast(
            day=r.day,
            zn_cd=r.zn_cd or cfg.zn_cd,
            lowrnk_zn_cd=r.lowrnk_zn_cd,
            risk=r.risk,
            cnt=r.cnt,
            guidance=r.guidance,
            fetched_at=fetched_at,
        )
        for r in keep
    )
    return len(keep)


async def todays_forecast(session: AsyncSession, svc: Services, cfg: FoodConfig | None = None) -> FoodForecast | None:
    """Today's newest row, only if it was fetched today (an older fetch is stale as today's)."""
    cfg = cfg or config()
    today = local_day(svc)
    since = datetime.combine(today, time(0), svc.tz)
    rows = (
        await session.scalars(
            select(FoodForecast)
            .where(
                FoodForecast.day == today,
                FoodForecast.fetched_at >= since,
                FoodForecast.lowrnk_zn_cd.in_((cfg.lowrnk_zn_cd, "0")),
            )
            .order_by(FoodForecast.fetched_at.desc(), FoodForecast.id.desc())
        )
    ).all()
    return next((r for r in rows if r.lowrnk_zn_cd == cfg.lowrnk_zn_cd), rows[0] if rows else None)


# --- alerts -----------------------------------------------------------------------------------


def alert_key(day: date, risk: int, chat_id: int) -> str:
    return f"food:{day:%Y%m%d}:{risk}:{chat_id}"


def alert_text(svc: Services, cfg: FoodConfig, run: FoodAlertRun, lang: str) -> str:
    g = grade(cfg, run.risk)
    day = f"{run.day:%Y-%m-%d}"
    district = escape(svc.district.name_en if lang in ENGLISH_DATA else svc.district.name_ko)
    if run.previous_risk is None:
        head = t(lang, "food.alert.title", emoji=g.emoji, grade=escape(g.name(lang)), day=day, district=district)
    else:
        head = t(
            lang,
            "food.alert.update",
            emoji=g.emoji,
            grade=escape(g.name(lang)),
            day=day,
            district=district,
            previous=escape(grade(cfg, run.previous_risk).name(lang)),
        )
    parts = [head]
    if run.guidance:
        parts.append(t(lang, "food.alert.guidance", text=escape(run.guidance)))
    checklist = "\n".join(f"• {escape(item)}" for item in g.checklist(lang))
    parts.append(t(lang, "food.alert.checklist", items=checklist))
    parts.append(t(lang, "food.alert.footer"))
    return "\n\n".join(parts)


async def _run_for(session: AsyncSession, cfg: FoodConfig, row: ForecastRow | FoodForecast) -> FoodAlertRun | None:
    """The announcement of this grade today: existing (a repeat), new, or None (nothing to say:
    below the threshold and nothing announced yet today)."""
    runs = list(
        await session.scalars(select(FoodAlertRun).where(FoodAlertRun.day == row.day).order_by(FoodAlertRun.id))
    )
    same = next((r for r in runs if r.risk == row.risk), None)
    if same is not None:
        return same
    if not at_or_above_threshold(cfg, row.risk) and not runs:
        return None
    run = FoodAlertRun(
        day=row.day,
        risk=row.risk,
        previous_risk=runs[-1].risk if runs else None,
        guidance=row.guidance,
        created_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(run)
    except IntegrityError:  # announced concurrently
        return await session.scalar(
            select(FoodAlertRun).where(FoodAlertRun.day == row.day, FoodAlertRun.risk == row.risk)
        )
    return run


async def alert_operators(
    session: AsyncSession,
    svc: Services,
    row: ForecastRow | FoodForecast,
    cfg: FoodConfig | None = None,
    *,
    commit_every: int | None = None,
) -> int:
    """Queue today's grade for every active operator who has not had it yet; returns #queued.

    With ``commit_every`` the fan-out commits in batches, so SQLite's write lock (which readers
    wait for too, under BEGIN IMMEDIATE) is held only briefly and the delivery worker starts on the
    first batch. A crash in between is harmless: the dedup keys make the next run queue only the rest."""
    cfg = cfg or config()
    run = await _run_for(session, cfg, row)
    if run is None:
        return 0
    await claim_redeemed(session)
    recipients = (
        await session.execute(
            select(FoodOperator.user_id, User.language)
            .join(User, User.id == FoodOperator.user_id)
            .where(FoodOperator.status == ACTIVE, User.is_active.is_(True))
            .order_by(FoodOperator.id)
        )
    ).all()
    texts = {lang: alert_text(svc, cfg, run, lang) for lang in LANGS}
    messages = [
        Queued(alert_key(run.day, run.risk, chat_id), chat_id, texts.get(lang, texts["ko"]))
        for chat_id, lang in recipients
    ]
    size = commit_every or len(messages) or 1
    n = 0
    for i in range(0, len(messages), size):
        n += await enqueue_many(session, messages[i : i + size])
        if commit_every:
            await session.commit()
    return n


async def store_and_alert(
    session: AsyncSession,
    svc: Services,
    *,
    rows: list[ForecastRow],
    today: ForecastRow,
    fetched_at: datetime,
    cfg: FoodConfig,
) -> int:
    await store_forecast(session, cfg, rows, fetched_at)
    return await alert_operators(session, svc, today, cfg, commit_every=FANOUT_BATCH)


async def report_fetch_failure(session: AsyncSession, svc: Services, *, error: ForecastError, cfg: FoodConfig) -> int:
    """Tell the 위생과 officers once a day that no forecast came (unless one did after all)."""
    if await todays_forecast(session, svc, cfg) is not None:
        return 0
    day = local_day(svc)
    n = 0
    for officer in await officers_of(session, cfg.department):
        lang = (await session.get(User, officer)).language
        text = t(
            lang,
            "food.fetch_failed",
            day=f"{day:%Y-%m-%d}",
            deadline=f"{FETCH_DEADLINE:%H:%M}",
            reason=escape(clip(f"{error.code} {error.detail}".strip(), 500)),
        )
        n += await enqueue(session, key=f"food:fail:{day:%Y%m%d}:{officer}", chat_id=officer, text=text)
    return n


async def morning(
    svc: Services,
    run: Runner,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    cfg: FoodConfig | None = None,
) -> str:
    """The scheduled run (06:30, and a re-check later in the day): returns what happened."""
    cfg = cfg or config()
    client = forecast_client(svc, cfg)
    if client is None:  # a configuration problem: said on every run, in season or not
        log.warning(
            "food alerts: NHIS_SERVICE_KEY is not set, so the forecast job does nothing "
            "(registration and outbreak notices still work)"
        )
        return "disabled"
    today = local_day(svc)
    if not in_season(cfg, today):
        return "off_season"
    deadline = datetime.combine(today, FETCH_DEADLINE, svc.tz)
    while True:
        try:
            rows = await client.fetch(cfg.zn_cd, cfg.diss_cd)
            todays = pick_today(cfg, rows, today)
            if todays is None:
                raise ForecastError("no_today", "no row for today's date", retryable=False)
        except ForecastError as e:
            error = e
        else:
            await run("food_alerts", partial(store_and_alert, rows=rows, today=todays, fetched_at=svc.now(), cfg=cfg))
            return "alerted"
        wait = (deadline - svc.now()).total_seconds()
        if wait <= 0:
            log.warning(
                "food alerts: no forecast for %s (%s); telling the %s officers", today, error.code, cfg.department
            )
            await run("food_alerts_failed", partial(report_fetch_failure, error=error, cfg=cfg))
            return "failed"
        log.warning("food alerts: no forecast yet (%s); trying again in %.0f s", error.code, min(RETRY_EVERY, wait))
        await sleep(min(RETRY_EVERY, wait))


# --- outbreak notices -----------------------------------------------------------------------


def validate_notice(text: str | None) -> str:
    body = (text or "").strip()
    if len(body) < NOTICE_MIN:
        raise ValueError("short")
    if len(body) > NOTICE_MAX:
        raise ValueError("long")
    return body


def _audience_filter(kind: str, value: str | None):
    if kind == "all":
        return ()
    if kind == "dong":
        return (FoodOperator.dong == value,)
    if kind == "type":
        return (FoodOperator.business_type == value,)
    raise ValueError(f"unknown audience {kind}")


def notice_message(svc: Services, cfg: FoodConfig, text: str, lang: str) -> str:
    """The notice as operators see it (also the officer's preview)."""
    dept = svc.district.departments.get(cfg.department)
    return t(
        lang,
        "food.notice.message",
        department=escape(dept.name(lang) if dept else cfg.department),
        phone=escape(dept.phone if dept else ""),
        text=escape(text),
    )


async def notice_recipients(session: AsyncSession, kind: str, value: str | None = None) -> list[tuple[int, str]]:
    """(chat id, language) of the active operators a notice to this audience reaches."""
    await claim_redeemed(session)
    rows = await session.execute(
        select(FoodOperator.user_id, User.language)
        .join(User, User.id == FoodOperator.user_id)
        .where(FoodOperator.status == ACTIVE, User.is_active.is_(True), *_audience_filter(kind, value))
        .order_by(FoodOperator.id)
    )
    return [(uid, lang) for uid, lang in rows.all()]


async def send_notice(
    session: AsyncSession,
    svc: Services,
    *,
    form_id: str,
    officer_id: int,
    kind: str,
    value: str | None,
    text: str,
    cfg: FoodConfig | None = None,
) -> tuple[FoodNotice, bool]:
    """Queue an outbreak notice; (notice, False) when this form was already sent (a double press)."""
    cfg = cfg or config()
    body = validate_notice(text)
    existing = await session.scalar(select(FoodNotice).where(FoodNotice.form_id == form_id))
    if existing is not None:
        return existing, False
    recipients = await notice_recipients(session, kind, value)
    notice = FoodNotice(
        form_id=form_id,
        officer_id=officer_id,
        audience=kind,
        audience_value=value,
        text=body,
        recipients=len(recipients),
        created_at=utcnow(),
    )
    session.add(notice)
    await session.flush()
    texts = {lang: notice_message(svc, cfg, body, lang) for lang in LANGS}
    await enqueue_many(
        session,
        [
            Queued(f"food:notice:{notice.id}:{chat_id}", chat_id, texts.get(lang, texts["ko"]))
            for chat_id, lang in recipients
        ],
    )
    return notice, True


# --- delivery reports ---------------------------------------------------------------------------

REPORT_WINDOW = timedelta(days=2)  # sends younger than this are reported once they finish


async def report_deliveries(session: AsyncSession, svc: Services, cfg: FoodConfig | None = None) -> int:
    """As the newsletter editor gets one: once none of an alert's or an outbreak notice's messages
    is pending, the 위생과 officers (and a notice's sender) get its counts — sent, blocked (403),
    failed — once (the report's outbox key). Returns the reports queued."""
    cfg = cfg or config()
    since = svc.now() - REPORT_WINDOW
    sends: list[tuple[str, str, Callable[[str], str], set[int]]] = []  # (key, outbox prefix, what, extra recipients)
    for run in await session.scalars(select(FoodAlertRun).where(FoodAlertRun.created_at >= since)):
        g = grade(cfg, run.risk)
        sends.append(
            (
                f"run:{run.id}",
                alert_key(run.day, run.risk, 0)[:-1],
                lambda lang, g=g, day=run.day: f"{day:%Y-%m-%d} {g.emoji} {g.name(lang)}",
                set(),
            )
        )
    for notice in await session.scalars(select(FoodNotice).where(FoodNotice.created_at >= since)):
        sends.append(
            (
                f"notice:{notice.id}",
                f"food:notice:{notice.id}:",
                lambda lang, text=notice.text: clip(text, 40),
                {notice.officer_id},
            )
        )
    officers = await officers_of(session, cfg.department)
    n = 0
    for key, prefix, what, extra in sends:
        counts = await delivery_counts(session, prefix)
        total = sum(counts.values())
        if counts["pending"] or not total:
            continue
        for officer in sorted(set(officers) | extra):
            user = await session.get(User, officer)
            lang = user.language if user else "ko"
            kind = t(lang, "food.report.notice" if key.startswith("notice") else "food.report.alert")
            n += await enqueue(
                session,
                key=f"food:report:{key}:{officer}",
                chat_id=officer,
                text=t(
                    lang,
                    "food.report",
                    kind=kind,
                    what=escape(what(lang)),
                    total=total,
                    sent=counts["sent"],
                    blocked=counts["blocked"],
                    failed=counts["failed"],
                ),
            )
    return n
