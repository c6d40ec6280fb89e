"""What the workflows need from the outside world, gathered once at start-up."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

from workflows.business_time import BusinessCalendar
from workflows.contact import Cipher
from workflows.district import District
from workflows.retention_policy import RetentionPolicy

WEEKDAYS = {
    "ko": "월화수목금토일",
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


def fmt_day(d: date, lang: str) -> str:
    """2026-11-24(화) / Tue 2026-11-24 / 2026-11-24(周二)."""
    wd = d.weekday()
    if lang == "en":
        return f"{WEEKDAYS['en'][wd]} {d:%Y-%m-%d}"
    return f"{d:%Y-%m-%d}({WEEKDAYS.get(lang, WEEKDAYS['ko'])[wd]})"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _default_retention() -> RetentionPolicy:
    return RetentionPolicy()


@dataclass
class Services:
    district: District
    calendar: BusinessCalendar
    cipher: Cipher
    admin_ids: frozenset[int] = frozenset()
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Seoul"))
    clock: Callable[[], datetime] = _utcnow
    bot_username: str = ""
    # Food alerts: the data.go.kr key (None = forecast job off) and the httpx transport for outbound
    # public-API calls (None = the network; tests put an httpx.MockTransport here).
    nhis_service_key: str | None = None
    http_transport: Any = None
    # Indicator reports: the evaluation team's chat (None = every evaluator in private).
    evaluation_chat_id: int | None = None
    # Birth/death one-stop: the HMAC secret for webhook notices to outside bodies (None = unset).
    agency_webhook_secret: str | None = None
    # 등록면허세 one-stop: the key of receipt verification codes (RECEIPT_KEY or derived from DATA_KEY).
    receipt_key: bytes = b""
    # Complaints one resident may file per day of the district (DAILY_COMPLAINT_LIMIT).
    daily_complaint_limit: int = 10
    # Retention periods (RETENTION_* settings, FORM_TTL_DAYS): the daily purge and the notices.
    retention: RetentionPolicy = field(default_factory=_default_retention)
    # Read sessions another process can open on the bot's database (bot.db.session.ReadsAt): the
    # report process reads the figures through it. None (an in-memory database, most unit tests):
    # the figures are read in this process.
    reads_elsewhere: Callable[[], AbstractAsyncContextManager[Any]] | None = None

    def now(self) -> datetime:
        return self.clock()

    def fmt(self, dt: datetime | None, lang: str) -> str:
        """2026-11-24(화) 18:00 / Tue 2026-11-24 18:00 / 2026-11-24(周二) 18:00, in the district's time zone."""
        if dt is None:
            return "-"
        local = dt.astimezone(self.tz)
        return f"{fmt_day(local.date(), lang)} {local:%H:%M}"
