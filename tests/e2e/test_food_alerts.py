"""Food-poisoning alerts through the real bot against the fake Bot API: the daily job fanning out to
2,000 operators with 429s now and then (each delivered exactly once), an operator registering,
changing and stopping, a 위생과 officer's outbreak notice, and an admin's licence-CSV import."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from workflows.models import FoodOperator, OutboxMessage, RoleGrant, User
from handlers.food_alerts import FoodCb
from tests.e2e.harness import ADMIN, BotHarness
from workflows.roles import OPERATOR

KST = ZoneInfo("Asia/Seoul")
SUMMER_MORNING = datetime(2026, 7, 1, 6, 30, tzinfo=KST)
OPERATORS = 2000
FIRST_OPERATOR = 1_000_000


def nhis_transport(risk: int = 3) -> httpx.MockTransport:
    body = {
        "response": {
            "header": {"resultCode": "00", "resultMsg": "NORMAL_SERVICE"},
            "body": {
                "items": [
                    {
                        "dissCd": "3",
                        "dt": "20260701",
                        "znCd": "11",
                        "lowrnkZnCd": "11215",
                        "cnt": 812,
                        "risk": risk,
                        "dissRiskXpln": "식중독 발생 가능성이 높으므로 식중독 예방에 경계가 요망됩니다.",
                    },
                    {
                        "dissCd": "3",
                        "dt": "20260702",
                        "znCd": "11",
                        "lowrnkZnCd": "11215",
                        "cnt": 700,
                        "risk": 2,
                        "dissRiskXpln": "주의",
                    },
                ]
            },
        }
    }
    return httpx.MockTransport(lambda request: httpx.Response(200, json=body))


async def add_operators(h: BotHarness, ids, dong: str = "자양1동", btype: str = "korean") -> None:
    async with h.app.sessionmaker() as s:
        s.add_all(User(id=i) for i in ids)
        await s.flush()
        s.add_all(
            FoodOperator(user_id=i, business_name=f"식당{i}", business_type=btype, dong=dong, status="active")
            for i in ids
        )
        await s.commit()


@pytest.mark.slow
async def test_daily_job_alerts_2000_operators_exactly_once_through_429s(fake, tmp_path):
    h = await BotHarness(fake, tmp_path, NHIS_SERVICE_KEY="test-key").start()
    try:
        h.app.svc.clock = lambda: SUMMER_MORNING
        h.app.svc.http_transport = nhis_transport(risk=3)
        ids = range(FIRST_OPERATOR, FIRST_OPERATOR + OPERATORS)
        await add_operators(h, ids)

        def delivered() -> int:
            return sum(
                1
                for c in fake.requests
                if c.method == "sendMessage" and c.status == 200 and c.params.get("chat_id", 0) >= FIRST_OPERATOR
            )

        async def throttle_now_and_then():
            for at, times in ((500, 2), (1200, 1), (1700, 3)):
                while delivered() < at:
                    await asyncio.sleep(0.05)
                fake.fail_next("sendMessage", error_code=429, retry_after=1, times=times)

        fake.fail_next("sendMessage", error_code=429, retry_after=1, times=1)
        injector = asyncio.create_task(throttle_now_and_then())
        t0 = time.perf_counter()
        assert await h.app.duties.food_alerts() == "alerted"
        assert await h.app.duties.food_alerts() == "alerted"  # the job running twice queues nothing new

        async def all_sent():
            async with h.app.sessionmaker() as s:
                return (
                    await s.scalar(
                        select(func.count())
                        .select_from(OutboxMessage)
                        .where(OutboxMessage.dedup_key.startswith("food:"), OutboxMessage.status == "sent")
                    )
                    == OPERATORS
                )

        await h.eventually(all_sent, timeout=55)
        elapsed = time.perf_counter() - t0
        await injector

        accepted = Counter(
            c.params["chat_id"]
            for c in fake.requests
            if c.method == "sendMessage" and c.status == 200 and c.params.get("chat_id", 0) >= FIRST_OPERATOR
        )
        assert set(accepted) == set(ids) and set(accepted.values()) == {1}  # none lost, none twice
        throttled = sum(1 for c in fake.requests if c.method == "sendMessage" and c.status == 429)
        assert throttled == 7 and h.app.worker.stats["retry_after"] == 7
        sample = next(
            c
            for c in fake.requests
            if c.method == "sendMessage" and c.status == 200 and c.params.get("chat_id") == FIRST_OPERATOR
        )
        assert "오늘의 식중독 예측: 경고" in sample.params["text"] and "경계가 요망됩니다" in sample.params["text"]
        assert elapsed > OPERATORS / 200  # the worker kept to DELIVERY_RATE=200
    finally:
        await h.stop()


async def test_operator_registers_changes_and_stops(harness, fake, caplog):
    h, op = harness, 300
    with caplog.at_level("WARNING"):  # no NHIS_SERVICE_KEY: the job says so once and does nothing
        assert await h.app.duties.food_alerts() == "disabled"
    assert caplog.text.count("NHIS_SERVICE_KEY is not set") == 1
    await h.say(op, "/foodalert", expect="식중독 예방 알림")
    await h.press(op, "업소 등록하기", expect="업소명(상호)을")
    await h.say(op, photo=True, expect="글자로 적어")
    await h.say(op, "가", expect="너무 짧습니다")
    await h.say(op, "/help", expect="도움말")  # a command is not taken as the name; the form stays
    await h.say(op, "한강  <식당>", expect="업종을 골라")  # shown escaped (parse_mode HTML)
    await h.press(op, "한식", expect="동을 골라")
    confirm = await h.press(op, "자양1동", expect="등록 내용 확인")
    assert "한강 &lt;식당&gt;" in confirm.params["text"] and "수집 항목" not in confirm.params["text"]
    await h.press(op, "알림 받기", expect="등록되었습니다")
    row = await h.one(FoodOperator, user_id=op)
    assert (row.business_name, row.business_type, row.dong, row.status) == (
        "한강 <식당>",
        "korean",
        "자양1동",
        "active",
    )
    assert await h.one(RoleGrant, user_id=op, role=OPERATOR, revoked_at=None)
    commands = await fake.wait_for(
        lambda c: c.method == "setMyCommands" and (c.params.get("scope") or {}).get("chat_id") == op
    )
    assert any(cmd["command"] == "foodalert" for cmd in commands.params["commands"])

    status = await h.say(op, "/foodalert", expect="등록됨")
    assert "한강 &lt;식당&gt;" in status.params["text"] and "5~9월" in status.params["text"]
    await h.press(op, "동 변경", expect="동을 골라")
    changed = await h.press(op, "화양동", expect="등록됨")  # "변경했습니다", then the registration again
    assert "화양동" in changed.params["text"] and "변경했습니다" in fake.texts(op)[-2]
    await h.press(op, "업소명 변경", expect="업소명(상호)을")
    await h.say(op, "한강식당 본점", expect="등록됨")
    row = await h.one(FoodOperator, user_id=op)
    assert (row.dong, row.business_name) == ("화양동", "한강식당 본점")

    await h.press(op, "알림 중지", expect="중지할까요")
    await h.press(op, "중지하기", expect="등록 정보를 삭제했습니다")
    assert await h.one(FoodOperator, user_id=op) is None
    assert await h.one(RoleGrant, user_id=op, role=OPERATOR, revoked_at=None) is None
    await h.say(op, "/foodalert", expect="수집 항목")  # the sign-up offer again


async def test_hygiene_officer_sends_an_outbreak_notice_to_one_dong(harness, fake):
    h, officer = harness, 400
    await h.say(ADMIN, f"/grant {officer} officer HYGIENE", expect="역할을 부여했습니다")
    await add_operators(h, [501, 502], dong="자양1동")
    await add_operators(h, [503], dong="화양동", btype="pub")
    staff = await h.say(officer, "/foodalert", expect="식중독 예방 알림 관리")
    assert "등록 영업자: 3곳" in staff.params["text"] and "CSV" not in staff.params["text"]
    await h.press(officer, "발생 알림 보내기", expect="누구에게")
    await h.press(officer, "동별", expect="동을 골라")
    await h.press(officer, "중곡1동", expect="받을 영업자가 없습니다")
    await h.press(officer, "자양1동", expect="받는 곳: 자양1동 (2곳)")
    await h.say(officer, "짧음", expect="너무 짧습니다")
    preview = await h.say(
        officer,
        "자양1동 음식점에서 노로바이러스 의심 환자가 발생했습니다. 조리 전 손 씻기를 지켜 주세요.",
        expect="발생 알림 미리보기",
    )
    assert "위생과 식중독 발생 알림" in preview.params["text"]
    assert not [c for c in fake.sent() if c.params.get("chat_id") in (501, 502, 503)]  # nothing before confirming
    await h.press(officer, "보내기", expect="2곳에 보내고")
    for op in (501, 502):
        await fake.wait_text(op, "노로바이러스 의심 환자")
    await h.press(officer, "보내기", expect=None)  # pressed again: stale, nothing sent twice
    await asyncio.sleep(0.3)
    assert len(fake.texts(501)) == 1 and fake.texts(503) == []

    await h.say(600, "/foodalert", expect="수집 항목")  # not staff: the operator's sign-up offer
    mark = fake.mark()
    fake.callback(600, FoodCb(action="notice").pack(), message_id=1, chat_id=600)
    refused = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert "권한이 없습니다" in refused.params["text"]


def document_update(fake, user_id: int, name: str, size: int) -> None:
    n = int(time.time() * 1000) % 1_000_000
    fake.raw_update(
        {
            "update_id": 900_000 + n,
            "message": {
                "message_id": 9000 + n % 1000,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "Admin"},
                "from": {"id": user_id, "is_bot": False, "first_name": "Admin"},
                "document": {"file_id": f"BQACdoc{n}", "file_unique_id": f"u{n}", "file_name": name, "file_size": size},
            },
        }
    )


LICENCE_CSV = (
    "개방서비스명,사업장명,소재지전체주소,업태구분명,영업상태명\n"
    "일반음식점,한강식당,서울특별시 광진구 화양동 1-1,한식,영업/정상\n"
    "일반음식점,용궁반점,서울특별시 광진구 자양동 2,중국식,영업/정상\n"
    "일반음식점,문닫은집,서울특별시 광진구 구의동 3,분식,폐업\n"
).encode("cp949")


async def test_admin_imports_the_licence_csv_and_an_operator_redeems_a_link(harness, fake, monkeypatch):
    h = harness
    # the fake serves placeholder bytes for any file: not a licence export
    document_update(fake, ADMIN, "list.csv", 300)
    await fake.wait_text(ADMIN, "파일을 읽을 수 없습니다")

    async def download(file, destination=None, **kw):
        destination.write(LICENCE_CSV)
        destination.seek(0)
        return destination

    monkeypatch.setattr(h.app.bot, "download", download)
    mark = fake.mark()
    document_update(fake, ADMIN, "일반음식점.CSV", len(LICENCE_CSV))
    done = await fake.wait_text(ADMIN, "가져오기 완료", after=mark)
    assert "새 초대 2곳" in done.params["text"] and "영업 중 아님 1" in done.params["text"]
    sheet = await fake.wait_for(lambda c: c.method == "sendDocument" and c.status == 200, after=mark)
    rows = sheet.params["document"].content.decode("utf-8-sig").splitlines()
    assert len(rows) == 3 and "한강식당" in rows[1]
    link = next(part for part in rows[1].split(",") if "start=inv_" in part)
    token = link.split("start=")[1]

    await h.say(700, f"/start {token}", expect="역할이 부여되었습니다")
    status = await h.say(700, "/foodalert", expect="등록됨")
    assert "한강식당" in status.params["text"] and "화양동" in status.params["text"]

    async def invited() -> bool:  # the reply can reach the fake before its unit of work commits
        async with h.app.sessionmaker() as s:
            return (
                await s.scalar(select(func.count()).select_from(FoodOperator).where(FoodOperator.status == "invited"))
                == 1
            )

    await h.eventually(invited)

    # not an admin: a CSV is just a document
    mark = fake.mark()
    document_update(fake, 701, "x.csv", 10)
    await fake.wait_text(701, "글로 적어 보내 주시면", after=mark)


async def test_the_fake_can_enforce_a_global_rate_limit():
    """The benchmark's enforced limit (FakeTelegram(rate_limit=N)); other methods are not limited."""
    import aiohttp

    from tests.fakes.telegram_server import FakeTelegram

    fake = FakeTelegram(rate_limit=3)
    await fake.start()
    try:
        async with aiohttp.ClientSession() as http:

            async def send(i):
                async with http.post(
                    f"{fake.base_url}/bot{fake.token}/sendMessage", data={"chat_id": str(i), "text": "x"}
                ) as r:
                    return r.status, await r.json()

            answers = [await send(i) for i in range(5)]
            assert [s for s, _ in answers] == [200, 200, 200, 429, 429]
            assert answers[3][1]["parameters"] == {"retry_after": 1}
            async with http.post(f"{fake.base_url}/bot{fake.token}/getMe") as r:
                assert r.status == 200
            await asyncio.sleep(1.05)
            assert (await send(9))[0] == 200
    finally:
        await fake.stop()


async def test_hygiene_officers_get_the_delivery_report_of_a_notice(harness, fake):
    """Like the newsletter editor: sent, blocked and failed, once, when nothing is pending."""
    h, officer, colleague = harness, 400, 401
    await h.say(ADMIN, f"/grant {officer} officer HYGIENE", expect="역할을 부여했습니다")
    await h.say(ADMIN, f"/grant {colleague} officer HYGIENE", expect="역할을 부여했습니다")
    await h.say(colleague, "/start", expect=None)
    await add_operators(h, [501, 502, 503], dong="자양1동")
    fake.block_user(503)
    await h.say(officer, "/foodalert", expect="식중독 예방 알림 관리")
    await h.press(officer, "발생 알림 보내기", expect="누구에게")
    await h.press(officer, "동별", expect="동을 골라")
    await h.press(officer, "자양1동", expect="받는 곳: 자양1동 (3곳)")
    await h.say(
        officer,
        "자양1동 음식점에서 노로바이러스 의심 환자가 발생했습니다. 조리 전 손 씻기를 지켜 주세요.",
        expect="발생 알림 미리보기",
    )
    await h.press(officer, "보내기", expect="3곳에 보내고")
    for op in (501, 502):
        await fake.wait_text(op, "노로바이러스 의심 환자")

    async def settled():
        async with h.app.sessionmaker() as s:
            return not await s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.dedup_key.startswith("food:notice:"), OutboxMessage.status == "pending")
            )

    await h.eventually(settled, timeout=15)
    await h.app.duties.newsletter_report()
    await h.app.duties.newsletter_report()  # a second run reports nothing again
    for staff in (officer, colleague):
        report = await fake.wait_text(staff, "식중독 발생 알림 발송 결과")
        assert "대상 3곳 · 보냄 2 · 차단 1 · 실패 0" in report.params["text"]
    await asyncio.sleep(0.3)
    assert sum("발송 결과" in x for x in fake.texts(officer)) == 1
