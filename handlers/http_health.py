"""GET /healthz (database reachable, last update, outbox lag, failed duties) on the public HTTP
listener, and GET /metrics (Prometheus text) on the export listener (bot/http.py)."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import func, select, text

from workflows.models import OutboxMessage
from handlers.http_app import APP_KEY

if TYPE_CHECKING:
    from bot.app import App


async def _outbox(app: "App") -> tuple[int, float]:
    """Pending rows that are due now, and the age in seconds of the oldest of them."""
    now = datetime.now(timezone.utc)
    async with app.sessionmaker() as s:
        await s.execute(text("SELECT 1"))
        row = (
            await s.execute(
                select(func.count(), func.min(OutboxMessage.not_before)).where(
                    OutboxMessage.status == "pending", OutboxMessage.not_before <= now
                )
            )
        ).one()
    oldest = row[1]
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return int(row[0]), (now - oldest).total_seconds() if oldest else 0.0


async def healthz(request: web.Request) -> web.Response:
    app: "App" = request.app[APP_KEY]
    try:
        pending, lag = await _outbox(app)
    except Exception as e:  # noqa: BLE001 - the database is not reachable
        return web.json_response({"status": "error", "database": type(e).__name__}, status=503)
    last, hook = app.metrics.last_update_at, app.metrics.last_webhook_at
    return web.json_response(
        {
            "status": "ok",
            "database": "ok",
            "mode": "webhook" if app.settings.webhook_mode else "polling",
            "runs_scheduler_and_delivery": bool(app.singletons and app.singletons.running),
            "last_update_seconds_ago": round(time.time() - last, 1) if last else None,
            "last_webhook_seconds_ago": round(time.time() - hook, 1) if hook else None,
            "outbox_due": pending,
            "outbox_lag_seconds": round(lag, 1),
            "failed_duties": sorted(set(app.duties.failures)),
        }
    )


async def metrics(request: web.Request) -> web.Response:
    app: "App" = request.app[APP_KEY]
    pending, lag = await _outbox(app)
    m, stats = app.metrics, app.worker.stats
    lines = [
        "# TYPE minwon_updates_total counter",
        f"minwon_updates_total {m.updates}",
        "# TYPE minwon_handler_seconds_total counter",
        f"minwon_handler_seconds_total {m.handler_seconds:.6f}",
        "# TYPE minwon_outbox_due gauge",
        f"minwon_outbox_due {pending}",
        "# TYPE minwon_outbox_lag_seconds gauge",
        f"minwon_outbox_lag_seconds {lag:.1f}",
        "# TYPE minwon_messages_sent_total counter",
        f"minwon_messages_sent_total {stats.get('sent', 0)}",
        "# TYPE minwon_telegram_429_total counter",
        f"minwon_telegram_429_total {stats.get('retry_after', 0)}",
        "# TYPE minwon_duty_failures_total counter",
        f"minwon_duty_failures_total {len(app.duties.failures)}",
    ]
    return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")


def setup(web_app: web.Application, app: "App") -> None:
    web_app.router.add_get("/healthz", healthz)


def setup_export(web_app: web.Application, app: "App") -> None:
    web_app.router.add_get("/metrics", metrics)
