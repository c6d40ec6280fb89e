"""bot/filters_on_loop.py: aiogram would call a plain-function filter (F.…, a State) in a worker
thread; after filters_on_loop it runs on the event loop's thread, and still filters."""

from __future__ import annotations

import threading

from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup

from bot.filters_on_loop import filters_on_loop


class Form(StatesGroup):
    text = State()


async def test_plain_filters_run_on_the_loop_and_still_decide():
    seen: list[int] = []

    def where(message) -> bool:  # noqa: ANN001
        seen.append(threading.get_ident())
        return message == "ok"

    router, child = Router(), Router()
    router.include_router(child)
    router.message.filter(F.func(where))  # a root filter
    child.message(Form.text, F.func(where))(lambda m: None)
    assert filters_on_loop(router) == 3
    assert filters_on_loop(router) == 0  # once is enough: a second pass changes nothing
    root = router.message._handler.filters[0]
    assert await root.call("ok") is True and await root.call("no") is False
    state, magic = child.message.handlers[0].filters
    assert await state.call("ok", raw_state=Form.text.state) is True
    assert await state.call("ok", raw_state=None) is False  # the State still compares with raw_state
    assert await magic.call("ok") is True
    assert seen and set(seen) == {threading.get_ident()}


async def test_the_bots_updates_use_no_worker_thread(migrated_template, tmp_path, monkeypatch):
    """Through build_app's Dispatcher, a conversation's filters (a State per step, F.… on texts and
    buttons) never go to aiogram's thread hand-off."""
    import aiogram.dispatcher.event.handler as aiogram_handler

    from tests.unit.test_commit_first import _agree_button, _message, _press, _recorded_app

    handed: list[object] = []

    async def to_thread(fn, *a, **k):  # noqa: ANN001, ANN202
        handed.append(fn)
        return fn(*a, **k)

    app, rec = await _recorded_app(migrated_template, tmp_path)
    monkeypatch.setattr(aiogram_handler.asyncio, "to_thread", to_thread)
    try:
        await app.dp.feed_update(app.bot, _message(1, "/start", app.bot))
        await app.dp.feed_update(app.bot, _press(2, _agree_button(rec), app.bot))
        await app.dp.feed_update(app.bot, _message(3, "/complaint", app.bot))
        await app.dp.feed_update(app.bot, _message(4, "아무 말", app.bot))
    finally:
        await app.engine.dispose()
    assert len(rec.calls) >= 4
    assert handed == []
