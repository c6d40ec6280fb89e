"""Working the case with the resident (issue 16 §4) through the real bot and the fake Bot API:
answers that carry photos and documents, the department's saved answer templates, an answer
started from a group card finished in the private chat, and an officer's photo outside any form."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from workflows.models import AnswerFile, AnswerTemplate, Complaint
from tests.e2e.harness import ADMIN, BotHarness, district_with_groups
from tests.e2e.test_complaint_loop import consent, file_complaint

CITIZEN, CLEAN_1, CLEAN_2, ROADS_1, STRANGER = 100, 200, 201, 300, 400
GROUP = -1001000000999  # 청소행정과's group chat
TEXT = "댁 앞 대형 폐기물을 오늘 오후에 수거했습니다. 사진과 회신 공문을 첨부합니다."


async def officers(h) -> None:
    for uid, dept in ((CLEAN_1, "CLEAN 김민수"), (CLEAN_2, "CLEAN 이영희"), (ROADS_1, "ROADS 최도로")):
        await h.say(ADMIN, f"/grant {uid} officer {dept}", expect="역할을 부여했습니다")
        await h.say(uid, "/settings", expect="새 민원 알림")  # each has started the bot


async def filed(h, fake) -> Complaint:
    await consent(h)
    await file_complaint(h, photo=False, location=False)
    c = (await h.db(select(Complaint).where(Complaint.citizen_id == CITIZEN).order_by(Complaint.id.desc())))[0]
    for officer in (CLEAN_1, CLEAN_2):
        await fake.wait_text(officer, f"새 민원 {c.receipt_no}")
    return c


def after(fake, mark: int, chat: int) -> list:
    return [
        c
        for c in fake.requests[mark:]
        if c.status == 200
        and c.params.get("chat_id") == chat
        and c.method in ("sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup")
    ]


async def test_an_answer_with_two_photos_and_a_pdf_reaches_the_resident_text_first(harness, fake):
    h = harness
    await officers(h)
    c = await filed(h, fake)
    await h.press(CLEAN_1, "답변", expect="답변을 적어 주세요")
    preview = await h.say(CLEAN_1, TEXT, expect="답변 미리보기")
    assert "첨부 없음" in preview.params["text"] and "최대 5개" in preview.params["text"]

    # a video, a voice message, a sticker: refused, the form stays at the preview
    await h.say(CLEAN_1, video=True, expect="동영상은 붙이지 않았습니다")
    await h.say(CLEAN_1, sticker=True, expect="스티커는 붙이지 않았습니다")
    await h.say(
        CLEAN_1,
        document={"file_name": "setup.exe", "mime_type": "application/x-msdownload"},
        expect=".exe 파일은 붙이지 않았습니다",
    )
    sent = [
        await send(fake, CLEAN_1, "첨부 1/5: 사진", photo=True),
        await send(fake, CLEAN_1, "첨부 2/5: 사진", photo=True, caption="현장 사진"),
    ]
    caption_note = fake.sent(CLEAN_1)[-1].params["text"]
    assert "캡션" in caption_note  # the caption is not silently taken as (or dropped from) the answer
    sent.append(
        await send(
            fake,
            CLEAN_1,
            "첨부 3/5: 회신 공문.pdf",
            document={"file_name": "회신 공문.pdf", "mime_type": "application/pdf", "file_size": 2_400_000},
        )
    )
    photos = [u["message"]["photo"][-1]["file_id"] for u in sent[:2]]
    pdf = [sent[2]["message"]["document"]["file_id"]]

    # 다시 쓰기 keeps the attachments
    await h.press(CLEAN_1, "미리보기", expect="첨부 3개")
    await h.press(CLEAN_1, "다시 쓰기", expect="답변을 적어 주세요")
    again = await h.say(CLEAN_1, TEXT + " 불편을 드려 죄송합니다.", expect="답변 미리보기")
    assert "첨부 3개: 1. 사진, 2. 사진, 3. 회신 공문.pdf" in again.params["text"]
    mark = fake.mark()
    await h.press(CLEAN_1, "보내기 (첨부 3개)", expect="답변을 보냈습니다")

    # the resident: the answer, then the two photos as one album, then the PDF
    await fake.wait_for(lambda x: x.method == "sendDocument" and x.params.get("chat_id") == CITIZEN, after=mark)
    got = after(fake, mark, CITIZEN)
    assert [x.method for x in got] == ["sendMessage", "sendMediaGroup", "sendDocument"]
    assert "불편을 드려 죄송합니다" in got[0].params["text"]
    assert [m["media"] for m in got[1].params["media"]] == photos
    assert all(m["type"] == "photo" for m in got[1].params["media"])
    assert c.receipt_no in got[1].params["media"][0]["caption"] and "3개" in got[1].params["media"][0]["caption"]
    assert got[2].params["document"] == pdf[0]
    rows = await h.db(select(AnswerFile).where(AnswerFile.complaint_id == c.id).order_by(AnswerFile.position))
    assert [(r.kind, r.file_name) for r in rows] == [("photo", None), ("photo", None), ("document", "회신 공문.pdf")]

    # the officer who opens it again sees them too
    offered = await h.say(CLEAN_1, f"/find {c.receipt_no}", expect="첨부 3개가 있습니다")
    await fake.wait_text(CLEAN_1, f"<b>{c.receipt_no}</b>")  # the card, last
    msg_id, data = fake.button(offered, "첨부 다시 받기")
    mark = fake.mark()
    fake.callback(CLEAN_1, data, message_id=msg_id)
    await fake.wait_for(lambda x: x.method == "sendDocument" and x.params.get("chat_id") == CLEAN_1, after=mark)
    # /status offers them again
    await h.say(CITIZEN, "/status", expect="내 민원")
    await h.press(CITIZEN, c.receipt_no, expect="첨부 3개가 있습니다")
    mark = fake.mark()
    await h.press(CITIZEN, "첨부 다시 받기")
    await fake.wait_for(lambda x: x.method == "sendDocument" and x.params.get("chat_id") == CITIZEN, after=mark)
    assert [x.method for x in after(fake, mark, CITIZEN)] == ["sendMediaGroup", "sendDocument"]
    # a stranger's forged press gets nothing
    await consent(h, STRANGER)
    mark = fake.mark()
    fake.callback(STRANGER, f"arf:{c.id}", message_id=1)
    alert = await fake.wait_for(lambda x: x.method == "answerCallbackQuery", after=mark)
    assert "찾을 수 없습니다" in alert.params["text"] and not after(fake, mark, STRANGER)


async def send(fake, user: int, expect: str, **message) -> dict:
    """``user`` sends a file; returns the update (its file ids) once the bot has answered ``expect``."""
    mark = fake.mark()
    update = fake.message(user, **message)
    await fake.wait_text(user, expect, after=mark)
    return update


async def test_a_sixth_file_is_refused_and_one_can_be_removed(harness, fake):
    h = harness
    await officers(h)
    c = await filed(h, fake)
    await h.press(CLEAN_1, "답변", expect="답변을 적어 주세요")
    # a file before the text is kept too; then the text
    await h.say(CLEAN_1, photo=True, expect="첨부 1/5: 사진")
    await h.say(CLEAN_1, TEXT, expect="첨부 1개")
    for i, name in enumerate(("공문.hwp", "목록.xlsx", "안내.docx", "현장.jpg"), 2):
        await h.say(
            CLEAN_1, document={"file_name": name, "mime_type": "application/octet-stream"}, expect=f"첨부 {i}/5: {name}"
        )
    await h.say(CLEAN_1, photo=True, expect="첨부는 5개까지입니다")
    await h.press(CLEAN_1, "미리보기", expect="첨부 5개")
    await h.press(CLEAN_1, "첨부 빼기", expect="뺄 첨부를 고르세요")
    await h.press(CLEAN_1, "3. 목록.xlsx", expect="첨부 4개: 1. 사진, 2. 공문.hwp, 3. 안내.docx, 4. 현장.jpg")
    # the old removal list is stale now (the attachments changed)
    msg_id, data = fake.button(
        next(x for x in reversed(fake.sent(CLEAN_1)) if "뺄 첨부" in x.params.get("text", "")), "모두 빼기"
    )
    mark = fake.mark()
    fake.callback(CLEAN_1, data, message_id=msg_id)
    alert = await fake.wait_for(lambda x: x.method == "answerCallbackQuery", after=mark)
    assert "유효하지 않습니다" in alert.params["text"]
    mark = fake.mark()
    await h.press(CLEAN_1, "보내기 (첨부 4개)", expect="답변을 보냈습니다")
    await fake.wait_for(
        lambda x: (
            x.method == "sendMediaGroup"
            and x.params.get("chat_id") == CITIZEN
            and x.params["media"][0]["type"] == "document"
        ),
        after=mark,
    )
    got = after(fake, mark, CITIZEN)
    assert [x.method for x in got] == ["sendMessage", "sendPhoto", "sendMediaGroup"]
    assert [m["type"] for m in got[2].params["media"]] == ["document"] * 3
    assert len(await h.db(select(AnswerFile).where(AnswerFile.complaint_id == c.id))) == 4


async def test_templates_kept_used_and_deleted_per_department(harness, fake):
    h = harness
    await officers(h)
    c = await filed(h, fake)
    await h.say(STRANGER, "/templates", expect="담당자로 등록된 분만")

    await h.say(CLEAN_1, "/templates", expect="아직 없습니다")
    await h.press(CLEAN_1, "새 템플릿", expect="제목을 적어 주세요")
    await h.say(CLEAN_1, "가" * 61, expect="60자까지입니다 (지금 61자)")
    await h.say(CLEAN_1, photo=True, expect="글로 적어")
    await h.say(CLEAN_1, "[내부] 대형폐기물 수거 완료", expect="답변 글을 적어 주세요")
    await h.say(CLEAN_1, "짧아요", expect="너무 짧습니다")
    mark = fake.mark()
    await h.say(
        CLEAN_1,
        "신고하신 대형 폐기물을 수거했습니다. 앞으로도 불편 사항을 알려 주세요.",
        expect="템플릿을 저장했습니다",
    )
    listed = (await fake.wait_text(CLEAN_1, "답변 템플릿</b> 1개", after=mark)).params["text"]
    assert "[내부] 대형폐기물 수거 완료" in listed
    await h.press(CLEAN_1, "새 템플릿", expect="제목을 적어 주세요")
    await h.say(CLEAN_1, "[내부] 대형폐기물 수거 완료", expect="답변 글을 적어 주세요")
    await h.say(CLEAN_1, "같은 제목으로 두 번째 템플릿을 저장해 봅니다.", expect="같은 제목의 템플릿이 이미 있습니다")
    await h.say(CLEAN_1, "[내부] 무단투기 단속 안내", expect="답변 글을 적어 주세요")
    await h.say(CLEAN_1, "무단투기 단속 구역으로 지정하고 CCTV 설치를 검토하겠습니다.", expect="템플릿을 저장했습니다")
    # another department sees none of them, and keeps its own
    await h.say(ROADS_1, "/templates", expect="아직 없습니다")
    await h.press(ROADS_1, "새 템플릿", expect="제목을 적어 주세요")
    await h.say(ROADS_1, "보수 완료", expect="답변 글을 적어 주세요")
    await h.say(ROADS_1, "파인 도로를 오늘 보수했습니다. 감사합니다.", expect="템플릿을 저장했습니다")
    roads = await h.one(AnswerTemplate, department_code="ROADS")
    clean = await h.one(AnswerTemplate, title="[내부] 대형폐기물 수거 완료")

    # used in the answer form: the text goes into the preview, the officer sends it
    card = next(x for x in fake.sent(CLEAN_1) if f"새 민원 {c.receipt_no}" in x.params.get("text", ""))
    msg_id, data = fake.button(card, "답변")
    mark = fake.mark()
    fake.callback(CLEAN_1, data, message_id=msg_id)
    await fake.wait_text(CLEAN_1, "답변을 적어 주세요", after=mark)
    await h.press(CLEAN_1, "템플릿", expect="청소행정과 답변 템플릿</b> 2개")
    # a forged button with the other department's template: refused, the form unchanged
    mark = fake.mark()
    fake.callback(CLEAN_1, f"at:{c.id}:{roads.id}:0", message_id=1)
    alert = await fake.wait_for(lambda x: x.method == "answerCallbackQuery", after=mark)
    assert "이 부서의 템플릿이 아니거나" in alert.params["text"] and alert.params.get("show_alert")
    preview = await h.press(CLEAN_1, "대형폐기물 수거 완료", expect="답변 미리보기")
    assert "신고하신 대형 폐기물을 수거했습니다" in preview.params["text"]
    assert "[내부]" not in preview.params["text"].split("</b>", 1)[1]  # the title is not part of the answer
    mark = fake.mark()
    await h.press(CLEAN_1, "보내기", expect="답변을 보냈습니다")
    pushed = await fake.wait_text(CITIZEN, "신고하신 대형 폐기물을 수거했습니다", after=mark)
    assert not any("[내부]" in x for x in fake.texts(CITIZEN)), pushed.params["text"]
    assert (await h.one(Complaint, id=c.id)).answer_text.startswith("신고하신 대형 폐기물을")

    # deleted with a confirmation; a forged delete of the other department's template refused
    mark = fake.mark()
    fake.callback(CLEAN_1, f"tpl:y:{roads.id}:0", message_id=1)
    alert = await fake.wait_for(lambda x: x.method == "answerCallbackQuery", after=mark)
    assert "이 부서의 템플릿이 아니거나" in alert.params["text"]
    assert (await h.one(AnswerTemplate, id=roads.id)).deleted_at is None
    await h.say(CLEAN_1, "/templates", expect="2개")
    await h.press(CLEAN_1, "대형폐기물 수거 완료", expect="신고하신 대형 폐기물을")
    await h.press(CLEAN_1, "삭제", expect="템플릿을 삭제할까요")
    await h.press(CLEAN_1, "취소", expect="삭제하지 않았습니다")
    assert (await h.one(AnswerTemplate, id=clean.id)).deleted_at is None
    await h.press(CLEAN_1, "목록", expect="2개")
    await h.press(CLEAN_1, "대형폐기물 수거 완료", expect="신고하신 대형 폐기물을")
    await h.press(CLEAN_1, "삭제", expect="템플릿을 삭제할까요")
    mark = fake.mark()
    await h.press(CLEAN_1, "삭제합니다", expect="템플릿을 삭제했습니다")
    assert (await h.one(AnswerTemplate, id=clean.id)).deleted_at is not None
    listed = (await fake.wait_text(CLEAN_1, "답변 템플릿</b> 1개", after=mark)).params["text"]
    assert "수거 완료" not in listed and "무단투기 단속 안내" in listed
    # the deleted one's old buttons find nothing
    mark = fake.mark()
    fake.callback(CLEAN_1, f"tpl:v:{clean.id}:0", message_id=1)
    alert = await fake.wait_for(lambda x: x.method == "answerCallbackQuery", after=mark)
    assert "이미 삭제되었습니다" in alert.params["text"]


@pytest.fixture
async def grouped(fake, tmp_path):
    """The bot with 청소행정과's group chat."""
    h = BotHarness(fake, tmp_path, **district_with_groups(tmp_path, {"CLEAN": GROUP}))
    await h.start()
    yield h
    await h.stop()


async def press_in_group(fake, user: int, data: str, card) -> object:
    mark = fake.mark()
    fake.callback(user, data, message_id=card.result["message_id"], chat_id=GROUP)
    return await fake.wait_for(lambda x: x.method == "answerCallbackQuery", after=mark), mark


async def test_an_answer_pressed_in_the_group_is_written_in_the_private_chat(grouped, fake):
    h = grouped
    await officers(h)
    c = await filed(h, fake)
    card = await fake.wait_text(GROUP, f"새 민원 {c.receipt_no}")
    await fake.wait_idle()

    # an officer the bot cannot write to (never started it): a link in the group, nothing else
    fake.fail_next(
        "sendMessage",
        error_code=403,
        chat_id=CLEAN_2,
        description="Forbidden: bot can't initiate conversation with a user",
    )
    alert, mark = await press_in_group(fake, CLEAN_2, f"op:answer:{c.id}", card)
    assert "1:1 대화로 보낼 수 없었습니다" in alert.params["text"]
    reply = await fake.wait_text(GROUP, "1:1 대화에서 합니다", after=mark)
    button = reply.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == f"https://t.me/minwon_test_bot?start=ans_{c.receipt_no}"
    assert (await h.one(Complaint, id=c.id)).state == "received"  # nothing was started

    # a stranger in the group: refused
    alert, _ = await press_in_group(fake, STRANGER, f"op:answer:{c.id}", card)
    assert "다른 부서의 민원" in alert.params["text"]

    # a reachable officer: the form opens in their private chat
    alert, mark = await press_in_group(fake, CLEAN_1, f"op:answer:{c.id}", card)
    assert "1:1 대화에" in alert.params["text"] and "양식을 열었습니다" in alert.params["text"]
    await fake.wait_text(CLEAN_1, "그룹 대화에서 누르신", after=mark)
    await fake.wait_text(CLEAN_1, "답변을 적어 주세요", after=mark)
    await h.say(CLEAN_1, TEXT, expect="답변 미리보기")
    await h.say(CLEAN_1, document={"file_name": "회신.pdf", "mime_type": "application/pdf"}, expect="첨부 1/5")
    mark = fake.mark()
    await h.press(CLEAN_1, "보내기 (첨부 1개)", expect="답변을 보냈습니다")
    await fake.wait_for(lambda x: x.method == "sendDocument" and x.params.get("chat_id") == CITIZEN, after=mark)
    c = await h.one(Complaint, id=c.id)
    assert c.state == "answered" and c.answered_by == CLEAN_1
    await fake.wait_idle()
    posted = " ".join(x.params.get("text", "") for x in fake.sent(GROUP))
    assert "수거했습니다" not in posted and "폐기물이 일주일째" not in posted and not fake.sent(GROUP, "sendDocument")

    # the card's button again, now that it is answered: said at once, nothing sent anywhere
    alert, mark = await press_in_group(fake, CLEAN_2, f"op:answer:{c.id}", card)
    assert (
        "할 수 없는 처리입니다" in alert.params["text"]
        and not after(fake, mark, CLEAN_2)
        and not after(fake, mark, GROUP)
    )
    # the link left in the group, once the other officer opened the bot: the rights are checked again
    await h.say(CLEAN_2, f"/start ans_{c.receipt_no}", expect="할 수 없는 처리입니다")
    await h.say(ROADS_1, f"/start ans_{c.receipt_no}", expect="찾을 수 없습니다")


async def test_the_group_link_opens_the_answer_form_and_other_actions_open_the_card(grouped, fake):
    h = grouped
    await officers(h)
    c = await filed(h, fake)
    card = await fake.wait_text(GROUP, f"새 민원 {c.receipt_no}")
    await h.say(CLEAN_2, f"/start ans_{c.receipt_no}", expect="답변을 적어 주세요")
    assert (await h.one(Complaint, id=c.id)).officer_id == CLEAN_2
    # a colleague pressing 반려 in the group gets the card in private, and is told who has it
    alert, mark = await press_in_group(fake, CLEAN_1, f"op:reject:{c.id}", card)
    assert "양식을 열었습니다" in alert.params["text"]
    await fake.wait_text(CLEAN_1, "[반려] 버튼을 누르셨습니다", after=mark)
    await fake.wait_text(CLEAN_1, f"<b>{c.receipt_no}</b>", after=mark)
    # and 답변 in the group: in private, the colleague is named, with 넘겨받기
    alert, mark = await press_in_group(fake, CLEAN_1, f"op:answer:{c.id}", card)
    # (the card copies rewritten by the take also name her: wait for the answer to this press)
    await fake.wait_for(
        lambda c: (
            c.params.get("chat_id") == CLEAN_1
            and "이영희" in c.params.get("text", "")
            and "넘겨받기" in json.dumps(c.params.get("reply_markup"), ensure_ascii=False)
        ),
        after=mark,
    )
    await h.say(CLEAN_2, TEXT, expect="답변 미리보기")
    await h.press(CLEAN_2, "보내기", expect="답변을 보냈습니다")
    await fake.wait_text(CITIZEN, "사진과 회신 공문을 첨부합니다")


async def test_an_officers_photo_outside_a_form(harness, fake):
    h = harness
    await officers(h)
    await consent(h, CLEAN_1)
    said = await h.say(CLEAN_1, photo=True, expect="답변에 사진이나 문서를 붙이려면")
    assert "[답변]" in said.params["text"] and "새 민원을 신청" in said.params["text"]
    offer = await fake.wait_text(CLEAN_1, "이 사진으로 민원을 신청할까요")
    assert "사진 1장 첨부" in offer.params["text"]
    # a PDF: only how to attach it to an answer (it is no complaint photo)
    mark = fake.mark()
    await h.say(
        CLEAN_1,
        document={"file_name": "회신.pdf", "mime_type": "application/pdf"},
        expect="답변에 사진이나 문서를 붙이려면",
    )
    await fake.wait_idle()
    assert not any("이 형식" in x for x in (c.params.get("text", "") for c in after(fake, mark, CLEAN_1)))
    # a resident's photo is still offered as a complaint, with no word about answers
    said = await h.say(CITIZEN, photo=True, expect="이 사진으로 민원을 신청할까요")
    assert "답변에" not in said.params["text"]
    # the officer may still file it as their own complaint
    await h.press(CLEAN_1, "다른 분야", expect="분야")


async def test_many_templates_page_in_the_answer_form(harness, fake):
    h = harness
    await officers(h)
    c = await filed(h, fake)
    async with h.app.sessionmaker() as s:
        s.add_all(
            [
                AnswerTemplate(
                    department_code="CLEAN",
                    title=f"안내 {i:02d}",
                    created_by=CLEAN_1,
                    body=f"{i}번 안내 문구입니다. 확인 부탁드립니다.",
                )
                for i in range(10)
            ]
        )
        await s.commit()
    await h.press(CLEAN_1, "답변", expect="답변을 적어 주세요")
    listed = await h.press(CLEAN_1, "템플릿", expect="템플릿</b> 10개 (1/2쪽)")
    labels = [b["text"] for row in listed.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [f"안내 {i:02d}" for i in range(8)] + ["다음 ▶"]
    # "다음" on the list itself: the case card (an earlier message) may be edited after the list
    # was sent, and the harness's press takes the chat's last message with buttons
    msg_id, data = fake.button(listed, "다음")
    mark = fake.mark()
    fake.callback(CLEAN_1, data, message_id=msg_id)
    edited = await fake.wait_for(lambda x: x.method == "editMessageText" and "(2/2쪽)" in x.params["text"], after=mark)
    assert edited.params["message_id"] == listed.result["message_id"]  # the list pages in place
    msg_id, data = fake.button(edited, "안내 09")
    mark = fake.mark()
    fake.callback(CLEAN_1, data, message_id=msg_id)
    preview = await fake.wait_text(CLEAN_1, "답변 미리보기", after=mark)
    assert "9번 안내 문구입니다" in preview.params["text"] and c.receipt_no in preview.params["text"]
