"""반송 and no ping-pong (issue 16 §4), through the real bot and the fake Bot API, with an officer of
건설과 (ROADS), one of 청소행정과 (CLEAN) and one of the first-contact desk 민원여권과 (CIVIL):
transfer → return (the reason first on the sender's card) → transfer again, which is the third move
and goes to the desk with both departments' reasons → the desk assigns it → no return button, and a
forged return is refused. The resident hears where the complaint is at each change."""

from __future__ import annotations

from sqlalchemy import select

from workflows.business_time import BusinessCalendar
from workflows.models import Complaint, ComplaintEvent
from tests.e2e.test_complaint_loop import consent
from tests.e2e.test_nobody_stuck import CITIZEN, grant, file

ROADS_1, CLEAN_1, DESK = 300, 200, 500


def labels(call) -> list[str]:
    return [b["text"] for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def transfer(h, fake, uid: int, card, dept: str, reason: str, expect: str):
    msg_id, data = fake.button(card, "이송")
    mark = fake.mark()
    fake.callback(uid, data, message_id=msg_id)
    await fake.wait_text(uid, "어느 부서로 이송할까요", after=mark)
    await h.press(uid, dept, expect="이송하는 사유")
    return await h.say(uid, reason, expect=expect)


async def test_transfer_return_transfer_goes_to_the_desk_which_decides(harness, fake):
    h = harness
    for uid, dept in ((ROADS_1, "ROADS"), (CLEAN_1, "CLEAN"), (DESK, "CIVIL")):
        await grant(h, uid, "officer", dept)
    await consent(h)
    c = await file(h, "도로·보도·가로등", "골목 가로등이 꺼져 있고 주변에 쓰레기가 쌓였습니다.")
    assert c.department_code == "ROADS"
    card = await fake.wait_text(ROADS_1, f"새 민원 {c.receipt_no}")
    assert "↩️ 반송" not in labels(card)  # filed, not transferred: nothing to return

    # 1. 건설과 transfers it to 청소행정과, whose officer may return it
    await transfer(h, fake, ROADS_1, card, "청소행정과", "쓰레기 수거가 먼저라 청소행정과 소관입니다.", "이송했습니다")
    card = await fake.wait_text(CLEAN_1, f"이송된 민원 {c.receipt_no}")
    assert "↩️ 반송" in labels(card)

    # 2. 청소행정과 returns it: a reason is required (too short, a photo: clear answers)
    msg_id, data = fake.button(card, "반송")
    mark = fake.mark()
    fake.callback(CLEAN_1, data, message_id=msg_id)
    await fake.wait_text(CLEAN_1, "건설과로 반송하는 사유를 적어 주세요", after=mark)
    await h.say(CLEAN_1, "아님", expect="사유를 조금 더 적어 주세요")
    await h.say(CLEAN_1, photo=True, expect="글로 적어 보내 주세요")
    await h.say(CLEAN_1, "가로등 고장이 먼저입니다. 건설과 소관입니다.", expect="건설과로 반송했습니다")
    back = await fake.wait_text(ROADS_1, f"반송된 민원 {c.receipt_no}")
    text = back.params["text"]
    assert text.startswith(
        f"↩️ <b>반송된 민원 {c.receipt_no}</b> — 청소행정과가 되돌려 보냈습니다\n"
        "반송 사유: 가로등 고장이 먼저입니다. 건설과 소관입니다."
    )
    assert "↩️ 반송" not in labels(back)  # a return is not returned: transfer it or handle it
    row = (await h.db(select(Complaint).where(Complaint.id == c.id)))[0]
    assert (row.department_code, row.deadline_at, row.officer_id) == ("ROADS", c.deadline_at, None)
    await fake.wait_text(CITIZEN, "다시 건설과에서 처리합니다")

    # 3. 건설과 transfers it again: the third move goes to the desk instead
    await transfer(
        h,
        fake,
        ROADS_1,
        back,
        "청소행정과",
        "주변 쓰레기 민원이 더 큽니다. 청소행정과로 보냅니다.",
        "민원여권과(첫 창구)로 보냈습니다",
    )
    desk_card = await fake.wait_text(DESK, f"부서 간 조정 민원 {c.receipt_no}")
    for line in (
        "• 이송: 건설과 → 청소행정과 — 쓰레기 수거가 먼저라 청소행정과 소관입니다.",
        "• 반송: 청소행정과 → 건설과 — 가로등 고장이 먼저입니다. 건설과 소관입니다.",
        "• 다시 보내려 함: 건설과 → 청소행정과 — 주변 쓰레기 민원이 더 큽니다. 청소행정과로 보냅니다.",
    ):
        assert line in desk_card.params["text"]
    await fake.wait_text(CITIZEN, "민원여권과(첫 창구)가 정해 다시 알려 드립니다")
    assert not [x for x in fake.texts(CLEAN_1) if "이송된 민원" in x and x.count(c.receipt_no)][1:]  # no second card
    await h.say(ROADS_1, f"/find {c.receipt_no}", expect="찾을 수 없습니다")  # no longer 건설과's to move

    # 4. the desk decides: 청소행정과, which can no longer return it
    await transfer(
        h, fake, DESK, desk_card, "청소행정과", "쓰레기 수거 후 가로등은 건설과와 협의하세요.", "이송했습니다"
    )
    final = await fake.wait_for(
        lambda x: (
            x.method == "sendMessage"
            and x.params.get("chat_id") == CLEAN_1
            and "이송된 민원" in x.params.get("text", "")
            and "협의하세요" in x.params["text"]
        )
    )
    assert "↩️ 반송" not in labels(final) and "이송" in labels(final)
    await fake.wait_text(CITIZEN, "청소행정과로 이송되었습니다")
    mark = fake.mark()
    await h.say(CLEAN_1, f"/find {c.receipt_no}")
    opened = await fake.wait_for(
        lambda x: (
            x.params.get("chat_id") == CLEAN_1
            and x.params.get("reply_markup")
            and c.receipt_no in x.params.get("text", "")
        ),
        after=mark,
    )
    assert "↩️ 반송" not in labels(opened) and "이송" in labels(opened)
    shown = "\n".join(x.params.get("text", "") for x in fake.requests[mark:] if x.params.get("chat_id") == CLEAN_1)
    for line in (
        "반송 → 건설과 — 가로등 고장이 먼저입니다.",
        "첫 창구 조정 요청 → 민원여권과 — 주변 쓰레기 민원이 더 큽니다.",
    ):
        assert line in shown  # the whole story in the history the officer reads

    # a forged (or old) return button is refused, and nothing moves
    mark = fake.mark()
    fake.callback(CLEAN_1, f"rb:{c.id}", message_id=final.result["message_id"])
    answer = await fake.wait_for(lambda x: x.method == "answerCallbackQuery", after=mark)
    assert "반송할 수 없습니다" in answer.params["text"] and answer.params.get("show_alert")
    row = (await h.db(select(Complaint).where(Complaint.id == c.id)))[0]
    assert row.department_code == "CLEAN"
    # each transfer carries the business hours its sender held the complaint, from the move that
    # brought it there (the filing, the return, the move to the desk), for the indicators
    events = await h.db(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id))
    hops = [e for e in events if e.action in ("submit", "transfer", "return", "to_desk")]
    assert [e.action for e in hops] == ["submit", "transfer", "return", "to_desk", "transfer"]
    hours = BusinessCalendar.from_file().business_hours_between
    assert [e.held_hours for e in hops if e.action == "transfer"] == [
        hours(before.at, e.at) for before, e in zip(hops, hops[1:]) if e.action == "transfer"
    ]
    assert all(e.held_hours is None for e in events if e.action != "transfer")
