"""Officers Telegram refuses (403) and their /start (workflows/complaints/reachability.py, issue 16 §1): the
delivery worker's part is simulated here — the row marked failed and the user inactive — and the
end-to-end path is in tests/e2e/test_nobody_stuck.py."""

from __future__ import annotations

from sqlalchemy import select, update

from workflows.models import OutboxMessage, User
from tests.unit.conftest import ADMIN_ID
from tests.unit.test_complaints_service import CIVIL_1, ROADS_1, ROADS_2, file, outbox, people, who  # noqa: F401
from workflows.complaints import reachability
from workflows.complaints import service as complaints


async def refuse(session, svc, row: OutboxMessage) -> None:
    """What bot/delivery.py does on a 403 for a private chat, then its on_forbidden hook."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(status="failed"))
    was = await session.execute(
        update(User).where(User.id == row.chat_id, User.is_active.is_(True)).values(is_active=False)
    )
    await reachability.forbidden(svc, session, row, bool(was.rowcount))
    await session.commit()


async def card(session, c, chat: int) -> OutboxMessage:
    return (
        await session.execute(select(OutboxMessage).where(OutboxMessage.dedup_key == f"new:{c.id}:{chat}"))
    ).scalar_one()


async def test_the_admins_hear_once_when_the_last_reachable_officer_drops_out(session, svc, people):
    a, b = await file(session, svc), await file(session, svc)
    await refuse(session, svc, await card(session, a, ROADS_1))  # ROADS_2 still reachable
    assert await outbox(session, "unreachable:") == [] and a.handed_to is None
    await refuse(session, svc, await card(session, a, ROADS_2))  # now nobody: an episode
    [notice] = await outbox(session, "unreachable:")
    assert notice.chat_id == ADMIN_ID
    assert "<b>건설과</b>에 연락 가능한 담당자가 없습니다" in notice.payload["text"]
    assert f"/start 를 눌러야 하는 담당자: <code>{ROADS_1}</code>, <code>{ROADS_2}</code>" in notice.payload["text"]
    await session.refresh(a)
    assert a.handed_to == "CIVIL" and [e.note for e in a.events if e.action == "handover"] == ["unreachable"]
    assert [r.chat_id for r in await outbox(session, f"handover:{a.id}:")] == [CIVIL_1]
    # more refused cards of the same episode: held, handed over, no second notice
    await refuse(session, svc, await card(session, b, ROADS_1))
    await refuse(session, svc, await card(session, b, ROADS_2))
    assert len(await outbox(session, "unreachable:")) == 1
    assert {r.status for r in await outbox(session, "new:") if r.chat_id in (ROADS_1, ROADS_2)} == {"held"}


async def test_on_start_the_held_cards_go_again_as_the_complaints_stand_now(session, svc, people):
    waiting, taken, answered = await file(session, svc), await file(session, svc), await file(session, svc)
    for c in (waiting, taken, answered):
        await refuse(session, svc, await card(session, c, ROADS_2))
    await complaints.take(session, svc, await who(session, ROADS_1), taken)
    await complaints.answer(session, svc, await who(session, ROADS_1), answered, "가로등을 교체했습니다. 감사합니다.")
    await session.commit()

    (await session.get(User, ROADS_2)).is_active = True  # users.ensure_user on their /start
    assert await reachability.reactivated(session, svc, ROADS_2) == 1
    await session.commit()
    [again] = await outbox(session, "resend:")
    assert again.chat_id == ROADS_2 and again.dedup_key.startswith(f"resend:{waiting.id}:")
    assert "had not reached you: 2026-000001</b> · received" in again.payload["text"]  # ROADS_2 reads English
    status = {r.dedup_key.split(":")[1]: r.status for r in await outbox(session, "new:") if r.chat_id == ROADS_2}
    assert status == {str(waiting.id): "resent", str(taken.id): "cancelled", str(answered.id): "cancelled"}
    # ROADS_1 was reachable all along: no "reachable again" notice; a second /start sends nothing
    assert await outbox(session, "reachable:") == []
    assert await reachability.reactivated(session, svc, ROADS_2) == 0


def test_which_rows_are_cards():
    assert reachability.card_complaint("new:12:2001") == 12
    assert reachability.card_complaint("tr:12:3:2001") == 12
    assert reachability.card_complaint("remind:12:2026-12-01T09:00:00+00:00:2001") == 12
    assert reachability.card_complaint("escalation:20261202T090000:2001") is None
    assert reachability.card_complaint("push:12:3") is None
