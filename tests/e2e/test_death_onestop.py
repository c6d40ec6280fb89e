"""The death one-stop through the real bot: gentle questions, one §17 screen per outside agency (a
refusal drops only that agency), the personal checklist with dates from the date of death, a
notice to 국민연금공단's Telegram chat acknowledged there, the 세무과's sub-request, /status."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from workflows.models import AgencyNotification, OnestopApplication, OnestopReminder
from tests.e2e.harness import ADMIN, BotHarness
from tests.e2e.test_birth_onestop import complete_card, fast, press_on
from workflows.onestop import service as bd
from workflows.district import DEFAULT_PATH

REPORTER, OTHER, CIVIL_OFFICER, TAX_OFFICER, NPS_STAFF = 300, 301, 203, 204, 555
NPS_CHAT = -1001234567


@pytest.fixture
async def bot(fake, tmp_path):
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["onestop"]["channels"] = {"NPS": {"type": "telegram", "chat_id": NPS_CHAT}}
    path = tmp_path / "district.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    h = BotHarness(fake, tmp_path, DISTRICT_CONFIG=str(path))
    await h.start()
    yield fast(h)
    await h.stop()


async def test_death_report_gives_the_checklist_and_tells_the_agencies(bot, fake):
    h = bot
    await h.say(ADMIN, f"/grant {CIVIL_OFFICER} officer CIVIL", expect="역할을 부여했습니다")
    await h.say(ADMIN, f"/grant {TAX_OFFICER} officer TAX", expect="역할을 부여했습니다")
    svc = h.app.svc
    died = bd.local_today(svc) - timedelta(days=3)

    # /cancel discards a form cleanly (the next /birth starts afresh); a refused §15 consent files nothing
    await h.say(OTHER, "/birth", expect="개인정보 수집·이용 동의")
    await h.press(OTHER, "동의합니다", expect="아이가 태어난 날")
    await h.say(OTHER, "/cancel", expect="취소했습니다")
    await h.say(OTHER, "/birth", expect="개인정보 수집·이용 동의")
    await h.press(OTHER, "동의하지 않음", expect="아무것도 저장하지 않았습니다")
    mark = fake.mark()
    msg_id, data = fake.button(OTHER, "동의합니다")  # the old screen's button, pressed late
    fake.callback(OTHER, data, message_id=msg_id)
    stale = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert "더 이상 유효하지 않습니다" in stale.params["text"]
    assert await h.one(OnestopApplication, citizen_id=OTHER) is None

    await h.say(REPORTER, "/death", expect="삼가 고인의 명복을 빕니다")
    await h.press(REPORTER, "동의합니다", expect="돌아가신 날을 적어 주세요")
    await h.say(REPORTER, "2026-02-30", expect="날짜를 알아보지 못했습니다")
    await h.say(REPORTER, died.isoformat(), expect="고인과 어떤 관계")
    await h.say(REPORTER, "/death", expect="작성 중인 사망 원스톱 신고")  # paused and resumed
    await h.press(REPORTER, "이어서 하기", expect="고인과 어떤 관계")
    await h.press(REPORTER, "함께 살던 친족", expect="고인의 주소지 동")
    await h.press(REPORTER, "능동", expect="사망신고는 하셨나요")
    await h.press(REPORTER, "아직입니다", expect="외국에 주소를 둔 분이 있나요")
    await h.say(REPORTER, "네 아들이 미국에 살아요", expect="아래 버튼으로")  # typed at a button step: asked again
    await h.press(REPORTER, "예, 상속인 가운데 있습니다", expect="(1/4)")
    await h.press(REPORTER, "제공에 동의합니다", expect="(2/4)")  # 국민연금공단
    await h.press(REPORTER, "동의하지 않음", expect="국민건강보험공단에는 아무것도 전달하지 않습니다")
    await fake.wait_text(REPORTER, "(3/4)")
    await h.press(REPORTER, "제공에 동의합니다", expect="(4/4)")  # 금융감독원
    await h.press(REPORTER, "제공에 동의합니다", expect="전화번호")  # 차량등록사업소
    await h.press(REPORTER, "건너뛰기", expect="미리 알려 드릴까요")
    summary = await h.press(REPORTER, "알려 주세요", expect="신고 내용 확인")
    assert "알려 드릴 곳 5곳" in summary.params["text"] and "국민건강보험공단" in summary.params["text"]
    assert "외국 주소: 예, 상속인 가운데 있습니다" in summary.params["text"]
    await h.press(REPORTER, "📨 알려 주세요", expect="접수했습니다")

    checklist = (await fake.wait_text(REPORTER, "챙기셔야 할 일과 기한")).params["text"]
    for e in bd.death_checklist(svc, died, abroad="heir"):
        assert f"<b>{e.rule.name('ko')}</b>: {bd.fmt_date(e.deadline, 'ko')}까지" in checklist
    # an heir abroad: 상속세 and 취득세 run 9 months from the end of the month of death, not 6
    nine = {e.rule.code: e.deadline for e in bd.death_checklist(svc, died, abroad="heir")}
    six = {e.rule.code: e.deadline for e in bd.death_checklist(svc, died)}
    for code in ("inheritance_tax", "acquisition_tax"):
        assert nine[code] > six[code] and bd.fmt_date(six[code], "ko") + "까지" not in checklist
        assert bd.period_end(bd.add_months(died.replace(day=1), 1), 9) <= nine[code]
    assert "상속세 및 증여세법 §67④" in checklist and "지방세법 §20① (외국에 주소를 둔 상속인" in checklist
    assert "기한 전에 이 대화창으로 알려 드리겠습니다" in checklist
    app = await h.one(OnestopApplication, citizen_id=REPORTER)
    states = {it.code: it.state for it in app.items}
    assert states == {
        "NPS": "notified",
        "NHIS": "skipped",
        "FSS": "pending",
        "VEHICLE": "pending",
        "TAX": "pending",
        "DONG_WELFARE": "pending",
    }
    reminders = {
        r.code: r.deadline for r in await h.db(select(OnestopReminder).where(OnestopReminder.application_id == app.id))
    }
    assert {"death_report", "renunciation", "inheritance_tax", "safe_inheritance"} <= set(reminders)
    assert reminders["inheritance_tax"] == nine["inheritance_tax"]
    assert app.facts["abroad"] == "heir"

    # 국민연금공단 acknowledges in its own chat; the reporter hears of it
    notice = await fake.wait_text(NPS_CHAT, "원스톱 통보")
    assert (
        "돌아가신 날: " + died.isoformat() in notice.params["text"]
        and "신고인: 함께 살던 친족" in notice.params["text"]
    )
    await press_on(fake, NPS_STAFF, notice, "수신 확인", "수신 확인 기록", chat_id=NPS_CHAT)
    n = await h.one(AgencyNotification, agency_code="NPS")
    assert (n.status, n.ack_by) == ("acknowledged", NPS_STAFF)
    await fake.wait_text(REPORTER, "국민연금공단에 전달되어 확인을 받았습니다")

    # the 세무과 works its part; the coordinator relays the agencies without a channel by hand
    tax_card = await fake.wait_text(TAX_OFFICER, "세무과 (지방세)")
    assert "신고인: 함께 살던 친족" in tax_card.params["text"]
    await complete_card(
        fake, TAX_OFFICER, tax_card, note="고인의 지방세 체납은 없습니다. 취득세 신고는 6개월 안에 해 주세요."
    )
    await fake.wait_text(REPORTER, "고인의 지방세 체납은 없습니다")
    relay = await fake.wait_text(CIVIL_OFFICER, "차량등록사업소에 보낼 통보 채널이 설정되지 않았거나")
    assert "직접 전달" in relay.params["text"]
    await h.say(CIVIL_OFFICER, "/onestop", expect="원스톱 처리함 (2건)")  # FSS and VEHICLE
    # 복지정책과 (the 동 fallback) has no officer yet: the coordinator is told, without buttons
    orphan = await fake.wait_text(CIVIL_OFFICER, "복지정책과에 담당자가 지정되어 있지 않아")
    assert "reply_markup" not in orphan.params

    status = await h.say(REPORTER, "/status", expect="사망 원스톱")
    text = status.params["text"]
    assert "✅ 국민연금공단: 처리완료" in text and "➖ 국민건강보험공단: 신청 안 함" in text
    assert "✅ 세무과 (지방세) — 세무과: 처리완료" in text and "챙기셔야 할 일과 기한" in text
