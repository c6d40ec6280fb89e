"""Through the real bot: role changes and officers' views of personal data land in the audit log,
an admin exports it with /audit (others are refused), and the complaint form's photo step refuses
videos, PDFs, disguised and oversized files — taking an image sent as a file as a photo — while
the form carries on."""

import io

from openpyxl import load_workbook
from sqlalchemy import select

from workflows.models import AuditEntry, Complaint
from tests.e2e.harness import ADMIN
from tests.e2e.test_complaint_loop import consent

CITIZEN, OFFICER = 100, 200
MB = 1024 * 1024
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 2000


async def start_photo_step(h, user_id=CITIZEN):
    await h.say(user_id, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(user_id, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(user_id, "골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다.", expect="사진이 있으면")


async def test_audit_log_and_its_export(harness, fake):
    h = harness
    await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(h)
    await start_photo_step(h)
    await h.say(CITIZEN, photo=True, expect="사진 1/5장")
    await h.press(CITIZEN, "완료", expect="위치를 알려 주세요")
    await h.say(CITIZEN, location=(37.5384, 127.0823), expect="연락처를 남기시겠어요")
    await h.say(CITIZEN, "010 1234 5678", expect="신청 내용 확인")
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    c = await h.one(Complaint, citizen_id=CITIZEN)

    # the officer opens the card (with the phone) and the photos and place
    await fake.wait_text(OFFICER, f"새 민원 {c.receipt_no}")
    card = await h.say(OFFICER, f"/find {c.receipt_no}", expect=f"<b>{c.receipt_no}</b> · ")
    assert "010-1234-5678" in card.params["text"]
    mark = fake.mark()
    await h.press(OFFICER, "사진·위치", expect=None)
    await fake.wait_for(lambda call: call.method == "sendLocation" and call.params["chat_id"] == OFFICER, after=mark)
    rows = await h.db(select(AuditEntry).order_by(AuditEntry.id))
    assert [(e.action, e.actor_id) for e in rows] == [
        ("role_grant", ADMIN),
        ("complaint_view", OFFICER),
        ("complaint_media", OFFICER),
    ]
    assert rows[1].subject_id == c.receipt_no and rows[1].detail == "dept=CLEAN via=find contact=yes"

    # not an admin: the same refusal as /grant; and the command is not offered to them
    await h.say(OFFICER, "/audit", expect="권한이 없습니다")
    await h.say(CITIZEN, "/audit 7", expect="권한이 없습니다")
    help_admin = await h.say(ADMIN, "/help", expect="도움말")
    assert "/audit" in help_admin.params["text"]
    assert "/audit" not in (await h.say(OFFICER, "/help", expect="도움말")).params["text"]
    # bad arguments
    for bad in ("/audit abc", "/audit 0", "/audit 400", "/audit 7 8"):
        await h.say(ADMIN, bad, expect="사용법: /audit")

    mark = fake.mark()
    summary = await h.say(ADMIN, "/audit", expect="감사 로그")
    text = summary.params["text"]
    assert "최근 30일" in text and "총 3건" in text and "민원 카드 열람" in text and "complaint_media" in text
    doc = await fake.wait_for(
        lambda call: call.method == "sendDocument" and call.params["chat_id"] == ADMIN and call.status == 200,
        after=mark,
    )
    upload = doc.params["document"]
    assert upload.filename.startswith("audit-") and upload.filename.endswith(".xlsx")
    assert "이 내보내기도 기록됩니다" in doc.params["caption"]
    wb = load_workbook(io.BytesIO(upload.content))
    cells = [row for row in wb["감사 로그"].iter_rows(values_only=True)][1:]
    assert [r[4] for r in cells] == ["role_grant", "complaint_view", "complaint_media"]
    flat = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert c.receipt_no in flat and "5678" not in flat and "폐기물" not in flat
    # the export is on record; a second export shows it
    last = (await h.db(select(AuditEntry).order_by(AuditEntry.id.desc())))[0]
    assert (last.action, last.actor_id, last.detail) == ("audit_export", ADMIN, "days=30 rows=3 total=3")
    again = await h.say(ADMIN, "/audit 1", expect="감사 로그")
    assert "총 4건" in again.params["text"] and "audit_export" in again.params["text"]


async def test_photo_step_refuses_other_files_and_takes_an_image_file_as_a_photo(harness, fake):
    h = harness
    await consent(h)
    await start_photo_step(h)

    refused = await h.say(CITIZEN, video=True, expect="받을 수 없습니다")
    assert "동영상" in refused.params["text"] and "JPEG" in refused.params["text"]
    # the step's buttons stay at hand (no photo yet: the only one is to go on without photos)
    assert "건너뛰기" in str(refused.params["reply_markup"])
    pdf = await h.say(
        CITIZEN,
        document={"file_name": "민원.pdf", "mime_type": "application/pdf", "content": b"%PDF-1.7\n..."},
        expect="받을 수 없습니다",
    )
    assert ".pdf 파일" in pdf.params["text"]
    await h.say(
        CITIZEN,
        document={"file_name": "setup.exe", "mime_type": "application/x-msdownload", "file_size": 40_000},
        expect=".exe 파일",
    )
    big = await h.say(
        CITIZEN,
        document={"file_name": "IMG_0001.JPG", "mime_type": "image/jpeg", "file_size": 15 * MB},
        expect="파일이 너무 큽니다",
    )
    assert "15MB" in big.params["text"] and "10MB 이하" in big.params["text"]
    # no size in the message: getFile says, and it is refused before the bytes are fetched
    downloads = len(fake.downloads)
    await h.say(
        CITIZEN,
        document={
            "file_name": "huge.png",
            "mime_type": "image/png",
            "file_size": None,
            "content": b"\x89PNG\r\n\x1a\n" + b"\x00" * (11 * MB),
        },
        expect="파일이 너무 큽니다",
    )
    assert len(fake.downloads) == downloads
    # named and declared an image, but it is not one
    await h.say(
        CITIZEN,
        document={"file_name": "photo.jpg", "mime_type": "image/jpeg", "content": b"MZ\x90\x00 not a picture"},
        expect="이미지가 아닙니다",
    )
    await h.say(CITIZEN, sticker=True, expect="스티커")
    # Telegram cannot fetch the file, or will not take the image as a photo (a HEIC it cannot read)
    fake.fail_next("getFile", error_code=400, description="Bad Request: file is temporarily unavailable")
    await h.say(
        CITIZEN,
        document={"file_name": "a.png", "mime_type": "image/png", "content": b"\x89PNG\r\n\x1a\n"},
        expect="파일을 받지 못했습니다",
    )
    fake.fail_next("sendPhoto", error_code=400, description="Bad Request: IMAGE_PROCESS_FAILED")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    await h.say(
        CITIZEN,
        document={"file_name": "IMG_0003.HEIC", "mime_type": "image/heic", "content": heic},
        expect="사진으로 바꿀 수 없습니다",
    )
    assert (await h.one(Complaint, citizen_id=CITIZEN)) is None

    # a real image sent as a file, without a size: fetched, checked, sent back as a photo, counted
    mark = fake.mark()
    await h.say(
        CITIZEN,
        document={"file_name": "IMG_0002.jpeg", "mime_type": "image/jpeg", "file_size": None, "content": JPEG},
        expect="사진 1/5장",
    )
    echoed = await fake.wait_for(
        lambda call: call.method == "sendPhoto" and call.params["chat_id"] == CITIZEN, after=mark
    )
    assert echoed.params["photo"].content == JPEG and "사진으로 바꿔 받았습니다" in echoed.params["caption"]
    await h.say(CITIZEN, photo=True, expect="사진 2/5장")
    await h.press(CITIZEN, "완료", expect="위치를 알려 주세요")
    await h.press(CITIZEN, "건너뛰기", expect="연락처를 남기시겠어요")
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert len(c.photos) == 2
    converted = echoed.result["photo"][-1]["file_id"]
    assert c.photos[0].file_id == converted  # the photo, not the document: officers' screens can show it


async def test_the_coordinator_opens_the_family_contact_to_relay_by_hand(harness, fake):
    """No channel to 한국전력공사 in the sample district: the 민원여권과 relays it by hand, and only
    there the family's phone can be opened — once per press, each press on record."""
    from datetime import timedelta

    from tests.e2e.test_birth_onestop import press_on
    from workflows.onestop import service as bd

    h, coordinator = harness, 300
    await h.say(ADMIN, f"/grant {coordinator} officer CIVIL", expect="역할을 부여했습니다")
    born = bd.local_today(h.app.svc) - timedelta(days=10)
    await h.say(CITIZEN, "/birth", expect="개인정보 수집·이용 동의")
    await h.press(CITIZEN, "동의합니다", expect="아이가 태어난 날")
    await h.say(CITIZEN, born.isoformat(), expect="몇째")
    await h.press(CITIZEN, "첫째", expect="가구의 주소지 동")
    await h.press(CITIZEN, "중곡1동", expect="출생신고는 하셨나요")
    await h.press(CITIZEN, "했습니다", expect="기초생활보장 수급")
    await h.press(CITIZEN, "답하지 않기", expect="첫해 예상 합계")  # the list comes in parts; the totals last
    await h.press(CITIZEN, "기관별 정보 제공 동의", expect="제3자 제공 동의")
    await h.press(CITIZEN, "제공에 동의합니다", expect="전화번호")
    await h.say(CITIZEN, "010 2222 3333", expect="신청 내용 확인")
    await h.press(CITIZEN, "신청하기", expect="접수되었습니다")

    card = await fake.wait_text(coordinator, "출산가구 전기요금 감면", timeout=10)
    assert "2222" not in card.params["text"]  # the card itself never carries the phone
    shown = await press_on(fake, coordinator, card, "가족 연락처 보기", "가족 연락처")
    assert "010-2222-3333" in shown.params["text"] and "열람 기록이 남습니다" in shown.params["text"]
    rows = await h.db(select(AuditEntry).where(AuditEntry.action == "onestop_contact"))
    assert len(rows) == 1 and rows[0].actor_id == coordinator
    assert rows[0].detail == "item=birth_household_electricity dept=CIVIL agency=KEPCO"
    assert "2222" not in str([(e.detail, e.subject_id) for e in await h.db(select(AuditEntry))])
