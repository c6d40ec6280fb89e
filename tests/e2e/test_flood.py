"""One account sending too fast gets one polite pause message; the rest is dropped, others go on."""

import asyncio

from tests.e2e.harness import BotHarness


async def test_flood_gets_one_pause_message(fake, tmp_path):
    h = await BotHarness(fake, tmp_path, FLOOD_LIMIT="5", FLOOD_WINDOW="30").start()
    try:
        mark = fake.mark()
        for _ in range(12):
            fake.message(100, "/help")
        await fake.wait_text(100, "너무 빨리", after=mark)
        await h.say(200, "/help", expect="도움말")  # someone else is served as usual
        await asyncio.sleep(0.5)
        texts = [t for t in fake.texts(100)]
        assert sum("도움말" in t for t in texts) == 5 and sum("너무 빨리" in t for t in texts) == 1
    finally:
        await h.stop()
