"""Walk one complaint through the whole loop against the fake Bot API server and print the chat.

    .venv/bin/python scripts/walkthrough.py

Resident 100 files, officer 200 (청소행정과) takes and answers, the resident rates. Prints every
message as the two people would see it, with the time since start.
"""

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.harness import ADMIN, BotHarness  # noqa: E402
from tests.e2e.test_complaint_loop import consent, file_complaint  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402

CITIZEN, OFFICER = 100, 200
WHO = {CITIZEN: "주민", OFFICER: "담당자", ADMIN: "관리자"}


async def main() -> None:
    fake = FakeTelegram()
    await fake.start()
    inbound = []  # (time, update) of what the people typed or pressed
    queue = fake._queue

    def record(update):
        inbound.append((asyncio.get_running_loop().time(), update))
        return queue(update)

    fake._queue = record
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        h = await BotHarness(fake, Path(tmp)).start()
        await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="부여")
        await consent(h)
        await file_complaint(h)
        await fake.wait_text(OFFICER, "새 민원")
        await h.press(OFFICER, "접수", expect="맡았습니다")
        await h.press(OFFICER, "답변", expect="답변을 적어")
        await h.say(OFFICER, "오늘 오후 수거를 마쳤습니다. 불편을 드려 죄송합니다.", expect="미리보기")
        await h.press(OFFICER, "보내기", expect="보냈습니다")
        await fake.wait_text(CITIZEN, "문제가 해결되었나요")
        await h.press(CITIZEN, "해결됨", expect="종결")
        await fake.wait_text(CITIZEN, "만족하셨나요")
        await h.press(CITIZEN, "5 😊", expect="감사합니다")
        await h.press(CITIZEN, "여기까지", expect="소중한 평가")
        elapsed = time.monotonic() - t0
        await h.stop()
    await fake.stop()
    print(render(fake, inbound))
    print(f"\n(whole loop, bot start included: {elapsed:.1f} s)")


def render(fake: FakeTelegram, inbound) -> str:
    events = []
    for at, u in inbound:
        if "message" in u:
            m = u["message"]
            what = m.get("text") or ("[사진]" if "photo" in m else "[위치]" if "location" in m else "[?]")
            events.append((at, f"{WHO.get(m['from']['id'])} ▶ {what}"))
        else:
            q = u["callback_query"]
            label = next(
                (
                    b["text"]
                    for row in (q.get("message", {}).get("reply_markup") or {}).get("inline_keyboard", [])
                    for b in row
                    if b.get("callback_data") == q["data"]
                ),
                q["data"],
            )
            events.append((at, f"{WHO.get(q['from']['id'])} ▶ [{label}]"))
    for call in fake.requests:
        p = call.params
        if call.method in ("sendMessage", "sendPhoto", "sendLocation", "sendMediaGroup"):
            text = p.get("text") or p.get("caption") or f"[{call.method}]"
            kb = p.get("reply_markup") or {}
            buttons = " ".join(f"[{b['text']}]" for row in kb.get("inline_keyboard", []) for b in row)
            events.append(
                (
                    call.time,
                    f"봇 → {WHO.get(p.get('chat_id'), p.get('chat_id'))}: {text}"
                    + (f"\n{'':10}{buttons}" if buttons else ""),
                )
            )
    start = min(at for at, _ in events)
    return "\n".join(f"{at - start:6.2f}s  {line}" for at, line in sorted(events, key=lambda e: e[0]))


if __name__ == "__main__":
    asyncio.run(main())
