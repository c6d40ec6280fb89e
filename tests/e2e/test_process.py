"""`python -m bot` as a separate process: it migrates, polls the fake server and stops cleanly;
without BOT_TOKEN it explains itself and exits with code 2."""
import asyncio
import signal
import sys

from tests.e2e.harness import TEST_KEY, process_env


def _env(tmp_path, **extra):
    return process_env(**{"DATA_DIR": str(tmp_path), "DATA_KEY": TEST_KEY, "ADMIN_IDS": "1", "POLLING_TIMEOUT": "1",
                           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'proc.db'}", **extra})


async def test_bot_process_answers_and_stops_on_sigterm(fake, tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=_env(tmp_path, BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.base_url),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
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
        sys.executable, "-m", "bot", env=_env(tmp_path, BOT_TOKEN=""),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    text = err.decode()
    assert proc.returncode == 2
    assert "BOT_TOKEN이 설정되지 않았습니다" in text and "BOT_TOKEN is not set" in text
    assert "Traceback" not in text


async def test_bot_process_with_malformed_token_exits_2(tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=_env(tmp_path, BOT_TOKEN="not-a-token"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2 and "Traceback" not in err.decode()
