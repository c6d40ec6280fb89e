import logging

from bot.logs import RedactingFilter, redact


def test_redact_masks_phones_and_resident_numbers():
    assert redact("call 010-1234-5678 now") == "call 010-****-**78 now"
    assert redact("02 123 4567") == "02-****-**67"
    assert redact("rrn 900101-1234567") == "rrn 900101-1******"
    assert redact("receipt 2026-000123, update 123456789") == "receipt 2026-000123, update 123456789"


def test_filter_rewrites_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "phone %s", ("01012345678",), None)
    RedactingFilter().filter(record)
    assert "1234" not in record.getMessage() and "010-****" in record.getMessage()
