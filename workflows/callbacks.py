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


def rating_details(complaint_id: int, go: bool) -> str:
    """After the overall score: rate the items too (go) or not: handlers/callbacks.RateMoreCb."""
    return f"rd:{complaint_id}:{int(go)}"


def onestop_rating(application_id: int, item: str, score: int) -> str:
    """A one-stop's survey (workflows/ratings.py): handlers/callbacks.OsRateCb."""
    return f"osr:{application_id}:{item}:{score}"


def onestop_rating_details(application_id: int, go: bool) -> str:
    return f"osrm:{application_id}:{int(go)}"
