"""Callback data for every inline button (aiogram CallbackData factories)."""

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# Every number on a button is a database row id (a PostgreSQL integer), a small count or choice, or
# a time in unix seconds. A forged or corrupted number beyond what it can be fails the button's
# filter like any malformed data, so the button is answered as stale (handlers/fallback.py) instead
# of failing in the database. tests/unit/test_callbacks.py checks that no int field is left unbounded.
Num = Annotated[int, Field(ge=-(2**31), lt=2**31)]
UnixTime = Annotated[int, Field(ge=0, lt=2**63)]


class LangCb(CallbackData, prefix="lang"):
    code: str


class PrivacyCb(CallbackData, prefix="pv"):
    action: str  # agree, refuse, withdraw


class PrivacyDataCb(CallbackData, prefix="pvd"):  # /privacy: see and delete my data
    action: str  # show, ask, erase, keep
    at: UnixTime = 0  # erase: when the confirmation was shown (unix seconds); older ones are stale


class MenuCb(CallbackData, prefix="menu"):
    action: str  # complaint, status, inbox, help


class CategoryCb(CallbackData, prefix="cat"):
    code: str


class StepCb(CallbackData, prefix="step"):
    action: str  # skip, done, clear (the photos)
    st: str = ""  # the step it was shown for (handlers/states.step_token; filters.ShownAtStep)


class FormCb(CallbackData, prefix="cf"):
    action: str  # submit, edit, cancel
    form: str
    st: str = ""  # the step it was shown for (handlers/states.step_token; filters.ShownAtStep)


class EditCb(CallbackData, prefix="ed"):
    field: str


class FreeTextCb(CallbackData, prefix="ft"):
    action: str  # file, choose, no
    cat: str = ""


class StatusCb(CallbackData, prefix="st"):
    cid: Num


class OfficerCb(CallbackData, prefix="op"):  # workflows/callbacks.officer builds the same strings
    action: str  # take, answer, transfer, reject, extend, media, open, takeover, assign, note
    cid: Num


class TransferCb(CallbackData, prefix="tr"):
    cid: Num
    dept: str


class ReturnCb(CallbackData, prefix="rb"):  # 반송: workflows/callbacks.give_back builds the same string
    cid: Num


class RemedyCb(CallbackData, prefix="rm"):
    cid: Num
    code: str


class AnswerCb(CallbackData, prefix="an"):
    cid: Num
    action: str  # send, rewrite


class FeedbackCb(CallbackData, prefix="fb"):  # workflows/callbacks.citizen_feedback
    resolved: Num
    cid: Num


class RateCb(CallbackData, prefix="rt"):  # workflows/callbacks.rating
    cid: Num
    item: str
    score: Num


class RateMoreCb(CallbackData, prefix="rd"):  # workflows/callbacks.rating_details
    cid: Num
    go: Num


class OsRateCb(CallbackData, prefix="osr"):  # a one-stop's survey: workflows/callbacks.onestop_rating
    app: Num
    item: str
    score: Num


class OsRateMoreCb(CallbackData, prefix="osrm"):  # workflows/callbacks.onestop_rating_details
    app: Num
    go: Num


class AssignCb(CallbackData, prefix="asg"):  # give a complaint to a colleague (workflows/casework.assign)
    cid: Num
    g: Num  # the colleague's current role grant (row id): stale once revoked


class SettingsCb(CallbackData, prefix="set"):  # /settings: cards or the morning digest
    mode: str


class BroadcastCb(CallbackData, prefix="bc"):  # /broadcast (handlers/admin/broadcast.py)
    action: str  # aud (an audience), depts (the department list), send, rewrite, cancel, report
    v: str = ""  # aud: staff, residents or dept
    d: str = ""  # aud with v=dept: the department code
    at: UnixTime = 0  # send/rewrite/cancel: the preview it was shown with; report: the send's token


class OrphansCb(CallbackData, prefix="orph"):  # after /revoke: where a former officer's complaints go
    g: Num  # the ended grant
    to: Num = 0  # the colleague's current grant; 0 = back to unassigned, the department told


class ResidentFilesCb(CallbackData, prefix="arf"):  # /status: the answer's attachments again
    cid: Num
