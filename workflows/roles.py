"""Who may do what: roles, grants, invites and the per-complaint permission rules."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import Invite, ProcessedUpdate, RoleGrant, User, utcnow
from workflows.errors import DomainError
from workflows import audit
from workflows.texts import escape, t

CITIZEN, OFFICER, OPERATOR, EVALUATOR, ADMIN = "citizen", "officer", "operator", "evaluator", "admin"
HEAD = "head"  # 과장: what an officer does in one department, plus its escalations
GRANTABLE = (OFFICER, HEAD, OPERATOR, EVALUATOR, ADMIN)
DEPARTMENT_ROLES = (OFFICER, HEAD)  # granted for one department
INVITE_TTL = timedelta(days=7)


@dataclass(frozen=True)
class Principal:
    """The user behind an update, with their current roles (loaded once per update)."""

    user_id: int
    roles: frozenset[str] = frozenset({CITIZEN})
    department: str | None = None  # the officer's (or head's) department

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    @property
    def is_officer(self) -> bool:
        """Acts on the department's complaints: an officer, or its head (과장)."""
        return bool(self.roles & {OFFICER, HEAD}) and self.department is not None

    @property
    def is_head(self) -> bool:
        return HEAD in self.roles and self.department is not None

    @property
    def is_evaluator(self) -> bool:
        return EVALUATOR in self.roles


def parse_user_id(text: str) -> int | None:
    """A Telegram user id as an admin types it (ASCII digits; Telegram's ids have at most 16),
    else None: "٣" or a number no account can have is a usage error, not a database error."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 16 else None


def can_view(p: Principal, citizen_id: int, department_code: str, handed_to: str | None = None) -> bool:
    """A resident sees only their own complaints; an officer only those they may handle."""
    if citizen_id == p.user_id:
        return True
    return can_handle(p, department_code, handed_to)


def can_handle(p: Principal, department_code: str, handed_to: str | None = None) -> bool:
    """Officer actions (see, take, answer, transfer, reject, extend): the department's officers,
    and — for a complaint handed to the first-contact desk (``handed_to``, its code: the
    department had nobody reachable) — the desk's officers too (동대문구's 가족처럼 책임서비스)."""
    return p.is_officer and p.department in (department_code, handed_to)


class RoleError(DomainError):
    """A grant/revoke/invite request that cannot be carried out; .code names the text to show."""

    def text(self, lang: str, **more) -> str:
        """The message for the admin; the values are what they typed (a role, a department code)."""
        return t(lang, self.code, **{k: escape(str(v)) for k, v in {**self.values, **more}.items()})


async def load_principal(session: AsyncSession, user_id: int, admin_ids: frozenset[int]) -> Principal:
    rows = (
        await session.execute(
            select(RoleGrant.role, RoleGrant.department_code).where(
                RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None)
            )
        )
    ).all()
    return principal_of(user_id, [(r.role, r.department_code) for r in rows], admin_ids)


async def user_and_principal(
    session: AsyncSession, user_id: int, admin_ids: frozenset[int], *, update_id: int | None = None
) -> tuple[User | None, Principal, bool]:
    """The user's row (None before first contact), their principal and, with ``update_id``, whether
    that update was handled already: one query, at every update's start (bot/middlewares.py)."""
    rows = (await session.execute(first_look_query(), first_look_params(user_id, update_id))).all()
    return first_look_of(rows, user_id, admin_ids)


@functools.cache
def first_look_query() -> Select:
    """``user_and_principal``'s query, built once (its values are parameters: ``first_look_params``,
    so SQLAlchemy finds it compiled without walking a new statement each update): one row per
    active grant (one row without any), each (handled, User or None, role, department code). A
    caller may add columns outer-joined on a condition of their own (bot/middlewares.py adds the
    chat's FSM row): the rows stay as many."""
    handled = exists().where(ProcessedUpdate.update_id == bindparam("update_id")).label("handled")  # NULL: never
    one = select(literal(1).label("one")).subquery()  # a row even before the user's first contact
    user_id: BindParameter[int] = bindparam("user_id")
    return (
        select(handled, User, RoleGrant.role, RoleGrant.department_code)
        .select_from(one)
        .outerjoin(User, User.id == user_id)
        .outerjoin(RoleGrant, (RoleGrant.user_id == User.id) & RoleGrant.revoked_at.is_(None))
    )


def first_look_params(user_id: int, update_id: int | None = None) -> dict[str, Any]:
    """``first_look_query``'s parameters; without ``update_id``, handled is false."""
    return {"user_id": user_id, "update_id": update_id}


def first_look_of(rows: Sequence[Any], user_id: int, admin_ids: frozenset[int]) -> tuple[User | None, Principal, bool]:
    """(user, principal, handled) from ``first_look_query``'s rows."""
    user = rows[0][1]
    grants = [(r[2], r[3]) for r in rows if r[2]]
    return user, principal_of(user_id, grants, admin_ids), bool(rows[0][0])


def principal_of(user_id: int, grants: list[tuple[str, str | None]], admin_ids: frozenset[int]) -> Principal:
    """The principal from the user's active grants, (role, department code) each."""
    roles = {CITIZEN} | {role for role, _ in grants}
    if user_id in admin_ids:
        roles.add(ADMIN)
    dept = next((d for wanted in DEPARTMENT_ROLES for role, d in grants if role == wanted), None)
    return Principal(user_id, frozenset(roles), dept)


def _check(role: str, department_code: str | None, departments) -> None:
    if role not in GRANTABLE:
        raise RoleError("role.unknown_role", role=role)
    if role in DEPARTMENT_ROLES:
        if not department_code:
            raise RoleError("role.need_department")
        if department_code not in departments:
            raise RoleError("role.unknown_department", dept=department_code)


async def grant(
    session: AsyncSession,
    *,
    user_id: int,
    role: str,
    department_code: str | None,
    by: int | None,
    departments,
    actor_role: str = ADMIN,
    audited: bool = True,
    now: datetime | None = None,
) -> RoleGrant:
    """Grant a role; an officer moved to another department keeps one active grant. A change is
    audited (role_grant) as done by ``by`` in the capacity ``actor_role``; granting again is not."""
    _check(role, department_code, departments)
    now = now or utcnow()
    if role not in DEPARTMENT_ROLES:
        department_code = None
    if await session.get(User, user_id) is None:
        session.add(User(id=user_id))
    active = (
        (
            await session.execute(
                select(RoleGrant).where(
                    RoleGrant.user_id == user_id, RoleGrant.role == role, RoleGrant.revoked_at.is_(None)
                )
            )
        )
        .scalars()
        .all()
    )
    previous = None
    for g in active:
        if g.department_code == department_code:
            return g  # already held: granting again changes nothing
        g.revoked_at, g.revoked_by = now, by
        previous = g.department_code
    g = RoleGrant(user_id=user_id, role=role, department_code=department_code, granted_by=by, granted_at=now)
    session.add(g)
    await session.flush()
    if audited:
        audit.record(
            session,
            audit.ROLE_GRANT,
            actor_id=by,
            actor_role=actor_role,
            subject_kind="user",
            subject_id=user_id,
            detail=audit.details(role=role, dept=department_code, previous=previous),
            at=now,
        )
    return g


async def held(session: AsyncSession, user_id: int, role: str) -> tuple[bool, str | None]:
    """(whether ``user_id`` holds ``role`` now, its department): read before a grant, it says what
    the grant changed — new, the same, or a move from one department to another."""
    row = (
        await session.execute(
            select(RoleGrant.department_code)
            .where(RoleGrant.user_id == user_id, RoleGrant.role == role, RoleGrant.revoked_at.is_(None))
            .order_by(RoleGrant.id.desc())
            .limit(1)
        )
    ).first()
    return (row is not None, row[0] if row else None)


async def revoke(
    session: AsyncSession, *, user_id: int, role: str, by: int, actor_role: str = ADMIN, now: datetime | None = None
) -> int:
    """Revoke a role; returns how many active grants were ended (0 = the user did not have it, and
    nothing is audited)."""
    if role not in GRANTABLE:
        raise RoleError("role.unknown_role", role=role)
    now = now or utcnow()
    active = (
        (
            await session.execute(
                select(RoleGrant).where(
                    RoleGrant.user_id == user_id, RoleGrant.role == role, RoleGrant.revoked_at.is_(None)
                )
            )
        )
        .scalars()
        .all()
    )
    for g in active:
        g.revoked_at, g.revoked_by = now, by
    if active:
        depts = sorted({g.department_code for g in active if g.department_code})
        audit.record(
            session,
            audit.ROLE_REVOKE,
            actor_id=by,
            actor_role=actor_role,
            subject_kind="user",
            subject_id=user_id,
            detail=audit.details(role=role, dept=",".join(depts) or None),
            at=now,
        )
    return len(active)


async def create_invite(
    session: AsyncSession,
    *,
    role: str,
    department_code: str | None,
    by: int,
    departments,
    now: datetime | None = None,
    actor_role: str = ADMIN,
    audited: bool = True,
) -> Invite:
    """A one-time link; audited (invite_create) unless the caller records a batch itself."""
    _check(role, department_code, departments)
    now = now or utcnow()
    inv = Invite(
        token=secrets.token_urlsafe(12),
        role=role,
        department_code=department_code if role in DEPARTMENT_ROLES else None,
        created_by=by,
        created_at=now,
        expires_at=now + INVITE_TTL,
    )
    session.add(inv)
    await session.flush()
    if audited:
        audit.record(
            session,
            audit.INVITE_CREATE,
            actor_id=by,
            actor_role=actor_role,
            subject_kind="invite",
            detail=audit.details(role=role, dept=inv.department_code),
            at=now,
        )
    return inv


async def redeem_invite(
    session: AsyncSession, *, token: str, user_id: int, departments, now: datetime | None = None
) -> RoleGrant:
    """One-time: a used or expired link is refused with a clear reason."""
    now = now or utcnow()
    inv = await session.get(Invite, token, with_for_update=True)
    if inv is None:
        raise RoleError("invite.unknown")
    if inv.used_by is not None:
        raise RoleError("invite.used")
    if inv.expires_at < now:
        raise RoleError("invite.expired")
    inv.used_by, inv.used_at = user_id, now
    g = await grant(
        session,
        user_id=user_id,
        role=inv.role,
        department_code=inv.department_code,
        by=inv.created_by,
        departments=departments,
        audited=False,
        now=now,
    )
    # one entry: the person who redeemed the link (a citizen until now), the role, who invited them
    audit.record(
        session,
        audit.INVITE_REDEEM,
        actor_id=user_id,
        actor_role=CITIZEN,
        subject_kind="user",
        subject_id=user_id,
        detail=audit.details(role=inv.role, dept=inv.department_code, invited_by=inv.created_by),
        at=now,
    )
    return g


async def officers_of(session: AsyncSession, department_code: str, role: str = OFFICER) -> list[int]:
    """Current officers (or, with ``role=HEAD``, heads) of a department — grant not revoked — who
    can be reached (have not blocked the bot, or pressed /start since)."""
    rows = await session.execute(
        select(RoleGrant.user_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role == role,
            RoleGrant.department_code == department_code,
            RoleGrant.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    )
    return sorted(set(rows.scalars()))


async def unreachable_of(session: AsyncSession, department_code: str) -> list[int]:
    """Current officers of a department Telegram refused to reach (403: never opened the bot, or
    blocked it): each must press /start."""
    rows = await session.execute(
        select(RoleGrant.user_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role == OFFICER,
            RoleGrant.department_code == department_code,
            RoleGrant.revoked_at.is_(None),
            User.is_active.is_(False),
        )
    )
    return sorted(set(rows.scalars()))


async def admins(session: AsyncSession, admin_ids: frozenset[int]) -> list[int]:
    """Everyone who is an admin: ADMIN_IDS and the active admin grants (of users who have not
    blocked the bot)."""
    granted = await session.scalars(
        select(RoleGrant.user_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == ADMIN, RoleGrant.revoked_at.is_(None), User.is_active.is_(True))
    )
    return sorted(set(admin_ids) | set(granted))


# --- staff names (issue 16 §3: officers are shown by name, never as a number) ----------------------

NAME_MAX = 100


def clean_name(name: str | None) -> str | None:
    """A person's name as it will be shown: spaces collapsed, at most NAME_MAX characters; None
    when nothing is left."""
    name = " ".join((name or "").split())[:NAME_MAX]
    return name or None


def remember_telegram_name(user: User, p: Principal, name: str | None) -> None:
    """Keep a staff member's Telegram name (first and last name) as last seen, so colleagues see who
    took a complaint. Only for officers and heads: a resident's name is never stored. Written only
    when it changed."""
    name = clean_name(name)
    if p.is_officer and name and user.telegram_name != name:
        user.telegram_name = name


async def set_staff_name(session: AsyncSession, user_id: int, name: str | None) -> None:
    """The name the admin gave (/grant <id> <role> [dept] [name…]); it wins over the Telegram name."""
    name = clean_name(name)
    if not name:
        return
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id)
        session.add(user)
    user.staff_name = name


def shown_name(user: User | None, user_id: int, lang: str) -> str:
    """Plain text (escape it for HTML): the admin's name for them, else their Telegram name, else a
    placeholder that says the name is unknown (the id only as a last resort, never alone)."""
    if user is not None and (user.staff_name or user.telegram_name):
        return user.staff_name or user.telegram_name
    return t(lang, "ws.unnamed", id=user_id)


async def staff_names(session: AsyncSession, user_ids, lang: str) -> dict[int, str]:
    """shown_name for many users in one query (plain text)."""
    ids = {i for i in user_ids if i is not None}
    users = {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(ids)))).all()} if ids else {}
    return {i: shown_name(users.get(i), i, lang) for i in ids}


@dataclass(frozen=True)
class Colleague:
    grant_id: int  # their current grant (buttons carry it: a row id, and stale once revoked)
    user_id: int
    name: str


async def colleagues(
    session: AsyncSession, department_code: str, lang: str, *, reachable_only: bool = True
) -> list[Colleague]:
    """The department's current officers and head(s), by name (for assigning a complaint)."""
    q = (
        select(RoleGrant.id, RoleGrant.user_id, User)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role.in_(DEPARTMENT_ROLES),
            RoleGrant.department_code == department_code,
            RoleGrant.revoked_at.is_(None),
        )
    )
    if reachable_only:
        q = q.where(User.is_active.is_(True))
    seen: dict[int, Colleague] = {}
    for gid, uid, user in (await session.execute(q.order_by(RoleGrant.id))).all():
        seen.setdefault(uid, Colleague(gid, uid, shown_name(user, uid, lang)))
    return sorted(seen.values(), key=lambda c: c.name)


async def current_grant(session: AsyncSession, grant_id: int) -> RoleGrant | None:
    """A department grant that is still in force (None when revoked or unknown)."""
    g = await session.get(RoleGrant, grant_id)
    return g if g is not None and g.revoked_at is None and g.role in DEPARTMENT_ROLES else None


async def staff_languages(session: AsyncSession, user_ids) -> dict[int, str]:
    """Each user's language (Korean for anyone unknown) in one query."""
    ids = {i for i in user_ids if i and i > 0}
    found = dict((await session.execute(select(User.id, User.language).where(User.id.in_(ids)))).all()) if ids else {}
    return {i: found.get(i, "ko") for i in ids}


async def departments_of(session: AsyncSession, user_ids) -> dict[int, str]:
    """The department each user currently works for (officer or head); absent when none."""
    ids = {i for i in user_ids if i and i > 0}
    if not ids:
        return {}
    rows = (
        await session.execute(
            select(RoleGrant.user_id, RoleGrant.department_code)
            .where(RoleGrant.user_id.in_(ids), RoleGrant.role.in_(DEPARTMENT_ROLES), RoleGrant.revoked_at.is_(None))
            .order_by(RoleGrant.id)
        )
    ).all()
    return {uid: dept for uid, dept in rows}
