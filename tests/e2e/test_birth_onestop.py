"""The birth one-stop through the real bot and the fake Bot API: a parent files, the 동 주민센터 and
the 보건소 complete their parts (one after a 보완요청 answered from the chat), 한국전력공사 is told by
a signed webhook to a local server on 127.0.0.1, the parent gets the completion message and rates."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from aiohttp import web
from sqlalchemy import select

from workflows.models import AgencyNotification, OnestopApplication, Rating
from tests.e2e.harness import ADMIN, BotHarness
from workflows.onestop import agency_notify
from workflows.onestop import service as bd
from workflows.district import DEFAULT_PATH

PARENT, DONG_OFFICER, HEALTH_OFFICER = 100, 201, 202
SECRET = "e2e-webhook-secret"


class WebhookServer:
    """A stand-in for an outside body's endpoint: records every POST and checks its HMAC."""

    def __init__(self):
        self.received: list[dict] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        ok = agency_notify.verify(SECRET, body, request.headers.get(agency_notify.SIGNATURE_HEADER))
        self.received.append({"body": json.loads(body), "signed": ok, "key": request.headers.get("Idempotency-Key")})
        if not ok:
            return web.json_response({"error": "bad signature"}, status=401)
        return web.json_response({"reference": f"KEPCO-{len(self.received)}"})

    async def start(self) -> "WebhookServer":
        app = web.Application()
        app.router.add_post("/kepco/onestop", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/kepco/onestop"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()


def fast(h: BotHarness) -> BotHarness:
    """Tests need not wait Telegram's 1 s per private chat between pushes."""
    h.app.worker.private_interval = h.app.worker.group_interval = 0.02
    return h


@pytest.fixture
async def kepco():
    server = await WebhookServer().start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake, tmp_path, kepco):
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["onestop"]["channels"] = {"KEPCO": {"type": "webhook", "url": kepco.url}}
    path = tmp_path / "district.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    h = BotHarness(fake, tmp_path, DISTRICT_CONFIG=str(path), AGENCY_WEBHOOK_SECRET=SECRET)
    await h.start()
    yield fast(h)
    await h.stop()


async def press_on(fake, user_id, call, label, expect, chat_id=None):
    """Press a button of one particular message (several cards carry the same labels)."""
    msg_id, data = fake.button(call, label)
    mark = fake.mark()
    fake.callback(user_id, data, message_id=msg_id, chat_id=chat_id)
    return await fake.wait_text(chat_id or user_id, expect, after=mark)


async def complete_card(fake, officer, card, note=None):
    prompt = await press_on(fake, officer, card, "처리완료", "가족에게 전할 말")
    if note is None:
        return await press_on(fake, officer, prompt, "메시지 없이 완료", "처리완료로 기록")
    mark = fake.mark()
    fake.message(officer, note)
    return await fake.wait_text(officer, "처리완료로 기록", after=mark)


async def test_birth_one_stop_end_to_end(bot, fake, kepco):
    h = bot
    await h.say(ADMIN, f"/grant {DONG_OFFICER} officer DONG-JUNGGOK1", expect="역할을 부여했습니다")
    await h.say(ADMIN, f"/grant {HEALTH_OFFICER} officer HEALTH", expect="역할을 부여했습니다")
    today = bd.local_today(h.app.svc)
    born = today - timedelta(days=10)

    await h.say(PARENT, "/birth", expect="개인정보 수집·이용 동의")
    await h.press(PARENT, "동의합니다", expect="아이가 태어난 날")
    await h.say(PARENT, "언젠가", expect="날짜를 알아보지 못했습니다")
    await h.say(PARENT, (today + timedelta(days=1)).isoformat(), expect="오늘 이후의 날짜")
    await h.say(PARENT, "900101-1234567", expect="주민등록번호")
    await h.say(PARENT, sticker=True, expect="날짜를 알아보지 못했습니다")
    await h.say(PARENT, born.isoformat(), expect="몇째")
    await h.press(PARENT, "첫째", expect="가구의 주소지 동")
    await h.restart()  # the form survives a restart
    fast(h)
    await h.say(PARENT, "아무 말", expect="아래 버튼으로 답해 주세요")
    await h.press(PARENT, "중곡1동", expect="출생신고는 하셨나요")
    await h.press(PARENT, "했습니다", expect="기초생활보장 수급")
    mark = fake.mark()
    await h.press(PARENT, "답하지 않기", expect="첫해 예상 합계")  # the list comes in parts; the totals last
    text = "\n".join(c.params["text"] for c in fake.requests[mark:] if c in fake.sent(PARENT, "sendMessage"))
    assert (
        "받으실 수 있는 지원" in text and "동 주민센터에서 처리하는 지원" in text and "보건소에서 처리하는 지원" in text
    )
    assert "<b>1. 부모급여</b> — 월 100만원 (0세) · 월 50만원 (1세)" in text and "첫해 1,200만원" in text
    assert "첫만남이용권" in text and "200만원 (한 번)" in text
    assert "출산가구 전기요금 감면" in text and "첫해 최대 19만 2천원 ⚠️ 확인 필요" in text
    assert "첫해 예상 합계: 1,520만원" in text and "해산급여" not in text
    consent = await h.press(PARENT, "기관별 정보 제공 동의", expect="제3자 제공 동의 (1/1)")
    for item in ("제공받는 자: 한국전력공사", "이용 목적:", "제공 항목: 아이 출생일", "보유·이용 기간:", "거부할 권리"):
        assert item in consent.params["text"]
    # no placeholder on the consent screen: what is not known is said plainly; 123 is 한전's own number
    assert "확인 필요" not in consent.params["text"] and "아직 알아내지 못했습니다" in consent.params["text"]
    assert "☎ 123 (국번 없이)" in consent.params["text"]
    await h.press(PARENT, "제공에 동의합니다", expect="전화번호")
    await h.say(PARENT, "010 2222 3333", expect="신청 내용 확인")
    done = await h.press(PARENT, "신청하기", expect="접수되었습니다")
    app = await h.one(OnestopApplication, citizen_id=PARENT)
    assert app.receipt_no in done.params["text"] and "2222" not in app.contact_phone_enc
    assert "🕓 부모급여 — 중곡1동 주민센터: 신청됨" in (await fake.wait_text(PARENT, "진행 중 (0/6)")).params["text"]

    # the outside body: a signed webhook, acknowledged by its 2xx answer
    await h.app.duties.onestop()
    assert len(kepco.received) == 1 and kepco.received[0]["signed"]
    sent = kepco.received[0]["body"]
    assert sent["receipt_no"] == app.receipt_no and sent["contact_phone"] == "010-2222-3333"
    assert sent["facts"] == {"birth_date": born.isoformat(), "dong": "중곡1동"}
    n = await h.one(AgencyNotification, agency_code="KEPCO")
    assert (n.status, n.ack_ref) == ("acknowledged", "KEPCO-1")
    await fake.wait_text(PARENT, "한국전력공사에 전달되어 확인을 받았습니다")

    # the 보건소: asks for more, the parent answers from the chat, then it is done
    grant_card = await fake.wait_text(HEALTH_OFFICER, "샘플구 출산지원금")
    await press_on(fake, HEALTH_OFFICER, grant_card, "접수", "접수했습니다")
    await press_on(fake, HEALTH_OFFICER, grant_card, "보완요청", "보완 요청을 적어")
    await h.say(HEALTH_OFFICER, "짧음", expect="5~1,000자로")
    await h.say(
        HEALTH_OFFICER,
        "6개월 거주 확인을 위해 주민등록등본을 보건소로 보내 주세요.",
        expect="보완 요청을 가족에게 보냈습니다",
    )
    await fake.wait_text(PARENT, "보건소에서 보완을 요청했습니다")
    await h.press(PARENT, "답하기", expect="보완 요청에 답해 주세요")
    await h.say(PARENT, "내일 보건소에 방문해서 내겠습니다.", expect="보건소에 답을 전했습니다")
    answered = await fake.wait_text(HEALTH_OFFICER, "가족이 보완 요청에 답했습니다")
    await complete_card(fake, HEALTH_OFFICER, answered, note="서류 확인했습니다. 다음 달 25일에 지급됩니다.")
    await fake.wait_text(PARENT, "다음 달 25일에 지급됩니다")

    # the 동 주민센터: its four parts; another department's officer cannot touch them
    cards = [
        await fake.wait_text(DONG_OFFICER, name) for name in ("부모급여", "아동수당", "첫만남이용권", "가정양육수당")
    ]
    msg_id, data = fake.button(cards[0], "처리완료")
    mark = fake.mark()
    fake.callback(HEALTH_OFFICER, data, message_id=msg_id)
    refused = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert "다른 부서" in refused.params["text"]
    for card in cards:
        await complete_card(fake, DONG_OFFICER, card)
    final = await fake.wait_text(PARENT, "출생 원스톱 신청이 모두 처리되었습니다")
    assert "✅ 부모급여 — 중곡1동 주민센터: 처리완료" in final.params["text"]
    assert "✅ 출산가구 전기요금 감면 — 한국전력공사: 처리완료" in final.params["text"]

    # the 5-item rating, attributed to both offices
    await fake.wait_text(PARENT, "원스톱 처리에 얼마나 만족하셨나요")
    await h.press(PARENT, "5 😊", expect="평가해 주셔서 감사합니다")
    await h.press(PARENT, "항목별 평가하기", expect="첫인사")
    for label, nxt in (("5", "안내"), ("4", "말투"), ("5", "답변"), ("5", "끝인사")):
        await h.press(PARENT, label, expect=nxt)
    await h.press(PARENT, "4", expect="소중한 평가 감사합니다")
    rows = await h.db(select(Rating).where(Rating.service == "onestop").order_by(Rating.department_code))
    assert [(r.department_code, r.officer_id, r.overall, r.closing) for r in rows] == [
        ("DONG-JUNGGOK1", DONG_OFFICER, 5, 4),
        ("HEALTH", HEALTH_OFFICER, 5, 4),
    ]

    status = await h.say(PARENT, "/status", expect="모두 완료 (6/6)")
    assert "✅ 샘플구 출산지원금 — 보건소: 처리완료" in status.params["text"]
    assert (await h.one(OnestopApplication, citizen_id=PARENT)).state == "completed"
