"""Contact phone numbers: validation, masking for display and logs, encryption at rest."""
from __future__ import annotations

import re

from cryptography.fernet import Fernet, InvalidToken

_MOBILE = re.compile(r"^01[016789]\d{7,8}$")          # 010-1234-5678, 011-123-4567
_SEOUL = re.compile(r"^02\d{7,8}$")                  # 02-123-4567, 02-1234-5678
_AREA = re.compile(r"^0[3-6][1-5]\d{7,8}$")          # 031-123-4567 ...
_REP = re.compile(r"^1[5-9]\d{6}$")                  # 1588-1234
_RRN = re.compile(r"\d{6}\s*-?\s*[1-8]\d{6}")


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


def looks_like_rrn(text: str) -> bool:
    """A 주민등록번호 pattern; the bot refuses to store one (개인정보 보호법 §24의2)."""
    return bool(_RRN.search(text or ""))


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
