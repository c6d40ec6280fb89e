"""친절 OSS 5-item satisfaction survey (광주광역시 model; Chatwoot CSAT conventions), one for every
service that asks it (a ``ratings`` row each, workflows/models.Rating):

* a complaint: sent once when it reaches a final decision (``send_survey``);
* a one-stop (출생·사망 원스톱, workflows/onestop/service.py): sent once when the application completes,
  one row per department that completed a part (``open_onestop``); the family answers once and
  every answer goes to each of those rows.

The department and the officer are snapshotted when the survey is sent, so a later transfer does
not move the score. The overall score comes first, then the five items in order (``next_item``).

Honest figures (issue 16 §5): an officer does not rate a complaint they handled, nor one of their
own department's (the resident is told why instead of getting the survey), and a department's
figures leave out ratings given while the rater was its staff (``counted``).
"""

from __future__ import annotations

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import Complaint, ComplaintEvent, OnestopApplication, Rating, RoleGrant, User
from workflows import callbacks
from workflows.context import Services
from workflows.outbox import enqueue
from workflows.texts import t

ITEMS = ("greeting", "guidance", "tone", "answer", "closing")  # 첫인사, 안내, 말투, 답변, 끝인사
OVERALL = "overall"
COMMENT_MAX = 1000
COMPLAINT, ONESTOP = "complaint", "onestop"  # Rating.service


class RatingError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        # "not_found", "already", "bad_score", "bad_item", "handled", "own_staff", "too_long"
        self.code = code


STAFF_ROLES = ("officer", "head")
NOT_OFFERED = {
    "handled": "rate.not_offered.handled",
    "own_staff": "rate.not_offered.own_staff",
}  # the roles that work a department's complaints


async def conflict(session: AsyncSession, c: Complaint, user_id: int) -> str | None:
    """Why ``user_id`` may not rate ``c``: "handled" (they took, answered or otherwise acted on it
    as staff), "own_staff" (they are staff of the department being rated), else None."""
    if user_id in (c.answered_by, c.officer_id) or await session.scalar(
        select(ComplaintEvent.id)
        .where(
            ComplaintEvent.complaint_id == c.id,
            ComplaintEvent.actor_id == user_id,
            ComplaintEvent.actor_role != "citizen",
        )
        .limit(1)
    ):
        return "handled"
    if await session.scalar(
        select(RoleGrant.id)
        .where(
            RoleGrant.user_id == user_id,
            RoleGrant.role.in_(STAFF_ROLES),
            RoleGrant.department_code == c.department_code,
            RoleGrant.revoked_at.is_(None),
        )
        .limit(1)
    ):
        return "own_staff"
    return None


def counted(service: str = COMPLAINT):
    """The filter every rating figure uses: the ``service``'s ratings, as counted. For complaints,
    leave out a rating given while the rater was staff of the rated department (grants are kept
    with their dates, so a later grant or revocation does not move it); for one-stops the rule is
    applied when the rating is asked and given (``onestop_conflict``), not afterwards."""
    R = Rating
    if service != COMPLAINT:
        return R.service == service
    at = R.rated_at
    # First, uncorrelated and computed once: the complaints of anyone who ever held a staff role.
    # Every other rating counts without the per-rating look-up below (a report reads 100,000s).
    staff_filed = (
        select(Complaint.id)
        .join(RoleGrant, Complaint.citizen_id == RoleGrant.user_id)
        .where(RoleGrant.role.in_(STAFF_ROLES))
    )
    return and_(
        R.service == COMPLAINT,
        or_(
            R.complaint_id.not_in(staff_filed),
            ~exists(
                select(RoleGrant.id)
                .join(Complaint, Complaint.citizen_id == RoleGrant.user_id)
                .where(
                    Complaint.id == R.complaint_id,
                    RoleGrant.department_code == R.department_code,
                    RoleGrant.role.in_(STAFF_ROLES),
                    RoleGrant.granted_at <= at,
                    or_(RoleGrant.revoked_at.is_(None), RoleGrant.revoked_at > at),
                )
            ),
        ),
    )


# --- the same rule for a one-stop (출생·사망 원스톱: workflows/onestop/service.py) ------------------------
# A one-stop is rated once by the family and the answers go to every department that completed a
# part (one ratings row each). Its rows keep no rater once the application is destroyed, so the
# rule is applied when the rating is asked and when it is given, not by a filter afterwards: the
# figures count only what was rated (overall not null).

ONESTOP_STAFF_ACTIONS = frozenset({"take", "complete", "supplement", "ack", "relay"})  # OnestopItemEvent


def onestop_handled(app, user_id: int) -> bool:
    """``user_id`` worked an item of the application as staff (took, completed, asked for 보완,
    acknowledged or relayed it)."""
    return any(
        it.officer_id == user_id or any(e.actor_id == user_id and e.action in ONESTOP_STAFF_ACTIONS for e in it.events)
        for it in app.items
    )


async def own_departments(session: AsyncSession, user_id: int) -> set[str]:
    """The departments ``user_id`` is staff of now (officer or head)."""
    return set(
        await session.scalars(
            select(RoleGrant.department_code).where(
                RoleGrant.user_id == user_id, RoleGrant.role.in_(STAFF_ROLES), RoleGrant.revoked_at.is_(None)
            )
        )
    )


async def onestop_conflict(session: AsyncSession, app, user_id: int, departments) -> tuple[str | None, set[str]]:
    """For a one-stop whose parts ``departments`` completed: ("handled", all of them) when the
    family member worked an item of it as staff — they are not asked at all; else (None, the
    departments they are staff of): those are left out of their rating, the others rated."""
    if onestop_handled(app, user_id):
        return "handled", set(departments)
    return None, await own_departments(session, user_id) & set(departments)


# --- asking ----------------------------------------------------------------------------------


def _subject(r: Rating) -> int:
    subject = r.complaint_id if r.service == COMPLAINT else r.application_id
    if subject is None:  # a one-stop's rows once the application is destroyed
        raise RatingError("not_found")
    return subject


def score_buttons(r: Rating, item: str) -> list[list[tuple[str, str]]]:
    """The 1..5 buttons for ``item`` (or OVERALL) of ``r``'s survey."""
    labels = {1: "1 😞", 2: "2", 3: "3", 4: "4", 5: "5 😊"}
    data = callbacks.rating if r.service == COMPLAINT else callbacks.onestop_rating
    return [[(labels[s], data(_subject(r), item, s)) for s in range(1, 6)]]


def details_data(r: Rating, go: bool) -> str:
    """The callback data of "rate the items too" (go) or "no, thanks" after the overall score."""
    return (callbacks.rating_details if r.service == COMPLAINT else callbacks.onestop_rating_details)(_subject(r), go)


async def send_survey(session: AsyncSession, svc: Services, c: Complaint) -> bool:
    """Create the survey row and queue the question; False if this complaint already had one."""
    if await session.scalar(select(Rating.id).where(Rating.complaint_id == c.id)):
        return False
    user = await session.get(User, c.citizen_id)
    lang = user.language if user else "ko"
    reason = await conflict(session, c, c.citizen_id)
    if reason is not None:  # say why there is no survey rather than stay silent
        await enqueue(
            session, key=f"survey:{c.id}", chat_id=c.citizen_id, text=t(lang, NOT_OFFERED[reason], receipt=c.receipt_no)
        )
        return False
    r = Rating(
        service=COMPLAINT,
        complaint_id=c.id,
        department_code=c.department_code,
        officer_id=c.answered_by or c.officer_id,
        sent_at=svc.now(),
    )
    session.add(r)
    await enqueue(
        session,
        key=f"survey:{c.id}",
        chat_id=c.citizen_id,
        text=t(
            lang, "rate.ask", receipt=c.receipt_no, department=svc.district.department(c.department_code).name(lang)
        ),
        buttons=score_buttons(r, OVERALL),
    )
    return True


async def onestop_surveyed(session: AsyncSession, application_id: int) -> bool:
    return await session.scalar(select(Rating.id).where(Rating.application_id == application_id).limit(1)) is not None


def open_onestop(
    session: AsyncSession, svc: Services, application_id: int, departments: dict[str, int | None]
) -> list[Rating]:
    """The rows of a one-stop's survey: one per department (code → the officer who completed its
    part); the caller asks the question with ``score_buttons(rows[0], OVERALL)``."""
    now = svc.now()
    rows = [
        Rating(service=ONESTOP, application_id=application_id, department_code=d, officer_id=o, sent_at=now)
        for d, o in departments.items()
    ]
    session.add_all(rows)
    return rows


# --- answering --------------------------------------------------------------------------------


async def _own(
    session: AsyncSession, user_id: int, complaint_id: int | None, application_id: int | None
) -> list[Rating]:
    """The survey rows of ``user_id``'s complaint or one-stop application (one row, or one per
    department), in the order they were created."""
    R = Rating
    if complaint_id is not None:
        q = (
            select(R)
            .join(Complaint, Complaint.id == R.complaint_id)
            .where(R.complaint_id == complaint_id, Complaint.citizen_id == user_id)
        )
    elif application_id is not None:
        q = (
            select(R)
            .join(OnestopApplication, OnestopApplication.id == R.application_id)
            .where(R.application_id == application_id, OnestopApplication.citizen_id == user_id)
        )
    else:
        raise TypeError("a complaint_id or an application_id")
    rows = list((await session.execute(q.order_by(R.id))).scalars())
    if not rows:
        raise RatingError("not_found")
    return rows


async def answers(
    session: AsyncSession, user_id: int, *, complaint_id: int | None = None, application_id: int | None = None
) -> Rating:
    """The row holding ``user_id``'s answers so far (a one-stop: one the family rated, if any)."""
    rows = await _own(session, user_id, complaint_id, application_id)
    return next((r for r in rows if r.overall is not None), rows[0])


async def rate(
    session: AsyncSession,
    svc: Services,
    *,
    user_id: int,
    item: str,
    score: int,
    complaint_id: int | None = None,
    application_id: int | None = None,
) -> Rating:
    """Record one answer, of a complaint's survey or of a one-stop's (given to every department
    rated). The overall score is given once, first; then each item once. Returns the row."""
    if item != OVERALL and item not in ITEMS:
        raise RatingError("bad_item")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise RatingError("bad_score")
    rows = await _own(session, user_id, complaint_id, application_id)
    if complaint_id is not None:
        c = await session.get(Complaint, complaint_id)
        if c is not None and (reason := await conflict(session, c, user_id)) is not None:
            raise RatingError(reason)  # e.g. granted a role in that department since the survey
    else:  # granted a role in a rated department since the survey: that row stays unrated, not counted
        own = await own_departments(session, user_id)
        rows = [r for r in rows if r.department_code not in own]
        if not rows:
            raise RatingError("own_staff")
    first = rows[0]
    if getattr(first, item) is not None:
        raise RatingError("already")
    if item != OVERALL and first.overall is None:
        raise RatingError("bad_item")  # items come after the overall score
    for r in rows:
        setattr(r, item, score)
        r.rated_at = svc.now()
    return first


def next_item(r: Rating) -> str | None:
    return next((i for i in ITEMS if getattr(r, i) is None), None)


async def comment(session: AsyncSession, svc: Services, *, user_id: int, complaint_id: int, text: str) -> Rating:
    """A complaint's survey ends with an optional comment (a one-stop's does not)."""
    [r] = await _own(session, user_id, complaint_id, None)
    text = (text or "").strip()
    if len(text) > COMMENT_MAX:
        raise RatingError("too_long")
    if r.comment is not None:
        raise RatingError("already")
    r.comment = text
    return r
