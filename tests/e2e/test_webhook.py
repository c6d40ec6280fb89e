"""Webhook mode with two instances behind a load balancer: the fake Bot API pushes updates (with
the secret token) to a round-robin balancer in front of two bots sharing one database; a
conversation crosses both; forged requests are refused; exactly one instance runs the scheduler
and the delivery worker, and when it dies the other takes over within the lease."""

from __future__ import annotations

import asyncio
import itertools
import signal
import sys
import time

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from workflows.models import Complaint, Lease, ProcessedUpdate
from tests import databases
from tests.e2e.harness import ADMIN, BotHarness, free_port, process_env
from tests.e2e.test_complaint_loop import consent, file_complaint

SECRET = "s3cret-token_for-tests-0123456789"
OFFICER = 200
LEASE = 1.5


class RoundRobin:
    """A load balancer: each request goes to the next instance that answers."""

    def __init__(self, ports: list[int]):
        self.ports, self.turn, self.hits = ports, itertools.count(), dict.fromkeys(ports, 0)
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith(("x-telegram", "content-type"))}
        async with aiohttp.ClientSession() as http:
            for _ in range(len(self.ports)):
                port = self.ports[next(self.turn) % len(self.ports)]
                try:
                    async with http.post(f"http://127.0.0.1:{port}{request.path}", data=body, headers=headers) as r:
                        self.hits[port] += 1
                        return web.Response(status=r.status, body=await r.read(), content_type="application/json")
                except aiohttp.ClientConnectionError:
                    continue  # that instance is down: the balancer tries the next one
        return web.Response(status=502)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()  # bound now: no clash with the bots' ports
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/telegram/webhook"

    async def stop(self) -> None:
        await self.runner.cleanup()


class Instance:
    """A second bot instance: `python -m bot` in its own process (aiogram's routers are module
    singletons, so one process holds one bot), seen from outside through /healthz."""

    def __init__(self, env: dict[str, str], port: int):
        self.env, self.port, self.proc = env, port, None

    async def start(self) -> "Instance":
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=self.env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        end = time.monotonic() + 30
        while (await self.health()) is None:
            assert self.proc.returncode is None, (await self.proc.stderr.read()).decode()[-2000:]
            assert time.monotonic() < end, "the second instance did not come up"
            await asyncio.sleep(0.1)
        return self

    async def health(self) -> dict | None:
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{self.port}/healthz") as r:
                    return await r.json()
        except aiohttp.ClientError:
            return None

    async def leading(self) -> bool:
        return bool((await self.health() or {}).get("runs_scheduler_and_delivery"))

    async def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no shutdown, no lease release
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                await self.kill()


@pytest.fixture
async def cluster(fake, tmp_path):
    """Instance "bot-b" (a subprocess) starts first and takes the lease; "bot-a" runs in the test's
    process (its database and Telegram calls are inspected directly)."""
    if not databases.POSTGRES:
        # two processes on one SQLite file wait on each other's write lock for up to busy_timeout;
        # the bot warns that several instances need PostgreSQL (the suite's second run)
        pytest.skip("several instances share a database only on PostgreSQL")
    ports = [free_port(), free_port()]
    lb = RoundRobin(ports)
    await lb.start()
    env = dict(
        WEBHOOK_URL=lb.url,
        WEBHOOK_SECRET=SECRET,
        LEASE_SECONDS=str(LEASE),
        DATABASE_URL=databases.new_database_url(tmp_path),
    )
    a = BotHarness(fake, tmp_path, HTTP_PORT=str(ports[0]), INSTANCE_ID="bot-a", **env)
    b_env = process_env(**{**a.env, "HTTP_PORT": str(ports[1]), "INSTANCE_ID": "bot-b", "LOG_LEVEL": "WARNING"})
    b = Instance(b_env, ports[1])
    try:
        await b.start()
        # b answers /healthz before it registers its webhook: wait for that registration, or a's
        # start (which waits for "its" setWebhook) could take b's for its own and return early
        await fake.wait_for(lambda c: c.method == "setWebhook", timeout=30)
        await a.start()
        yield a, b, lb, ports
    finally:  # the subprocess never outlives the test, whatever failed
        try:
            await a.stop()
        finally:
            await b.stop()
            await lb.stop()


async def test_two_instances_share_a_conversation_and_one_runs_the_singletons(cluster, fake):
    a, b, lb, _ports = cluster
    assert fake.webhook == {"url": lb.url, "secret_token": SECRET}
    # b started first and holds the lease; a serves updates but runs no scheduler or worker
    assert await b.leading() and not a.app.singletons.running
    async with a.app.sessionmaker() as s:
        assert (await s.execute(select(Lease))).scalar_one().holder == "bot-b"

    await a.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(a)
    done = await file_complaint(a)  # every step is one update; the balancer alternates
    assert all(n >= 4 for n in lb.hits.values()), lb.hits
    c = await a.one(Complaint, citizen_id=100)
    assert c.receipt_no in done.params["text"]
    # the officer's card went out through the outbox, sent by the leader's worker only, once
    await fake.wait_text(OFFICER, f"새 민원 {c.receipt_no}")
    await asyncio.sleep(1.0)
    assert len([t for t in fake.texts(OFFICER) if f"새 민원 {c.receipt_no}" in t]) == 1
    assert all(200 <= status < 300 for _, status in fake.webhook_posts)


async def post(port: int, **kw) -> int:
    """POST to one instance's webhook; a connection refused is retried (seen once in ~30 runs
    under load on 2 cores, before the instance answered; never a refusal of the request itself)."""
    async with aiohttp.ClientSession() as http:
        for attempt in range(5):
            try:
                async with http.post(f"http://127.0.0.1:{port}/telegram/webhook", **kw) as r:
                    return r.status
            except aiohttp.ClientConnectorError:
                if attempt == 4:
                    raise
                await asyncio.sleep(0.3)


@pytest.mark.parametrize("header", [None, "wrong-secret-0123456789", SECRET[:-1]])
async def test_a_forged_update_is_refused_and_not_handled(cluster, fake, header):
    a, _b, _lb, ports = cluster
    update = {
        "update_id": 987654,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": 555, "type": "private", "first_name": "X"},
            "from": {"id": 555, "is_bot": False, "first_name": "X"},
            "text": "/start",
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header else {}
    for port in ports:
        assert await post(port, json=update, headers=headers) == 401
    await asyncio.sleep(0.3)
    assert fake.sent(555) == []
    assert await a.db(select(ProcessedUpdate).where(ProcessedUpdate.update_id == 987654)) == []


async def test_garbage_with_the_right_secret_is_a_400(cluster, fake):
    _a, _b, _lb, ports = cluster
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert await post(ports[0], data=b"{not json", headers=headers) == 400
    assert await post(ports[0], json={"update_id": "x"}, headers=headers) == 400


async def test_when_the_leader_dies_the_other_takes_over_within_the_lease(cluster, fake):
    a, b, _lb, _ports = cluster
    assert await b.leading() and not a.app.singletons.running
    await b.kill()  # the leader dies without releasing its lease
    died = time.monotonic()
    while not a.app.singletons.running:
        assert time.monotonic() - died < LEASE + LEASE / 3 + 2, "no takeover"
        await asyncio.sleep(0.05)
    took = time.monotonic() - died
    assert took > LEASE / 3  # a waited for the claim to expire; it did not steal a live lease
    # the survivor serves everything (the balancer skips the dead one) and delivers the outbox
    await a.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    await consent(a, user_id=101)
    await file_complaint(a, user_id=101)
    c = await a.one(Complaint, citizen_id=101)
    await fake.wait_text(OFFICER, f"새 민원 {c.receipt_no}", timeout=5)
    async with a.app.sessionmaker() as s:
        assert (await s.execute(select(Lease))).scalar_one().holder == "bot-a"
    print(f"takeover after {took:.2f} s (lease {LEASE} s)")


async def test_one_instance_in_webhook_mode_serves_and_refuses_forgeries(fake, tmp_path):
    """Webhook mode on either engine with one instance: it holds the lease, answers a resident,
    and refuses a request without the secret."""
    port = free_port()
    h = await BotHarness(
        fake,
        tmp_path,
        HTTP_PORT=str(port),
        WEBHOOK_SECRET=SECRET,
        LEASE_SECONDS=str(LEASE),
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/webhook",
    ).start()
    try:
        assert h.app.singletons.running
        await consent(h, user_id=102)
        update = {
            "update_id": 555555,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": 556, "type": "private", "first_name": "X"},
                "from": {"id": 556, "is_bot": False, "first_name": "X"},
                "text": "/start",
            },
        }
        assert await post(port, json=update) == 401
        await asyncio.sleep(0.3)
        assert fake.sent(556) == []
    finally:
        await h.stop()
