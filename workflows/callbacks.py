"""Callback-data strings carried by buttons that workflows put into the outbox.

They match the aiogram CallbackData classes in handlers/callbacks.py (same prefixes and field
order); tests/unit/test_callbacks.py proves both sides agree.
"""


def officer(action: str, complaint_id: int) -> str:
    return f"op:{action}:{complaint_id}"


def give_back(complaint_id: int) -> str:
    """반송 (workflows/transfers.give_back): handlers/callbacks.ReturnCb."""
    return f"rb:{complaint_id}"


def citizen_feedback(resolved: bool, complaint_id: int) -> str:
    return f"fb:{int(resolved)}:{complaint_id}"


def rating(complaint_id: int, item: str, score: int) -> str:
    return f"rt:{complaint_id}:{item}:{score}"
