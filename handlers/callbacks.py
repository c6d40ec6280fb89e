"""Callback data for every inline button (aiogram CallbackData factories)."""
from aiogram.filters.callback_data import CallbackData


class LangCb(CallbackData, prefix="lang"):
    code: str


class PrivacyCb(CallbackData, prefix="pv"):
    action: str  # agree, refuse, withdraw


class PrivacyDataCb(CallbackData, prefix="pvd"):  # /privacy: see and delete my data
    action: str  # show, ask, erase, keep
    at: int = 0  # erase: when the confirmation was shown (unix seconds); older ones are stale


class MenuCb(CallbackData, prefix="menu"):
    action: str  # complaint, status, inbox, help


class CategoryCb(CallbackData, prefix="cat"):
    code: str


class StepCb(CallbackData, prefix="step"):
    action: str  # skip, done


class FormCb(CallbackData, prefix="cf"):
    action: str  # submit, edit, cancel
    form: str


class EditCb(CallbackData, prefix="ed"):
    field: str


class FreeTextCb(CallbackData, prefix="ft"):
    action: str  # file, choose, no
    cat: str = ""


class StatusCb(CallbackData, prefix="st"):
    cid: int


class OfficerCb(CallbackData, prefix="op"):  # workflows/callbacks.officer builds the same strings
    action: str  # take, answer, transfer, reject, extend, media, open
    cid: int


class TransferCb(CallbackData, prefix="tr"):
    cid: int
    dept: str


class RemedyCb(CallbackData, prefix="rm"):
    cid: int
    code: str


class AnswerCb(CallbackData, prefix="an"):
    cid: int
    action: str  # send, rewrite


class FeedbackCb(CallbackData, prefix="fb"):  # workflows/callbacks.citizen_feedback
    resolved: int
    cid: int


class RateCb(CallbackData, prefix="rt"):  # workflows/callbacks.rating
    cid: int
    item: str
    score: int


class RateMoreCb(CallbackData, prefix="rd"):
    cid: int
    go: int
