"""`python -m bot` as a separate process: it migrates, polls the fake server and stops cleanly;
without BOT_TOKEN it explains itself and exits with code 2."""

import asyncio
import signal
import sys

import pytest

from tests.e2e.harness import TEST_KEY, process_env

pytestmark = pytest.mark.slow  # each starts `python -m bot` (5-13 s): scripts/test --fast leaves them out


def _env(tmp_path, **extra):
    return process_env(
        **{
            "DATA_DIR": str(tmp_path),
            "DATA_KEY": TEST_KEY,
            "ADMIN_IDS": "1",
            "POLLING_TIMEOUT": "1",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'proc.db'}",
            **extra,
        }
    )


async def test_bot_process_answers_and_stops_on_sigterm(fake, tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=_env(tmp_path, BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.base_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for(lambda c: c.method == "getUpdates", timeout=30)
        mark = fake.mark()
        fake.message(100, "/start")
        reply = await fake.wait_text(100, "민원 도우미", after=mark, timeout=10)
        assert reply.status == 200
        await fake.wait_text(100, "개인정보 수집·이용 동의", after=mark, timeout=10)
        assert (tmp_path / "proc.db").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert "Traceback" not in err.decode()


async def test_bot_process_without_token_exits_2(tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=_env(tmp_path, BOT_TOKEN=""),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    text = err.decode()
    assert proc.returncode == 2
    assert "BOT_TOKEN이 설정되지 않았습니다" in text and "BOT_TOKEN is not set" in text
    assert "Traceback" not in text


async def test_bot_process_with_malformed_token_exits_2(tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=_env(tmp_path, BOT_TOKEN="not-a-token"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2 and "Traceback" not in err.decode()


async def _read_until(stream: asyncio.StreamReader, seen: list[str], predicate, timeout: float) -> None:
    """Collect stderr lines into ``seen`` until one matches ``predicate``."""

    async def loop():
        while line := await stream.readline():
            seen.append(line.decode(errors="replace"))
            if predicate(seen[-1]):
                return
        raise AssertionError("the process ended first:\n" + "".join(seen)[-2000:])

    await asyncio.wait_for(loop(), timeout)


async def test_telegram_unreachable_at_start_is_retried_then_served(fake, tmp_path):
    """Pointed at a port where nothing answers, the bot says so in one line per try, waits longer
    each time (1 s, 2 s, ...) and starts serving as soon as Telegram answers."""
    from tests.fakes.tcp_proxy import TcpProxy

    proxy = TcpProxy("127.0.0.1", int(fake.base_url.rsplit(":", 1)[1]))
    port = await proxy.start()
    await proxy.cut()  # the port refuses connections, as when Telegram cannot be reached
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=_env(tmp_path, BOT_TOKEN=fake.token, TELEGRAM_API_URL=f"http://127.0.0.1:{port}"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    seen: list[str] = []
    try:
        await _read_until(proc.stderr, seen, lambda line: "trying again in 2 s" in line, timeout=30)
        tries = [line for line in seen if "Telegram unreachable at start" in line]
        assert len(tries) == 2 and "trying again in 1 s" in tries[0] and "ClientConnectorError" in tries[0]
        assert proc.returncode is None  # still running, waiting
        await proxy.restore()
        await fake.wait_for(lambda c: c.method == "getUpdates", timeout=15)
        mark = fake.mark()
        fake.message(100, "/help")
        await fake.wait_text(100, "도움말", after=mark, timeout=10)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(proc.communicate(), 20)
        await proxy.stop()
    err = "".join(seen) + rest.decode()
    assert proc.returncode == 0, err[-2000:]
    assert "Traceback" not in err


async def test_a_stop_while_telegram_is_unreachable_ends_at_once(tmp_path):
    from tests.e2e.harness import free_port

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=_env(tmp_path, BOT_TOKEN="123456:TEST-TOKEN", TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    seen: list[str] = []
    await _read_until(proc.stderr, seen, lambda line: "Telegram unreachable at start" in line, timeout=30)
    proc.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(proc.communicate(), 5)
    assert proc.returncode == 0
    assert "Traceback" not in "".join(seen) + rest.decode()


async def test_a_token_telegram_refuses_stops_with_one_message_and_exit_2(fake, tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=_env(tmp_path, BOT_TOKEN="123456:WRONG-TOKEN", TELEGRAM_API_URL=fake.base_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    text = err.decode()
    assert proc.returncode == 2, text[-2000:]
    assert "Telegram이 BOT_TOKEN을 거부했습니다 (401 Unauthorized)" in text and "Telegram rejected BOT_TOKEN" in text
    assert "Traceback" not in text and "Unclosed" not in text
    assert [c.method for c in fake.requests] == ["getMe"]  # no retry of a refused token
