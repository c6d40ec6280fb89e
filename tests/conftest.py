import collections
import os
import signal
from pathlib import Path

import pytest

from tests import databases
from tests.fakes import telegram_server
from tests.fakes.telegram_server import FakeTelegram

# (method, description) -> [(test id, excerpt)] over the run, for the summary at the end
_UNEXPECTED_REFUSALS: dict[tuple[str, str], list[tuple[str, str]]] = collections.defaultdict(list)


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


def _bot_children() -> list[int]:
    """Processes this test process started that still run ``python -m bot`` (Linux /proc: the
    children each thread of this process started, not a scan of every process)."""
    pids = set()
    for children in Path("/proc/self/task").glob("*/children"):
        try:
            pids.update(int(p) for p in children.read_text().split())
        except OSError:
            continue  # the thread ended meanwhile
    found = []
    for pid in sorted(pids):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile
        if b"-m" in cmd and b"bot" in cmd:
            found.append(pid)
    return found


@pytest.fixture(autouse=True)
def _no_bot_left_running():
    """A ``python -m bot`` a test started never outlives it: one that failed to stop (a timeout in
    the test's own teardown) would go on polling and could answer the next test's fake Telegram
    (the same token on a reused port). It is killed, and the test fails saying so."""
    yield
    left = _bot_children()
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    if left:
        pytest.fail(f"a bot process this test started was still running at its end (killed: {left})", pytrace=False)


@pytest.fixture(autouse=True)
def _telegram_would_refuse(request):
    """Fails a test (at teardown) if any fake Bot API built during it -- the ``fake`` fixture or
    one a test builds itself -- refused a request as the real Telegram would (tg_rules), unless
    the test announced it with ``fake.expect_refusals()``."""
    built = len(telegram_server.INSTANCES)
    yield
    fakes = telegram_server.INSTANCES[built:]
    del telegram_server.INSTANCES[built:]
    refused = [r for f in fakes for r in f.unexpected_refusals()]
    for method, description, excerpt in refused:
        _UNEXPECTED_REFUSALS[(method, description)].append((request.node.nodeid, excerpt))
    if refused:
        lines = [f"  {method}: {description}\n      {excerpt}" for method, description, excerpt in refused]
        pytest.fail(
            f"the Bot API would refuse {len(refused)} request(s) of this test "
            "(fake.expect_refusals() if on purpose):\n" + "\n".join(lines),
            pytrace=False,
        )


def pytest_terminal_summary(terminalreporter, config):
    if getattr(config.option, "numprocesses", None):  # pytest-xdist: the counts stay in its workers
        return
    totals = telegram_server.TOTALS
    terminalreporter.write_line(
        f"Bot API calls: {totals['calls']} (refused: {totals['refused']}); of them getUpdates: {totals['getUpdates']}"
    )
    for (method, description), where in sorted(_UNEXPECTED_REFUSALS.items()):
        tests = sorted({nodeid for nodeid, _ in where})
        terminalreporter.write_line(f"  refused {len(where)}x {method}: {description}")
        terminalreporter.write_line(f"      in {', '.join(tests[:5])}{' ...' if len(tests) > 5 else ''}")
        terminalreporter.write_line(f"      e.g. {where[0][1]}")


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
