"""Answer templates (workflows/complaints/answer_templates.py) and answer attachments (workflows/complaints/answer_files.py):
limits, one department's templates never another's, soft delete, paging; which files an answer
takes, how they are sent to the resident after the answer, and that retention removes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from workflows.models import AnswerFile, AnswerTemplate, OutboxMessage
from tests.unit.test_complaints_service import CITIZEN, ROADS_1, file, people, who  # noqa: F401
from workflows.complaints import answer_files as af
from workflows.complaints import answer_templates as tpls
from workflows.complaints import service as complaints
from workflows.complaints.answer_files import Attachment
from workflows.complaints.common import ANSWER_MAX, ANSWER_MIN
from workflows.privacy.retention import purge_due

BODY = "요청하신 폐기물을 오늘 오후에 수거했습니다. 감사합니다."


# --- templates ------------------------------------------------------------------------------------


async def test_limits_of_title_and_body(session, svc):
    with pytest.raises(tpls.Invalid) as e:
        await tpls.add(session, svc, "CLEAN", 1, "   ", BODY)
    assert e.value.code == "title_empty"
    with pytest.raises(tpls.Invalid) as e:
        await tpls.add(session, svc, "CLEAN", 1, "가" * 61, BODY)
    assert (e.value.code, e.value.n) == ("title_long", 61)
    with pytest.raises(tpls.Invalid) as e:
        await tpls.add(session, svc, "CLEAN", 1, "짧은 답", "가" * (ANSWER_MIN - 1))
    assert e.value.code == "body_short"
    with pytest.raises(tpls.Invalid) as e:
        await tpls.add(session, svc, "CLEAN", 1, "긴 답", "가" * (ANSWER_MAX + 1))
    assert (e.value.code, e.value.n) == ("body_long", ANSWER_MAX + 1)
    ok = await tpls.add(session, svc, "CLEAN", 1, "  수거   완료 ", "가" * ANSWER_MAX)
    assert ok.title == "수거 완료" and ok.created_at == svc.now() and await tpls.count(session, "CLEAN") == 1
    assert (await tpls.add(session, svc, "CLEAN", 1, "가" * 60, "나" * ANSWER_MIN)).title == "가" * 60
    with pytest.raises(tpls.Invalid) as e:  # the same title twice in one department
        await tpls.add(session, svc, "CLEAN", 2, "수거 완료", BODY)
    assert e.value.code == "title_taken"
    assert (await tpls.add(session, svc, "ROADS", 3, "수거 완료", BODY)).department_code == "ROADS"


async def test_another_departments_or_a_deleted_template_is_not_found(session, svc):
    clean = await tpls.add(session, svc, "CLEAN", 1, "수거 완료", BODY)
    roads = await tpls.add(session, svc, "ROADS", 2, "보수 완료", "파인 곳을 오늘 보수했습니다. 감사합니다.")
    await session.commit()
    assert (await tpls.get(session, "CLEAN", clean.id)).body == BODY
    for dept, tid in (("CLEAN", roads.id), ("ROADS", clean.id), (None, clean.id), ("CLEAN", 0), ("CLEAN", 10**6)):
        with pytest.raises(tpls.NotFound):
            await tpls.get(session, dept, tid)
    with pytest.raises(tpls.NotFound):  # a forged delete of the other department's template
        await tpls.remove(session, svc, "CLEAN", roads.id)
    assert (await session.get(AnswerTemplate, roads.id)).deleted_at is None

    svc.clock.at += timedelta(hours=1)
    gone = await tpls.remove(session, svc, "CLEAN", clean.id)
    await session.commit()
    assert gone.deleted_at == svc.now()  # soft delete: the row stays
    with pytest.raises(tpls.NotFound):
        await tpls.get(session, "CLEAN", clean.id)
    assert await tpls.count(session, "CLEAN") == 0
    assert (await tpls.add(session, svc, "CLEAN", 1, "수거 완료", BODY)).id != clean.id  # the title is free again


async def test_pages_by_title_and_the_department_limit(session, svc, monkeypatch):
    for i in range(19):
        await tpls.add(session, svc, "CLEAN", 1, f"템플릿 {i:02d}", BODY)
    await tpls.add(session, svc, "ROADS", 2, "다른 부서", BODY)
    first = await tpls.page(session, "CLEAN", 0)
    assert (first.total, first.pages, first.page) == (19, 3, 0)
    assert [x.title for x in first.items] == [f"템플릿 {i:02d}" for i in range(8)]
    last = await tpls.page(session, "CLEAN", 99)  # clamped to the last page
    assert last.page == 2 and [x.title for x in last.items] == ["템플릿 16", "템플릿 17", "템플릿 18"]
    assert (await tpls.page(session, "WELFARE", 0)).total == 0
    monkeypatch.setattr(tpls, "MAX_PER_DEPARTMENT", 19)
    with pytest.raises(tpls.Invalid) as e:
        await tpls.add(session, svc, "CLEAN", 1, "하나 더", BODY)
    assert e.value.code == "too_many"


# --- attachments ----------------------------------------------------------------------------------


def photo(n: int) -> Attachment:
    return Attachment(af.PHOTO, f"AgACphoto{n}", f"AQADphoto{n}")


def doc(n: int, name: str) -> Attachment:
    return Attachment(af.DOCUMENT, f"BQACdoc{n}", f"AgADdoc{n}", name)


@pytest.mark.parametrize(
    "name, mime",
    [
        ("회신.pdf", "application/pdf"),
        ("공문.HWP", None),
        ("공문.hwpx", ""),
        ("안내.docx", None),
        ("목록.xlsx", None),
        ("사진.JPG", None),
        ("사진.png", "image/png"),
        (None, "application/pdf"),
        (None, "application/x-hwp"),
    ],
)
def test_office_documents_are_taken(name, mime):
    assert af.add([], doc(1, name), kind=af.DOCUMENT, mime_type=mime, file_name=name) == [doc(1, name)]


@pytest.mark.parametrize(
    "name, mime",
    [
        ("setup.exe", "application/x-msdownload"),
        ("묶음.zip", "application/zip"),
        (None, "application/octet-stream"),
        ("영상.mp4", "video/mp4"),
    ],
)
def test_other_documents_are_refused(name, mime):
    with pytest.raises(af.Refused) as e:
        af.add([], doc(1, name), kind=af.DOCUMENT, mime_type=mime, file_name=name)
    assert e.value.code == "type"
    assert "붙이지 않았습니다" in af.refusal_text("ko", e.value)


@pytest.mark.parametrize(
    "kind, word",
    [
        ("video", "동영상"),
        ("voice", "음성 메시지"),
        ("sticker", "스티커"),
        ("animation", "GIF"),
        ("video_note", "동영상 메시지"),
        ("audio", "오디오"),
    ],
)
def test_videos_voice_and_stickers_are_refused(kind, word):
    with pytest.raises(af.Refused) as e:
        af.add([], None, kind=kind)
    assert e.value.code == "kind" and word in af.refusal_text("ko", e.value)


def test_at_most_five_and_never_the_same_file_twice():
    files = [photo(1), photo(2), doc(3, "a.pdf"), doc(4, "b.hwp")]
    files = af.add(files, photo(5), kind=af.PHOTO)
    assert len(files) == af.MAX_FILES == 5
    with pytest.raises(af.Refused) as e:
        af.add(files, photo(6), kind=af.PHOTO)
    assert e.value.code == "full" and "5개까지" in af.refusal_text("ko", e.value)
    with pytest.raises(af.Refused) as e:
        af.add(files[:2], photo(1), kind=af.PHOTO)
    assert e.value.code == "same"
    assert Attachment.from_data(doc(3, "a.pdf").as_data()) == doc(3, "a.pdf")  # kept in the form's data


def test_photos_and_documents_go_as_separate_albums_with_one_caption():
    cap = af.caption("ko", "2026-000001", 3)
    sends = af.sends([photo(1), doc(2, "a.pdf"), photo(3)], cap)
    assert [m for m, _ in sends] == ["sendMediaGroup", "sendDocument"]
    media = sends[0][1]["media"]
    assert [(m["type"], m["media"]) for m in media] == [("photo", "AgACphoto1"), ("photo", "AgACphoto3")]
    assert media[0]["caption"] == cap and "caption" not in media[1]
    assert sends[1][1] == {"document": "BQACdoc2", "caption": cap, "parse_mode": "HTML"}
    assert [m for m, _ in af.sends([photo(1)], cap)] == ["sendPhoto"]
    two_docs = af.sends([doc(1, "a.pdf"), doc(2, "b.xlsx")], cap)
    assert [(m, [x["type"] for x in p["media"]]) for m, p in two_docs] == [("sendMediaGroup", ["document", "document"])]
    assert af.sends([], cap) == []


def test_summary_names_the_files_escaped():
    assert "첨부 없음" in af.summary("ko", [])
    line = af.summary("ko", [photo(1), doc(2, "<회신>.pdf")])
    assert "첨부 2개: 1. 사진, 2. &lt;회신&gt;.pdf" in line and "3개 더" in line
    assert "more" not in af.summary("en", [photo(i) for i in range(5)])


async def test_sent_with_the_answer_after_it_and_removed_by_retention(session, svc, clock, people):
    c = await file(session, svc, "road")
    p = await who(session, ROADS_1)
    await complaints.answer(session, svc, p, c, "가로등을 교체했습니다. 확인 부탁드립니다.")
    rows = await af.save_and_send(session, c, [photo(1), doc(2, "회신.pdf"), photo(3)])
    await session.commit()
    assert [(r.position, r.kind) for r in rows] == [(0, "photo"), (1, "document"), (2, "photo")]
    to_resident = [
        r
        for r in (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.chat_id == CITIZEN).order_by(OutboxMessage.id)
            )
        )
    ]
    assert [r.method for r in to_resident[-3:]] == ["sendMessage", "sendMediaGroup", "sendDocument"]
    assert "답변" in to_resident[-3].payload["text"] and c.receipt_no in to_resident[-1].payload["caption"]
    assert [x.file_id for x in await af.files_of(session, c.id)] == ["AgACphoto1", "BQACdoc2", "AgACphoto3"]

    # the resident reopens; a second answer's files come after the first's
    await complaints.citizen_reopen(session, svc, (await who(session, CITIZEN)), c, "아직 어둡습니다. 다시 봐 주세요.")
    await complaints.answer(session, svc, p, c, "안정기까지 교체했습니다. 감사합니다.")
    again = await af.save_and_send(session, c, [doc(4, "결과.hwp")])
    await session.commit()
    assert [r.position for r in again] == [3] and await af.count_of(session, c.id) == 4

    # closed, then anonymised a year later: the files go with the answer text
    await complaints.citizen_close(session, svc, await who(session, CITIZEN), c)
    await session.commit()
    await purge_due(session, svc, svc.retention, c.closed_at + timedelta(days=366))
    assert await session.scalar(select(func.count()).select_from(AnswerFile)) == 0
