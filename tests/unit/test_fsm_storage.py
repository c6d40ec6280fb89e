"""The FSM storage in our database (bot/fsm_storage.py), inside an update's session as the bot uses it:
read once per update, and a value a handler changes in place is still saved."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event

from workflows.models import FsmRecord
from bot.fsm_storage import DatabaseStorage, update_session

KEY = StorageKey(bot_id=42, chat_id=7, user_id=7)


async def test_state_and_data_are_read_once_per_update_and_nested_changes_are_saved(db_sessionmaker):
    storage = DatabaseStorage(db_sessionmaker)
    async with db_sessionmaker() as s, s.begin():
        s.add(FsmRecord(key="fsm:42:7:7:default", state="Form:photos", data={"photos": [["a", "ua"]]}))
    selects = []
    async with db_sessionmaker() as s:
        token = update_session.set(s)

        def listen(*a) -> None:
            if "fsm_records" in a[2] and a[2].lstrip().upper().startswith("SELECT"):
                selects.append(a[2])

        event.listen(s.bind.sync_engine, "before_cursor_execute", listen)
        try:
            assert await storage.get_state(KEY) == "Form:photos"
            data = await storage.get_data(KEY)
            data["photos"].append(["b", "ub"])  # as aiogram's update_data does with what get_data gave
            assert (await storage.get_data(KEY))["photos"] == [["a", "ua"]]  # the row is not changed by it
            await storage.set_data(KEY, data)
            await storage.set_state(KEY, "Form:location")
            assert await storage.get_state(KEY) == "Form:location"
            await s.commit()
        finally:
            event.remove(s.bind.sync_engine, "before_cursor_execute", listen)
            update_session.reset(token)
    assert len(selects) == 1  # one read of the row for the whole update
    async with db_sessionmaker() as s:
        row = await s.get(FsmRecord, "fsm:42:7:7:default")
        assert row.state == "Form:location" and row.data == {"photos": [["a", "ua"], ["b", "ub"]]}


async def test_a_rollback_forgets_what_was_read(db_sessionmaker):
    storage = DatabaseStorage(db_sessionmaker)
    async with db_sessionmaker() as s:
        token = update_session.set(s)
        try:
            await storage.set_state(KEY, "Form:text")
            await s.rollback()  # the update's work undone (a handler's own rollback)
            assert await storage.get_state(KEY) is None
            await storage.set_state(KEY, "Form:text")
            await s.commit()
        finally:
            update_session.reset(token)
    async with db_sessionmaker() as s:
        assert (await s.get(FsmRecord, "fsm:42:7:7:default")).state == "Form:text"
