"""No update ends in silence (bot/errors.py and the input guards), through the real bot: whatever a
handler raises, the person hears an apology with a way on and the log has the traceback but not
what they wrote; buttons on messages Telegram reports as inaccessible still work; forged input
gets a clean refusal."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest
from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from sqlalchemy import select

from workflows.models import Complaint
from tests.e2e.harness import ADMIN, BotHarness
from tests.e2e.test_complaint_loop import consent, file_complaint

CITIZEN = 100
SECRET = "우리 집 현관 비밀번호는 사과나무"


@pytest.fixture
async def buggy(fake, tmp_path, monkeypatch):
    """The real bot plus a router, in front of all others, whose handlers fail like a bug would."""
    import bot.app

    broken = Router(name="broken")

    @broken.message(Command("boom"))
    async def boom(message: Message) -> None:
        raise ValueError(f"cannot read {message.text}")

    @broken.callback_query(F.data.startswith("boom"))
    async def boom_button(query: CallbackQuery) -> None:
        raise KeyError(query.data)

    real = bot.app.build_router

    def with_broken() -> Router:
        root = Router(name="test-root")
        root.include_routers(broken, real())
        return root

    monkeypatch.setattr(bot.app, "build_router", with_broken)
    h = BotHarness(fake, tmp_path)
    await h.start()
    yield h
    await h.stop()


async def test_a_failing_command_gets_an_apology_and_the_log_a_traceback_without_the_text(buggy, fake, caplog):
    caplog.set_level(logging.INFO)
    mark = fake.mark()
    update = fake.message(CITIZEN, f"/boom {SECRET}")
    sorry = await fake.wait_text(CITIZEN, "죄송합니다", after=mark)
    assert "/menu" in sorry.params["text"]
    errors = [r for r in caplog.records if r.name == "bot.errors"]
    assert len(errors) == 1 and errors[0].levelname == "ERROR"
    logged = errors[0].getMessage()
    assert f"update {update['update_id']}" in logged and "Traceback" in logged and "in boom" in logged
    assert "ValueError: (message withheld" in logged
    assert SECRET not in caplog.text  # nor in aiogram's own lines
    await buggy.say(CITIZEN, "/help", expect="도움말")  # the bot goes on


async def test_a_failing_button_is_answered_and_the_chat_told_in_english(buggy, fake):
    await buggy.say(CITIZEN, "/start", expect="civil-service assistant", language_code="en")
    mark = fake.mark()
    fake.callback(CITIZEN, "boom:1", message_id=1)
    ack = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert "Sorry" in ack.params["text"]
    sorry = await fake.wait_text(CITIZEN, "Sorry", after=mark)
    assert "/menu" in sorry.params["text"]


async def test_an_apology_that_fails_is_not_tried_again(buggy, fake, caplog):
    fake.fail_next("sendMessage", error_code=403, chat_id=CITIZEN)
    mark = fake.mark()
    fake.message(CITIZEN, "/boom")
    await fake.wait_for(lambda c: c.method == "sendMessage" and c.status == 403, after=mark)
    await asyncio.sleep(0.5)
    assert [c.method for c in fake.requests[mark:] if c.method != "getUpdates"] == ["sendMessage"]
    assert any(
        "could not tell the user about the error (TelegramForbiddenError)" in r.getMessage() for r in caplog.records
    )
    await buggy.say(CITIZEN, "/help", expect="도움말")


# --- buttons on messages Telegram reports as inaccessible (bot/inaccessible.py) --------------------

_update_ids = itertools.count(10**6, 10**6)  # each far past the ids the fake gave meanwhile


def press_inaccessible(fake, user_id: int, label: str) -> dict:
    """Press a button of the bot's last keyboard as Telegram reports it once that message is
    deleted or too old: the callback's message is only chat and id, with date 0 and no text."""
    message_id, data = fake.button(user_id, label)
    return fake.raw_update(
        {
            "update_id": next(_update_ids),
            "callback_query": {
                "id": f"gone-{message_id}-{data}",
                "chat_instance": f"ci{user_id}",
                "data": data,
                "from": {"id": user_id, "is_bot": False, "first_name": "User", "language_code": "ko"},
                "message": {"message_id": message_id, "date": 0, "chat": {"id": user_id, "type": "private"}},
            },
        }
    )


async def test_buttons_on_inaccessible_messages_still_act(harness, fake, caplog):
    h = harness
    await consent(h)
    await h.say(CITIZEN, "집 앞 가로등이 고장났어요. 밤에 너무 어두워요.", expect="민원으로 신청할까요")
    mark = fake.mark()
    press_inaccessible(fake, CITIZEN, "신청")  # free-text offer: drops its keyboard
    await fake.wait_text(CITIZEN, "사진이 있으면", after=mark)
    await h.press(CITIZEN, "건너뛰기", expect="위치")
    await h.press(CITIZEN, "건너뛰기", expect="연락처")
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    # the summary is gone for good: Telegram refuses to edit it, the submission goes through anyway
    fake.fail_next("editMessageReplyMarkup", error_code=400, description="Bad Request: message to edit not found")
    mark = fake.mark()
    press_inaccessible(fake, CITIZEN, "제출")
    receipt = await fake.wait_text(CITIZEN, "민원이 접수되었습니다", after=mark)
    assert any(c.method == "answerCallbackQuery" for c in fake.requests[mark:])
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert c is not None and c.receipt_no in receipt.params["text"] and "가로등" in c.description
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(await h.db(select(Complaint))) == 1


# --- forged or malformed input: a clean refusal ------------------------------------------------------


@pytest.mark.parametrize(
    "forged",
    [
        "op:take:99999999999999999999999",  # beyond a 64-bit integer
        "op:take:3000000000",  # beyond PostgreSQL's integer ids
        "st:-99999999999999999999",
        "fb:1:99999999999999999999",
        "lt:open:99999999999999999999:0",
        "osi:take:99999999999999999999",
    ],
)
async def test_forged_ids_on_buttons_are_answered_as_stale(harness, fake, forged, caplog):
    await harness.say(CITIZEN, "/start", expect="민원 도우미")
    mark = fake.mark()
    fake.callback(CITIZEN, forged, message_id=1)
    ack = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert "유효하지" in ack.params["text"]
    await asyncio.sleep(0.3)
    assert not [t for t in fake.texts(CITIZEN) if "죄송합니다" in t]  # no apology: nothing failed
    assert not [r for r in caplog.records if r.name == "bot.errors"]


async def test_an_admin_typing_an_impossible_user_id_gets_the_usage(harness, fake):
    for command in (
        "/grant 99999999999999999999 officer CLEAN",
        "/grant ٣ officer CLEAN",
        "/revoke 99999999999999999999 officer",
    ):
        await harness.say(ADMIN, command, expect="사용법")
    assert not [t for t in fake.texts(ADMIN) if "죄송합니다" in t]


async def test_a_nul_in_what_is_typed_is_dropped_and_the_rest_kept(harness, fake):
    """PostgreSQL refuses NUL in text; the complaint goes in without it (bot/input_guard.py)."""
    h = harness
    await consent(h)
    await h.say(CITIZEN, "/complaint", expect="민원 분야")
    await h.press(CITIZEN, "소음·악취", expect="무엇이 문제인지")
    await h.say(CITIZEN, "새벽마다 공사장\x00 소음이 심해서 잠을 잘 수 없습니다.\x00", expect="사진이 있으면")
    await h.press(CITIZEN, "건너뛰기", expect="위치")
    await h.say(CITIZEN, "서울 샘플구\x00 자양1동 공사장 앞", expect="연락처")
    await h.press(CITIZEN, "건너뛰기", expect="신청 내용 확인")
    await h.press(CITIZEN, "제출", expect="민원이 접수되었습니다")
    c = await h.one(Complaint, citizen_id=CITIZEN)
    assert c.description == "새벽마다 공사장 소음이 심해서 잠을 잘 수 없습니다."
    assert c.address == "서울 샘플구 자양1동 공사장 앞"


# --- the bot's HTTP endpoints: malformed or chunked bodies ----------------------------------------

WEBHOOK_SECRET = "s3cret-token_for-tests-0123456789"


async def _slowly(raw: bytes, size: int = 16):
    """A body sent chunked (no Content-Length), a few bytes at a time."""
    for i in range(0, len(raw), size):
        yield raw[i : i + size]
        await asyncio.sleep(0.005)


async def test_webhook_refuses_deeply_nested_json_and_reads_chunked_updates(fake, tmp_path):
    import json
    import time

    import aiohttp

    from tests.e2e.harness import free_port

    port = free_port()
    h = await BotHarness(
        fake,
        tmp_path,
        HTTP_PORT=str(port),
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/webhook",
    ).start()
    base, headers = (
        f"http://127.0.0.1:{port}",
        {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET, "Content-Type": "application/json"},
    )
    try:
        async with aiohttp.ClientSession() as http:
            nested = b"[" * 50_000 + b"]" * 50_000
            async with http.post(f"{base}/telegram/webhook", data=nested, headers=headers) as r:
                assert (r.status, await r.json()) == (400, {"ok": False, "error": "not an update"})
            update = json.dumps(
                {
                    "update_id": 777,
                    "message": {
                        "message_id": 1,
                        "date": int(time.time()),
                        "chat": {"id": CITIZEN, "type": "private"},
                        "from": {"id": CITIZEN, "is_bot": False, "first_name": "U"},
                        "text": "/help",
                    },
                }
            ).encode()
            mark = fake.mark()
            async with http.post(f"{base}/telegram/webhook", data=_slowly(update), headers=headers) as r:
                assert r.request_info.headers.get("Transfer-Encoding") == "chunked"
                assert r.status == 200
            await fake.wait_text(CITIZEN, "도움말", after=mark)
            async with http.get(f"{base}/healthz", data=_slowly(b"ignored " * 50)) as r:
                assert r.status == 200
    finally:
        await h.stop()


# --- outbox rows Telegram refuses for good (workflows/undelivered.py) --------------------------------


async def test_a_card_telegram_refuses_twice_is_reported_to_the_admin(harness, fake):
    h, officer = harness, 200
    await h.say(ADMIN, f"/grant {officer} officer CLEAN", expect="역할을 부여했습니다")
    await consent(h)
    await asyncio.sleep(0.3)
    refusal = "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    fake.fail_next("sendMessage", error_code=400, description=refusal, chat_id=officer, times=2)
    await file_complaint(h, photo=False, location=False)
    notice = await fake.wait_text(ADMIN, "Telegram이 메시지 한 건을 받지 않았습니다", timeout=10)
    text = notice.params["text"]
    assert "청소행정과 담당자" in text and "(new, sendMessage)" in text and "can't parse entities" in text
    assert "폐기물" not in text and str(officer) not in text
    assert [c.status for c in fake.requests if c.method == "sendMessage" and c.params["chat_id"] == officer] == [
        400,
        400,
    ]


async def test_every_http_endpoint_answers_a_chunked_body_cleanly(fake, tmp_path):
    """Each route of both listeners (bot/http.py), sent a body without Content-Length — an update,
    bytes that are no JSON, JSON nested thousands deep — answers 2xx or 4xx, never a 500."""
    import json
    import re
    import time

    import aiohttp

    from bot.http import build_web_app, export_routes, public_routes
    from tests.e2e.harness import free_port

    public, export = free_port(), free_port()
    h = await BotHarness(
        fake,
        tmp_path,
        HTTP_PORT=str(public),
        EXPORT_PORT=str(export),
        PAYMENT_WEBHOOK_SECRET="pay",
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        WEBHOOK_URL=f"http://127.0.0.1:{public}/telegram/webhook",
    ).start()
    answers = {}
    update = json.dumps(
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": CITIZEN, "type": "private"},
                "from": {"id": CITIZEN, "is_bot": False, "first_name": "U"},
                "text": "/help",
            },
        }
    ).encode()
    try:
        async with aiohttp.ClientSession() as http:
            for port, setups in ((public, public_routes()), (export, export_routes())):
                for route in build_web_app(h.app, setups).router.routes():
                    path = re.sub(r"\{tail[^}]*\}", "/x", route.resource.canonical)
                    path = path.replace("{fmt}", "json")
                    path = re.sub(r"\{\w+\}", "x", path)
                    method = "POST" if route.method in ("POST", "*") else route.method
                    for body in (update, b"\x00\xff not json {[" * 100, b"[" * 5_000 + b"]" * 5_000):
                        async with http.request(
                            method,
                            f"http://127.0.0.1:{port}{path}",
                            data=_slowly(body, max(16, len(body) // 20)),
                            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
                        ) as r:
                            assert r.request_info.headers.get("Transfer-Encoding") == "chunked"
                            answers[(method, path, body[:2])] = r.status
    finally:
        await h.stop()
    assert len({p for _, p, _ in answers}) >= 8 and len(answers) == 3 * len({(m, p) for m, p, _ in answers}), answers
    assert all(status < 500 for status in answers.values()), answers
