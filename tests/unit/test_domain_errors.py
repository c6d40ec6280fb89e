"""workflows/errors.py: an error carries the text a person is shown; a Length rule says what is wrong."""

from __future__ import annotations

import pytest

from workflows import roles
from workflows.complaints import service as complaints
from workflows.broadcast import ERROR_KEYS, BroadcastError
from workflows.complaints.casework import validate_note
from workflows.errors import DomainError, Length
from workflows.texts import t
from workflows.complaints.common import ANSWER, DESCRIPTION, REASON, REJECT_REASON, REOPEN_REASON


@pytest.mark.parametrize(
    ("rule", "short", "long"),
    [
        (DESCRIPTION, "cf.too_short", "cf.too_long"),
        (ANSWER, "op.answer_short", "op.answer_long"),
        (REASON, "op.reason_short", "op.reason_long"),
        (REJECT_REASON, "op.reason_short", "op.reason_long"),
        (REOPEN_REASON, "cf.too_short", "rate.comment_long"),
    ],
)
def test_a_length_rule_names_the_problem_with_its_numbers(rule: Length, short: str, long: str):
    assert rule.problem("가" * rule.lo) is None and rule.problem("가" * rule.hi) is None
    assert rule.fits("  " + "가" * rule.lo + "  ")  # counted without the spaces around it
    assert not rule.fits(None)
    too_short, too_long = rule.problem("가" * (rule.lo - 1)), rule.problem("가" * (rule.hi + 1))
    assert (too_short.key, too_short.values["n"]) == (short, rule.lo - 1)
    assert (too_long.key, too_long.values["n"]) == (long, rule.hi + 1)
    for lang in ("ko", "en", "zh"):  # every text renders with the values the rule gives
        assert too_long.text(lang) == t(lang, long, n=rule.hi + 1, min=rule.lo, max=rule.hi)
        assert str(rule.hi + 1) in too_long.text(lang) or f"{rule.hi + 1:,}" in too_long.text(lang)
    with pytest.raises(DomainError) as e:
        rule.check("가" * (rule.hi + 1))
    assert e.value.key == long
    assert rule.check(" " + "가" * rule.lo + "\n") == "가" * rule.lo


def test_the_service_refuses_with_the_same_rule_the_handler_shows():
    with pytest.raises(DomainError) as e:
        complaints.validate_description("짧음")
    assert e.value.key == "cf.too_short" and "2" in e.value.text("ko")
    with pytest.raises(DomainError) as e:
        validate_note("메" * 1001)
    assert e.value.key == "ws.note.long"
    assert isinstance(e.value, ValueError)  # callers that catch ValueError still do


def test_feature_errors_are_domain_errors_with_their_own_keys():
    b = BroadcastError(next(iter(ERROR_KEYS)))
    assert isinstance(b, DomainError) and b.key != b.code and b.text("ko")
    r = roles.RoleError("role.unknown_role", role="<b>x</b>")
    assert isinstance(r, DomainError)
    assert "&lt;b&gt;" in r.text("ko")  # what an admin typed is escaped in the answer
