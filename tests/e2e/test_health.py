"""/healthz (public listener) and /metrics (export listener) reflect handled updates and the
outbox; the public port does not serve /metrics."""

import httpx

from tests.e2e.harness import BotHarness, free_port


async def test_healthz_and_metrics(fake, tmp_path):
    port, export = free_port(), free_port()
    h = await BotHarness(fake, tmp_path, HTTP_PORT=str(port), EXPORT_PORT=str(export)).start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            before = (await client.get("/healthz")).json()
            assert before["status"] == "ok" and before["database"] == "ok"
            assert before["last_update_seconds_ago"] is None and before["failed_duties"] == []
            await h.say(100, "/help", expect="도움말")
            after = (await client.get("/healthz")).json()
            assert after["last_update_seconds_ago"] is not None and after["last_update_seconds_ago"] < 5
            assert after["outbox_due"] == 0
            metrics = (await client.get(f"http://127.0.0.1:{export}/metrics")).text
            assert (await client.get("/metrics")).status_code == 404  # not on the public port
            assert "minwon_updates_total 1" in metrics and "minwon_telegram_429_total 0" in metrics
            assert "minwon_outbox_due 0" in metrics
    finally:
        await h.stop()
