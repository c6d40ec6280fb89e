"""POST /payments/notify (handlers/license_tax/http_payments.py) on a local aiohttp test server: the HMAC
signature, replays (same transaction id, stale timestamp), malformed bodies, the unset secret, and
logs that carry no payment data."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from types import SimpleNamespace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from handlers.http_app import APP_KEY
from workflows.models import LicenseTaxNotice, LicenseTaxPayment, User
from handlers.license_tax import http_payments
from tests.unit.conftest import ADMIN_ID
from workflows import roles
from workflows.license_tax import service as lt
from workflows.onestop import agency_notify
from workflows.license_tax.service import Draft

# bot/http.py keys the App as web_app[APP_KEY]; the test app mirrors it.
pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web.NotAppKeyWarning")
SECRET = "bank-secret"
CITIZEN, TAX_OFFICER = 1001, 2001


@pytest.fixture
async def notice(session, svc, district):
    session.add(User(id=CITIZEN))
    await roles.grant(
        session,
        user_id=TAX_OFFICER,
        role="officer",
        department_code="TAX",
        by=ADMIN_ID,
        departments=district.departments,
    )
    officer = await roles.load_principal(session, TAX_OFFICER, frozenset())
    svc = dataclasses.replace(svc, receipt_key=b"r" * 32)
    n, _ = await lt.request_notice(
        session,
        svc,
        citizen_id=CITIZEN,
        submit_key="f",
        draft=Draft(licence="karaoke", kind="new", body="POLICE_GWANGJIN", business_name="노래세상", dong="화양동"),
    )
    await lt.confirm_class(session, svc, officer, n, 3)
    await session.commit()
    return n


async def client_for(db_sessionmaker, svc, secret: str | None) -> TestClient:
    wakes = []
    app = SimpleNamespace(
        settings=SimpleNamespace(payment_webhook_secret=secret),
        sessionmaker=db_sessionmaker,
        svc=dataclasses.replace(svc, receipt_key=b"r" * 32),
        worker=SimpleNamespace(wake=lambda: wakes.append(1)),
        duties=None,
        wakes=wakes,
    )
    web_app = web.Application()
    web_app[APP_KEY] = app
    http_payments.setup(web_app, app)
    client = TestClient(TestServer(web_app))
    await client.start_server()
    client.app_ns = app
    return client


@pytest.fixture
async def client(db_sessionmaker, svc, notice):
    c = await client_for(db_sessionmaker, svc, SECRET)
    yield c
    await c.close()


def body(n: LicenseTaxNotice, svc, **kw) -> bytes:
    data = {
        "transaction_id": "BANK-1",
        "account": n.virtual_account,
        "amount": n.amount,
        "paid_at": svc.now().isoformat(),
        "timestamp": int(svc.now().timestamp()),
        **kw,
    }
    return json.dumps(data).encode()


async def post(client, raw: bytes, signature: str | None = "sign", secret: str = SECRET):
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers[http_payments.SIGNATURE_HEADER] = agency_notify.sign(secret, raw)
    elif signature is not None:
        headers[http_payments.SIGNATURE_HEADER] = signature
    resp = await client.post("/payments/notify", data=raw, headers=headers)
    return resp.status, await resp.json()


async def payments(db_sessionmaker) -> int:
    async with db_sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(LicenseTaxPayment))


async def test_a_signed_notification_pays_the_notice_once(client, notice, svc, db_sessionmaker, caplog):
    caplog.set_level(logging.INFO)
    raw = body(notice, svc)
    assert await post(client, raw) == (200, {"status": "applied", "notice_no": notice.notice_no})
    assert client.app_ns.wakes  # the receipt goes out at once
    status, answer = await post(client, raw)
    assert status == 409 and "replay" in answer["error"]
    async with db_sessionmaker() as s:
        n = await s.get(LicenseTaxNotice, notice.id)
        assert n.state == lt.PAID and n.paid_amount == notice.amount
    assert await payments(db_sessionmaker) == 1
    logged = caplog.text
    assert notice.virtual_account not in logged and str(notice.amount) not in logged and "노래세상" not in logged


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "garbage"])
async def test_unsigned_or_badly_signed_is_refused(client, notice, svc, db_sessionmaker, signature):
    status, answer = await post(client, body(notice, svc), signature=signature)
    assert status == 401 and "sign" in answer["error"]
    assert await payments(db_sessionmaker) == 0


async def test_signed_with_another_secret_is_refused(client, notice, svc, db_sessionmaker):
    assert (await post(client, body(notice, svc), secret="not-the-secret"))[0] == 401
    assert await payments(db_sessionmaker) == 0


async def test_a_stale_timestamp_is_a_replay(client, notice, svc, db_sessionmaker):
    old = int(svc.now().timestamp()) - 3600
    status, answer = await post(client, body(notice, svc, timestamp=old))
    assert status == 409 and "stale" in answer["error"]
    assert await payments(db_sessionmaker) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "40500"},
        {"amount": True},
        {"transaction_id": ""},
        {"paid_at": "2026-11-23T10:00:00"},
        {"paid_at": "어제"},
        {"timestamp": "now"},
        {"account": 56201},
        {"transaction_id": "BANK-\x001"},
        {"account": "5620\x00"},
    ],
)
async def test_malformed_fields_are_refused(client, notice, svc, db_sessionmaker, change):
    status, answer = await post(client, body(notice, svc, **change))
    assert status == 400 and answer["error"].startswith("malformed")
    assert await payments(db_sessionmaker) == 0


async def test_not_json_and_too_large(client):
    assert (await post(client, b"not json"))[0] == 400
    assert (await post(client, b"[1, 2]"))[0] == 400
    assert (await post(client, b"x" * (http_payments.MAX_BODY + 10)))[0] == 413


async def test_json_nested_thousands_deep_is_malformed_not_a_crash(client, db_sessionmaker):
    for depth in (5_000, 8_000):  # within MAX_BODY; deep enough for the decoder's RecursionError
        raw = b"[" * depth + b"]" * depth
        status, answer = await post(client, raw)
        assert (status, answer) == (400, {"error": "malformed body"})
    assert await payments(db_sessionmaker) == 0


async def _slowly(raw: bytes, size: int = 16):
    """A body sent chunked (no Content-Length), a few bytes at a time."""
    for i in range(0, len(raw), size):
        yield raw[i : i + size]
        await asyncio.sleep(0.005)


async def test_a_chunked_body_is_read_whole(client, notice, svc, db_sessionmaker):
    raw = body(notice, svc)
    headers = {"Content-Type": "application/json", http_payments.SIGNATURE_HEADER: agency_notify.sign(SECRET, raw)}
    resp = await client.post("/payments/notify", data=_slowly(raw), headers=headers)
    assert resp.request_info.headers.get("Transfer-Encoding") == "chunked"
    assert (resp.status, await resp.json()) == (200, {"status": "applied", "notice_no": notice.notice_no})
    big = b"x" * (http_payments.MAX_BODY + 100)
    resp = await client.post("/payments/notify", data=_slowly(big, 4096), headers=headers)
    assert resp.status == 413
    assert await payments(db_sessionmaker) == 1


async def test_a_wrong_amount_is_accepted_but_held(client, notice, svc, db_sessionmaker):
    status, answer = await post(client, body(notice, svc, amount=notice.amount - 500))
    assert (status, answer["status"]) == (200, "held_mismatch")
    async with db_sessionmaker() as s:
        assert (await s.get(LicenseTaxNotice, notice.id)).state == lt.ISSUED


async def test_without_a_secret_the_endpoint_is_off(db_sessionmaker, svc, notice):
    c = await client_for(db_sessionmaker, svc, None)
    try:
        status, answer = await post(c, body(notice, svc))
        assert status == 503 and "PAYMENT_WEBHOOK_SECRET" in answer["error"]
    finally:
        await c.close()


def test_clock_skew_window_is_minutes_not_hours():
    assert 60 <= http_payments.MAX_SKEW.total_seconds() <= 900
