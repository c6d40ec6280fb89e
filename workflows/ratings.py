"""친절 OSS 5-item satisfaction survey (광주광역시 model; Chatwoot CSAT conventions).

Sent once per complaint when it reaches a final decision; the department and the officer who
answered are snapshotted when the survey is sent, so a later transfer does not move the score.

Honest figures (issue 16 §5): an officer does not rate a complaint they handled, nor one of their
own department's (the resident is told why instead of getting the survey), and a department's
figures leave out ratings given while the rater was its staff (``counted``).
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Complaint, ComplaintEvent, Rating, RoleGrant, User
from workflows import callbacks
from workflows.context import Services
from workflows.outbox import enqueue
from workflows.texts import t

ITEMS = ("greeting", "guidance", "tone", "answer", "closing")  # 첫인사, 안내, 말투, 답변, 끝인사
OVERALL = "overall"
COMMENT_MAX = 1000


class RatingError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # "not_found", "already", "bad_score", "bad_item", "handled", "own_staff"


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


def counted():
    """The filter every rating figure uses: leave out a rating given while the rater was staff of
    the rated department (grants are kept with their dates, so a later grant or revocation does
    not move it)."""
    R = Rating
    at = R.rated_at
    # First, uncorrelated and computed once: the complaints of anyone who ever held a staff role.
    # Every other rating counts without the per-rating look-up below (a report reads 100,000s).
    staff_filed = (
        select(Complaint.id)
        .join(RoleGrant, Complaint.citizen_id == RoleGrant.user_id)
        .where(RoleGrant.role.in_(STAFF_ROLES))
    )
    return or_(
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
    )


# --- the same rule for a one-stop (출생·사망 원스톱: workflows/birth_death.py) ------------------------
# A one-stop is rated once by the family and the answers go to every department that completed a
# part (one onestop_ratings row each). Its rows keep no rater once the application is destroyed, so
# the rule is applied when the rating is asked and when it is given, not by a filter afterwards:
# the figures count only what was rated (overall not null).

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


def score_buttons(complaint_id: int, item: str) -> list[list[tuple[str, str]]]:
    labels = {1: "1 😞", 2: "2", 3: "3", 4: "4", 5: "5 😊"}
    return [[(labels[s], callbacks.rating(complaint_id, item, s)) for s in range(1, 6)]]


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
    session.add(
        Rating(
            complaint_id=c.id,
            department_code=c.department_code,
            officer_id=c.answered_by or c.officer_id,
            sent_at=svc.now(),
        )
    )
    await enqueue(
        session,
        key=f"survey:{c.id}",
        chat_id=c.citizen_id,
        text=t(
            lang, "rate.ask", receipt=c.receipt_no, department=svc.district.department(c.department_code).name(lang)
        ),
        buttons=score_buttons(c.id, OVERALL),
    )
    return True


async def _own_rating(session: AsyncSession, user_id: int, complaint_id: int) -> Rating:
    row = (
        await session.execute(
            select(Rating)
            .join(Complaint, Complaint.id == Rating.complaint_id)
            .where(Rating.complaint_id == complaint_id, Complaint.citizen_id == user_id)
        )
    ).scalar_one_or_none()
    if row is None:
        raise RatingError("not_found")
    return row


async def rate(
    session: AsyncSession, svc: Services, *, user_id: int, complaint_id: int, item: str, score: int
) -> Rating:
    """Record one answer. The overall score is given once; each item once."""
    if item != OVERALL and item not in ITEMS:
        raise RatingError("bad_item")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise RatingError("bad_score")
    r = await _own_rating(session, user_id, complaint_id)
    c = await session.get(Complaint, complaint_id)
    if c is not None and (reason := await conflict(session, c, user_id)) is not None:
        raise RatingError(reason)  # e.g. granted a role in that department since the survey
    if getattr(r, item) is not None:
        raise RatingError("already")
    if item != OVERALL and r.overall is None:
        raise RatingError("bad_item")  # items come after the overall score
    setattr(r, item, score)
    r.rated_at = svc.now()
    return r


def next_item(r: Rating) -> str | None:
    return next((i for i in ITEMS if getattr(r, i) is None), None)


async def comment(session: AsyncSession, svc: Services, *, user_id: int, complaint_id: int, text: str) -> Rating:
    r = await _own_rating(session, user_id, complaint_id)
    text = (text or "").strip()
    if len(text) > COMMENT_MAX:
        raise RatingError("too_long")
    if r.comment is not None:
        raise RatingError("already")
    r.comment = text
    return r
