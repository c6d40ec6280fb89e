import pytest

from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture
async def fake():
    f = FakeTelegram()
    await f.start()
    yield f
    await f.stop()


@pytest.fixture
async def harness(fake, tmp_path):
    from tests.e2e.harness import BotHarness

    h = BotHarness(fake, tmp_path)
    await h.start()
    yield h
    await h.stop()
