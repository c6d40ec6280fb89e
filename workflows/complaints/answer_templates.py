"""A department's saved answer texts (issue 16 §4), for its officers only.

Officers keep them with /templates (handlers/complaints/answer_templates.py): a title of at most
``TITLE_MAX`` characters and a body within the answer's own limits (complaints.ANSWER_MIN …
ANSWER_MAX), at most ``MAX_PER_DEPARTMENT`` in use at once. A removed template keeps its row with
``deleted_at`` set. In the answer form a template's body becomes the answer's text, which the
officer sends as it is or rewrites; the resident only ever receives the answer text, never the
template as such. Every lookup is by the officer's department: another department's template, or
a removed one, is not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import AnswerTemplate
from workflows.complaints.common import ANSWER_MAX, ANSWER_MIN
from workflows.context import Services

TITLE_MAX = 60
MAX_PER_DEPARTMENT = 100
PAGE_SIZE = 8


class Invalid(ValueError):
    """``code``: title_empty, title_long, title_taken, body_short, body_long, too_many."""

    def __init__(self, code: str, n: int = 0):
        super().__init__(code)
        self.code, self.n = code, n


class NotFound(LookupError):
    """No such template in use in this department."""


def _active(department: str):
    return AnswerTemplate.department_code == department, AnswerTemplate.deleted_at.is_(None)


def validate_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise Invalid("title_empty")
    if len(title) > TITLE_MAX:
        raise Invalid("title_long", len(title))
    return title


def validate_body(body: str | None) -> str:
    body = (body or "").strip()
    if len(body) < ANSWER_MIN:
        raise Invalid("body_short", len(body))
    if len(body) > ANSWER_MAX:
        raise Invalid("body_long", len(body))
    return body


async def count(session: AsyncSession, department: str) -> int:
    return await session.scalar(select(func.count()).select_from(AnswerTemplate).where(*_active(department))) or 0


@dataclass(frozen=True)
class Page:
    items: list[AnswerTemplate]
    total: int
    page: int  # the page shown (clamped to the last one)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


async def page(session: AsyncSession, department: str, n: int = 0) -> Page:
    """The department's templates in use, by title, ``PAGE_SIZE`` a page."""
    total = await count(session, department)
    last = max(0, -(-total // PAGE_SIZE) - 1)
    n = min(max(n, 0), last)
    items = list(
        await session.scalars(
            select(AnswerTemplate)
            .where(*_active(department))
            .order_by(AnswerTemplate.title, AnswerTemplate.id)
            .offset(n * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    )
    return Page(items, total, n)


async def get(session: AsyncSession, department: str | None, template_id: int) -> AnswerTemplate:
    """The template if it is in use in ``department``; else NotFound (another department's
    included: a forged button learns nothing)."""
    tpl = await session.get(AnswerTemplate, template_id) if template_id > 0 else None
    if tpl is None or department is None or tpl.department_code != department or tpl.deleted_at is not None:
        raise NotFound(template_id)
    return tpl


async def add(
    session: AsyncSession, svc: Services, department: str, officer_id: int, title: str, body: str
) -> AnswerTemplate:
    title, body = validate_title(title), validate_body(body)
    if await count(session, department) >= MAX_PER_DEPARTMENT:
        raise Invalid("too_many", MAX_PER_DEPARTMENT)
    if await session.scalar(select(AnswerTemplate.id).where(*_active(department), AnswerTemplate.title == title)):
        raise Invalid("title_taken")
    tpl = AnswerTemplate(
        department_code=department, title=title, body=body, created_by=officer_id, created_at=svc.now()
    )
    session.add(tpl)
    await session.flush()
    return tpl


async def remove(session: AsyncSession, svc: Services, department: str | None, template_id: int) -> AnswerTemplate:
    tpl = await get(session, department, template_id)
    tpl.deleted_at = svc.now()
    return tpl
