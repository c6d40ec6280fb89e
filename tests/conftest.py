import pytest

from tests import databases
from tests.fakes.telegram_server import FakeTelegram


def pytest_report_header(config):
    return f"database engine: {databases.BACKEND}; FSM in Redis: {'yes' if databases.TEST_REDIS_URL else 'no'}"


def pytest_sessionstart(session):
    databases.drop_stale_databases()


def pytest_sessionfinish(session, exitstatus):
    databases.drop_test_databases(keep_template=False)


@pytest.fixture(autouse=True)
def _drop_test_databases():
    """PostgreSQL: each test's databases go when it ends (the disk would fill otherwise)."""
    yield
    databases.drop_test_databases()
    databases.drop_test_redis_keys()


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
