"""Wiring: settings → engine, Bot, Dispatcher, middlewares, delivery worker, scheduler."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.commands import set_default_commands
from bot.config import Settings
from bot.db.session import make_engine, make_sessionmaker
from bot.delivery import DeliveryWorker
from bot.flood import FloodLimitMiddleware
from bot.metrics import Metrics
from bot.fsm_storage import DatabaseStorage
from bot.http import start_http
from bot.middlewares import UpdateContextMiddleware
from bot.retry import RetryAfterMiddleware
from bot.scheduler import Duties, build_scheduler
from handlers import build_router
from workflows.business_time import BusinessCalendar
from workflows.contact import Cipher
from workflows.context import Services
from workflows.district import load_district

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    bot: Bot
    dp: Dispatcher
    svc: Services
    worker: DeliveryWorker
    duties: Duties
    metrics: Metrics = field(default_factory=Metrics)


def build_services(settings: Settings) -> Services:
    return Services(district=load_district(settings.district_config),
                    calendar=BusinessCalendar.from_file(tz=settings.timezone),
                    cipher=Cipher(settings.data_key), admin_ids=settings.admin_ids,
                    tz=ZoneInfo(settings.timezone), nhis_service_key=settings.nhis_service_key,
                    evaluation_chat_id=settings.evaluation_chat_id,
                    agency_webhook_secret=settings.agency_webhook_secret,
                    receipt_key=settings.receipt_key)


def build_storage(settings: Settings, sm: async_sessionmaker[AsyncSession]) -> tuple[BaseStorage, object]:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage, DefaultKeyBuilder

        storage = RedisStorage.from_url(settings.redis_url, key_builder=DefaultKeyBuilder(with_destiny=True))
        return storage, RedisEventIsolation(storage.redis)
    return DatabaseStorage(sm), SimpleEventIsolation()


def build_app(settings: Settings) -> App:
    engine = make_engine(settings.database_url)
    sm = make_sessionmaker(engine)
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(RetryAfterMiddleware())
    bot = Bot(settings.bot_token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    svc = build_services(settings)
    worker = DeliveryWorker(bot, sm, rate=settings.delivery_rate)
    storage, isolation = build_storage(settings, sm)
    # events_isolation: one update at a time per user/chat, so two quick messages cannot race on FSM state.
    dp = Dispatcher(storage=storage, events_isolation=isolation)
    dp.update.outer_middleware(FloodLimitMiddleware(settings.flood_limit, settings.flood_window))
    metrics = Metrics()
    dp.update.outer_middleware(UpdateContextMiddleware(sm, settings.admin_ids, worker.wake, metrics))

    async def finish_in_flight_updates() -> None:
        """On stop, updates still being handled finish before aiogram closes the FSM storage
        (its own shutdown handler, registered first) and before we close the database."""
        in_flight = set(dp._handle_update_tasks)
        if in_flight:
            await asyncio.wait(in_flight, timeout=10)

    dp.shutdown.handlers.insert(0, HandlerObject(callback=finish_in_flight_updates))
    dp.include_router(build_router())
    dp["svc"], dp["settings"], dp["worker"] = svc, settings, worker
    duties = Duties(sm, svc, worker.wake)
    dp["duties"] = duties  # handlers that must start a duty at once (a payment confirmation)
    return App(settings, engine, sm, bot, dp, svc, worker, duties, metrics)


async def run(app: App, *, handle_signals: bool = True) -> None:
    """Poll until stopped; the worker and the scheduler run beside the dispatcher."""
    me = await app.bot.get_me()
    app.svc.bot_username = me.username or ""
    await set_default_commands(app.bot)
    scheduler = build_scheduler(app.duties, app.settings.timezone)
    scheduler.start()
    http_runner = await start_http(app)
    worker_task = asyncio.create_task(app.worker.run(), name="delivery")
    asyncio.create_task(app.duties.deadlines(), name="deadlines-at-start")
    log.info("bot @%s started (polling)", app.svc.bot_username)
    try:
        await app.dp.start_polling(app.bot, polling_timeout=app.settings.polling_timeout,
                                   allowed_updates=app.dp.resolve_used_update_types(), handle_signals=handle_signals,
                                   close_bot_session=False, tasks_concurrency_limit=64)
    finally:
        if http_runner is not None:
            await http_runner.cleanup()
        scheduler.shutdown(wait=False)
        await app.worker.stop()
        worker_task.cancel()
        await asyncio.gather(worker_task, return_exceptions=True)
        await app.dp.storage.close()
        await app.bot.session.close()
        await app.engine.dispose()
