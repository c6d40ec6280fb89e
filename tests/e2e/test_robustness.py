"""Restarts, replays, 429s, double presses and bad input, through the real bot."""

import asyncio

from sqlalchemy import func, select

from workflows.models import Complaint, OutboxMessage
from tests.e2e.harness import ADMIN
from tests.e2e.test_complaint_loop import consent

CITIZEN, OFFICER = 100, 200


async def test_restart_in_the_middle_of_the_form_loses_nothing(harness, fake):
    h = harness
    await consent(h)
    await h.say(CITIZEN, "/complaint", expect="민원 분야")
    await h.press(CITIZEN, "공원·놀이터", expect="무엇이 문제인지")
    await h.say(CITIZEN, "놀이터 그네 사슬이 끊어져 아이들이 다칠 것 같아요.", expect="사진이 있으면")
    await h.say(CITIZEN, photo=True, expect="사진 1/5장")
    await h.restart()
    # the form goes on where it was: the second photo is number 2
    await h.say(CITIZEN, photo=True, expect="사진 2/5장")
    await h.press(CITIZEN, "완료", expect="위치를 알려 주세요")
    await h.say(CITIZEN, "서울 샘플구 자양1동 어린이공원", expect="연락처")
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert len(c.photos) == 2 and c.address == "서울 샘플구 자양1동 어린이공원" and c.phone_enc is None
    assert c.department_code == "PARKS"


async def test_submit_pressed_twice_and_replayed_update_make_one_complaint(harness, fake):
    h = harness
    await consent(h)
    await h.say(CITIZEN, "/complaint", expect="민원 분야")
    await h.press(CITIZEN, "기타", expect="무엇이 문제인지")
    await h.say(CITIZEN, "구청 홈페이지 민원 안내가 오래된 내용입니다.", expect="사진이 있으면")
    await h.press(CITIZEN, "건너뛰기", expect="위치")
    await h.press(CITIZEN, "건너뛰기", expect="연락처")
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    msg_id, data = fake.button(CITIZEN, "제출")
    mark = fake.mark()
    first = fake.callback(CITIZEN, data, message_id=msg_id)
    fake.callback(CITIZEN, data, message_id=msg_id)  # a second tap
    fake.raw_update(first)  # Telegram delivers the first one again
    await fake.wait_text(CITIZEN, "민원이 접수되었습니다", after=mark)
    await fake.wait_text(CITIZEN, "이미 제출된 민원입니다", after=mark)
    await asyncio.sleep(0.3)
    assert await h.db(select(func.count()).select_from(Complaint)) == [1]
    assert sum("민원이 접수되었습니다" in t for t in fake.texts(CITIZEN)) == 1


async def test_429_during_delivery_pauses_and_delivers_once(harness, fake):
    h = harness
    await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(h)
    fake.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=OFFICER)
    await h.say(CITIZEN, "/complaint", expect="민원 분야")
    await h.press(CITIZEN, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(CITIZEN, "음식물 쓰레기 수거함이 넘쳐서 냄새가 심합니다.", expect="사진")
    await h.press(CITIZEN, "건너뛰기", expect="위치")
    await h.press(CITIZEN, "건너뛰기", expect="연락처")
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    card = await fake.wait_text(OFFICER, "새 민원", timeout=8)
    rejected = [r for r in fake.requests if r.method == "sendMessage" and r.status == 429]
    assert len(rejected) == 1 and card.time - rejected[0].time >= 0.95
    assert sum("새 민원" in t for t in fake.texts(OFFICER)) == 1
    q = select(OutboxMessage).where(OutboxMessage.chat_id == OFFICER, OutboxMessage.status == "sent")
    row = (await h.eventually(lambda: h.db(q)))[0]
    assert row.attempts >= 1 and row.telegram_message_id == card.result["message_id"]


async def test_direct_reply_retried_after_429(harness, fake):
    fake.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=CITIZEN)
    reply = await harness.say(CITIZEN, "/help", expect="도움말", timeout=8)
    assert reply.status == 200


async def test_bad_input_gets_a_clear_answer_and_the_form_stays(harness, fake):
    h = harness
    await h.say(CITIZEN, "/complaint", expect="제15조")  # no consent yet: the notice comes first
    await h.press(CITIZEN, "동의합니다", expect="동의가 기록되었습니다")
    await fake.wait_text(CITIZEN, "민원 분야")  # the /complaint asked before consent goes on by itself
    await fake.wait_idle()
    await h.say(CITIZEN, "아무 글", expect="민원 분야를 골라 주세요")  # text instead of a button
    await h.press(CITIZEN, "소음·악취", expect="무엇이 문제인지")
    await h.say(CITIZEN, sticker=True, expect="글로 적어서 보내 주세요")
    await h.say(CITIZEN, photo=True, expect="글로 적어서 보내 주세요")
    await h.say(CITIZEN, "시끄러워요", expect="최소 10자")
    await h.say(CITIZEN, "가" * 2001, expect="2,000자까지")
    await h.say(CITIZEN, "주민번호 900101-1234567 입니다. 소음 신고합니다.", expect="주민등록번호")
    await h.say(CITIZEN, "/nosuchcommand", expect="알 수 없는 명령")
    await h.say(CITIZEN, "새벽마다 공사장 소음이 심해서 잠을 잘 수 없습니다.", expect="사진")
    await h.say(CITIZEN, "사진 대신 글", expect="사진을 보내거나")
    await h.press(CITIZEN, "완료", expect="위치")  # the photo sent at the text step was kept
    await h.say(CITIZEN, "x", expect="2~300자")
    await h.press(CITIZEN, "건너뛰기", expect="연락처")
    await h.say(CITIZEN, "12345", expect="전화번호 형식이 아닙니다")
    await h.say(CITIZEN, "02-123-4567", expect="신청 내용 확인")
    await h.say(CITIZEN, "제출할게요", expect="버튼을 눌러 주세요")
    # edit one field and come back to the summary with the rest kept
    await h.press(CITIZEN, "수정", expect="무엇을 고칠까요")
    await h.press(CITIZEN, "연락처", expect="연락처를 남기시겠어요")
    summary = await h.say(CITIZEN, "010-9876-5432", expect="신청 내용 확인")
    assert "010-****-5432" in summary.params["text"] and "새벽마다" in summary.params["text"]
    # an old button from earlier in the form does nothing harmful
    mark = fake.mark()
    fake.callback(CITIZEN, "cat:road", message_id=1)
    ack = await fake.wait_for(lambda r: r.method == "answerCallbackQuery", after=mark)
    assert "유효하지" in ack.params.get("text", "")
    await h.say(CITIZEN, "/cancel", expect="저장하지 않고 삭제했습니다")
    await h.say(CITIZEN, "/cancel", expect="진행 중인 입력이 없습니다")
    assert await h.db(select(func.count()).select_from(Complaint)) == [0]


async def test_free_text_is_offered_as_a_complaint(harness, fake):
    h = harness
    await consent(h)
    offer = await h.say(CITIZEN, "집 앞 가로등이 고장났어요. 밤에 너무 어두워요.", expect="민원으로 신청할까요")
    assert "도로·보도·가로등" in offer.params["text"]
    await h.press(CITIZEN, "신청", expect="사진이 있으면")  # the sentence is kept as the text
    await h.press(CITIZEN, "건너뛰기", expect="위치")
    await h.press(CITIZEN, "건너뛰기", expect="연락처")
    summary = await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    assert "가로등이 고장났어요" in summary.params["text"] and "건설과" in summary.params["text"]


async def test_admin_commands_validate_arguments(harness, fake):
    h = harness
    await h.say(ADMIN, "/grant", expect="사용법")
    await h.say(ADMIN, "/grant abc officer CLEAN", expect="사용법")
    await h.say(ADMIN, "/grant 5 wizard", expect="알 수 없는 역할")
    await h.say(ADMIN, "/grant 5 officer", expect="부서코드가 필요합니다")
    await h.say(ADMIN, "/grant 5 officer NOPE", expect="없는 부서코드")
    await h.say(ADMIN, "/revoke 5 officer", expect="역할이 없습니다")
    link = await h.say(ADMIN, "/invite officer CLEAN", expect="초대 링크")
    token = link.params["text"].split("start=")[1].split()[0]
    await h.say(300, f"/start {token}", expect="역할이 부여되었습니다")
    await h.say(301, f"/start {token}", expect="이미 사용된 초대 링크")
    await h.say(300, "/inbox", expect="처리할 민원이 없습니다")
    await h.say(301, "/inbox", expect="담당자로 등록된 분만")


async def test_english(harness, fake):
    h = harness
    await h.say(CITIZEN, "/start", expect="civil-service assistant", language_code="en")
    await h.say(CITIZEN, "/help", expect="file a complaint", language_code="en")
    await h.say(CITIZEN, "/language", expect="Choose a language")
    await h.press(CITIZEN, "한국어", expect="한국어로 안내합니다")
    await h.say(CITIZEN, "/help", expect="민원 신청")


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


async def test_form_state_in_redis_survives_a_restart(fake, tmp_path):
    """With REDIS_URL the FSM lives in Redis (several instances); a restart still loses nothing."""
    import uuid

    import pytest

    if not _redis_up():
        pytest.skip("no Redis server on 127.0.0.1:6379")
    from tests.e2e.harness import BotHarness

    db = 1 + uuid.uuid4().int % 14
    h = BotHarness(fake, tmp_path, REDIS_URL=f"redis://127.0.0.1:6379/{db}")
    await h.start()
    try:
        await h.app.dp.storage.redis.flushdb()
        await consent(h)
        await h.say(CITIZEN, "/complaint", expect="민원 분야")
        await h.press(CITIZEN, "불법 주정차", expect="무엇이 문제인지")
        await h.restart()
        await h.say(CITIZEN, "소화전 앞에 매일 밤 차량이 주차되어 있습니다.", expect="사진이 있으면")
        assert await h.app.dp.storage.redis.dbsize() >= 1
    finally:
        await h.stop()
        from redis.asyncio import Redis

        r = Redis.from_url(f"redis://127.0.0.1:6379/{db}")
        await r.flushdb()
        await r.aclose()
