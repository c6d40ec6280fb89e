"""Contact numbers (workflows/contact.py): validation, masking, RRN detection, encryption."""
from __future__ import annotations

import base64

import pytest

from workflows.contact import Cipher, InvalidPhone, looks_like_rrn, mask_phone, normalize_phone

KEY = base64.urlsafe_b64encode(b"k" * 32)


@pytest.mark.parametrize(("raw", "normalized"), [
    ("010 1234 5678", "010-1234-5678"),
    ("010-1234-5678", "010-1234-5678"),
    ("01012345678", "010-1234-5678"),
    ("+82 10-1234-5678", "010-1234-5678"),
    ("+821012345678", "010-1234-5678"),
    ("82 10 1234 5678", "010-1234-5678"),
    ("(010) 1234.5678", "010-1234-5678"),
    ("011-123-4567", "011-123-4567"),
    ("02-123-4567", "02-123-4567"),
    ("02-1234-5678", "02-1234-5678"),
    ("+82 2-123-4567", "02-123-4567"),
    ("031-123-4567", "031-123-4567"),
    ("064 1234 5678", "064-1234-5678"),
    ("1588-1234", "1588-1234"),
    ("15881234", "1588-1234"),
])
def test_normalize_phone_good(raw, normalized):
    assert normalize_phone(raw) == normalized


@pytest.mark.parametrize("raw", [
    "12345", "010-12-34", "abc", "", "010-1234-56789", "010-1234-567a",
    "1234-5678", "+1 415 555 0100", None,
])
def test_normalize_phone_bad(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_invalid_phone_is_a_value_error():
    assert issubclass(InvalidPhone, ValueError)


@pytest.mark.parametrize(("phone", "masked"), [
    ("010-1234-5678", "010-****-5678"),
    ("011-123-4567", "011-***-4567"),
    ("02-123-4567", "02-***-4567"),
    ("031-123-4567", "031-***-4567"),
    ("1588-1234", "15*****34"),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("text", [
    "900101-1234567", "9001011234567", "900101 - 2234567", "제 번호는 900101-1234567 입니다",
    "850315-5123456",  # registered foreigner (5-8)
])
def test_looks_like_rrn_true(text):
    assert looks_like_rrn(text) is True


@pytest.mark.parametrize("text", [
    "010-1234-5678", "01012345678", "02-123-4567", "900101-9234567", "900101-123456",
    "접수번호 2026-000123", "", None,
])
def test_looks_like_rrn_false(text):
    assert looks_like_rrn(text) is False


def test_cipher_round_trip():
    c = Cipher(KEY)
    token = c.encrypt("010-1234-5678")
    assert "010" not in token and "5678" not in token
    assert c.decrypt(token) == "010-1234-5678"
    assert c.encrypt("010-1234-5678") != token  # random IV: equal plain texts do not look equal
    assert Cipher(KEY).decrypt(token) == "010-1234-5678"  # a restart with the same key reads it
    assert c.decrypt(c.encrypt("한글 주소")) == "한글 주소"


def test_cipher_tampered_token_is_none():
    c = Cipher(KEY)
    token = c.encrypt("010-1234-5678")
    i = len(token) // 2
    tampered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
    assert c.decrypt(tampered) is None
    assert c.decrypt("not a token") is None
    assert c.decrypt("") is None


def test_cipher_other_key_is_none():
    token = Cipher(KEY).encrypt("010-1234-5678")
    other = Cipher(base64.urlsafe_b64encode(b"z" * 32))
    assert other.decrypt(token) is None


def test_cipher_bad_key_is_refused():
    with pytest.raises(ValueError):
        Cipher(b"short")
