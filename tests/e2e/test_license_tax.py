"""The 등록면허세 one-stop through the real bot, the fake Bot API and the bot's own HTTP server on a
free port: a resident asks for a notice, the tax officer settles the 종, the notice arrives with its
virtual account and PNG; forged bank notifications are refused; a signed one pays the notice; the
resident's receipt and the licensing body's webhook (a local aiohttp server on 127.0.0.1) both
arrive within one second; a repeated notification pays once; the body checks the payment with
/verify; the licence is refused and a refund request reaches 세무과."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import httpx
import pytest
from aiohttp import web
from sqlalchemy import select

from workflows.models import Complaint, LicenseTaxConfirmation, LicenseTaxEvent, LicenseTaxNotice, LicenseTaxPayment
from tests.e2e.harness import ADMIN, BotHarness, free_port
from workflows.license_tax import service as lt
from workflows.license_tax import licensing_bodies
from workflows.onestop import agency_notify
from workflows.district import DEFAULT_PATH

RESIDENT, TAX_OFFICER, BODY_CHAT, BODY_STAFF = 100, 300, -100500, 501
PAY_SECRET, BODY_SECRET = "bank-e2e-secret", "police-e2e-secret"


class BodyEndpoint:
    """The licensing body's webhook: checks the signature and records each arrival time."""

    def __init__(self):
        self.received: list[tuple[float, dict, bool]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        raw = await request.read()
        ok = agency_notify.verify(BODY_SECRET, raw, request.headers.get(agency_notify.SIGNATURE_HEADER))
        self.received.append((arrived, json.loads(raw), ok))
        return web.json_response({"ok": ok}, status=200 if ok else 401)

    async def start(self) -> "BodyEndpoint":
        app = web.Application()
        app.router.add_post("/police/license-tax", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/police/license-tax"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()


@pytest.fixture
async def police():
    endpoint = await BodyEndpoint().start()
    yield endpoint
    await endpoint.stop()


@pytest.fixture
async def bot(fake, tmp_path, police):
    bodies = json.loads(licensing_bodies.DATA.read_text(encoding="utf-8"))
    for b in bodies["bodies"]:
        if b["code"] == "POLICE_GWANGJIN":
            b["channel"] = {"type": "webhook", "url": police.url, "secret": BODY_SECRET}
            b["verify_chat_ids"] = [BODY_CHAT]
    (tmp_path / "bodies.json").write_text(json.dumps(bodies, ensure_ascii=False), encoding="utf-8")
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["license_tax"]["bodies_file"] = str(tmp_path / "bodies.json")
    (tmp_path / "district.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    port = free_port()
    h = BotHarness(
        fake,
        tmp_path,
        DISTRICT_CONFIG=str(tmp_path / "district.json"),
        HTTP_PORT=str(port),
        PAYMENT_WEBHOOK_SECRET=PAY_SECRET,
    )
    await h.start()
    h.app.worker.private_interval = h.app.worker.group_interval = 0.02  # no need to wait Telegram's 1 s per chat
    h.url = f"http://127.0.0.1:{port}/payments/notify"
    yield h
    await h.stop()


def bank_body(n: LicenseTaxNotice, tx: str, amount: int | None = None) -> bytes:
    now = int(time.time())
    return json.dumps(
        {
            "transaction_id": tx,
            "account": n.virtual_account,
            "amount": amount or n.amount,
            "paid_at": f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(now))}+00:00",
            "timestamp": now,
        }
    ).encode()


async def notify(h, raw: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Payment-Signature"] = signature
    async with httpx.AsyncClient() as client:
        return await client.post(h.url, content=raw, headers=headers)


async def request_notice(h, fake):
    await h.say(RESIDENT, "/licensetax", expect="개인정보 수집·이용 안내")
    await h.say(RESIDENT, "아무 말", expect="아래 버튼으로 골라 주세요")
    await h.press(RESIDENT, "동의하고 계속", expect="어떤 면허의 등록면허세인가요")
    await h.say(RESIDENT, "우주여행", expect="찾지 못했습니다")
    await h.say(RESIDENT, "노래방", expect="검색 결과 1개")
    kind = await h.press(RESIDENT, "노래연습장업", expect="이번 신청은 어떤 경우인가요")
    assert "세무과가 종을 확인한 뒤" in kind.params["text"]
    await h.press(RESIDENT, "새로 면허를 받습니다", expect="인허가기관")
    await h.press(RESIDENT, "광진경찰서", expect="상호(사업장 이름)")
    # an earlier step's button pressed again: stale, and the step the form is at is asked again
    msg_id, data = fake.button(kind, "새로 면허를 받습니다")
    mark = fake.mark()
    fake.callback(RESIDENT, data, message_id=msg_id)
    await fake.wait_text(RESIDENT, "상호(사업장 이름)", after=mark)
    alert = next(c for c in fake.requests[mark:] if c.method == "answerCallbackQuery")
    assert alert.params.get("show_alert") and "더 이상 유효하지 않습니다" in alert.params.get("text", "")
    await h.say(RESIDENT, "x" * 61, expect="1~60자")
    await h.say(RESIDENT, "노래세상 <화양점>", expect="동을 골라 주세요")
    await h.press(RESIDENT, "화양동", expect="납세자 이름")
    await h.say(RESIDENT, "900101-1234567", expect="주민등록번호")
    await h.say(RESIDENT, "김납세", expect="면허증을 받을 예정일")
    await h.say(RESIDENT, "2020-01-01", expect="지난 날짜")
    issue = lt.local_today(h.app.svc) + timedelta(days=10)
    summary = await h.say(RESIDENT, issue.isoformat(), expect="신청 내용 확인")
    text = summary.params["text"]
    assert "예상 세액: <b>40,500원</b>" in text and "제3종 — ⚠️ 확인 필요" in text
    assert "인구 50만 명 이상 시" in text and "§34③" in text and "노래세상 &lt;화양점&gt;" in text
    assert (issue - timedelta(days=1)).isoformat() in text
    done = await h.press(RESIDENT, "고지서 받기", expect="세무과가 종을 확인하면")
    n = await h.one(LicenseTaxNotice, citizen_id=RESIDENT)
    assert n.notice_no in done.params["text"] and n.state == lt.AWAITING_CLASS
    return n


async def test_notice_payment_and_confirmation_within_a_second(bot, fake, police):
    h = bot
    await h.say(ADMIN, f"/grant {TAX_OFFICER} officer TAX", expect="역할을 부여했습니다")
    n = await request_notice(h, fake)

    # 세무과 settles the 종; the notice (text + PNG) goes to the resident
    card = await fake.wait_text(TAX_OFFICER, "종 확인 필요")
    assert n.notice_no in card.params["text"] and "종 근거: 지방세법 시행령 §39 별표 1" in card.params["text"]
    for note in ("kr-facts", "flSeq", "tistory", "http", ".md"):  # the legal basis in words, no developer notes
        assert note not in card.params["text"], note
    mark = fake.mark()
    msg_id, data = fake.button(card, "제3종")
    fake.callback(TAX_OFFICER, data, message_id=msg_id)
    await fake.wait_text(TAX_OFFICER, "제3종 확정", after=mark)
    notice = await fake.wait_text(RESIDENT, "등록면허세(면허분) 고지서", after=mark)
    png = await fake.wait_for(lambda c: c.method == "sendDocument" and c.params["chat_id"] == RESIDENT, after=mark)
    n = await h.one(LicenseTaxNotice, citizen_id=RESIDENT)
    assert n.state == lt.ISSUED and lt.valid_check_digit(n.virtual_account)
    assert "40,500원" in notice.params["text"] and f"56201-{n.virtual_account[5:-1]}-" in notice.params["text"]
    assert png.params["document"].content[:4] == b"\x89PNG" and png.params["document"].filename == f"{n.notice_no}.png"
    print("\n--- NOTICE ---\n" + notice.params["text"] + f"\n[PNG {len(png.params['document'].content)} bytes]")

    # forged notifications are refused, nothing is paid
    raw = bank_body(n, "BANK-0001")
    assert (await notify(h, raw, None)).status_code == 401
    assert (await notify(h, raw, agency_notify.sign("guessed-secret", raw))).status_code == 401
    tampered = raw.replace(b"40500", b"40")
    assert (await notify(h, tampered, agency_notify.sign(PAY_SECRET, raw))).status_code == 401
    assert (await h.one(LicenseTaxNotice, id=n.id)).state == lt.ISSUED

    # the signed notification: resident's receipt and the body's webhook, timed
    mark = fake.mark()
    t0 = time.perf_counter()
    loop0 = asyncio.get_running_loop().time()
    resp = await notify(h, raw, agency_notify.sign(PAY_SECRET, raw))
    answered_after = time.perf_counter() - t0
    assert resp.status_code == 200 and resp.json() == {"status": "applied", "notice_no": n.notice_no}
    receipt = await fake.wait_text(RESIDENT, "등록면허세 영수증", after=mark, timeout=3)
    await h.eventually(lambda: asyncio.sleep(0, police.received), timeout=3)
    body_after = police.received[0][0] - t0
    resident_after = receipt.time - loop0
    print(
        f"\npayment notification -> bank answered 200: {answered_after * 1000:.0f} ms; -> licensing body "
        f"webhook: {body_after * 1000:.0f} ms; -> resident's receipt: {resident_after * 1000:.0f} ms"
    )
    assert body_after < 1.0 and resident_after < 1.0
    _arrived, sent, signed = police.received[0]
    n = await h.one(LicenseTaxNotice, id=n.id)
    assert signed and sent["notice_no"] == n.notice_no and sent["amount"] == 40500
    assert sent["verification_code"] == n.verification_code and "김납세" not in json.dumps(sent, ensure_ascii=False)
    receipt_png = await fake.wait_for(
        lambda c: (
            c.method == "sendDocument" and c.params["chat_id"] == RESIDENT and "영수증" in c.params.get("caption", "")
        ),
        after=mark,
    )
    print("--- RECEIPT ---\n" + receipt.params["text"] + f"\n[PNG {len(receipt_png.params['document'].content)} bytes]")

    # the same notification again (a replay) and a second payment into the same account: paid once
    assert (await notify(h, raw, agency_notify.sign(PAY_SECRET, raw))).status_code == 409
    again = bank_body(n, "BANK-0002")
    second = await notify(h, again, agency_notify.sign(PAY_SECRET, again))
    assert second.json()["status"] == "held_duplicate"
    await fake.wait_text(TAX_OFFICER, "보류된 입금")
    payments = await h.db(select(LicenseTaxPayment.status).order_by(LicenseTaxPayment.id))
    assert payments == ["applied", "held_duplicate"]
    await asyncio.sleep(0.3)
    assert len(police.received) == 1
    assert sum("등록면허세 영수증" in t for t in fake.texts(RESIDENT)) == 1
    c = await h.one(LicenseTaxConfirmation, notice_id=n.id)
    assert (c.status, c.attempts, c.channel) == ("sent", 1, "webhook")

    # the body checks it in its registered chat; another chat learns nothing
    ok = await h.say(
        BODY_STAFF, f"/verify {n.notice_no} {n.verification_code}", chat_id=BODY_CHAT, expect="검증코드가 일치합니다"
    )
    assert "납부 완료" in ok.params["text"] and "40,500원" in ok.params["text"]
    await h.say(BODY_STAFF, f"/verify {n.notice_no}", chat_id=-100999, expect="등록된 인허가기관이 아닙니다")

    # the licence is refused: a §37 refund request is routed to 세무과 like a complaint
    await h.press(RESIDENT, "면허를 받지 못했어요", expect="환급 요청(지방세법 §37)이 접수됩니다")
    await h.press(RESIDENT, "확인: 면허 불허", expect="환급 요청을 세무과에 접수했습니다")
    filed = await fake.wait_text(RESIDENT, "민원 접수번호")
    complaint = await h.one(Complaint, citizen_id=RESIDENT)
    assert complaint.receipt_no in filed.params["text"] and complaint.department_code == "TAX"
    await fake.wait_text(TAX_OFFICER, f"새 민원 {complaint.receipt_no}")
    inbox = await h.say(TAX_OFFICER, "/taxinbox", expect="등록면허세 처리함")
    assert f"{n.notice_no} → {complaint.receipt_no}" in inbox.params["text"]
    actions = await h.db(
        select(LicenseTaxEvent.action).where(LicenseTaxEvent.notice_id == n.id).order_by(LicenseTaxEvent.id)
    )
    assert actions == [
        "requested",
        "class_confirmed",
        "issued",
        "payment_received",
        "paid",
        "confirmation_queued",
        "confirmation_sent",
        "payment_received",
        "verified",
        "refund_requested",
    ]


async def test_officer_marks_paid_and_a_telegram_body_is_told(bot, fake):
    """The other payment path: 수납 처리 from the chat; the 서울특별시청 learns it in its Telegram chat."""
    h = bot
    await h.say(ADMIN, f"/grant {TAX_OFFICER} officer TAX", expect="역할을 부여했습니다")
    await h.say(RESIDENT, "/licensetax", expect="개인정보 수집·이용 안내")
    await h.press(RESIDENT, "동의하고 계속", expect="어떤 면허의")
    await h.press(RESIDENT, "관광숙박업", expect="어떤 경우인가요")
    await h.press(RESIDENT, "변경면허를 받습니다", expect="무엇이 바뀌나요")
    nt = await h.press(RESIDENT, "대표자 이름만 바뀝니다", expect="과세되지 않는 경우입니다")
    assert "시행령 §40②1" in nt.params["text"]
    assert await h.one(LicenseTaxNotice, citizen_id=RESIDENT) is None

    await h.say(RESIDENT, "/licensetax", expect="어떤 면허의")  # consent is remembered
    await h.say(RESIDENT, "음식점", expect="검색 결과")
    await h.press(RESIDENT, "일반음식점", expect="어떤 경우인가요")
    await h.press(RESIDENT, "새로 면허를 받습니다", expect="영업장 면적")
    await h.say(RESIDENT, "넓음", expect="영업장 면적을 알아보지 못했습니다")
    await h.say(RESIDENT, "85㎡", expect="인허가기관")
    await h.press(RESIDENT, "서울특별시청", expect="상호")
    await h.say(RESIDENT, "화양분식", expect="동을 골라")
    await h.press(RESIDENT, "능동", expect="납세자 이름")
    await h.press(RESIDENT, "건너뛰기", expect="예정일")
    summary = await h.press(RESIDENT, "건너뛰기", expect="신청 내용 확인")
    assert "세무과가 종을 정한 뒤" in summary.params["text"] and "85㎡" in summary.params["text"]
    await h.press(RESIDENT, "고지서 받기", expect="세무과가 종을 확인하면")
    await h.press(RESIDENT, "고지서 받기", expect=None)  # pressed twice: still one notice
    assert len(await h.db(select(LicenseTaxNotice))) == 1

    card = await fake.wait_text(TAX_OFFICER, "종 확인 필요")
    assert "종 미확정" in card.params["text"] and "85㎡" in card.params["text"]
    await h.press(TAX_OFFICER, "제4종", expect="제4종 확정")
    await fake.wait_text(RESIDENT, "27,000원")
    await h.say(TAX_OFFICER, "/taxinbox", expect="미납 고지: 1건")
    await h.press(TAX_OFFICER, "LT-", expect="납부 대기")
    await h.press(TAX_OFFICER, "수납 처리", expect="입금을 확인하셨나요")
    await h.press(TAX_OFFICER, "수납 처리 확인", expect="수납 처리했습니다")
    await fake.wait_text(RESIDENT, "등록면허세 영수증")
    city = await fake.wait_text(-1001000000103, "등록면허세 납부 확인")
    n = await h.one(LicenseTaxNotice, citizen_id=RESIDENT)
    assert n.notice_no in city.params["text"] and n.verification_code in city.params["text"]
    await h.press(TAX_OFFICER, "수납 처리 확인", expect=None)  # stale: already paid
    assert len(await h.db(select(LicenseTaxPayment))) == 1


async def test_what_people_type_and_a_change_decided_by_40_2_1(bot, fake):
    """The form takes 85.5, 30평 (shown converted: 1평 = 400/121 ㎡), 오늘 and 12월 4일-style dates, with
    an example date that is not in the past; a wrong value is explained and asked again with nothing
    lost. A 노래연습장업 whose name only changes owes nothing (it was charged 40,500원); one whose
    taxability the resident cannot tell goes to 세무과, which closes it as 비과세 from the card."""
    h = bot
    await h.say(ADMIN, f"/grant {TAX_OFFICER} officer TAX", expect="역할을 부여했습니다")
    today = lt.local_today(h.app.svc)

    # a 노래연습장업 in a 서울 구 changing only its name: 0원, answered at once, nothing filed
    await h.say(RESIDENT, "/licensetax", expect="개인정보 수집·이용 안내")
    await h.press(RESIDENT, "동의하고 계속", expect="어떤 면허의")
    await h.say(RESIDENT, "노래방", expect="검색 결과 1개")
    await h.press(RESIDENT, "노래연습장업", expect="이번 신청은 어떤 경우인가요")
    ask = await h.press(RESIDENT, "변경면허를 받습니다", expect="무엇이 바뀌나요")
    assert "시행령 §40②1" in ask.params["text"] and "1월 1일 갱신분" in ask.params["text"]
    await h.say(RESIDENT, "상호가 바뀌어요", expect="아래 버튼으로")  # typed at a button step
    answer = await h.press(RESIDENT, "그 밖의 내용만 바뀝니다", expect="과세되지 않는 경우입니다")
    assert "40,500원" not in answer.params["text"] and "§40②1" in answer.params["text"]
    assert await h.one(LicenseTaxNotice, citizen_id=RESIDENT) is None

    # a restaurant's change the resident cannot judge, typed as people type
    await h.say(RESIDENT, "/licensetax", expect="어떤 면허의")
    await h.say(RESIDENT, "음식점", expect="검색 결과")
    await h.press(RESIDENT, "일반음식점", expect="어떤 경우인가요")
    await h.press(RESIDENT, "변경면허를 받습니다", expect="무엇이 바뀌나요")
    ask_area = await h.press(RESIDENT, "잘 모르겠습니다", expect="영업장 면적을 ㎡나 평으로")
    assert "1평 = 400/121㎡" in ask_area.params["text"]
    await h.say(RESIDENT, "서른 평", expect="영업장 면적을 알아보지 못했습니다")  # told why, asked again
    await h.say(RESIDENT, "85.5", expect="인허가기관")
    await h.press(RESIDENT, "서울특별시청", expect="상호")
    await h.say(RESIDENT, "화양분식", expect="동을 골라")
    await h.press(RESIDENT, "화양동", expect="납세자 이름")
    ask_date = await h.press(RESIDENT, "건너뛰기", expect="면허증을 받을 예정일")
    example = lt.date_example(today)
    assert example > today and example.isoformat() in ask_date.params["text"]
    assert f"{example.month}월 {example.day}일" in ask_date.params["text"]
    bad = await h.say(RESIDENT, "다음주쯤", expect="날짜를 알아보지 못했습니다")
    assert example.isoformat() in bad.params["text"]
    later = today + timedelta(days=20)
    summary = await h.say(RESIDENT, f"{later.month}월 {later.day}일", expect="신청 내용 확인")
    text = summary.params["text"]
    assert "영업장 면적·인원: 85.5㎡" in text and lt.fmt_date(h.app.svc, later, "ko") in text
    assert "과세 여부(시행령 §40②1)" in text and "비과세로 확인되면 낼 세금이 없습니다" in text
    await h.press(RESIDENT, "고지서 받기", expect="세무과가 종을 확인하면")
    n = await h.one(LicenseTaxNotice, citizen_id=RESIDENT)
    assert (n.state, n.request_kind, n.figure) == (lt.AWAITING_CLASS, "change_unsure", 85.5)

    # 세무과: the card offers 비과세; confirmed, the resident is told and no notice is issued
    card = await fake.wait_text(TAX_OFFICER, "변경면허 — 과세 여부와 종 확인")
    assert "85.5㎡" in card.params["text"] and "kr-facts" not in card.params["text"]
    await h.press(TAX_OFFICER, "비과세 (시행령 §40②1)", expect="비과세로 처리할까요")
    await h.press(TAX_OFFICER, "비과세 확인", expect="비과세로 처리하고 신청인에게 알렸습니다")
    told = await fake.wait_text(RESIDENT, "비과세로 확인했습니다")
    assert n.notice_no in told.params["text"] and "§40②1" in told.params["text"]
    n = await h.one(LicenseTaxNotice, id=n.id)
    assert n.state == lt.NON_TAXABLE and n.virtual_account is None
    assert not [t for t in fake.texts(RESIDENT) if "납부 계좌:" in t]  # no notice to pay
    await h.press(TAX_OFFICER, "비과세 확인", expect=None)  # pressed again: already done
    assert (await h.one(LicenseTaxNotice, id=n.id)).state == lt.NON_TAXABLE

    # 30평 is shown converted, with the rule
    await h.say(RESIDENT, "/licensetax", expect="어떤 면허의")
    await h.say(RESIDENT, "카페", expect="검색 결과")
    await h.press(RESIDENT, "휴게음식점", expect="어떤 경우인가요")
    await h.press(RESIDENT, "새로 면허를 받습니다", expect="영업장 면적")
    await h.say(RESIDENT, "30평", expect="인허가기관")
    await h.press(RESIDENT, "서울특별시청", expect="상호")
    await h.say(RESIDENT, "화양카페", expect="동을 골라")
    await h.press(RESIDENT, "화양동", expect="납세자 이름")
    await h.press(RESIDENT, "건너뛰기", expect="예정일")
    summary = await h.say(RESIDENT, "오늘", expect="신청 내용 확인")
    assert "99.17㎡ (30평 × 400/121㎡, 1평 ≈ 3.3058㎡)" in summary.params["text"]
    assert lt.fmt_date(h.app.svc, today, "ko") in summary.params["text"]
