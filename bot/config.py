"""Settings read from the environment (and `.env`, via python-dotenv).

The names and defaults follow ../shared/design.md ("Settings"). Nothing else in the
project reads os.environ directly.
"""
from __future__ import annotations

import base64
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

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
    polling_timeout: int = 30
    log_level: str = "INFO"
    # The bot's own HTTP server (exports, payment notifications, health); off unless a port is set.
    http_host: str = "127.0.0.1"
    http_port: int | None = None
    # Per-user flood limit: more than FLOOD_LIMIT updates in FLOOD_WINDOW seconds get a pause.
    flood_limit: int = 20
    flood_window: float = 10.0
    # Indicator reports (issue 8): the evaluation team's chat; unset = every evaluator privately.
    evaluation_chat_id: int | None = None
    # Birth/death one-stop (issue 3): HMAC-SHA256 secret for webhook notices to outside bodies.
    agency_webhook_secret: str | None = None
    # 등록면허세 one-stop (issue 4): HMAC-SHA256 secret of bank payment notifications (unset: the
    # endpoint answers 503 and officers mark payments by hand), and the key of receipt
    # verification codes (RECEIPT_KEY, else derived from DATA_KEY).
    payment_webhook_secret: str | None = None
    receipt_key: bytes = b""

    @property
    def uses_official_api(self) -> bool:
        return self.telegram_api_url.rstrip("/") == OFFICIAL_API_URL


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
            log.warning("DATA_KEY not set: generated a new key into %s; back it up, "
                        "contact data cannot be read without it", path)
    try:
        if len(base64.urlsafe_b64decode(key)) != 32:
            raise ValueError
    except ValueError:
        raise ConfigError("DATA_KEY must be a urlsafe base64 32-byte key "
                          "(python -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())')")
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
        polling_timeout = int(env.get("POLLING_TIMEOUT") or 30)
        http_port = int(env["HTTP_PORT"]) if env.get("HTTP_PORT") else None
        flood_limit = int(env.get("FLOOD_LIMIT") or 20)
        flood_window = float(env.get("FLOOD_WINDOW") or 10)
    except ValueError:
        raise ConfigError("DELIVERY_RATE and FLOOD_WINDOW must be numbers, POLLING_TIMEOUT, HTTP_PORT and "
                          "FLOOD_LIMIT whole numbers")
    try:
        evaluation_chat_id = int(env["EVALUATION_CHAT_ID"]) if env.get("EVALUATION_CHAT_ID") else None
    except ValueError:
        raise ConfigError("EVALUATION_CHAT_ID must be a numeric Telegram chat id (groups are negative)")
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
        polling_timeout=polling_timeout,
        log_level=env.get("LOG_LEVEL") or "INFO",
        http_host=env.get("HTTP_HOST") or "127.0.0.1",
        http_port=http_port,
        flood_limit=flood_limit,
        flood_window=flood_window,
        evaluation_chat_id=evaluation_chat_id,
        agency_webhook_secret=env.get("AGENCY_WEBHOOK_SECRET") or None,
        payment_webhook_secret=env.get("PAYMENT_WEBHOOK_SECRET") or None,
        receipt_key=_receipt_key(env.get("RECEIPT_KEY"), data_key),
    )
