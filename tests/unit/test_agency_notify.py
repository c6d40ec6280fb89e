"""Notices to outside bodies (workflows/onestop/agency_notify.py): signed webhooks with retries through an
injected httpx transport (no network), Telegram-chat notices acknowledged in their own chat, and
what happens to the family's item in each case."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from workflows.models import AgencyNotification, OutboxMessage, User
from tests.unit.conftest import ADMIN_ID, KST, TEST_KEY
from workflows.onestop import agency_notify as an
from workflows import roles
from workflows.onestop import service as bd
from workflows.onestop.service import BirthAnswers, DeathAnswers
from workflows.contact import Cipher
from workflows.context import Services
from workflows.district import DEFAULT_PATH, load_district

PARENT, CIVIL_OFFICER, NPS_CHAT, NPS_STAFF = 1001, 2004, -100777, 555
SECRET = "s3cret-for-tests"
URL = "https://kepco.example/onestop"


@pytest.fixture
def district_with_channels(tmp_path):
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["onestop"]["channels"] = {
        "KEPCO": {"type": "webhook", "url": URL},
        "NPS": {"type": "telegram", "chat_id": NPS_CHAT},
    }
    path = tmp_path / "district.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return load_district(path)


class Receiver:
    """An httpx MockTransport that checks the signature and answers from a script."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert an.verify(SECRET, request.content, request.headers[an.SIGNATURE_HEADER])
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, json={"reference": "KEPCO-77"} if answer == 200 else {"error": "x"})

    def body(self, i: int = -1) -> dict:
        return json.loads(self.requests[i].content)


@pytest.fixture
def make_svc(district_with_channels, calendar, clock):
    def make(receiver: Receiver | None = None, secret: str | None = SECRET) -> Services:
        return Services(
            district=district_with_channels,
            calendar=calendar,
            cipher=Cipher(TEST_KEY),
            admin_ids=frozenset({ADMIN_ID}),
            tz=KST,
            clock=clock,
            http_transport=httpx.MockTransport(receiver) if receiver else None,
            agency_webhook_secret=secret,
        )

    return make


async def _birth(session, svc, *, kepco=True, phone="010-1234-5678"):
    session.add(User(id=PARENT))
    await roles.grant(
        session,
        user_id=CIVIL_OFFICER,
        role="officer",
        department_code="CIVIL",
        by=ADMIN_ID,
        departments=svc.district.departments,
    )
    app, _ = await bd.submit(
        session,
        svc,
        kind=bd.BIRTH,
        citizen_id=PARENT,
        submit_key="b1",
        answers=BirthAnswers(date(2026, 11, 2), 1, "중곡1동", True),
        provision={"KEPCO": kepco},
        collected_at=svc.now(),
        phone_enc=svc.cipher.encrypt(phone) if phone else None,
    )
    await session.commit()
    return app, next(it for it in app.items if it.code == "birth_household_electricity")


async def _notice(session) -> AgencyNotification:
    return (await session.execute(select(AgencyNotification))).scalar_one()


def test_channels_and_signatures(district_with_channels):
    ch = an.channels(district_with_channels)
    assert ch["KEPCO"] == an.Channel("webhook", url=URL) and ch["NPS"] == an.Channel("telegram", chat_id=NPS_CHAT)
    body = an.body_bytes({"b": 1, "a": "한"})
    assert body == '{"a":"한","b":1}'.encode()
    sig = an.sign(SECRET, body)
    assert sig.startswith("sha256=") and an.verify(SECRET, body, sig)
    assert (
        not an.verify(SECRET, body + b" ", sig)
        and not an.verify("other", body, sig)
        and not an.verify(SECRET, body, None)
    )
    for bad in ({"type": "webhook", "url": "http://kepco.example/x"}, {"type": "telegram"}, {"type": "sms"}):
        raw = dict(district_with_channels.raw, onestop={"channels": {"X": bad}})
        with pytest.raises(ValueError):
            an.channels(type(district_with_channels)(**{**district_with_channels.__dict__, "raw": raw}))


async def test_webhook_acknowledged_closes_the_item(session, make_svc):
    rx = Receiver(200)
    svc = make_svc(rx)
    app, item = await _birth(session, svc)
    n = await _notice(session)
    assert (n.channel, n.status, n.attempts, n.target) == ("webhook", "pending", 0, URL)
    assert "contact_phone" not in json.dumps(n.payload)  # never stored in the notice row
    assert await bd.deliver_notices(session, svc) == 1
    await session.commit()
    req = rx.requests[0]
    assert req.url == URL and req.headers["Idempotency-Key"] == f"onestop-{n.id}"
    body = rx.body()
    assert body["receipt_no"] == app.receipt_no and body["service"] == "birth_household_electricity"
    assert body["facts"] == {"birth_date": "2026-11-02", "dong": "중곡1동"}
    assert body["contact_phone"] == "010-1234-5678"  # consented, and the service needs a contact
    n = await _notice(session)
    assert (n.status, n.ack_ref, n.attempts) == ("acknowledged", "KEPCO-77", 1)
    assert n.acknowledged_at == svc.now()
    item = await bd.get_item(session, item.id)
    assert item.state == bd.DONE and [e.action for e in item.events] == ["submit", "ack"]
    push = (
        await session.execute(select(OutboxMessage).where(OutboxMessage.dedup_key == f"osack:{item.id}"))
    ).scalar_one()
    assert push.chat_id == PARENT and "한국전력공사에 전달되어 확인을 받았습니다" in push.payload["text"]
    assert await bd.deliver_notices(session, svc) == 0  # nothing left to send


async def test_server_errors_are_retried_with_backoff(session, make_svc, clock):
    rx = Receiver(503, httpx.ConnectError("refused"), 200)
    svc = make_svc(rx)
    await _birth(session, svc, phone=None)
    assert await bd.deliver_notices(session, svc) == 0
    n = await _notice(session)
    assert (n.status, n.attempts, n.last_error) == ("pending", 1, "HTTP 503")
    assert (n.next_attempt_at - svc.now()).total_seconds() == 60
    assert await bd.deliver_notices(session, svc) == 0 and len(rx.requests) == 1  # not due yet
    clock.advance(seconds=61)
    await bd.deliver_notices(session, svc)
    n = await _notice(session)
    assert (n.attempts, n.last_error) == (2, "ConnectError")
    assert (n.next_attempt_at - svc.now()).total_seconds() == 120
    clock.advance(seconds=121)
    assert await bd.deliver_notices(session, svc) == 1
    n = await _notice(session)
    assert (n.status, n.attempts) == ("acknowledged", 3)
    assert "contact_phone" not in rx.body()  # no phone was left
    assert len({r.headers["Idempotency-Key"] for r in rx.requests}) == 1  # the same key on every attempt


async def test_a_refused_notice_goes_to_the_coordinator_by_hand(session, make_svc):
    svc = make_svc(Receiver(400))
    _, item = await _birth(session, svc)
    await bd.deliver_notices(session, svc)
    n = await _notice(session)
    assert (n.status, n.last_error) == ("failed", "HTTP 400")
    item = await bd.get_item(session, item.id)
    assert (item.state, item.department_code, item.agency_code) == (bd.PENDING, "CIVIL", "KEPCO")
    card = (
        await session.execute(select(OutboxMessage).where(OutboxMessage.dedup_key.startswith("osrelay:")))
    ).scalar_one()
    assert card.chat_id == CIVIL_OFFICER and "직접 전달" in card.payload["text"]


async def test_too_many_attempts_fail_and_relay(session, make_svc, clock):
    svc = make_svc(Receiver(*[500] * an.MAX_ATTEMPTS))
    _, item = await _birth(session, svc)
    for _ in range(an.MAX_ATTEMPTS):
        await bd.deliver_notices(session, svc)
        clock.advance(hours=2)
    n = await _notice(session)
    assert (n.status, n.attempts) == ("failed", an.MAX_ATTEMPTS)
    assert (await bd.get_item(session, item.id)).department_code == "CIVIL"


async def test_no_secret_means_no_unsigned_post(session, make_svc):
    rx = Receiver()
    svc = make_svc(rx, secret=None)
    await _birth(session, svc)
    await bd.deliver_notices(session, svc)
    assert rx.requests == [] and (await _notice(session)).status == "failed"


async def test_telegram_channel_is_acknowledged_in_its_own_chat_only(session, make_svc):
    svc = make_svc()
    session.add(User(id=PARENT))
    app, _ = await bd.submit(
        session,
        svc,
        kind=bd.DEATH,
        citizen_id=PARENT,
        submit_key="d1",
        answers=DeathAnswers(date(2026, 11, 20), "cohabiting_relative", "중곡1동", False),
        provision={"NPS": True, "NHIS": False, "FSS": False, "VEHICLE": False},
        collected_at=svc.now(),
    )
    await session.commit()
    nps = next(it for it in app.items if it.code == "NPS")
    assert nps.state == bd.NOTIFIED
    n = await _notice(session)
    assert (n.channel, n.target, n.status, n.attempts) == ("telegram", str(NPS_CHAT), "sent", 1)
    msg = (await session.execute(select(OutboxMessage).where(OutboxMessage.dedup_key == f"agency:{n.id}"))).scalar_one()
    assert msg.chat_id == NPS_CHAT and "돌아가신 날: 2026-11-20" in msg.payload["text"]
    assert msg.payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"oack:{n.id}"
    with pytest.raises(an.AckError) as e:
        await bd.acknowledge_notice(session, svc, notification_id=n.id, chat_id=PARENT, user_id=PARENT)
    assert e.value.code == "wrong_chat"
    await bd.acknowledge_notice(session, svc, notification_id=n.id, chat_id=NPS_CHAT, user_id=NPS_STAFF)
    await session.commit()
    n = await _notice(session)
    assert (n.status, n.ack_by, n.acknowledged_at) == ("acknowledged", NPS_STAFF, svc.now())
    assert (await bd.get_item(session, nps.id)).state == bd.DONE
    with pytest.raises(an.AckError) as e:
        await bd.acknowledge_notice(session, svc, notification_id=n.id, chat_id=NPS_CHAT, user_id=NPS_STAFF)
    assert e.value.code == "already"
    with pytest.raises(an.AckError):
        await bd.acknowledge_notice(session, svc, notification_id=999, chat_id=NPS_CHAT, user_id=NPS_STAFF)


async def test_nothing_is_held_while_the_body_answers_and_two_runs_send_once(session, make_svc, db_sessionmaker):
    """The one webhook queue (workflows/webhooks.py): the claim is committed before the POST, so
    another writer is not held up by a slow body, and a second run at the same time skips the row."""
    import asyncio

    sent = []

    async def slow_body(request: httpx.Request) -> httpx.Response:
        async with db_sessionmaker() as other, other.begin():  # a resident's update meanwhile
            other.add(User(id=4242))
            await asyncio.wait_for(other.flush(), timeout=2)
        sent.append(request)
        await asyncio.sleep(0.05)
        return httpx.Response(200, json={"reference": "KEPCO-9"})

    svc = make_svc(slow_body)
    await _birth(session, svc)
    async with db_sessionmaker() as second:
        delivered = await asyncio.gather(bd.deliver_notices(session, svc), bd.deliver_notices(second, svc))
    assert sorted(delivered) == [0, 1] and len(sent) == 1
    n = await _notice(session)
    await session.refresh(n)
    assert (n.status, n.attempts, n.ack_ref) == ("acknowledged", 1, "KEPCO-9")
