"""Logging without personal data: phone and resident-number patterns are masked in every record,
and the database drivers (which log SQL parameters at DEBUG) are held at WARNING."""
from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<!\d)(0\d{1,2})[-\s.]?(\d{3,4})[-\s.]?(\d{4})(?!\d)")
_RRN = re.compile(r"(?<!\d)(\d{6})\s*-?\s*([1-8])\d{6}(?!\d)")


def redact(text: str) -> str:
    text = _RRN.sub(r"\1-\2******", text)
    return _PHONE.sub(lambda m: f"{m.group(1)}-****-{m.group(3)[-2:].rjust(4, '*')}", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    for noisy in ("aiosqlite", "sqlalchemy.engine", "asyncpg"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
