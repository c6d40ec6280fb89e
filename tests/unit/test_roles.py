"""Roles, grants, invites and permissions (workflows/roles.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from workflows.models import Invite, RoleGrant, User
from workflows import roles
from workflows.roles import ADMIN, CITIZEN, EVALUATOR, OFFICER, OPERATOR, Principal, RoleError, can_handle, can_view

ADMINS = frozenset({9001})
BY = 9001
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


def shown(e: RoleError, lang: str) -> str:
    """What the handlers show: e.text(lang) (must not raise)."""
    return e.text(lang)


async def active(session, user_id: int) -> list[RoleGrant]:
    return list(
        (
            await session.execute(
                select(RoleGrant)
                .where(RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None))
                .order_by(RoleGrant.id)
            )
        ).scalars()
    )


async def grant(session, district, user_id, role, dept=None) -> RoleGrant:
    return await roles.grant(
        session, user_id=user_id, role=role, department_code=dept, by=BY, departments=district.departments
    )


def test_grantable():
    assert roles.GRANTABLE == (OFFICER, roles.HEAD, OPERATOR, EVALUATOR, ADMIN)
    assert CITIZEN not in roles.GRANTABLE
    assert timedelta(days=7) == roles.INVITE_TTL


async def test_grant_officer_needs_known_department(session, district):
    with pytest.raises(RoleError) as ei:
        await grant(session, district, 5, OFFICER, None)
    assert ei.value.code == "role.need_department"
    with pytest.raises(RoleError) as ei:
        await grant(session, district, 5, OFFICER, "NOPE")
    assert ei.value.code == "role.unknown_department"
    assert "NOPE" in shown(ei.value, "ko") and "NOPE" in shown(ei.value, "en")
    with pytest.raises(RoleError) as ei:
        await grant(session, district, 5, "citizen")
    assert ei.value.code == "role.unknown_role" and "citizen" in shown(ei.value, "en")
    with pytest.raises(RoleError) as ei:
        await grant(session, district, 5, "superuser")
    assert ei.value.code == "role.unknown_role"
    assert await active(session, 5) == []


async def test_grant_officer_creates_user_and_grant(session, district):
    g = await grant(session, district, 5, OFFICER, "CLEAN")
    await session.commit()
    assert (g.user_id, g.role, g.department_code, g.granted_by, g.revoked_at) == (5, OFFICER, "CLEAN", BY, None)
    assert await session.get(User, 5) is not None
    p = await roles.load_principal(session, 5, ADMINS)
    assert p == Principal(5, frozenset({CITIZEN, OFFICER}), "CLEAN")
    assert p.is_officer and not p.is_admin and not p.is_evaluator
    assert await roles.officers_of(session, "CLEAN") == [5]


async def test_non_officer_roles_carry_no_department(session, district):
    g = await grant(session, district, 6, EVALUATOR, "CLEAN")
    assert g.department_code is None
    p = await roles.load_principal(session, 6, ADMINS)
    assert p.roles == {CITIZEN, EVALUATOR} and p.department is None and p.is_evaluator


async def test_regrant_same_is_idempotent(session, district):
    g1 = await grant(session, district, 5, OFFICER, "CLEAN")
    await session.commit()
    g2 = await grant(session, district, 5, OFFICER, "CLEAN")
    await session.commit()
    assert g2.id == g1.id
    assert [g.id for g in await active(session, 5)] == [g1.id]
    all_rows = (await session.execute(select(RoleGrant))).scalars().all()
    assert len(all_rows) == 1


async def test_moving_officer_leaves_one_active_grant(session, district):
    old = await grant(session, district, 5, OFFICER, "CLEAN")
    await session.commit()
    new = await grant(session, district, 5, OFFICER, "ROADS")
    await session.commit()
    [only] = await active(session, 5)
    assert only.id == new.id and only.department_code == "ROADS"
    await session.refresh(old)
    assert old.revoked_at is not None and old.revoked_by == BY
    assert (await roles.load_principal(session, 5, ADMINS)).department == "ROADS"
    assert await roles.officers_of(session, "CLEAN") == []
    assert await roles.officers_of(session, "ROADS") == [5]


async def test_roles_are_independent(session, district):
    await grant(session, district, 5, OFFICER, "CLEAN")
    await grant(session, district, 5, EVALUATOR)
    await grant(session, district, 5, ADMIN)
    p = await roles.load_principal(session, 5, frozenset())
    assert p.roles == {CITIZEN, OFFICER, EVALUATOR, ADMIN} and p.department == "CLEAN"
    assert len(await active(session, 5)) == 3


async def test_revoke_returns_counts(session, district):
    await grant(session, district, 5, OFFICER, "CLEAN")
    await grant(session, district, 5, EVALUATOR)
    await session.commit()
    assert await roles.revoke(session, user_id=5, role=OFFICER, by=BY) == 1
    await session.commit()
    assert await roles.revoke(session, user_id=5, role=OFFICER, by=BY) == 0
    assert await roles.revoke(session, user_id=5, role=OPERATOR, by=BY) == 0
    assert await roles.revoke(session, user_id=77, role=ADMIN, by=BY) == 0
    with pytest.raises(RoleError) as ei:
        await roles.revoke(session, user_id=5, role="citizen", by=BY)
    assert ei.value.code == "role.unknown_role"
    p = await roles.load_principal(session, 5, ADMINS)
    assert p.roles == {CITIZEN, EVALUATOR} and p.department is None and not p.is_officer
    assert await roles.officers_of(session, "CLEAN") == []


async def test_officers_of_skips_blocked_users(session, district):
    await grant(session, district, 5, OFFICER, "CLEAN")
    await grant(session, district, 6, OFFICER, "CLEAN")
    await grant(session, district, 7, OFFICER, "ROADS")
    (await session.get(User, 6)).is_active = False
    await session.commit()
    assert await roles.officers_of(session, "CLEAN") == [5]


async def test_load_principal_adds_admin_for_admin_ids(session):
    p = await roles.load_principal(session, 9001, ADMINS)
    assert p == Principal(9001, frozenset({CITIZEN, ADMIN}), None) and p.is_admin
    p = await roles.load_principal(session, 1234, ADMINS)
    assert p == Principal(1234, frozenset({CITIZEN}), None) and not p.is_admin


async def test_invite_create_and_redeem_once(session, district):
    inv = await roles.create_invite(
        session, role=OFFICER, department_code="PARKS", by=BY, departments=district.departments, now=T0
    )
    await session.commit()
    assert len(inv.token) >= 16 and inv.role == OFFICER and inv.department_code == "PARKS"
    assert inv.created_at == T0 and inv.expires_at == T0 + timedelta(days=7)
    assert inv.used_by is None

    g = await roles.redeem_invite(
        session, token=inv.token, user_id=42, departments=district.departments, now=T0 + timedelta(days=1)
    )
    await session.commit()
    assert (g.user_id, g.role, g.department_code, g.granted_by) == (42, OFFICER, "PARKS", BY)
    stored = await session.get(Invite, inv.token)
    assert stored.used_by == 42 and stored.used_at == T0 + timedelta(days=1)
    assert (await roles.load_principal(session, 42, ADMINS)).department == "PARKS"

    for user in (43, 42):
        with pytest.raises(RoleError) as ei:
            await roles.redeem_invite(
                session, token=inv.token, user_id=user, departments=district.departments, now=T0 + timedelta(days=2)
            )
        assert ei.value.code == "invite.used" and shown(ei.value, "ko")
    assert await active(session, 43) == []


async def test_invite_expired(session, district):
    inv = await roles.create_invite(
        session, role=EVALUATOR, department_code="PARKS", by=BY, departments=district.departments, now=T0
    )
    await session.commit()
    assert inv.department_code is None  # only officers are bound to a department
    with pytest.raises(RoleError) as ei:
        await roles.redeem_invite(
            session,
            token=inv.token,
            user_id=42,
            departments=district.departments,
            now=T0 + timedelta(days=7, seconds=1),
        )
    assert ei.value.code == "invite.expired" and shown(ei.value, "en")
    assert (await session.get(Invite, inv.token)).used_by is None
    assert await active(session, 42) == []
    # still valid at the last moment
    g = await roles.redeem_invite(
        session, token=inv.token, user_id=42, departments=district.departments, now=T0 + timedelta(days=7)
    )
    assert g.role == EVALUATOR


async def test_invite_unknown_and_bad_requests(session, district):
    with pytest.raises(RoleError) as ei:
        await roles.redeem_invite(session, token="nope", user_id=42, departments=district.departments)
    assert ei.value.code == "invite.unknown"
    with pytest.raises(RoleError) as ei:
        await roles.create_invite(session, role=OFFICER, department_code=None, by=BY, departments=district.departments)
    assert ei.value.code == "role.need_department"
    with pytest.raises(RoleError) as ei:
        await roles.create_invite(
            session, role=OFFICER, department_code="NOPE", by=BY, departments=district.departments
        )
    assert ei.value.code == "role.unknown_department"
    with pytest.raises(RoleError) as ei:
        await roles.create_invite(session, role="mayor", department_code=None, by=BY, departments=district.departments)
    assert ei.value.code == "role.unknown_role"
    assert (await session.execute(select(Invite))).scalars().all() == []


async def test_invite_tokens_differ(session, district):
    a = await roles.create_invite(session, role=ADMIN, department_code=None, by=BY, departments=district.departments)
    b = await roles.create_invite(session, role=ADMIN, department_code=None, by=BY, departments=district.departments)
    assert a.token != b.token


# --- permission truth table ----------------------------------------------------------------

OWNER, DEPT = 1001, "ROADS"
PRINCIPALS = {
    "owner": Principal(OWNER),
    "other_citizen": Principal(1002),
    "officer_same": Principal(2001, frozenset({CITIZEN, OFFICER}), "ROADS"),
    "officer_other": Principal(2101, frozenset({CITIZEN, OFFICER}), "CLEAN"),
    "officer_no_dept": Principal(2002, frozenset({CITIZEN, OFFICER}), None),
    "dept_without_role": Principal(2003, frozenset({CITIZEN}), "ROADS"),
    "admin": Principal(9001, frozenset({CITIZEN, ADMIN}), None),
    "evaluator": Principal(3001, frozenset({CITIZEN, EVALUATOR}), None),
    "owner_is_other_officer": Principal(OWNER, frozenset({CITIZEN, OFFICER}), "CLEAN"),
}
TRUTH = {  # name: (can_view, can_handle) for a complaint of OWNER handled by ROADS
    "owner": (True, False),
    "other_citizen": (False, False),
    "officer_same": (True, True),
    "officer_other": (False, False),
    "officer_no_dept": (False, False),
    "dept_without_role": (False, False),
    "admin": (False, False),
    "evaluator": (False, False),
    "owner_is_other_officer": (True, False),
}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_can_view_and_can_handle(name):
    p = PRINCIPALS[name]
    assert (can_view(p, OWNER, DEPT), can_handle(p, DEPT)) == TRUTH[name]


def test_principal_defaults():
    p = Principal(5)
    assert p.roles == {CITIZEN} and p.department is None
    assert not (p.is_admin or p.is_officer or p.is_evaluator)


async def test_one_query_says_who_it_is_and_whether_the_update_was_handled(session, district):
    """Every update's first look (bot/middlewares.py): the user, their principal and the update's
    processed mark, before and after first contact, with and without roles."""
    from workflows.models import ProcessedUpdate

    user, p, handled = await roles.user_and_principal(session, 777, frozenset(), update_id=5)
    assert (user, p.roles, handled) == (None, frozenset({CITIZEN}), False)  # never seen: still one row
    await grant(session, district, 777, OFFICER, "CLEAN")
    session.add(ProcessedUpdate(update_id=5))
    await session.flush()
    user, p, handled = await roles.user_and_principal(session, 777, frozenset({777}), update_id=5)
    assert user is not None and user.id == 777 and handled
    assert p.roles == {CITIZEN, OFFICER, ADMIN} and p.department == "CLEAN"
    assert (await roles.user_and_principal(session, 777, frozenset(), update_id=6))[2] is False
