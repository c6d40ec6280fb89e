"""Contact phone numbers: validation, masking for display and logs, encryption at rest; and the one
detector of 주민등록번호 (and 외국인등록번호) in anything typed."""

from __future__ import annotations

import re

from cryptography.fernet import Fernet, InvalidToken

_MOBILE = re.compile(r"^01[016789]\d{7,8}$")  # 010-1234-5678, 011-123-4567
_SEOUL = re.compile(r"^02\d{7,8}$")  # 02-123-4567, 02-1234-5678
_AREA = re.compile(r"^0[3-6][1-5]\d{7,8}$")  # 031-123-4567 ...
_REP = re.compile(r"^1[5-9]\d{6}$")  # 1588-1234

# Digits as people type them: ASCII, or the full-width ones of a Korean IME (전각 ０-９), read as one.
# The mapping is one character for one, so a match in the mapped text is at the same place in the original.
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
# What people put between the parts of a number: hyphens and dashes of every kind (‐ ‑ ‒ – — ― − ー ﹘ ﹣ －),
# dots, underscores and spaces (full-width ones too), up to three of them ("900101 - 1234567").
_SEP = r"[\s\-._\u2010-\u2015\u2212\u30fc\ufe58\ufe63\uff0d\uff0e\uff3f]"
# 주민등록번호 (and 외국인등록번호, same form): a birth date YYMMDD, a 7th digit 1-8 (century and sex;
# 5-8 for foreigners), six more digits, with no digit right before or after: a phone (010-1234-5678),
# a receipt number (2026-000123), an amount or a longer id is not one.
_RRN = re.compile(
    r"(?<![0-9])(?P<birth>[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))"
    rf"{_SEP}{{0,3}}(?P<code>[1-8])[0-9]{{6}}(?![0-9])"
)
# A Korean phone number inside free text: mobile, Seoul, area codes, 070; +82 or 0 first; the area
# code may be in brackets ("(02) 123-4567"), a bracket around the whole number stays.
_PHONE_IN_TEXT = re.compile(
    r"(?<![0-9+])(?:\+82[\s\-.]{0,2}(?P<b1>\()?0?|(?P<b2>\()?0)"
    r"(?P<area>1[016789]|2|[3-6][1-5]|70)(?(b1)\))(?(b2)\))"
    rf"{_SEP}{{0,2}}(?P<mid>[0-9]{{3,4}}){_SEP}{{0,2}}(?P<last>[0-9]{{4}})(?![0-9])"
)


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """'010 1234 5678', '+82 10-1234-5678' -> '010-1234-5678'; InvalidPhone otherwise."""
    digits = re.sub(r"[\s\-().]", "", raw or "")
    if digits.startswith("+82"):
        digits = "0" + digits[3:]
    elif digits.startswith("82") and len(digits) >= 11:
        digits = "0" + digits[2:]
    if not digits.isdigit():
        raise InvalidPhone(raw)
    if _MOBILE.match(digits):
        return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"
    if _SEOUL.match(digits):
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    if _AREA.match(digits):
        return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"
    if _REP.match(digits):
        return f"{digits[:4]}-{digits[4:]}"
    raise InvalidPhone(raw)


def mask_phone(phone: str) -> str:
    """010-1234-5678 -> 010-****-5678 (for screens and logs)."""
    parts = phone.split("-")
    if len(parts) == 3:
        return f"{parts[0]}-{'*' * len(parts[1])}-{parts[2]}"
    return phone[:2] + "*" * max(0, len(phone) - 4) + phone[-2:]


def _replace(pattern: re.Pattern, text: str, repl) -> str:
    """``text`` with every match of ``pattern`` (found with full-width digits read as ASCII)
    replaced by ``repl(match)``; the rest of the text is kept exactly as it was."""
    out, at = [], 0
    for m in pattern.finditer(text.translate(_FULLWIDTH)):
        out += [text[at : m.start()], repl(m)]
        at = m.end()
    return "".join(out) + text[at:] if out else text


def looks_like_rrn(text: str | None) -> bool:
    """A 주민등록번호 (or 외국인등록번호) in ``text``, however it is typed: with -, –, —, ., _, spaces
    or nothing between the parts, in ASCII or full-width digits. The bot refuses to store one
    (개인정보 보호법 §24의2): bot/rrn_guard.py refuses every message that holds one."""
    return bool(text) and _RRN.search(text.translate(_FULLWIDTH)) is not None


def redact_rrn(text: str) -> str:
    """Every 주민등록번호 in ``text`` cut to its birth date and 7th digit: 900101-1******."""
    return _replace(_RRN, text, lambda m: f"{m['birth']}-{m['code']}******")


def mask_phones(text: str | None, *, keep_last: bool = True) -> str:
    """Every phone number typed inside free text masked as mask_phone does (010-****-5678), or
    with nothing of it left (``keep_last=False``: 010-****-****); for what officers and exports
    see of a resident's text (their own view keeps it whole). Business numbers (1588-1234) stay."""

    def masked(m: re.Match) -> str:
        last = m["last"] if keep_last else "****"
        return f"0{m['area']}-{'*' * len(m['mid'])}-{last}"

    return _replace(_PHONE_IN_TEXT, text or "", masked)


def has_phone(text: str | None) -> bool:
    """A phone number inside free text (what mask_phones would mask)."""
    return bool(text) and _PHONE_IN_TEXT.search(text.translate(_FULLWIDTH)) is not None


class Cipher:
    """Fernet (AES-128-CBC + HMAC-SHA256) with the DATA_KEY setting."""

    def __init__(self, key: bytes):
        self._f = Fernet(key)

    def encrypt(self, plain: str) -> str:
        return self._f.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str | None:
        try:
            return self._f.decrypt(token.encode()).decode()
        except InvalidToken:
            return None
