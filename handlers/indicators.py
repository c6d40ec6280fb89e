"""Evaluators: /report [period] (summary, chart, spreadsheet; the last complete month unless a
period is named). Everyone: /ranking (Best Office)."""

from __future__ import annotations

from contextlib import nullcontext

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.filters import RoleFilter
from workflows.indicators import ranking
from workflows.indicators import reports
from workflows.context import Services
from workflows.indicators.service import requested_span, rules
from workflows.roles import EVALUATOR
from workflows.texts import escape, t

router = Router(name="reports")


@router.message(Command("report"), RoleFilter(EVALUATOR))
async def report_cmd(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    svc: Services,
    lang: str,
    reads: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    """The figures are read and drawn in the report process (reports.produce; no write lock,
    beside the writer); the update's own session issues nothing before that, so its transaction
    (the SQLite write lock) begins only for the audit row at the end."""
    arg = (command.args or "").strip()
    try:
        span = requested_span(arg if len(arg) <= 20 else "?", svc)
    except ValueError as e:
        if str(e) == "future":
            await message.answer(t(lang, "report.future", period=escape(arg)))
        else:
            await message.answer(t(lang, "report.usage"))
        return
    period = escape(reports.period_text(span, svc, lang))
    await message.answer(t(lang, "report.working", period=period))
    report, png, xlsx = await reports.produce(reads or _same(session), svc, span)
    reports.record_export(session, svc, report, actor_id=message.from_user.id)
    await session.commit()
    png_name, xlsx_name = reports.filenames(span)
    await message.answer(reports.summary(report, svc, lang))
    await message.answer_photo(
        BufferedInputFile(png, filename=png_name), caption=t(lang, "report.chart_caption", period=period)
    )
    await message.answer_document(
        BufferedInputFile(xlsx, filename=xlsx_name), caption=t(lang, "report.xlsx_caption", period=period)
    )


@router.message(Command("report"))
async def report_not_allowed(message: Message, lang: str) -> None:
    await message.answer(t(lang, "report.not_evaluator"))


def ranking_text(r: ranking.Ranking, svc: Services, lang: str) -> str:
    days = rules()["ranking"]["window_days"]
    lines = [t(lang, "ranking.title", days=days)]
    if not r.ranked:
        lines.append(t(lang, "ranking.none", min=r.min_ratings))
    for s in r.ranked:
        lines.append(
            t(
                lang,
                "ranking.line",
                rank=s.rank,
                department=escape(reports.dept_name(svc, s.department, lang)),
                score=f"{s.score:.2f}",
                n=s.n,
                mean=f"{s.mean:.2f}",
            )
        )
    if r.unranked:
        names = ", ".join(escape(reports.dept_name(svc, s.department, lang)) for s in r.unranked)
        lines.append(t(lang, "ranking.unranked", min=r.min_ratings, departments=names))
    if r.prior_mean is not None:
        lines.append(t(lang, "ranking.rule", weight=f"{r.prior_weight:g}", prior=f"{r.prior_mean:.2f}"))
    return "\n".join(lines)


@router.message(Command("ranking"))
async def ranking_cmd(
    message: Message,
    session: AsyncSession,
    svc: Services,
    lang: str,
    reads: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    async with (reads or _same(session))() as r:
        standings = await ranking.public_ranking(r, svc)
    await message.answer(ranking_text(standings, svc, lang))


def _same(session: AsyncSession):
    """Without a read sessionmaker (a dispatcher built without one): the update's session itself,
    as a sessionmaker whose session is not closed on the way out."""
    return lambda: nullcontext(session)
