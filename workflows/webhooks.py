"""One signed outbound webhook queue: notices to outside bodies (birth/death one-stop agencies,
workflows/onestop/agency_notify.py) and payment confirmations to licensing bodies
(workflows/license_tax/licensing_bodies.py) are rows of their own tables, delivered here the same way.

* The body is JSON, signed with HMAC-SHA256 over its exact bytes (``X-Onestop-Signature:
  sha256=<hex>``), with an ``Idempotency-Key`` the receiver can drop a repeat by.
* A row is claimed (pending -> sending) by a conditional UPDATE and committed before its POST, so
  two runs (the scheduler's and one started at once after a payment, or two instances) never both
  send it; a row left ``sending`` by a crash goes back to the queue after ``STALE_SENDING``
  (at-least-once, like the outbox).
* No database transaction is open while the receiver answers: the claim and the attempt count are
  committed before the POST, the outcome in a short transaction after it.
* A 2xx is delivery; network errors, 408/425/429 and 5xx are retried with backoff up to
  ``MAX_ATTEMPTS``; any other answer, a channel or secret not configured, or too many attempts
  fail the row, and the queue's ``failed`` hands it to people (relay by hand).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.context import Services

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

WEBHOOK = "webhook"
PENDING, SENDING = "pending", "sending"
SIGNATURE_HEADER = "X-Onestop-Signature"
MAX_ATTEMPTS = 6
BACKOFF_FIRST, BACKOFF_MAX = timedelta(seconds=60), timedelta(hours=1)
STALE_SENDING = timedelta(minutes=5)
TIMEOUT = 10.0
RETRYABLE = frozenset({408, 425, 429})


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """For receivers (and tests): does the signature header match these exact bytes?"""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


@dataclass(frozen=True)
class Request:
    url: str
    secret: str
    body: dict
    idempotency_key: str
    user_agent: str


@dataclass(frozen=True)
class Queue:
    """One table of webhook rows (columns id, channel, status, attempts, next_attempt_at, target,
    last_error) and what its feature does around a POST."""

    name: str  # for the log
    model: Any
    # the request for a claimed row, or why it cannot be sent ("channel or secret not configured")
    request: Callable[[AsyncSession, Services, Any], Awaitable[Request | str]]
    # a 2xx: the row's final status and what follows (with the answer and the time it took, ms)
    delivered: Callable[[AsyncSession, Services, Any, httpx.Response, int], Awaitable[None]]
    # given up: the row's final status and the hand relay (with the reason)
    failed: Callable[[AsyncSession, Services, Any, str], Awaitable[None]]
    client_options: dict = field(default_factory=dict)  # e.g. verify= for httpx.AsyncClient


async def deliver_due(session: AsyncSession, svc: Services, queue: Queue, *, limit: int = 20) -> int:
    """POST every row of ``queue`` that is due; returns how many were delivered (see the module)."""
    m, now = queue.model, svc.now()
    await session.execute(
        update(m).where(m.status == SENDING, m.next_attempt_at <= now - STALE_SENDING).values(status=PENDING)
    )  # claims of a run that died mid-send
    ids = list(
        await session.scalars(
            select(m.id)
            .where(m.channel == WEBHOOK, m.status == PENDING, m.next_attempt_at <= now)
            .order_by(m.id)
            .limit(limit)
        )
    )
    await session.commit()
    done = 0
    if not ids:
        return done
    import httpx  # here: the bot starts without it (issue 17)

    async with httpx.AsyncClient(transport=svc.http_transport, timeout=TIMEOUT, **queue.client_options) as client:
        for row_id in ids:
            claimed = cast(
                CursorResult,
                await session.execute(
                    update(m)
                    .where(m.id == row_id, m.status == PENDING)
                    .values(status=SENDING, next_attempt_at=svc.now())
                ),
            )
            row = await session.get(m, row_id) if claimed.rowcount == 1 else None
            if row is None:
                await session.commit()
                continue  # another run took it
            await session.refresh(row)
            request = await queue.request(session, svc, row)
            if isinstance(request, str):
                await queue.failed(session, svc, row, request)
                await session.commit()
                continue
            row.attempts += 1
            row.target = request.url
            await session.commit()  # claimed and counted: nothing is held while the receiver answers
            raw = body_bytes(request.body)
            started, error, resp = svc.now(), None, None
            try:
                resp = await client.post(
                    request.url,
                    content=raw,
                    headers={
                        "Content-Type": "application/json; charset=utf-8",
                        SIGNATURE_HEADER: sign(request.secret, raw),
                        "Idempotency-Key": request.idempotency_key,
                        "User-Agent": request.user_agent,
                    },
                )
            except httpx.HTTPError as e:
                error = type(e).__name__
            if resp is not None and 200 <= resp.status_code < 300:
                row.last_error = None
                await queue.delivered(session, svc, row, resp, int((svc.now() - started).total_seconds() * 1000))
                done += 1
            elif resp is not None and resp.status_code not in RETRYABLE and resp.status_code < 500:
                await queue.failed(session, svc, row, f"HTTP {resp.status_code}")
            else:  # no answer, or one worth trying again
                error = error or f"HTTP {resp.status_code if resp is not None else '-'}"
                if row.attempts >= MAX_ATTEMPTS:
                    await queue.failed(session, svc, row, error)
                else:
                    row.status, row.last_error = PENDING, error[:300]
                    row.next_attempt_at = svc.now() + backoff(row.attempts)
            log.info("%s %s: %s (attempt %d)", queue.name, row.id, row.status, row.attempts)
            await session.commit()
    return done
