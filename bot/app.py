"""Wiring: settings → engine, Bot, Dispatcher, middlewares, delivery worker, scheduler."""

from __future__ import annotations

import asyncio
import logging
import signal
from functools import partial
from dataclasses import dataclass, field
from datetime import timedelta
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

from bot.config import Settings
from bot.db.session import IN_FLIGHT, ReadsAt, make_engine, make_read_sessionmaker, make_sessionmaker
from bot.delivery import DeliveryWorker
from bot.flood import FloodLimitMiddleware
from bot.inaccessible import InaccessibleMessageMiddleware
from bot.input_guard import StripNulMiddleware
from bot.metrics import Metrics
from bot.fsm_storage import DatabaseStorage
from bot.http import start_http
from bot.leader import Leadership
from bot.middlewares import FirstLook, UpdateContextMiddleware
from bot.commit_first import CommitBeforeTelegram
from bot.response_types import KeepResponseTypes
from bot.retry import RetryAfterMiddleware
from bot.rrn_guard import RrnGuardMiddleware
from bot.unchanged_edit import UnchangedEditMiddleware
from bot import errors
from bot.filters_on_loop import filters_on_loop
from bot.fsm_locks import release_dead_locks
from bot.scheduler import Duties, build_scheduler
from bot.startup import connect
from handlers import build_router
from workflows.business_time import BusinessCalendar
from workflows.contact import Cipher
from workflows.context import Services
from workflows.district import load_district
from workflows.privacy.retention import RetentionPolicy
from workflows import undelivered
from workflows.complaints import reachability

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    reads: async_sessionmaker[AsyncSession]  # read sessions: no write lock (bot/db/session.py)
    bot: Bot
    dp: Dispatcher
    svc: Services
    worker: DeliveryWorker
    duties: Duties
    metrics: Metrics = field(default_factory=Metrics)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)  # set by stop()
    singletons: "Singletons | None" = None
    leadership: Leadership | None = None

    async def stop(self) -> None:
        """Ask a running bot to stop (polling or webhook, or still reaching Telegram at start);
        run() then shuts down in order."""
        self.stopping.set()
        if not self.settings.webhook_mode:
            try:
                await self.dp.stop_polling()
            except RuntimeError:
                pass  # polling had already stopped


def build_services(settings: Settings) -> Services:
    return Services(
        district=load_district(settings.district_config),
        calendar=BusinessCalendar.from_file(tz=settings.timezone),
        cipher=Cipher(settings.data_key),
        admin_ids=settings.admin_ids,
        tz=ZoneInfo(settings.timezone),
        nhis_service_key=settings.nhis_service_key,
        evaluation_chat_id=settings.evaluation_chat_id,
        agency_webhook_secret=settings.agency_webhook_secret,
        receipt_key=settings.receipt_key,
        daily_complaint_limit=settings.daily_complaint_limit,
        retention=RetentionPolicy.from_settings(settings),
        reads_elsewhere=None if ":memory:" in settings.database_url else ReadsAt(settings.database_url),
    )


def build_storage(
    settings: Settings, sm: async_sessionmaker[AsyncSession], reads: async_sessionmaker[AsyncSession] | None = None
) -> tuple[BaseStorage, object]:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage, DefaultKeyBuilder

        keys = DefaultKeyBuilder(prefix=settings.redis_prefix, with_destiny=True)
        ttl = timedelta(days=settings.form_ttl_days)  # an abandoned form's data does not stay forever
        storage = RedisStorage.from_url(settings.redis_url, key_builder=keys, state_ttl=ttl, data_ttl=ttl)
        return storage, RedisEventIsolation(storage.redis, key_builder=keys)
    return DatabaseStorage(sm, reads), SimpleEventIsolation()


def request_middlewares(session) -> None:
    """What every Bot API call goes through, in order: its answer type kept (built once), the
    update's writes committed first (no transaction open across Telegram), 429 retried, an
    unchanged edit taken as done."""
    session.middleware(KeepResponseTypes())
    session.middleware(CommitBeforeTelegram())
    session.middleware(RetryAfterMiddleware())
    session.middleware(UnchangedEditMiddleware())


def build_app(settings: Settings) -> App:
    engine = make_engine(settings.database_url)
    sm, reads = make_sessionmaker(engine), make_read_sessionmaker(engine)
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    request_middlewares(session)
    bot = Bot(settings.bot_token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    svc = build_services(settings)
    worker = DeliveryWorker(
        bot,
        sm,
        rate=settings.delivery_rate,
        private_interval=settings.delivery_private_interval,
        group_interval=settings.delivery_group_interval,
        on_refused=partial(undelivered.refused, svc),  # a 400: plain text, then the admins
        on_forbidden=partial(reachability.forbidden, svc),  # a 403: held cards, admins told
        reads=reads,
    )
    storage, isolation = build_storage(settings, sm, reads)
    # events_isolation: one update at a time per user/chat, so two quick messages cannot race on FSM state.
    dp = Dispatcher(storage=storage, events_isolation=isolation, disable_fsm=True)
    # Order: aiogram's errors and user context; the FSM middleware (the chat's lock, taken in
    # arrival order; the state read beside the writer, with the update's first look: FirstLook);
    # NUL stripped; flood limit; the update's context (de-duplication, user and roles, the
    # update's session and its one commit, inside the lock).
    first_looks = make_read_sessionmaker(engine, one_statement=True)  # one statement each: no BEGIN around it
    dp.fsm = FirstLook(dp.fsm, first_looks, settings.admin_ids)
    dp.update.outer_middleware(dp.fsm)
    dp.update.outer_middleware(StripNulMiddleware())  # PostgreSQL refuses NUL in text
    dp.update.outer_middleware(FloodLimitMiddleware(settings.flood_limit, settings.flood_window))
    metrics = Metrics()
    # the update's unit of work writes a few rows: on SQLite all of it on the event loop's thread
    short = make_sessionmaker(engine, short=True)
    dp.update.outer_middleware(
        UpdateContextMiddleware(short, settings.admin_ids, worker.wake, metrics, reads=first_looks)
    )
    errors.install(dp)  # whatever an update raises, the person is answered (bot/errors.py)
    dp.callback_query.outer_middleware(InaccessibleMessageMiddleware())  # buttons on messages Telegram hides
    for typed in (dp.message, dp.edited_message):  # a 주민등록번호 reaches no handler (bot/rrn_guard.py)
        typed.outer_middleware(RrnGuardMiddleware())

    async def finish_in_flight_updates() -> None:
        """On stop, updates still being handled finish before aiogram closes the FSM storage
        (its own shutdown handler, registered first) and before we close the database."""
        in_flight = set(dp._handle_update_tasks)
        if in_flight:
            await asyncio.wait(in_flight, timeout=10)

    dp.shutdown.handlers.insert(0, HandlerObject(callback=finish_in_flight_updates))
    dp.include_router(build_router())
    filters_on_loop(dp)  # F.… and State filters: checked on the loop, not in a worker thread
    dp["svc"], dp["settings"], dp["worker"] = svc, settings, worker
    dp["reads"] = reads  # handlers' long reads (reports, lists, /status) beside the writer
    duties = Duties(sm, svc, worker.wake, reads)
    dp["duties"] = duties  # handlers that must start a duty at once (a payment confirmation)
    return App(settings, engine, sm, reads, bot, dp, svc, worker, duties, metrics)


class Singletons:
    """The scheduler and the delivery worker: in one instance only (see bot/leader.py)."""

    def __init__(self, app: App):
        self.app = app
        self._scheduler = None
        self._worker_task: asyncio.Task | None = None
        self._deadlines_task: asyncio.Task | None = None  # a reference, so the task is not garbage-collected

    @property
    def running(self) -> bool:
        return self._worker_task is not None

    async def start(self) -> None:
        if self.running:
            return
        self.app.duties.resume()
        self._scheduler = build_scheduler(self.app.duties, self.app.settings.timezone)
        self._scheduler.start()
        self._worker_task = asyncio.create_task(self.app.worker.run(), name="delivery")
        self._deadlines_task = asyncio.create_task(self.app.duties.deadlines(), name="deadlines-at-start")

    async def stop(self) -> None:
        if not self.running:
            return
        self._scheduler.pause()  # no new job starts; the running ones commit before the shutdown
        await self.app.duties.finish(timeout=10)
        self._scheduler.shutdown(wait=False)
        await self.app.worker.stop()
        self._worker_task.cancel()
        await asyncio.gather(self._worker_task, return_exceptions=True)
        self._scheduler, self._worker_task = None, None


async def run(app: App, *, handle_signals: bool = True) -> None:
    """Serve until stopped: long polling (one instance), or webhook mode behind a load balancer,
    where the instance holding the lease also runs the scheduler and the delivery worker."""
    me = None
    try:
        me = await connect(app, handle_signals=handle_signals)  # retried while Telegram is unreachable
    finally:
        if me is None:  # asked to stop while waiting for Telegram, or the token was refused
            await app.dp.storage.close()
            await app.bot.session.close()
            await app.engine.dispose()
    if me is None:
        return
    app.svc.bot_username = me.username or ""
    singletons = app.singletons = Singletons(app)
    http_runner = await start_http(app)
    leadership = None
    try:
        if app.settings.webhook_mode:
            if app.settings.database_url.startswith("sqlite"):
                log.warning("webhook mode on SQLite: fine for one instance; several need PostgreSQL")
            leadership = app.leadership = Leadership(
                app.sessionmaker,
                app.settings.instance_id,
                app.settings.lease_seconds,
                singletons.start,
                singletons.stop,
            )
            await leadership.begin()
            await serve_webhook(app, handle_signals=handle_signals)
        else:
            await singletons.start()
            await release_dead_locks(app.dp.fsm.events_isolation)  # the only poller: leftovers are a dead one's
            if app.stopping.is_set():  # stop() came before polling could be stopped
                return
            log.info("bot @%s started (polling)", app.svc.bot_username)
            await app.dp.start_polling(
                app.bot,
                polling_timeout=app.settings.polling_timeout,
                allowed_updates=app.dp.resolve_used_update_types(),
                handle_signals=handle_signals,
                close_bot_session=False,
                tasks_concurrency_limit=IN_FLIGHT,
            )
    finally:
        if http_runner is not None:
            await http_runner.cleanup()  # webhook requests in flight finish first
        if app.settings.webhook_mode:
            await app.dp.emit_shutdown(bot=app.bot, **app.dp.workflow_data)
        if leadership is not None:
            await leadership.end()
        await singletons.stop()
        await app.dp.storage.close()
        await app.bot.session.close()
        await app.engine.dispose()


async def serve_webhook(app: App, *, handle_signals: bool) -> None:
    """Register the webhook (every instance sets the same URL; idempotent) and wait for a stop.
    Updates arrive at handlers/http_telegram.py on the bot's HTTP server."""
    s = app.settings
    await app.bot.set_webhook(
        s.webhook_url,
        secret_token=s.webhook_secret,
        allowed_updates=app.dp.resolve_used_update_types(),
        drop_pending_updates=False,
    )
    await app.dp.emit_startup(bot=app.bot, **app.dp.workflow_data)
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, app.stopping.set)
    log.info("bot @%s started (webhook, instance %s)", app.svc.bot_username, s.instance_id)
    await app.stopping.wait()
