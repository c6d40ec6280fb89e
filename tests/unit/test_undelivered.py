"""Outbox rows Telegram refuses for good (workflows/undelivered.py through bot/delivery.py, against
the fake Bot API): once more as plain text, split at Telegram's limits; when that fails too, the
admins — or an officer's department group — are told who did not get what, without personal data;
a failed notice ends there."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from sqlalchemy import select

from workflows.models import OutboxMessage, User
from bot.delivery import DeliveryWorker
from tests.unit.conftest import ADMIN_ID
from workflows import roles, undelivered
from workflows.outbox import enqueue
from workflows.undelivered import kind, plain_text, split

RESIDENT, OFFICER, GRANTED_ADMIN, GROUP = 501, 502, 503, -100777
PARSE = 'Bad Request: can\'t parse entities: Unsupported start tag "주민이쓴" at byte offset 12'
FAST = dict(rate=200.0, private_interval=0.01, group_interval=0.01, idle_poll=0.02)


# --- the plain text ----------------------------------------------------------------------------------


def test_plain_text_drops_formatting_and_keeps_what_it_says():
    assert plain_text("<b>민원 2026-000123</b> &lt;접수&gt; &amp; <i>처리</i>") == "민원 2026-000123 <접수> & 처리"
    assert plain_text('<a href="https://gu.example/a?x=1&amp;y=2">안내</a>') == "안내 (https://gu.example/a?x=1&y=2)"
    assert plain_text('<a href="https://gu.example/">https://gu.example/</a>') == "https://gu.example/"
    assert plain_text("점수 <3 이고 a<b 입니다 <code>x</code>") == "점수 <3 이고 a<b 입니다 x"  # no tag: kept


def test_split_keeps_every_part_within_telegrams_count():
    text = "\n".join(["가나다라 " * 299 + "가나다라"] * 6) + "😀" * 3000  # lines, then emoji (2 UTF-16 units each)
    parts = split(text)
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts) and len(parts) >= 3
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert parts[0].endswith("가나다라")  # cut at a line break, not inside a word
    assert split("짧은 글") == ["짧은 글"] and split("") == []


def test_kind_names_what_it_was_without_ids_or_tokens():
    assert kind("lt:receipt:12") == "lt:receipt"
    assert kind("push:5:3") == "push"
    assert kind("newres:Zq8_tOkEn:followup") == "newres"
    assert kind("plain:41:0:lt:receipt") == "lt:receipt"


# --- through the delivery worker ---------------------------------------------------------------------


@pytest.fixture
async def bot(fake):
    b = Bot(
        fake.token,
        session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )  # as the app makes it
    yield b
    await b.session.close()


@pytest.fixture
async def people(db_sessionmaker, district):
    async with db_sessionmaker() as s:
        s.add_all(
            [
                User(id=i, language="en" if i == GRANTED_ADMIN else "ko")
                for i in (RESIDENT, OFFICER, GRANTED_ADMIN, ADMIN_ID)
            ]
        )
        await s.flush()
        await roles.grant(
            s, user_id=OFFICER, role="officer", department_code="CLEAN", by=ADMIN_ID, departments=district.departments
        )
        await roles.grant(
            s, user_id=GRANTED_ADMIN, role="admin", department_code=None, by=ADMIN_ID, departments=district.departments
        )
        await s.commit()


def worker_for(bot, db_sessionmaker, svc) -> DeliveryWorker:
    return DeliveryWorker(
        bot, db_sessionmaker, on_refused=lambda s, row, e: undelivered.refused(svc, s, row, e), **FAST
    )


async def drain(worker: DeliveryWorker, db_sessionmaker, rounds: int = 8) -> list[OutboxMessage]:
    for _ in range(rounds):
        await worker.drain_once()
        await asyncio.sleep(0.02)
    async with db_sessionmaker() as s:
        return list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def queue(db_sessionmaker, key: str, chat_id: int, text: str | None = None, **kw) -> None:
    async with db_sessionmaker() as s:
        assert await enqueue(s, key=key, chat_id=chat_id, text=text, **kw)
        await s.commit()


async def test_refused_formatting_is_sent_again_as_plain_text_with_its_buttons(fake, bot, db_sessionmaker, svc, people):
    fake.fail_next("sendMessage", error_code=400, description=PARSE, chat_id=RESIDENT)
    await queue(
        db_sessionmaker,
        "push:7:2",
        RESIDENT,
        "<b>민원 2026-000007</b>: 답변 &amp; 안내 <완료>",
        buttons=[[("해결됨", "fb:1:7")]],
    )
    rows = await drain(worker_for(bot, db_sessionmaker, svc), db_sessionmaker)
    assert [(r.dedup_key, r.status) for r in rows] == [("push:7:2", "failed"), (f"plain:{rows[0].id}:0:push", "sent")]
    sent = fake.sent(RESIDENT)
    assert len(sent) == 1 and "parse_mode" not in sent[0].params
    assert sent[0].params["text"] == "민원 2026-000007: 답변 & 안내 <완료>"
    assert sent[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "fb:1:7"


async def test_a_message_too_long_is_sent_as_plain_parts(fake, bot, db_sessionmaker, svc, people):
    fake.fail_next("sendMessage", error_code=400, description="Bad Request: message is too long", chat_id=RESIDENT)
    long = "<b>월간 소식</b>\n" + "\n".join(f"{i}. 구청 소식과 행사 안내입니다. &lt;자세히&gt;" * 3 for i in range(60))
    assert len(plain_text(long)) > 4096
    await queue(db_sessionmaker, "newsletter:3:501", RESIDENT, long)
    rows = await drain(worker_for(bot, db_sessionmaker, svc), db_sessionmaker)
    assert rows[0].status == "failed" and "too long" in rows[0].last_error  # as Telegram answers
    parts = [c.params["text"] for c in fake.sent(RESIDENT)]
    assert len(parts) == 2 and all(len(p) <= 4096 for p in parts) and all(r.status == "sent" for r in rows[1:])
    assert (
        parts[0].startswith("월간 소식\n0. ")
        and parts[1][0].isdigit()
        and parts[1].endswith("59. 구청 소식과 행사 안내입니다. <자세히>")
    )
    assert "<b>" not in "".join(parts) and "\n".join(parts) == plain_text(long)


async def test_refused_twice_the_admins_are_told_who_did_not_get_what(fake, bot, db_sessionmaker, svc, people, caplog):
    fake.fail_next("sendMessage", error_code=400, description=PARSE, chat_id=RESIDENT, times=2)
    secret = "민원인 홍길동 010-1234-5678 의 답변"
    await queue(db_sessionmaker, "push:9:1", RESIDENT, f"<b>{secret}</b>")
    rows = await drain(worker_for(bot, db_sessionmaker, svc), db_sessionmaker)
    original = rows[0]
    assert [r.status for r in rows[:2]] == ["failed", "failed"]
    notices = {c.params["chat_id"]: c.params["text"] for c in fake.sent() if c.params["chat_id"] != RESIDENT}
    assert set(notices) == {ADMIN_ID, GRANTED_ADMIN}  # ADMIN_IDS and the admin role
    ko, en = notices[ADMIN_ID], notices[GRANTED_ADMIN]
    assert f"outbox {original.id} (push, sendMessage)" in ko and "받는 사람: 주민" in ko
    assert "Bad Request: can't parse entities" in ko and "서식을 뺀 글로 다시 보냈지만" in ko
    assert "To: a resident" in en and "plain text" in en
    for text in notices.values():
        assert "홍길동" not in text and "주민이쓴" not in text and str(RESIDENT) not in text
    assert not any(secret in r.getMessage() for r in caplog.records)


async def test_an_officers_refused_card_goes_to_the_department_group(fake, bot, db_sessionmaker, svc, people):
    d = svc.district
    svc = dataclasses.replace(
        svc,
        district=dataclasses.replace(
            d, departments={**d.departments, "CLEAN": dataclasses.replace(d.departments["CLEAN"], group_chat_id=GROUP)}
        ),
    )
    fake.fail_next("sendLocation", error_code=400, description="Bad Request: wrong latitude", chat_id=OFFICER)
    await queue(
        db_sessionmaker, "new:5:loc", OFFICER, method="sendLocation", params={"latitude": 37.5, "longitude": 127.0}
    )
    rows = await drain(worker_for(bot, db_sessionmaker, svc), db_sessionmaker)
    assert [r.dedup_key for r in rows] == ["new:5:loc", f"undelivered:{rows[0].id}:{GROUP}"]  # no text: no plain retry
    (notice,) = fake.sent(GROUP)
    assert "청소행정과 담당자" in notice.params["text"] and "wrong latitude" in notice.params["text"]
    assert "서식을 뺀" not in notice.params["text"]


async def test_a_refusal_not_about_the_text_is_reported_without_a_plain_retry(fake, bot, db_sessionmaker, svc, people):
    fake.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found", chat_id=RESIDENT)
    await queue(db_sessionmaker, "push:9:1", RESIDENT, "<b>답변</b>")
    rows = await drain(worker_for(bot, db_sessionmaker, svc), db_sessionmaker)
    assert [r.dedup_key.split(":")[0] for r in rows] == ["push", "undelivered", "undelivered"]
    assert [c.status for c in fake.requests if c.params.get("chat_id") == RESIDENT] == [400]  # tried once
    assert "chat not found" in fake.sent(ADMIN_ID)[0].params["text"]


async def test_a_refused_notice_ends_there(fake, bot, db_sessionmaker, svc, people):
    fake.fail_next("sendMessage", error_code=400, description=PARSE, chat_id=RESIDENT, times=2)
    fake.fail_next("sendMessage", error_code=400, description=PARSE, chat_id=ADMIN_ID, times=2)
    fake.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found", chat_id=GRANTED_ADMIN)
    await queue(db_sessionmaker, "push:9:1", RESIDENT, "<b>답변</b>")
    worker = worker_for(bot, db_sessionmaker, svc)
    rows = await drain(worker, db_sessionmaker, rounds=12)
    assert [r.dedup_key.split(":")[0] for r in rows] == ["push", "plain", "undelivered", "undelivered"]
    assert all(r.status == "failed" for r in rows)
    assert [c.status for c in fake.requests if c.params.get("chat_id") == ADMIN_ID] == [400]  # no plain retry either


async def test_a_forbidden_chat_is_only_marked_as_before(fake, bot, db_sessionmaker, svc, people):
    fake.block_user(RESIDENT)
    await queue(db_sessionmaker, "push:9:1", RESIDENT, "<b>답변</b>")
    rows = await drain(worker_for(bot, db_sessionmaker, svc), db_sessionmaker)
    assert [(r.dedup_key, r.status) for r in rows] == [("push:9:1", "failed")]
    async with db_sessionmaker() as s:
        assert (await s.get(User, RESIDENT)).is_active is False
