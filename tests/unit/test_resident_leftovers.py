"""The tax division's and a licensing department's group chats (workflows/group_cards.py): a held
payment, a payment matching no notice and a department body's 납부 확인 reach the group without the
business, taxpayer, amount, account or transaction; the officers still get all of it in private."""

from __future__ import annotations

import dataclasses

import pytest

from tests.unit.conftest import ADMIN_ID
from tests.unit.test_license_tax import (
    TAX_OFFICER,
    bodies_file,  # noqa: F401 - a fixture, used by name
    issued,
    outbox,
    people,  # noqa: F401 (fixtures)
    tsvc,  # noqa: F401 - a fixture, used by name
)
from workflows import group_cards, roles
from workflows.license_tax import service as lt

TAX_GROUP, HYGIENE_GROUP = -1001000000602, -1001000000603


@pytest.fixture
def gsvc(tsvc):
    d = tsvc.district
    deps = {
        **d.departments,
        "TAX": dataclasses.replace(d.departments["TAX"], group_chat_id=TAX_GROUP),
        "HYGIENE": dataclasses.replace(d.departments["HYGIENE"], group_chat_id=HYGIENE_GROUP),
    }
    return dataclasses.replace(tsvc, district=dataclasses.replace(d, departments=deps), bot_username="minwon_bot")


def group_row(rows, chat_id):
    return next(r for r in rows if r.chat_id == chat_id)


async def test_a_held_payment_reaches_the_group_without_amount_account_or_business(session, gsvc, people):
    n = await issued(session, gsvc, people)
    r = await lt.record_bank_payment(
        session, gsvc, transaction_id="TX-SECRET-9", account=n.virtual_account, amount=40000, paid_at=gsvc.now()
    )
    await session.commit()
    rows = await outbox(session, "lt:held:")
    officer = group_row(rows, TAX_OFFICER).payload["text"]
    assert "40,000원" in officer and "TX-SECRET-9" in officer and "광진상회" in officer
    group = group_row(rows, TAX_GROUP).payload
    assert "보류된 입금" in group["text"] and n.notice_no in group["text"] and "중곡1동" in group["text"]
    for secret in ("40,000", "40,500", "TX-SECRET-9", n.virtual_account[-6:], "광진상회", "김납세"):
        assert secret not in group["text"], secret
    assert f"start=ltp_{r.payment.id}" in str(group["reply_markup"]) and "lt:" not in str(group["reply_markup"])


async def test_a_payment_matching_no_notice_is_told_to_the_group_as_such(session, gsvc, people):
    n = await issued(session, gsvc, people)
    wrong = n.virtual_account[:-1] + str((int(n.virtual_account[-1]) + 1) % 10)
    r = await lt.record_bank_payment(
        session, gsvc, transaction_id="TX-4", account=wrong, amount=40500, paid_at=gsvc.now()
    )
    await session.commit()
    group = group_row(await outbox(session, "lt:held:"), TAX_GROUP).payload
    assert (
        "고지번호를 알 수 없는 입금" in group["text"] and "40,500" not in group["text"] and wrong not in group["text"]
    )
    assert f"start=ltp_{r.payment.id}" in str(group["reply_markup"])


async def test_a_department_body_group_gets_the_paid_notice_without_business_amount_or_code(
    session, gsvc, people, district
):
    await roles.grant(
        session, user_id=3003, role="officer", department_code="HYGIENE", by=ADMIN_ID, departments=district.departments
    )
    n = await issued(session, gsvc, people, body="GU_HYGIENE")
    await lt.mark_paid(session, gsvc, people[TAX_OFFICER], n)
    rows = await outbox(session, "lt:body:")
    assert n.verification_code in group_row(rows, 3003).payload["text"]  # the body's officer: what §38 needs
    group = group_row(rows, HYGIENE_GROUP).payload["text"]
    assert n.notice_no in group and "납부 확인" in group
    for secret in ("광진상회", n.verification_code, "40,500"):
        assert secret not in group, secret


def test_payloads_round_trip_and_refuse_anything_else():
    assert group_cards.parse(group_cards.payload(group_cards.ONESTOP, 12)) == ("os", 12)
    assert group_cards.parse("ltp_7") == ("ltp", 7) and group_cards.parse("lt_3") == ("lt", 3)
    for bad in ("os_", "os_0", "os_x", "lt_1_2", "case_2026-000001", "ltp_1234567890123", None):
        assert group_cards.parse(bad) is None
