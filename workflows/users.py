"""Residents: first contact, language, and consent (개인정보 보호법 §15, §22)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import Consent, User, utcnow
from workflows.texts import PRIVACY_VERSION, norm_lang

COMPLAINT_PURPOSE = "complaint"  # 민원 접수·처리·결과 통지·만족도 조사


async def ensure_user(session: AsyncSession, user_id: int, language_code: str | None) -> User:
    """The User row for a Telegram user, created on first contact with their app language."""
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, language=norm_lang(language_code))
        session.add(user)
        await session.flush()
    else:
        _back(session, user)
    return user


def _back(session: AsyncSession, user: User) -> None:
    """They wrote to us again, so they unblocked the bot: active again, and the middleware has
    workflows/reachability.reactivated send what was held for them."""
    if not user.is_active:
        user.is_active = True
        session.info["reactivated"] = user.id


async def attach(session: AsyncSession, known: User | None, user_id: int, language_code: str | None) -> User:
    """The row read at the update's start (a read session: no write lock), made the update session's
    own without another query; first contact creates it. Changes to it are written with the update."""
    if known is None:
        return await ensure_user(session, user_id, language_code)
    user = await session.merge(known, load=False)
    _back(session, user)
    return user


async def set_language(session: AsyncSession, user: User, lang: str) -> None:
    user.language, user.language_chosen = norm_lang(lang), True


async def active_consent(session: AsyncSession, user_id: int, purpose: str = COMPLAINT_PURPOSE) -> Consent | None:
    return (
        await session.execute(
            select(Consent)
            .where(Consent.user_id == user_id, Consent.purpose == purpose, Consent.withdrawn_at.is_(None))
            .order_by(Consent.granted_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def give_consent(session: AsyncSession, user_id: int, purpose: str = COMPLAINT_PURPOSE) -> Consent:
    """Record consent with time and notice version; pressing the button twice records it once."""
    existing = await active_consent(session, user_id, purpose)
    if existing is not None and existing.version == PRIVACY_VERSION:
        return existing
    if existing is not None:
        existing.withdrawn_at = utcnow()  # superseded by consent to the new notice version
    c = Consent(user_id=user_id, purpose=purpose, version=PRIVACY_VERSION, granted_at=utcnow())
    session.add(c)
    await session.flush()
    return c


async def withdraw_consent(session: AsyncSession, user_id: int, purpose: str = COMPLAINT_PURPOSE) -> bool:
    c = await active_consent(session, user_id, purpose)
    if c is None:
        return False
    c.withdrawn_at = utcnow()
    return True
