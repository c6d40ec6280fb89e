"""No transaction open across a Telegram call (bot/commit_first.py): the bot's own Dispatcher,
middlewares, FSM storage and handlers on SQLite, with a Bot session that records, at every Bot API
call, whether the update's database transaction was open (a connection held: bot.fsm_storage.CONNECTED)
and what another connection could already read."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import time
from itertools import count

from aiogram.client.session.base import BaseSession
from aiogram.methods import Response
from aiogram.types import Update
from sqlalchemy import func, select

from bot.app import build_app, request_middlewares
from bot.config import load_settings
from bot.db.migrate import upgrade_to_head
from workflows.models import Consent, FsmRecord, User
from bot.fsm_storage import CONNECTED, update_session

ME = {"id": 42, "is_bot": True, "first_name": "민원봇", "username": "minwon_test_bot"}
UID = 5100


class Recording(BaseSession):
    """Answers every method at once and notes what the database looked like at that moment."""

    def __init__(self, sessionmaker):
        super().__init__()
        self.sm, self.calls, self.ids = sessionmaker, [], count(1)

    async def make_request(self, bot, method, timeout=None):
        held = update_session.get()
        async with self.sm() as other:  # a reader beside the update: what has been committed
            consents = await other.scalar(select(func.count()).select_from(Consent))
            states = await other.scalar(select(func.count()).select_from(FsmRecord))
        self.calls.append(
            (
                method.__api_method__,
                held is not None and bool(held.info.get(CONNECTED)),
                consents,
                states,
                getattr(method, "reply_markup", None),
            )
        )
        result = True
        if method.__api_method__ in ("sendMessage", "editMessageText"):
            result = {
                "message_id": next(self.ids),
                "date": int(time.time()),
                "from": ME,
                "text": method.text,
                "chat": {"id": UID, "type": "private"},
            }
        elif method.__api_method__ == "getMe":
            result = ME
        return self.check_response(bot, method, 200, json.dumps({"ok": True, "result": result})).result

    async def stream_content(self, *args, **kwargs):  # pragma: no cover
        raise NotImplementedError
        yield b""

    async def close(self) -> None:
        return None


def _message(n: int, text: str, bot) -> Update:
    msg = {
        "message_id": 100 + n,
        "date": int(time.time()),
        "text": text,
        "chat": {"id": UID, "type": "private"},
        "from": {"id": UID, "is_bot": False, "first_name": "주민", "language_code": "ko"},
    }
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return Update.model_validate({"update_id": n, "message": msg}, context={"bot": bot})


def _press(n: int, data: str, bot) -> Update:
    query = {
        "id": str(n),
        "from": {"id": UID, "is_bot": False, "first_name": "주민", "language_code": "ko"},
        "chat_instance": "c",
        "data": data,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "from": ME,
            "text": ".",
            "chat": {"id": UID, "type": "private"},
        },
    }
    return Update.model_validate({"update_id": n, "callback_query": query}, context={"bot": bot})


def _agree_button(rec: Recording) -> str:
    """The callback data of the consent's agree button the bot sent."""
    return next(
        b.callback_data
        for _, _, _, _, kb in rec.calls
        if kb is not None
        for row in kb.inline_keyboard
        for b in row
        if b.callback_data and "동의" in b.text
    )


async def _recorded_app(migrated_template, tmp_path):  # noqa: ANN001, ANN202
    """The bot's own app on a SQLite file, its Bot API calls answered and noted by ``Recording``."""
    path = tmp_path / "bot.db"  # SQLite on both runs: the engine where a held transaction blocks every writer
    if migrated_template is not None:
        shutil.copyfile(migrated_template, path)
    else:  # the PostgreSQL run has no SQLite template: migrate one (alembic runs its own loop: a thread)
        await asyncio.to_thread(upgrade_to_head, f"sqlite+aiosqlite:///{path}")
    settings = load_settings(
        {
            "BOT_TOKEN": "42:TEST",
            "DATABASE_URL": f"sqlite+aiosqlite:///{path}",
            "DATA_DIR": str(tmp_path),
            "TELEGRAM_API_URL": "http://127.0.0.1:9",
            "DATA_KEY": base64.urlsafe_b64encode(b"c" * 32).decode(),
        },
        dotenv=False,
    )
    app = build_app(settings)
    rec = Recording(app.reads)  # a read session: takes no write lock, counted as no write
    request_middlewares(rec)
    app.bot.session = rec
    return app, rec


async def test_no_bot_api_call_while_the_updates_transaction_is_open(migrated_template, tmp_path):
    app, rec = await _recorded_app(migrated_template, tmp_path)
    try:
        await app.dp.feed_update(app.bot, _message(1, "/start", app.bot))
        agree = _agree_button(rec)
        await app.dp.feed_update(app.bot, _press(2, agree, app.bot))
        await app.dp.feed_update(app.bot, _message(3, "/complaint", app.bot))
    finally:
        await app.engine.dispose()
    assert rec.calls, "the bot said nothing"
    assert [c[:2] for c in rec.calls if c[1]] == []  # not one call with the transaction open
    # the consent is saved before the reply that confirms it, and the form's state before the question
    after_agree = [c for c in rec.calls if c[2] > 0]
    assert after_agree and all(c[2] == 1 for c in after_agree)
    assert rec.calls[-1][3] >= 1  # /complaint's first question: its FSM state already committed


async def test_each_update_reads_its_state_user_and_mark_in_one_read_statement(migrated_template, tmp_path):
    """The chat's FSM row, whether the update was handled already, and the user with their roles:
    one read per update (bot/middlewares.FirstLook), not one for aiogram's state read and another
    for ours: one query (first_look_and_state), with no BEGIN around it."""
    from sqlalchemy import event

    from bot.db.session import READ_ONLY

    app, rec = await _recorded_app(migrated_template, tmp_path)
    reads: list[list[str]] = []  # the statements of each read transaction

    def began(conn) -> None:  # noqa: ANN001 - after the engine's own "begin" listener issued any BEGIN
        if conn.get_execution_options().get(READ_ONLY):
            conn.info["tx"] = ["BEGIN"] if conn.info.pop("BEGIN", False) else []
            reads.append(conn.info["tx"])

    def ran(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if not conn.get_execution_options().get(READ_ONLY):
            return
        if statement.strip() == "BEGIN":
            conn.info["BEGIN"] = True  # the transaction about to be noted by began
        elif "tx" in conn.info:
            conn.info["tx"].append(statement)

    event.listen(app.engine.sync_engine, "begin", began)
    event.listen(app.engine.sync_engine, "before_cursor_execute", ran)
    try:
        await app.dp.feed_update(app.bot, _message(1, "/start", app.bot))
        await app.dp.feed_update(app.bot, _press(2, _agree_button(rec), app.bot))
        await app.dp.feed_update(app.bot, _message(3, "/complaint", app.bot))
    finally:
        await app.engine.dispose()
    state = 'fsm_records."key" = '  # the chat's row (Recording's own reads count all rows: not the bot's)
    ours = [tx for tx in reads if any(state in st or "processed_updates" in st for st in tx)]
    assert len(ours) == 3, ours
    for tx in ours:  # one statement: the mark, the user and roles, and the state outer-joined
        assert any(state in st and "processed_updates" in st and "role_grants" in st for st in tx), tx
        assert len(tx) == 1, tx  # and nothing else: no BEGIN around it (it reads one snapshot by itself)


async def test_the_answer_type_of_every_call_is_kept_across_garbage_collection(migrated_template, tmp_path):
    """aiogram reads each Bot API answer as Response[T], which pydantic keeps only weakly: the bot
    keeps each T's type (bot/response_types.py), so a collection does not make the next call build
    it again (a ~14 ms schema build)."""
    import gc

    from aiogram.types import Message

    from bot import response_types

    app, rec = await _recorded_app(migrated_template, tmp_path)
    try:
        await app.dp.feed_update(app.bot, _message(1, "/start", app.bot))
        kept = response_types._KEPT.get(Message)
        gc.collect()
        await app.dp.feed_update(app.bot, _message(2, "/help", app.bot))
    finally:
        await app.engine.dispose()
    assert "sendMessage" in [c[0] for c in rec.calls]
    assert kept is not None and response_types.response_type(Message) is kept
    assert Response[Message] is kept  # pydantic's own cache still finds the one kept


async def test_two_first_updates_of_a_new_user_at_once_neither_waits_on_the_other(migrated_template, tmp_path):
    """The user row is created inside the chat's lock (bot/middlewares.py): created before it, the
    first update would hold the writer's turn while waiting for the lock the second holds."""
    app, rec = await _recorded_app(migrated_template, tmp_path)
    try:
        started = time.monotonic()
        await asyncio.wait_for(
            asyncio.gather(
                *(app.dp.feed_update(app.bot, _message(n, text, app.bot)) for n, text in ((1, "/start"), (2, "/help")))
            ),
            timeout=8,
        )
        took = time.monotonic() - started
        async with app.sessionmaker() as s:
            users = await s.scalar(select(func.count()).select_from(User))
    finally:
        await app.engine.dispose()
    assert took < 3, f"the two updates waited on each other ({took:.1f} s)"
    assert users == 1
    assert sum(1 for c in rec.calls if c[0] == "sendMessage") >= 2  # both answered


def _write_transactions(app) -> list[int]:  # noqa: ANN001
    """A counter of the write transactions begun on the app's engine (read sessions not counted)."""
    from sqlalchemy import event

    from bot.db.session import READ_ONLY

    began = [0]

    def on_begin(conn) -> None:  # noqa: ANN001
        if not conn.get_execution_options().get(READ_ONLY):
            began[0] += 1

    event.listen(app.engine.sync_engine, "begin", on_begin)
    return began


async def test_a_button_answered_first_then_worked_on_writes_once(migrated_template, tmp_path):
    """The agree button's handler stops the spinner first, then records the consent and replies: the
    bare answer is owed until the consent is committed, so the update writes in one transaction and
    the spinner stops right before the reply (bot/commit_first.py)."""
    app, rec = await _recorded_app(migrated_template, tmp_path)
    try:
        await app.dp.feed_update(app.bot, _message(1, "/start", app.bot))
        agree = _agree_button(rec)
        before, writes = len(rec.calls), _write_transactions(app)
        await app.dp.feed_update(app.bot, _press(2, agree, app.bot))
    finally:
        await app.engine.dispose()
    calls = rec.calls[before:]
    assert [c[0] for c in calls[:2]] == ["answerCallbackQuery", "sendMessage"]
    assert calls[0][2] == 1, "the spinner stopped before the consent was saved"
    assert writes[0] == 1, f"{writes[0]} write transactions for one button press"


async def test_a_first_start_writes_once_and_reads_nothing_after_its_greeting(migrated_template, tmp_path):
    """/start from someone new: the user row, the consent check and the processed mark in one write
    transaction that ends before the greeting; the greeting and the privacy notice follow, and no
    query runs between them (the consent is read first)."""
    from sqlalchemy import event

    app, rec = await _recorded_app(migrated_template, tmp_path)
    writes = _write_transactions(app)
    statements: list[tuple[int, str]] = []  # (Bot API calls made so far, the statement)
    event.listen(
        app.engine.sync_engine,
        "before_cursor_execute",
        lambda conn, cursor, stmt, *a: statements.append((len(rec.calls), " ".join(stmt.split()[:2]))),
    )
    try:
        await app.dp.feed_update(app.bot, _message(1, "/start", app.bot))
    finally:
        await app.engine.dispose()
    sent = [c for c in rec.calls if c[0] == "sendMessage"]
    assert len(sent) == 2, [c[0] for c in rec.calls]  # the greeting, then the notice with its agree button
    assert writes[0] == 1, f"{writes[0]} write transactions for /start"
    # (Recording looks at what is committed at each call: a BEGIN and a count(*) on its own connection)
    late = [st for n, st in statements if n > 0 and st not in ("BEGIN", "SELECT count(*)")]
    assert not late, f"queries after the greeting was sent: {late}"


async def test_an_owed_answer_gives_way_to_the_error_answer_and_to_a_fuller_answer(migrated_template, tmp_path):
    """A handler that answers the press bare and then fails: the press gets one answer, the error
    handler's (Telegram refuses a second); a handler that answers bare, then with a text: one answer,
    the text."""
    from aiogram import F
    from aiogram.types import CallbackQuery

    app, rec = await _recorded_app(migrated_template, tmp_path)

    async def fails(query: CallbackQuery) -> None:
        await query.answer()
        raise RuntimeError("a bug after the answer")

    async def says_more(query: CallbackQuery) -> None:
        await query.answer()
        await query.answer("접수 마감", show_alert=True)

    app.dp.callback_query.register(fails, F.data == "boom")
    app.dp.callback_query.register(says_more, F.data == "more")
    try:
        await app.dp.feed_update(app.bot, _message(1, "/start", app.bot))
        before = len(rec.calls)
        await app.dp.feed_update(app.bot, _press(2, "boom", app.bot))
        failed = [c[0] for c in rec.calls[before:]]
        before = len(rec.calls)
        await app.dp.feed_update(app.bot, _press(3, "more", app.bot))
        fuller = rec.calls[before:]
    finally:
        await app.engine.dispose()
    assert failed == ["answerCallbackQuery", "sendMessage"], failed  # the error's answer, then the apology
    assert [c[0] for c in fuller] == ["answerCallbackQuery"], fuller
