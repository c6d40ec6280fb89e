"""/privacy through the real bot: a resident with a complaint still being handled sees what is held
and deletes it. The officer is told the complaint was withdrawn, /status shows nothing, the
database keeps no text or phone of theirs, the audit log has every step, and an old or repeated
confirmation button does nothing."""

from sqlalchemy import select

from workflows.models import AuditEntry, Complaint, Consent, OutboxMessage
from tests.e2e.harness import ADMIN
from tests.e2e.test_complaint_loop import consent, file_complaint
from workflows.privacy.retention import ANONYMOUS_USER

CITIZEN, OFFICER = 100, 200


async def press_on(fake, call, label: str, expect: str):
    """Press a button of an earlier message (not the latest one with buttons)."""
    msg_id, data = fake.button(call, label)
    mark = fake.mark()
    fake.callback(CITIZEN, data, message_id=msg_id)
    return await fake.wait_text(CITIZEN, expect, after=mark)


async def test_resident_deletes_their_data_with_a_complaint_open(harness, fake):
    h = harness
    await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(h)
    await file_complaint(h)
    c = await h.one(Complaint, citizen_id=CITIZEN)
    await fake.wait_text(OFFICER, f"새 민원 {c.receipt_no}")

    # /privacy: the notice with the configured period, the consent status, and the data buttons
    notice = await h.say(CITIZEN, "/privacy", expect="개인정보 수집·이용 동의")
    assert "민원 종결 후 1년" in notice.params["text"] and "동의함" in notice.params["text"]
    held = await h.press(CITIZEN, "내 정보 보기", expect="<b>내 정보</b>")
    text = held.params["text"]
    assert "민원: 1건 (처리 중 1건)" in text and "사진 1장" in text and "010-****-5678" in text
    assert "1234-5678" not in text and "폐기물" not in text

    ask = await h.press(CITIZEN, "내 정보 삭제", expect="내 정보를 모두 삭제할까요")
    assert c.receipt_no in ask.params["text"] and "취하" in ask.params["text"]
    # "아니요" keeps everything
    await h.press(CITIZEN, "아니요", expect="삭제하지 않았습니다")
    assert (await h.one(Complaint, id=c.id)).description.startswith("골목 입구에")

    await press_on(fake, notice, "내 정보 삭제", expect="내 정보를 모두 삭제할까요")  # the /privacy message again
    msg_id, erase = fake.button(CITIZEN, "네, 모두 삭제합니다")
    mark = fake.mark()
    fake.callback(CITIZEN, erase, message_id=msg_id)
    done = await fake.wait_text(CITIZEN, "내 정보를 삭제했습니다", after=mark)
    assert c.receipt_no in done.params["text"]

    # the officer is told, without the text, place or phone
    told = await fake.wait_text(OFFICER, f"민원 취하 {c.receipt_no}")
    assert "폐기물" not in told.params["text"] and "5678" not in told.params["text"]

    # the same button again (a double press): nothing more happens
    mark = fake.mark()
    fake.callback(CITIZEN, erase, message_id=msg_id)
    await fake.wait_text(CITIZEN, "삭제할 정보가 없습니다", after=mark)
    # an expired confirmation (made an hour ago) is refused with an alert
    stale = erase.rsplit(":", 1)[0] + f":{int(erase.rsplit(':', 1)[1]) - 3600}"
    mark = fake.mark()
    fake.callback(CITIZEN, stale, message_id=msg_id)
    alert = await fake.wait_for(lambda call: call.method == "answerCallbackQuery", after=mark)
    assert "만료" in alert.params.get("text", "") and alert.params.get("show_alert")

    # /status shows nothing of theirs
    await h.say(CITIZEN, "/status", expect="신청하신 민원이 없습니다")
    # the database keeps the case for the statistics, without the person
    row = await h.one(Complaint, id=c.id)
    assert row.state == "withdrawn" and row.citizen_id == ANONYMOUS_USER and row.anonymised_at is not None
    assert (row.description, row.phone_enc, row.latitude, row.photos) == ("", None, None, [])
    assert await h.db(select(Complaint).where(Complaint.citizen_id == CITIZEN)) == []
    consents = await h.db(select(Consent).where(Consent.user_id == CITIZEN))
    assert consents and all(x.withdrawn_at is not None for x in consents)
    # no copy of the complaint in any queued or sent message
    bodies = " ".join(str(m.payload) for m in await h.db(select(OutboxMessage)))
    assert "폐기물" not in bodies
    # every step is in the audit log, by the resident, without the data
    actions = await h.db(select(AuditEntry.action).where(AuditEntry.actor_id == CITIZEN))
    assert {
        "privacy_view",
        "privacy_withdraw_complaint",
        "privacy_anonymise_complaint",
        "privacy_withdraw_consents",
        "privacy_forget_messages",
        "privacy_delete",
    } <= set(actions)
    assert actions.count("privacy_delete") == 1  # the double press recorded nothing
    details = " ".join(d or "" for d in await h.db(select(AuditEntry.detail)))
    assert "5678" not in details and "폐기물" not in details

    # they can consent and file again
    await h.say(CITIZEN, "/privacy", expect="현재 상태: 동의하지 않음")
    await h.press(CITIZEN, "동의합니다", expect="동의가 기록되었습니다")
