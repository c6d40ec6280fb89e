"""Logging without personal data: phone numbers and 주민등록번호 are masked in every record (with
the detectors of workflows/contact.py, which the bot uses everywhere else), and the database
drivers (which log SQL parameters at DEBUG) are held at WARNING."""

from __future__ import annotations

import logging

from workflows.contact import mask_phones, redact_rrn


def redact(text: str) -> str:
    """900101-1234567 -> 900101-1******; 010-1234-5678 -> 010-****-**** (however they are typed)."""
    return mask_phones(redact_rrn(text), keep_last=False)


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
