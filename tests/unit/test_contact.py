"""Contact numbers (workflows/contact.py): validation, masking, RRN detection, encryption."""

from __future__ import annotations

import base64

import pytest

from workflows.contact import (
    Cipher,
    InvalidPhone,
    has_phone,
    looks_like_rrn,
    mask_phone,
    mask_phones,
    normalize_phone,
    redact_rrn,
)

KEY = base64.urlsafe_b64encode(b"k" * 32)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
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
    ],
)
def test_normalize_phone_good(raw, normalized):
    assert normalize_phone(raw) == normalized


@pytest.mark.parametrize(
    "raw",
    [
        "12345",
        "010-12-34",
        "abc",
        "",
        "010-1234-56789",
        "010-1234-567a",
        "1234-5678",
        "+1 415 555 0100",
        None,
    ],
)
def test_normalize_phone_bad(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_invalid_phone_is_a_value_error():
    assert issubclass(InvalidPhone, ValueError)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("010-1234-5678", "010-****-5678"),
        ("011-123-4567", "011-***-4567"),
        ("02-123-4567", "02-***-4567"),
        ("031-123-4567", "031-***-4567"),
        ("1588-1234", "15*****34"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


# 주민등록번호 as people type it: every one is caught (bot/rrn_guard.py refuses the message)
RRN_TYPED = [
    "900101-1234567",  # the usual hyphen
    "900101–1234567",  # en dash (a phone keyboard's "smart" dash)
    "900101—1234567",  # em dash
    "900101‐1234567",  # U+2010 hyphen
    "900101−1234567",  # U+2212 minus sign
    "900101－1234567",  # full-width hyphen-minus
    "900101ー1234567",  # katakana long mark, typed as a dash on some IMEs
    "900101.1234567",
    "900101_1234567",
    "900101 1234567",
    "900101 - 1234567",
    "900101\u30001234567",
    "9001011234567",  # no separator at all
    "９００１０１－１２３４５６７",  # full-width digits (전각)
    "９００１０１-1234567",  # mixed
    "주민번호는900101-2234567이에요",  # glued to Hangul
    "제 번호는 900101-1234567 입니다",
    "850315-5123456",
    "991231-8123456",  # 외국인등록번호 (5-8)
    "000229-3123456",
    "020101-4123456",  # born in the 2000s
    "연락처 010-1234-5678, 주민 900101-1234567",
]
NOT_RRN = [
    "010-1234-5678",
    "01012345678",
    "+82 10 1234 5678",
    "02-123-4567",  # phones
    "접수번호 2026-000123",
    "2026-000123",
    "2026-0001234567",  # receipt numbers, longer ids
    "금액 1,234,567원",
    "12,345,678,901원",
    "1234567890123원",  # amounts
    "4111 1111 1111 1111",
    "1234-5678-9012-3456",
    "9001011234567890",  # card-like, too long
    "사업자등록번호 123-45-67890",
    "계좌 110-123-456789",
    "900101-9234567",
    "900101-0234567",  # 7th digit 9 or 0
    "901301-1234567",
    "900132-1234567",
    "900001-1234567",  # no such month or day
    "900101-123456",
    "90010-1234567",  # a digit short
    "20261123 1234567",  # a date of 8 digits, then a number
    "900101--- -1234567",  # four separators: not typed as one number
    "",
    None,
]


@pytest.mark.parametrize("text", RRN_TYPED)
def test_looks_like_rrn_true(text):
    assert looks_like_rrn(text) is True


@pytest.mark.parametrize("text", NOT_RRN)
def test_looks_like_rrn_false(text):
    assert looks_like_rrn(text) is False


@pytest.mark.parametrize("text", RRN_TYPED)
def test_redact_rrn_leaves_only_the_birth_date_and_seventh_digit(text):
    out = redact_rrn(text)
    assert not looks_like_rrn(out) and "234567" not in out.translate(
        str.maketrans("０１２３４５６７８９", "0123456789")
    )
    assert "******" in out


def test_redact_rrn_keeps_the_rest_as_it_was():
    assert redact_rrn("주민번호는900101–2234567이에요") == "주민번호는900101-2******이에요"
    assert redact_rrn("접수 2026-000123, ☎ 010-1234-5678") == "접수 2026-000123, ☎ 010-1234-5678"


@pytest.mark.parametrize(
    ("text", "masked", "hidden"),
    [
        (
            "집 앞입니다 010-1234-5678 로 연락 주세요",
            "집 앞입니다 010-****-5678 로 연락 주세요",
            "집 앞입니다 010-****-**** 로 연락 주세요",
        ),
        ("01012345678", "010-****-5678", "010-****-****"),
        ("010 1234 5678", "010-****-5678", "010-****-****"),
        ("010.1234.5678", "010-****-5678", "010-****-****"),
        ("010–1234–5678", "010-****-5678", "010-****-****"),
        ("０１０－１２３４－５６７８", "010-****-5678", "010-****-****"),
        ("+82 10-1234-5678", "010-****-5678", "010-****-****"),
        ("(02) 123-4567", "02-***-4567", "02-***-****"),
        ("(010-1234-5678)", "(010-****-5678)", "(010-****-****)"),
        ("+82 (10) 1234-5678", "010-****-5678", "010-****-****"),
        ("031-123-4567, 070-1234-5678", "031-***-4567, 070-****-5678", "031-***-****, 070-****-****"),
    ],
)
def test_mask_phones_inside_free_text(text, masked, hidden):
    assert mask_phones(text) == masked and has_phone(text)
    assert mask_phones(text, keep_last=False) == hidden


@pytest.mark.parametrize(
    "text",
    ["접수번호 2026-000123", "대표번호 1588-1234", "금액 12,345,678원", "자양동 680-1", "2026-11-23 10:00", "", None],
)
def test_mask_phones_leaves_other_numbers(text):
    assert mask_phones(text) == (text or "") and not has_phone(text)


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
    tampered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
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
