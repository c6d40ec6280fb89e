"""Walk a birth and a death one-stop through the bot against the fake Bot API and print the chat.

    .venv/bin/python scripts/onestop_walkthrough.py

Birth: a parent (100) reports a second child born 40 days ago in a 기초생활수급 household, birth
not yet registered; 한국전력공사 is reached by a signed webhook to a local server; the 동 주민센터
(201) and the 보건소 (202) complete their parts. Death: a reporter (300) gets the checklist.
"""

import asyncio
import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import walkthrough  # noqa: E402
from tests.e2e.harness import ADMIN, BotHarness  # noqa: E402
from tests.e2e.test_birth_onestop import SECRET, WebhookServer, complete_card, fast  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402
from workflows.onestop import service as bd  # noqa: E402
from workflows.district import DEFAULT_PATH  # noqa: E402

PARENT, DONG, HEALTH, CIVIL, REPORTER = 100, 201, 202, 203, 300
walkthrough.WHO.clear()
walkthrough.WHO.update(
    {
        PARENT: "부모",
        DONG: "중곡1동 담당자",
        HEALTH: "보건소 담당자",
        CIVIL: "민원여권과 담당자",
        REPORTER: "신고인",
        ADMIN: "관리자",
    }
)


async def main() -> None:
    fake = FakeTelegram()
    await fake.start()
    kepco = await WebhookServer().start()
    inbound = []
    queue = fake._queue

    def record(update):
        inbound.append((asyncio.get_running_loop().time(), update))
        return queue(update)

    fake._queue = record
    with tempfile.TemporaryDirectory() as tmp:
        raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
        raw["onestop"]["channels"] = {"KEPCO": {"type": "webhook", "url": kepco.url}}
        path = Path(tmp) / "district.json"
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        h = fast(await BotHarness(fake, Path(tmp), DISTRICT_CONFIG=str(path), AGENCY_WEBHOOK_SECRET=SECRET).start())
        for uid, dept in ((DONG, "DONG-JUNGGOK1"), (HEALTH, "HEALTH"), (CIVIL, "CIVIL")):
            await h.say(ADMIN, f"/grant {uid} officer {dept}", expect="부여")
        today = bd.local_today(h.app.svc)
        await h.say(PARENT, "/birth", expect="동의")
        await h.press(PARENT, "동의합니다", expect="태어난 날")
        await h.say(PARENT, (today - timedelta(days=40)).isoformat(), expect="몇째")
        await h.press(PARENT, "둘째", expect="동을")
        await h.press(PARENT, "중곡1동", expect="출생신고는")
        await h.press(PARENT, "아직입니다", expect="수급")
        await h.press(PARENT, "예", expect="받으실 수 있는 지원")
        await h.press(PARENT, "기관별 정보 제공 동의", expect="(1/1)")
        await h.press(PARENT, "제공에 동의합니다", expect="전화번호")
        await h.say(PARENT, "010-2222-3333", expect="신청 내용 확인")
        await h.press(PARENT, "신청하기", expect="접수되었습니다")
        await fake.wait_text(PARENT, "진행 중")
        await h.app.duties.onestop()
        await fake.wait_text(PARENT, "한국전력공사에 전달되어")
        for officer, names in (
            (HEALTH, ("출산지원금", "기저귀")),
            (DONG, ("부모급여", "아동수당", "첫만남이용권", "가정양육수당", "해산급여")),
        ):
            for name in names:
                card = await fake.wait_text(officer, name)
                note = "다음 달 25일에 지급됩니다." if name == "부모급여" else None
                await complete_card(fake, officer, card, note=note)
        await fake.wait_text(PARENT, "모두 처리되었습니다")
        await fake.wait_text(PARENT, "얼마나 만족하셨나요")
        await h.press(PARENT, "5 😊", expect="감사합니다")
        await h.press(PARENT, "여기까지", expect="소중한 평가")

        await h.say(REPORTER, "/death", expect="명복")
        await h.press(REPORTER, "동의합니다", expect="돌아가신 날")
        await h.say(REPORTER, "2026-08-31", expect="관계")
        await h.press(REPORTER, "함께 살던 친족", expect="동을")
        await h.press(REPORTER, "자양1동", expect="사망신고는")
        await h.press(REPORTER, "했습니다", expect="(1/4)")
        for _ in range(4):
            await h.press(REPORTER, "제공에 동의합니다", expect="")
        await fake.wait_text(REPORTER, "전화번호")
        await h.press(REPORTER, "건너뛰기", expect="미리 알려")
        await h.press(REPORTER, "알려 주세요", expect="신고 내용 확인")
        await h.press(REPORTER, "📨 알려 주세요", expect="접수했습니다")
        await fake.wait_text(REPORTER, "챙기셔야 할 일과 기한")
        await asyncio.sleep(0.5)
        await h.stop()
    await kepco.stop()
    await fake.stop()
    print(walkthrough.render(fake, inbound))
    print("\nwebhook received:", json.dumps([r["body"] for r in kepco.received], ensure_ascii=False, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
