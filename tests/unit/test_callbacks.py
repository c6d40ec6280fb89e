"""workflows/callbacks.py builds (without aiogram) the same strings that the aiogram
CallbackData classes in handlers/callbacks.py pack and unpack."""

from __future__ import annotations

import pytest

from handlers.callbacks import FeedbackCb, OfficerCb, RateCb
from workflows import callbacks
from workflows.ratings import ITEMS, OVERALL

BIG_ID = 2_147_483_647


@pytest.mark.parametrize("action", ["take", "answer", "transfer", "reject", "extend", "media", "open"])
@pytest.mark.parametrize("cid", [1, 42, BIG_ID])
def test_officer(action, cid):
    s = callbacks.officer(action, cid)
    assert s == OfficerCb(action=action, cid=cid).pack() == f"op:{action}:{cid}"
    back = OfficerCb.unpack(s)
    assert back == OfficerCb(action=action, cid=cid)
    assert (back.action, back.cid) == (action, cid)
    assert len(s.encode()) <= 64  # Telegram's callback_data limit


@pytest.mark.parametrize("resolved", [True, False])
@pytest.mark.parametrize("cid", [1, BIG_ID])
def test_citizen_feedback(resolved, cid):
    s = callbacks.citizen_feedback(resolved, cid)
    assert s == FeedbackCb(resolved=int(resolved), cid=cid).pack() == f"fb:{int(resolved)}:{cid}"
    back = FeedbackCb.unpack(s)
    assert back.resolved == int(resolved) and back.cid == cid
    assert bool(back.resolved) is resolved


@pytest.mark.parametrize("item", (OVERALL,) + ITEMS)
@pytest.mark.parametrize("score", [1, 3, 5])
def test_rating(item, score):
    cid = 7
    s = callbacks.rating(cid, item, score)
    assert s == RateCb(cid=cid, item=item, score=score).pack() == f"rt:{cid}:{item}:{score}"
    back = RateCb.unpack(s)
    assert (back.cid, back.item, back.score) == (cid, item, score)
    assert len(callbacks.rating(BIG_ID, item, score).encode()) <= 64


def test_prefixes_are_distinct_and_filters_match():
    assert OfficerCb.filter().callback_data is OfficerCb
    assert callbacks.officer("take", 1).split(":")[0] == OfficerCb.__prefix__
    assert callbacks.citizen_feedback(True, 1).split(":")[0] == FeedbackCb.__prefix__
    assert callbacks.rating(1, "overall", 5).split(":")[0] == RateCb.__prefix__
    with pytest.raises((ValueError, TypeError)):
        OfficerCb.unpack(callbacks.rating(1, "overall", 5))
    with pytest.raises((ValueError, TypeError)):
        OfficerCb.unpack(callbacks.citizen_feedback(True, 1))


def _callback_classes() -> list[type]:
    """Every CallbackData class of the bot's handlers."""
    from aiogram.filters.callback_data import CallbackData

    import handlers

    handlers.build_router()  # imports every handler module
    found, todo = [], list(CallbackData.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if c.__module__.startswith("handlers.")]


def test_no_number_on_any_button_is_unbounded():
    """A forged button with an id beyond the database's integers is malformed data (answered as a
    stale button), not a query that fails."""
    from pydantic import ValidationError

    classes = _callback_classes()
    assert len(classes) > 20
    checked = 0
    for cls in classes:
        base = {name: (1 if f.annotation is int else "x") for name, f in cls.model_fields.items()}
        for name, f in cls.model_fields.items():
            if f.annotation is not int:
                continue
            for forged in (2**31, 2**63, -(2**63) - 1):
                if name == "at" and forged == 2**31:
                    continue  # unix seconds: past 2038 is fine
                with pytest.raises(ValidationError):
                    cls(**{**base, name: forged})
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    "forged",
    [
        "op:take:99999999999999999999999",
        "op:take:3000000000",
        "rt:1:overall:99999999999999999999",
        "fb:1:-99999999999999999999999",
    ],
)
def test_forged_numbers_do_not_unpack(forged):
    cls = {"op": OfficerCb, "rt": RateCb, "fb": FeedbackCb}[forged.split(":")[0]]
    with pytest.raises(ValueError):
        cls.unpack(forged)


def test_every_menu_service_runs_its_commands_own_handler():
    """/menu's buttons run the command handler each feature registers (handlers/entries.py):
    every service of services.json has one (complaint and status have their own menu handlers),
    and it is the function the typed command runs."""
    import handlers
    from aiogram.filters import Command
    from handlers.entries import ENTRIES
    from workflows import services

    root = handlers.build_router()
    codes = {s.code for s in services.catalogue().services} - {"complaint", "status"}
    assert set(ENTRIES) == codes
    commands = {
        h.callback: {c for f in h.filters or [] if isinstance(f.callback, Command) for c in f.callback.commands}
        for router in root.chain_tail
        for h in router.message.handlers
    }
    for code, handler in ENTRIES.items():
        assert services.catalogue().get(code).command in commands.get(handler, set()), code
