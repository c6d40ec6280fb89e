"""Settings read from the environment (and `.env`, via python-dotenv).

The names and defaults follow ../shared/design.md ("Settings"). Nothing else in the
project reads os.environ directly.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

from workflows import links

log = logging.getLogger(__name__)

OFFICIAL_API_URL = "https://api.telegram.org"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DISTRICT = ROOT / "workflows" / "data" / "sample_district.json"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is shown to the operator as is."""


def _ids(raw: str) -> frozenset[int]:
    out = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"ADMIN_IDS must be comma-separated numeric Telegram ids, got {part!r}")
        out.add(int(part))
    return frozenset(out)


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    telegram_api_url: str = OFFICIAL_API_URL
    database_url: str = ""
    redis_url: str | None = None
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    timezone: str = "Asia/Seoul"
    district_config: Path = DEFAULT_DISTRICT
    nhis_service_key: str | None = None
    data_key: bytes = b""
    data_dir: Path = ROOT / "data"
    # Delivery limits (design: ~25 msg/s overall, 1/s per private chat, 20/min per group).
    delivery_rate: float = 25.0
    delivery_private_interval: float = 1.0  # seconds between two messages to one private chat
    delivery_group_interval: float = 3.0  # ... to one group chat
    polling_timeout: int = 30
    log_level: str = "INFO"
    # The bot's own HTTP server (exports, payment notifications, health); off unless a port is set.
    http_host: str = "127.0.0.1"
    http_port: int | None = None
    # The export listener: Open311 export and /metrics, kept off the public port (bot/http.py).
    export_host: str = "127.0.0.1"
    export_port: int | None = None
    # Per-user flood limit: more than FLOOD_LIMIT updates in FLOOD_WINDOW seconds get a pause.
    flood_limit: int = 20
    flood_window: float = 10.0
    # Complaints one resident may file per district day (issue 16 §5).
    daily_complaint_limit: int = 10
    # Indicator reports (issue 8): the evaluation team's chat; unset = every evaluator privately.
    evaluation_chat_id: int | None = None
    # Birth/death one-stop (issue 3): HMAC-SHA256 secret for webhook notices to outside bodies.
    agency_webhook_secret: str | None = None
    # 등록면허세 one-stop (issue 4): HMAC-SHA256 secret of bank payment notifications (unset: the
    # endpoint answers 503 and officers mark payments by hand), and the key of receipt
    # verification codes (RECEIPT_KEY, else derived from DATA_KEY).
    payment_webhook_secret: str | None = None
    receipt_key: bytes = b""
    # Several instances (issue 9). Redis keys start with REDIS_PREFIX (one Redis, several
    # districts or environments); an abandoned form expires after FORM_TTL_DAYS there.
    redis_prefix: str = "minwon"
    form_ttl_days: int = 30
    # Webhook mode: Telegram posts updates to WEBHOOK_URL (public https URL ending in
    # WEBHOOK_PATH, served by the bot's HTTP server); every request must carry WEBHOOK_SECRET in
    # X-Telegram-Bot-Api-Secret-Token. Unset: long polling (one instance).
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_path: str = "/telegram/webhook"
    # The scheduler and the delivery worker run in one instance: the holder of a lease row,
    # renewed every LEASE_SECONDS/3; another instance takes over once LEASE_SECONDS have passed.
    instance_id: str = ""
    lease_seconds: float = 30.0
    # Retention (issue 9, workflows/privacy/retention.py): whole days each kind of personal data is kept
    # after its case ends; a daily job anonymises or deletes what is due. RETENTION_* settings.
    retention_complaint_days: int = 365  # complaint text, photos, location, answer, notes (after closing)
    retention_contact_days: int = 365  # contact phones of complaints and one-stops (after closing)
    retention_onestop_days: int = 365  # one-stop facts and notes (after completion)
    retention_opinion_days: int = 365  # opinion-day free text (after the policy answer)
    retention_outbox_days: int = 90  # sent, failed and cancelled outbox messages
    retention_taxpayer_name_days: int = 365  # 등록면허세 taxpayer name (after payment or cancellation)
    retention_tax_record_days: int = 1825  # the rest of the tax record: 5 years (지방세 부과 제척기간)

    @property
    def webhook_mode(self) -> bool:
        return bool(self.webhook_url)

    @property
    def uses_official_api(self) -> bool:
        return self.telegram_api_url.rstrip("/") == OFFICIAL_API_URL


WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ports Telegram's Bot API posts updates to


def _check_webhook_url(url: str, *, official: bool) -> None:
    """Telegram's setWebhook rules, checked before the bot starts: a URL it can parse, and from
    Telegram's own server https on one of WEBHOOK_PORTS. A self-hosted Bot API server
    (TELEGRAM_API_URL; run with --local) may post to any http(s) address."""
    if not url.lower().startswith(("https://", "http://")):
        raise ConfigError(f"WEBHOOK_URL must be an http(s) URL, got {url!r}")
    try:
        u = links.parse(url, default_https=True)
    except links.UrlProblem as e:
        raise ConfigError(f"WEBHOOK_URL is not a URL Telegram accepts ({e.problem}): {url!r}") from None
    if official and not u.https:
        raise ConfigError(f"WEBHOOK_URL must be https: Telegram posts updates only to https URLs, got {url!r}")
    if official and u.port not in WEBHOOK_PORTS:
        raise ConfigError(
            f"WEBHOOK_URL port {u.port} is not one Telegram posts to: use 443, 80, 88 or 8443 "
            f"(a reverse proxy can forward to HTTP_PORT), got {url!r}"
        )


def _data_key(raw: str | None, data_dir: Path) -> bytes:
    """DATA_KEY, or a key generated once into data_dir (with a warning)."""
    if raw:
        key = raw.strip().encode()
    else:
        path = data_dir / "data.key"
        if path.exists():
            key = path.read_bytes().strip()
        else:
            from cryptography.fernet import Fernet

            data_dir.mkdir(parents=True, exist_ok=True)
            key = Fernet.generate_key()
            path.write_bytes(key)
            path.chmod(0o600)
            log.warning(
                "DATA_KEY not set: generated a new key into %s; back it up, contact data cannot be read without it",
                path,
            )
    try:
        if len(base64.urlsafe_b64decode(key)) != 32:
            raise ValueError
    except ValueError:
        raise ConfigError(
            "DATA_KEY must be a urlsafe base64 32-byte key "
            "(python -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())')"
        ) from None
    return key


def _receipt_key(raw: str | None, data_key: bytes) -> bytes:
    """RECEIPT_KEY, or a key derived from DATA_KEY (so changing one does not expose the other)."""
    if raw and raw.strip():
        return raw.strip().encode()
    if not data_key:
        return b""
    import hashlib
    import hmac

    return hmac.new(data_key, b"minwon receipt verification v1", hashlib.sha256).digest()


RETENTION_DEFAULTS = {
    "RETENTION_COMPLAINT_DAYS": 365,
    "RETENTION_CONTACT_DAYS": 365,
    "RETENTION_ONESTOP_DAYS": 365,
    "RETENTION_OPINION_DAYS": 365,
    "RETENTION_OUTBOX_DAYS": 90,
    "RETENTION_TAXPAYER_NAME_DAYS": 365,
    "RETENTION_TAX_RECORD_DAYS": 1825,
}


def _retention_days(env: dict[str, str]) -> dict[str, int]:
    """RETENTION_* as whole days > 0 (settings field name -> days); a contact or a taxpayer name
    is never kept longer than the record it belongs to."""
    out = {}
    for name, default in RETENTION_DEFAULTS.items():
        raw = (env.get(name) or "").strip()
        if not raw:
            out[name] = default
            continue
        if not raw.isdigit() or int(raw) <= 0:
            raise ConfigError(f"{name} must be a whole number of days greater than 0, got {raw!r}")
        out[name] = int(raw)
    if out["RETENTION_CONTACT_DAYS"] > out["RETENTION_COMPLAINT_DAYS"]:
        raise ConfigError(
            "RETENTION_CONTACT_DAYS cannot be longer than RETENTION_COMPLAINT_DAYS "
            "(the complaint's anonymisation removes its contact too)"
        )
    if out["RETENTION_TAXPAYER_NAME_DAYS"] > out["RETENTION_TAX_RECORD_DAYS"]:
        raise ConfigError("RETENTION_TAXPAYER_NAME_DAYS cannot be longer than RETENTION_TAX_RECORD_DAYS")
    return {name.lower(): days for name, days in out.items()}


def load_settings(env: dict[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    if env is None:
        if dotenv:
            load_dotenv(ROOT / ".env", override=False)
        env = dict(os.environ)
    data_dir = Path(env.get("DATA_DIR") or ROOT / "data")
    db_url = env.get("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'minwon.db'}"
    district = Path(env.get("DISTRICT_CONFIG") or DEFAULT_DISTRICT)
    if not district.exists():
        raise ConfigError(f"DISTRICT_CONFIG file not found: {district}")
    try:
        rate = float(env.get("DELIVERY_RATE") or 25)
        private_interval = float(env.get("DELIVERY_PRIVATE_INTERVAL") or 1.0)
        group_interval = float(env.get("DELIVERY_GROUP_INTERVAL") or 3.0)
        polling_timeout = int(env.get("POLLING_TIMEOUT") or 30)
        http_port = int(env["HTTP_PORT"]) if env.get("HTTP_PORT") else None
        export_port = int(env["EXPORT_PORT"]) if env.get("EXPORT_PORT") else None
        flood_limit = int(env.get("FLOOD_LIMIT") or 20)
        flood_window = float(env.get("FLOOD_WINDOW") or 10)
        daily_complaint_limit = int(env.get("DAILY_COMPLAINT_LIMIT") or 10)
        form_ttl_days = int(env.get("FORM_TTL_DAYS") or 30)
        lease_seconds = float(env.get("LEASE_SECONDS") or 30)
    except ValueError:
        raise ConfigError(
            "DELIVERY_RATE, DELIVERY_PRIVATE_INTERVAL, DELIVERY_GROUP_INTERVAL, FLOOD_WINDOW and LEASE_SECONDS "
            "must be numbers, POLLING_TIMEOUT, "
            "HTTP_PORT, EXPORT_PORT, FLOOD_LIMIT and FORM_TTL_DAYS whole numbers"
        ) from None
    if export_port is not None and export_port == http_port:
        raise ConfigError(
            "EXPORT_PORT must differ from HTTP_PORT: the Open311 export and /metrics "
            "are kept off the public webhook/payment port"
        )
    if form_ttl_days <= 0:
        raise ConfigError(f"FORM_TTL_DAYS must be a whole number of days greater than 0, got {form_ttl_days}")
    retention_days = _retention_days(env)
    if not (0 <= private_interval <= 60 and 0 <= group_interval <= 600):  # also refuses nan
        raise ConfigError(
            "DELIVERY_PRIVATE_INTERVAL (0-60 s) and DELIVERY_GROUP_INTERVAL (0-600 s) are the seconds between two "
            "messages to one chat; Telegram's limits are 1 and 3"
        )
    if lease_seconds < 1:
        raise ConfigError("LEASE_SECONDS must be at least 1 (the lease is renewed every third of it)")
    webhook_url = (env.get("WEBHOOK_URL") or "").strip() or None
    webhook_secret = (env.get("WEBHOOK_SECRET") or "").strip() or None
    webhook_path = "/" + (env.get("WEBHOOK_PATH") or "/telegram/webhook").strip().lstrip("/")
    if webhook_url:
        # Telegram sends the secret token back on every request; without one anybody who finds
        # the URL could post forged updates (SECURITY.md)
        if not webhook_secret or not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", webhook_secret):
            raise ConfigError("WEBHOOK_URL needs WEBHOOK_SECRET: 16-256 characters of A-Z, a-z, 0-9, _ and -")
        _check_webhook_url(
            webhook_url, official=(env.get("TELEGRAM_API_URL") or OFFICIAL_API_URL).rstrip("/") == OFFICIAL_API_URL
        )
        if not env.get("HTTP_PORT"):
            raise ConfigError("WEBHOOK_URL needs HTTP_PORT: the bot's HTTP server receives the updates")
    try:
        evaluation_chat_id = int(env["EVALUATION_CHAT_ID"]) if env.get("EVALUATION_CHAT_ID") else None
    except ValueError:
        raise ConfigError("EVALUATION_CHAT_ID must be a numeric Telegram chat id (groups are negative)") from None
    token = (env.get("BOT_TOKEN") or "").strip() or None
    # without a token the bot will not start, so no key is generated for nothing
    data_key = _data_key(env.get("DATA_KEY"), data_dir) if token or env.get("DATA_KEY") else b""
    return Settings(
        bot_token=token,
        telegram_api_url=(env.get("TELEGRAM_API_URL") or OFFICIAL_API_URL).rstrip("/"),
        database_url=db_url,
        redis_url=env.get("REDIS_URL") or None,
        admin_ids=_ids(env.get("ADMIN_IDS", "")),
        timezone=env.get("TIMEZONE") or "Asia/Seoul",
        district_config=district,
        nhis_service_key=env.get("NHIS_SERVICE_KEY") or None,
        data_key=data_key,
        data_dir=data_dir,
        delivery_rate=rate,
        delivery_private_interval=private_interval,
        delivery_group_interval=group_interval,
        polling_timeout=polling_timeout,
        log_level=env.get("LOG_LEVEL") or "INFO",
        http_host=env.get("HTTP_HOST") or "127.0.0.1",
        http_port=http_port,
        export_host=env.get("EXPORT_HOST") or "127.0.0.1",
        export_port=export_port,
        flood_limit=flood_limit,
        flood_window=flood_window,
        daily_complaint_limit=daily_complaint_limit,
        evaluation_chat_id=evaluation_chat_id,
        agency_webhook_secret=env.get("AGENCY_WEBHOOK_SECRET") or None,
        payment_webhook_secret=env.get("PAYMENT_WEBHOOK_SECRET") or None,
        receipt_key=_receipt_key(env.get("RECEIPT_KEY"), data_key),
        redis_prefix=(env.get("REDIS_PREFIX") or "minwon").strip(),
        form_ttl_days=form_ttl_days,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_path=webhook_path,
        instance_id=(env.get("INSTANCE_ID") or "").strip() or f"{socket.gethostname()}:{os.getpid()}",
        lease_seconds=lease_seconds,
        **retention_days,
    )
