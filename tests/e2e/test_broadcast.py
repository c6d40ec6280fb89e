"""/broadcast (issue 16 §5), through the real bot and the fake Bot API: an admin chooses the audience
(all staff, one department's officers and head, residents who consented) and sees how many will get
it, types a text or sends a photo with a caption, sees the preview exactly as it will be sent,
confirms; the messages go through the outbox, and the delivery report counts sent, blocked (a
resident who blocked the bot: 403) and failed. Bad input and non-admins get clear answers."""

from __future__ import annotations

from sqlalchemy import select

from workflows.models import AuditEntry, OutboxMessage
from tests.e2e.harness import ADMIN
from tests.e2e.test_complaint_loop import consent

CLEAN_1, CLEAN_2, ROADS_1 = 200, 201, 300
RESIDENTS = (100, 101, 102)


async def grant(h, uid: int, dept: str) -> None:
    await h.say(ADMIN, f"/grant {uid} officer {dept}", expect="부여했습니다")


async def delivered(h, prefix: str, n: int) -> None:
    """Wait until the outbox has tried every message of the send (none pending)."""

    async def done():
        rows = await h.db(select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(prefix)))
        return len(rows) == n and all(r.status != "pending" for r in rows)

    await h.eventually(done, timeout=10)


def labels(call) -> list[str]:
    return [b["text"] for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def test_broadcast_to_a_department_and_to_residents_with_the_delivery_report(harness, fake):
    h = harness
    for uid, dept in ((CLEAN_1, "CLEAN"), (CLEAN_2, "CLEAN"), (ROADS_1, "ROADS")):
        await grant(h, uid, dept)
        await h.say(uid, "/start", expect="개인정보")  # officers have opened the bot
    for uid in RESIDENTS:
        await consent(h, uid)
    await h.say(103, "/start", expect="개인정보")  # never agreed: not a recipient

    await h.say(RESIDENTS[0], "/broadcast", expect="관리자만 쓸 수 있습니다")

    screen = await h.say(ADMIN, "/broadcast", expect="누구에게 보낼까요")
    assert "광고·홍보는 안 됩니다" in screen.params["text"]
    assert labels(screen) == [
        "전체 직원 (4명)",
        "부서 담당자·과장 고르기",
        "동의한 주민 전체 (3명)",
    ]  # 3 officers + the admin
    depts = await h.press(ADMIN, "부서 담당자·과장 고르기", expect="어느 부서의 담당자·과장")
    assert "청소행정과 (2)" in labels(depts) and "건설과 (1)" in labels(depts) and "복지정책과 (0)" in labels(depts)
    await h.press(ADMIN, "복지정책과 (0)", expect="지금 받을 수 있는 사람이 없습니다")
    await h.press(ADMIN, "청소행정과 (2)", expect="받는 사람: <b>청소행정과 담당자·과장</b> 2명")

    await h.say(ADMIN, sticker=True, expect="글이나 사진 한 장을 보내 주세요")
    await h.say(ADMIN, "   ", expect="보낼 글이 비어 있습니다")
    await h.say(ADMIN, "가" * 4097, expect="글이 너무 깁니다: 4097자 (최대 4096자)")
    typed = "<b>내일</b> 10시~12시 시스템 점검 & 민원 접수 중단 안내"
    mark = fake.mark()
    await h.say(ADMIN, typed, expect="그대로입니다")
    preview = await fake.wait_text(ADMIN, "시스템 점검", after=mark)
    assert preview.params["text"] == "&lt;b&gt;내일&lt;/b&gt; 10시~12시 시스템 점검 &amp; 민원 접수 중단 안내"
    confirm = await fake.wait_text(ADMIN, "청소행정과 담당자·과장</b> 2명에게 보낼까요", after=mark)
    await h.say(ADMIN, "이것도 보내 주세요", expect="버튼을")  # typed at the confirmation: told to use the buttons

    await h.press(ADMIN, "보내기", expect="2명에게 보내는 중입니다")
    for uid in (CLEAN_1, CLEAN_2):
        got = await fake.wait_text(uid, "시스템 점검")
        assert got.params["text"] == preview.params["text"]  # exactly the preview
    assert not any("시스템 점검" in x for x in fake.texts(ROADS_1) + fake.texts(RESIDENTS[0]))
    msg_id, data = fake.button(confirm, "보내기")  # pressed again: stale, nothing sent twice
    mark = fake.mark()
    fake.callback(ADMIN, data, message_id=msg_id)
    stale = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert stale.params.get("show_alert")
    rows = await h.db(select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(f"bc:{ADMIN}:")))
    assert sorted(r.chat_id for r in rows) == [CLEAN_1, CLEAN_2]
    prefix = rows[0].dedup_key.rsplit(":", 1)[0] + ":"
    await delivered(h, prefix, 2)
    await h.press(ADMIN, "전달 결과 보기", expect="대상 2명 · 보냄 2 · 차단 0 · 실패 0 · 대기 0")

    # residents, with a photo; one of them has blocked the bot since
    fake.block_user(RESIDENTS[2])
    await h.say(ADMIN, "/broadcast", expect="누구에게 보낼까요")
    ask = await h.press(ADMIN, "동의한 주민 전체 (3명)", expect="동의한 주민 전체</b> 3명")
    assert "서비스 안내" in ask.params["text"] and "광고·홍보성 내용은 보내지 마세요" in ask.params["text"]
    await h.say(ADMIN, photo=True, caption="나" * 1025, expect="사진 설명이 너무 깁니다: 1025자 (최대 1024자)")
    mark = fake.mark()
    await h.say(
        ADMIN, photo=True, caption="12월 10일부터 민원 상담 전화가 02-450-1114로 바뀝니다.", expect="3명에게 보낼까요"
    )
    shown = await fake.wait_for(lambda c: c.method == "sendPhoto" and c.params.get("chat_id") == ADMIN, after=mark)
    await h.press(ADMIN, "보내기", expect="3명에게 보내는 중입니다")
    for uid in RESIDENTS[:2]:
        got = await fake.wait_for(lambda c, uid=uid: c.method == "sendPhoto" and c.params.get("chat_id") == uid)
        assert (got.params["photo"], got.params["caption"]) == (shown.params["photo"], shown.params["caption"])
    rows = await h.db(
        select(OutboxMessage).where(
            OutboxMessage.dedup_key.startswith(f"bc:{ADMIN}:"), OutboxMessage.method == "sendPhoto"
        )
    )
    await delivered(h, rows[0].dedup_key.rsplit(":", 1)[0] + ":", 3)
    await h.press(ADMIN, "전달 결과 보기", expect="대상 3명 · 보냄 2 · 차단 1 · 실패 0 · 대기 0")

    audit = await h.db(select(AuditEntry).where(AuditEntry.action == "broadcast_send").order_by(AuditEntry.id))
    assert [a.detail for a in audit] == [
        "audience=dept:CLEAN recipients=2",
        "audience=residents recipients=3 photo=yes",
    ]
    assert not any("점검" in (a.detail or "") for a in audit)  # the text is never in the log

    # a forged report button: a non-admin is refused; an admin asking for a send that is not theirs gets none
    token = rows[0].dedup_key.split(":")[2]
    mark = fake.mark()
    fake.callback(CLEAN_1, f"bc:report:::{token}", message_id=got.result["message_id"])
    refused = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert "권한이 없습니다" in refused.params["text"]
    mark = fake.mark()
    fake.callback(ADMIN, "bc:report:::12345", message_id=shown.result["message_id"])
    none = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert "전달 기록이 없습니다" in none.params["text"]
