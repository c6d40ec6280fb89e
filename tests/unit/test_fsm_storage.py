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


async def test_the_first_look_reads_the_user_their_roles_and_the_chats_state_in_one_query(db_sessionmaker):
    """bot/middlewares.first_look_and_state: one SELECT gives the user, every active grant, whether
    the update was handled, and the chat's FSM row, which the update's session then adopts without
    reading it again."""
    from aiogram.types import User as TgUser

    from bot.db.session import make_read_sessionmaker
    from bot.fsm_storage import adopt_prefetched
    from bot.middlewares import first_look_and_state
    from workflows.models import ProcessedUpdate, RoleGrant, User

    storage = DatabaseStorage(db_sessionmaker)
    reads = make_read_sessionmaker(db_sessionmaker.kw["bind"])
    async with db_sessionmaker() as s, s.begin():
        s.add_all([User(id=7, language="ko"), ProcessedUpdate(update_id=5)])
        await s.flush()
        s.add_all(
            [
                RoleGrant(user_id=7, role="officer", department_code="D1"),
                RoleGrant(user_id=7, role="evaluator", department_code=None),
                FsmRecord(key="fsm:42:7:7:default", state="Form:text", data={"text": "쓰레기"}),
            ]
        )
    selects: list[str] = []

    def listen(*a) -> None:
        if a[2].lstrip().upper().startswith("SELECT"):
            selects.append(a[2])

    engine = db_sessionmaker.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        async with reads() as r:
            (user, principal, handled), row = await first_look_and_state(
                r, storage, KEY, 5, TgUser(id=7, is_bot=False, first_name="A"), frozenset()
            )
        assert user.id == 7 and handled and row.state == "Form:text"
        assert principal.roles >= {"officer", "evaluator"} and principal.department == "D1"
        async with db_sessionmaker() as s:
            token = update_session.set(s)
            try:
                adopt_prefetched(s)
                assert await storage.get_data(KEY) == {"text": "쓰레기"}
            finally:
                update_session.reset(token)
        assert len(selects) == 1, selects
        # before the first contact: no user, no grants, no row; not handled
        async with reads() as r:
            (user, principal, handled), row = await first_look_and_state(
                r,
                storage,
                StorageKey(bot_id=42, chat_id=8, user_id=8),
                6,
                TgUser(id=8, is_bot=False, first_name="B"),
                frozenset({8}),
            )
        assert user is None and row is None and not handled and "admin" in principal.roles
        assert len(selects) == 2
    finally:
        event.remove(engine, "before_cursor_execute", listen)
