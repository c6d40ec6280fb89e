import logging

from bot.logs import RedactingFilter, redact


def test_redact_masks_phones_and_resident_numbers():
    assert redact("call 010-1234-5678 now") == "call 010-****-**** now"
    assert redact("02 123 4567") == "02-***-****"
    assert redact("rrn 900101-1234567") == "rrn 900101-1******"


def test_redact_catches_every_way_a_resident_number_is_typed():
    """The same detector as the bot's input guard (workflows/contact.py): dashes, dots, spaces,
    full-width digits; a phone or receipt number next to it stays readable where it is no phone."""
    for typed in (
        "900101–1234567",
        "900101 1234567",
        "9001011234567",
        "９００１０１－１２３４５６７",
        "900101.2234567",
        "850315_5123456",
    ):
        out = redact(f"text {typed} end")
        assert "234567" not in out and "123456" not in out.replace("900101", "") and "******" in out, out
    assert redact("０１０－１２３４－５６７８") == "010-****-****"
    assert redact("receipt 2026-000123, update 123456789") == "receipt 2026-000123, update 123456789"


def test_filter_rewrites_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "phone %s", ("01012345678",), None)
    RedactingFilter().filter(record)
    assert "1234" not in record.getMessage() and "010-****" in record.getMessage()
