"""POST /payments/notify on the bot's HTTP server (bot/http.py): the bank's virtual-account
payment notification for the 등록면허세 one-stop.

The body is JSON::

    {"transaction_id": "BANK-20261123-0001", "account": "56201000000127", "amount": 40500,
     "paid_at": "2026-11-23T10:05:00+09:00", "timestamp": 1795395900}

signed with HMAC-SHA256 over the exact body bytes under the PAYMENT_WEBHOOK_SECRET setting, in the
header ``X-Payment-Signature: sha256=<hex>`` (the same scheme as workflows/onestop/agency_notify.py).

Answers: 200 with the outcome (``applied``, or ``held_*`` when the officer must look: wrong amount,
unknown account, a notice already paid or cancelled); 401 unsigned or badly signed; 409 a replay —
a transaction id seen before, or a ``timestamp`` more than MAX_SKEW from now; 400 a malformed
body; 413 too large; 503 when no secret is configured (officers then mark payments by hand).
Refusals are logged with their reason only — never the body, the account or the amount.
A valid payment commits, wakes the outbox worker (receipt, Telegram confirmations) and starts the
webhook confirmations at once.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from handlers.http_app import APP_KEY

from handlers.license_tax.chat import kick
from workflows.onestop import agency_notify
from workflows.license_tax import service as lt

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Payment-Signature"
MAX_BODY = 16 * 1024
MAX_SKEW = timedelta(minutes=5)
FIELDS = ("transaction_id", "account", "amount", "timestamp", "paid_at")


def _answer(code: int, **data) -> web.Response:
    return web.json_response(data, status=code, headers={"Cache-Control": "no-store"})


def _refuse(status: int, reason: str) -> web.Response:
    log.warning("payment notification refused (%s): %s", status, reason)
    return _answer(status, error=reason)


async def read_body(request: web.Request, limit: int) -> bytes | None:
    """The whole body, also when it comes chunked (no Content-Length) and slowly: one read returns
    only what has arrived. None when it is longer than ``limit``."""
    body = b""
    while len(body) <= limit and (part := await request.content.read(limit + 1 - len(body))):
        body += part
    return None if len(body) > limit else body


def parse(body: bytes) -> dict:
    """The notification's fields, checked; ValueError names what is wrong."""
    try:
        data = json.loads(body)
    except RecursionError:  # lists nested thousands deep: the decoder gives up
        raise ValueError("body") from None
    if not isinstance(data, dict):
        raise ValueError("not an object")
    tx, account, amount = data.get("transaction_id"), data.get("account"), data.get("amount")
    if not isinstance(tx, str) or not 0 < len(tx) <= 80 or "\x00" in tx:  # PostgreSQL refuses NUL in text
        raise ValueError("transaction_id")
    if not isinstance(account, str) or not 0 < len(account) <= 40 or "\x00" in account:
        raise ValueError("account")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount < 10**12:
        raise ValueError("amount")
    if isinstance(data.get("timestamp"), bool) or not isinstance(data.get("timestamp"), int):
        raise ValueError("timestamp")
    try:
        paid_at = datetime.fromisoformat(str(data.get("paid_at")))
    except ValueError:
        raise ValueError("paid_at") from None
    if paid_at.tzinfo is None:
        raise ValueError("paid_at")
    return {
        "transaction_id": tx,
        "account": account,
        "amount": amount,
        "paid_at": paid_at,
        "timestamp": data["timestamp"],
    }


async def notify(request: web.Request) -> web.Response:
    app: "App" = request.app[APP_KEY]
    secret = app.settings.payment_webhook_secret
    if not secret:
        return _refuse(503, "PAYMENT_WEBHOOK_SECRET is not set")
    if (request.content_length or 0) > MAX_BODY:
        return _refuse(413, "body too large")
    body = await read_body(request, MAX_BODY)
    if body is None:
        return _refuse(413, "body too large")
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        return _refuse(401, "unsigned")
    if not agency_notify.verify(secret, body, signature):
        return _refuse(401, "bad signature")
    try:
        fields = parse(body)
    except (ValueError, TypeError) as e:
        field = str(e) if str(e) in FIELDS else "body"  # never echo what was sent
        return _refuse(400, f"malformed {field}")
    now = app.svc.now()
    if abs(now.timestamp() - fields["timestamp"]) > MAX_SKEW.total_seconds():
        return _refuse(409, "stale timestamp (replay?)")
    async with app.sessionmaker() as session:
        try:
            result = await lt.record_bank_payment(
                session,
                app.svc,
                transaction_id=fields["transaction_id"],
                account=fields["account"],
                amount=fields["amount"],
                paid_at=fields["paid_at"],
            )
        except lt.DuplicatePayment:
            await session.rollback()
            return _refuse(409, "transaction already processed (replay)")
        except lt.LicenseTaxError:
            await session.rollback()
            return _refuse(400, "malformed: payment")
        await session.commit()
        if session.info.pop("outbox_added", False):
            app.worker.wake()
        notice_no = result.notice.notice_no if result.notice else None
        status = result.status
    log.info("payment notification accepted: %s (notice %s)", status, notice_no or "-")
    if status == lt.APPLIED:
        kick(app.duties)
    return _answer(200, status=status, notice_no=notice_no)


def setup(web_app: web.Application, app: "App") -> None:
    web_app.router.add_post("/payments/notify", notify)
