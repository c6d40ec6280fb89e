"""Shared fixtures for the unit tests of workflows/: a Services with a controllable clock and a
migrated database per test (SQLite: migrated once per session, then copied; PostgreSQL when
TEST_DATABASE_URL is set: created from a migrated template, see tests/databases.py)."""

from __future__ import annotations

import base64
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.db.migrate import upgrade_to_head
from bot.db.session import make_engine, make_sessionmaker
from tests import databases
from workflows.business_time import BusinessCalendar
from workflows.contact import Cipher
from workflows.context import Services
from workflows.district import load_district

KST = ZoneInfo("Asia/Seoul")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=KST)  # a Monday, no holidays nearby
TEST_KEY = base64.urlsafe_b64encode(b"k" * 32)
ADMIN_ID = 9001


class Clock:
    """Services.clock for tests: a fixed aware datetime that a test moves on purpose."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, *args: int) -> datetime:
        self.at = datetime(*args, tzinfo=KST)
        return self.at

    def advance(self, **kw) -> datetime:
        self.at += timedelta(**kw)
        return self.at


@pytest.fixture(scope="session")
def district():
    return load_district()


@pytest.fixture(scope="session")
def calendar():
    return BusinessCalendar.from_file()


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_10)


@pytest.fixture
def svc(district, calendar, clock) -> Services:
    return Services(
        district=district,
        calendar=calendar,
        cipher=Cipher(TEST_KEY),
        admin_ids=frozenset({ADMIN_ID}),
        tz=KST,
        clock=clock,
    )


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    if databases.POSTGRES:
        return None
    path = tmp_path_factory.mktemp("schema") / "template.db"
    # alembic/env.py runs its own event loop: keep it off any loop of ours
    with ThreadPoolExecutor(1) as ex:
        ex.submit(upgrade_to_head, f"sqlite+aiosqlite:///{path}").result()
    return path


@pytest.fixture
async def db_sessionmaker(migrated_template, tmp_path):
    if databases.POSTGRES:
        url = databases.new_database_url(tmp_path)
    else:
        path = tmp_path / "t.db"
        shutil.copyfile(migrated_template, path)
        url = f"sqlite+aiosqlite:///{path}"
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def session(db_sessionmaker):
    async with db_sessionmaker() as s:
        yield s
