"""200 residents file complaints at once while `python -m bot` is SIGKILLed and restarted twice.

The bot runs as a subprocess against the fake Bot API in this process. Each resident is a small
script that behaves like a person: it reads the newest question the bot asked in its chat and
answers it (consent, /complaint, a category, its own text, photo or skip, location or skip, phone
or skip, 제출); when its last message got no reply within its patience (``PATIENCE`` seconds,
doubled after each silence up to ``MAX_PATIENCE``, as a person waits longer each time) it sends
the same thing again. Silence is latency, printed, not a failure (this shared 2-core machine
varies ~3x in speed); a bot that answers, but never with a way forward, is "stuck". Twelve officers, one per department, press 접수 on every card they get, which
pushes "담당자가 민원을 맡았습니다" to the resident.

Kills: the first when the 40th receipt message reaches Telegram (dozens of forms are mid-way, the
update that sent it is between its reply and its commit); the second when an officer card is
accepted by Telegram after 120 receipts — inside the outbox's at-least-once window (the row is
not yet marked sent). Telegram (the fake) delivers again what the killed process fetched but
did not confirm with the next getUpdates offset. With FSM state in Redis (the PostgreSQL run) the
per-user isolation locks the killed process held are released when the next one starts polling
(bot/fsm_locks.py); otherwise every resident it was serving would wait 60 s for each answer.

Afterwards: every receipt a resident saw exists once and is theirs; one complaint per resident,
holding what they typed (no form lost); every outbox row (officer card, resident push) reached
Telegram exactly once per dedup key — except copies explained by the at-least-once window (the
first copy accepted before a kill, the sent mark not committed, the second sent after the
restart), which are listed, never hidden. ``pytest -s`` prints the counts.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from workflows.models import Complaint, OutboxMessage
from tests import databases
from tests.e2e.harness import ADMIN, TEST_KEY, process_env
from tests.fakes.telegram_server import SENT_METHODS, FakeTelegram

RESIDENTS = 200
FIRST_RESIDENT = 10_000
PATIENCE = 6.0  # seconds a resident waits for an answer before sending the same again
MAX_PATIENCE = 30.0  # ... doubled after each silence, up to this
STUCK_AFTER = 4  # the bot answered an action on the same question this often, never with a new one
FILING_DEADLINE = 600  # seconds for all residents to see a receipt (normally 40-130 s)
DRAIN_DEADLINE = 240  # seconds for the officers to take every complaint and the outbox to drain
KILL_AT_RECEIPTS = (40, 120)
RECEIPT = re.compile(r"\d{4}-\d{6}")
CATEGORIES = [
    c
    for c in json.loads(
        (Path(__file__).resolve().parents[2] / "workflows" / "data" / "sample_district.json").read_text(
            encoding="utf-8"
        )
    )["categories"]
    if c["code"] != "other"
]  # 12 categories, 12 departments
OFFICERS = {c["department"]: 9_001 + i for i, c in enumerate(CATEGORIES)}

# what the bot's messages mean to a resident (first match wins)
PROMPTS = [
    ("receipt", "민원이 접수되었습니다"),
    ("receipt", "이미 제출된 민원입니다"),
    ("privacy", "개인정보 수집·이용 동의"),
    ("consented", "동의가 기록되었습니다"),
    ("category", "민원 분야를 골라 주세요"),
    ("description", "무엇이 문제인지"),
    ("description", "글로 적어서 보내 주세요"),
    ("photos", "사진이 있으면"),
    ("photos", "/5장 받았습니다"),
    ("photos", "사진을 보내거나"),
    ("location", "위치를 알려 주세요"),
    ("location", "주소는 2~300자로"),
    ("phone", "연락처를 남기시겠어요"),
    ("phone", "전화번호 형식이 아닙니다"),
    ("summary", "신청 내용 확인"),
]
NEUTRAL = ("이 버튼은 더 이상 유효하지 않습니다", "위 메시지의 버튼을 눌러 주세요", "잠시 후 다시 시도해 주세요")
INFO = ("위치를 받았습니다", "민원 도우미입니다", "담당자가 민원을 맡았습니다")
LOST = ("이 내용을 민원으로 신청할까요", "글로 적어 보내 주시면", "먼저 개인정보 수집·이용에 동의", "취소했습니다")
FORM_STEPS = ("category", "description", "photos", "location", "phone", "summary")
ANSWERS = {*FORM_STEPS, "receipt", "privacy", "consented"}


def kind_of(text: str) -> str:
    for kind, marker in PROMPTS:
        if marker in text:
            return kind
    if any(m in text for m in NEUTRAL):
        return "neutral"
    if any(m in text for m in LOST):
        return "lost"
    return "info" if any(m in text for m in INFO) else "other"


@dataclass
class Seen:
    """One message (or button alert) that reached a chat through the fake Bot API."""

    seq: int
    wall: float
    method: str
    text: str
    message_id: int | None
    markup: list | None
    kind: str


class ObservedTelegram(FakeTelegram):
    """The fake Bot API, plus per-chat logs with wall-clock times and a hook on every accepted send
    (run after the message is accepted and before the bot gets the answer)."""

    def __init__(self) -> None:
        super().__init__()
        self.chats: dict[int, list[Seen]] = {}
        self.query_user: dict[str, int] = {}
        self.on_accepted = None
        self._seq = 0
        self._waiters: dict[int, asyncio.Event] = {}
        for name in {*(m for m in SENT_METHODS if not m.startswith("edit")), "answerCallbackQuery"}:
            self._handlers[name.lower()] = self._observed(name, self._handlers[name.lower()])

    def _observed(self, method: str, inner):
        def handle(p: dict):
            result = inner(p)
            if method == "answerCallbackQuery":
                chat, text, msg = self.query_user.get(p.get("callback_query_id")), p.get("text"), {}
                if chat is None or not text:
                    return result
            else:
                chat = p.get("chat_id")
                text = p.get("text") or p.get("caption") or ""
                msg = result if isinstance(result, dict) else {}
            self._seq += 1
            markup = p.get("reply_markup") if isinstance(p.get("reply_markup"), dict) else {}
            seen = Seen(
                self._seq,
                time.time(),
                method,
                text,
                msg.get("message_id"),
                markup.get("inline_keyboard"),
                kind_of(text),
            )
            self.chats.setdefault(chat, []).append(seen)
            if (ev := self._waiters.pop(chat, None)) is not None:
                ev.set()
            if self.on_accepted is not None:
                self.on_accepted(chat, seen)
            return result

        return handle

    def press(self, user_id: int, seen: Seen, label: str) -> None:
        for b in (b for row in seen.markup or [] for b in row):
            if label in b.get("text", "") and "callback_data" in b:
                update = self.callback(user_id, b["callback_data"], message_id=seen.message_id)
                self.query_user[update["callback_query"]["id"]] = user_id
                return
        raise AssertionError(f"no button {label!r} on {seen.text[:40]!r}")

    async def changed(self, chat: int, since: int, timeout: float) -> bool:
        """Wait until chat has more than ``since`` entries (or the timeout)."""
        if len(self.chats.get(chat, [])) > since:
            return True
        ev = self._waiters.setdefault(chat, asyncio.Event())
        try:
            await asyncio.wait_for(ev.wait(), timeout)
            return True
        except TimeoutError:
            return False


@dataclass
class Resident:
    uid: int
    i: int
    tg: ObservedTelegram
    category: dict = field(init=False)
    text: str = field(init=False)
    receipts: set[str] = field(default_factory=set)
    resends: int = 0
    actions: int = 0
    regressions: int = 0
    longest_silence: float = 0.0
    anomalies: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    done: bool = False

    def __post_init__(self) -> None:
        self.category = CATEGORIES[self.i % len(CATEGORIES)]
        self.text = (
            f"주민 {self.i}번 신고: {self.category['name_ko']} 관련 불편이 계속되고 있습니다. 확인 부탁드립니다."
        )

    @property
    def log(self) -> list[Seen]:
        return self.tg.chats.get(self.uid, [])

    def _latest_prompt(self) -> Seen | None:
        in_form = any(s.kind in FORM_STEPS for s in self.log)
        for s in reversed(self.log):
            if s.kind in ("privacy", "consented") and in_form:
                continue  # a late copy of an earlier answer; a person filling the form ignores it
            if s.kind in ANSWERS:
                return s
        return None

    def _act(self, prompt: Seen | None) -> None:
        self.actions += 1
        tg, uid = self.tg, self.uid
        kind = prompt.kind if prompt else "start"
        if kind == "start":
            tg.message(uid, "/start")
        elif kind == "privacy":
            tg.press(uid, prompt, "동의합니다")
        elif kind == "consented":
            tg.message(uid, "/complaint")
        elif kind == "category":
            tg.press(uid, prompt, self.category["name_ko"])
        elif kind == "description":
            tg.message(uid, self.text)
        elif kind == "photos":
            if self.i % 3 == 0 and "/5장 받았습니다" not in prompt.text:
                tg.message(uid, photo=True)
            else:
                tg.press(uid, prompt, "완료" if self.i % 3 == 0 else "건너뛰기")
        elif kind == "location":
            if self.i % 2 == 0:
                tg.message(uid, location=(37.53 + self.i / 10_000, 127.08))
            else:
                tg.press(uid, prompt, "건너뛰기")
        elif kind == "phone":
            if self.i % 4 == 0:
                tg.message(uid, f"010-2{self.i:03d}-{self.i:04d}")
            else:
                tg.press(uid, prompt, "건너뛰기")
        elif kind == "summary":
            tg.press(uid, prompt, "제출")

    async def run(self, deadline: float) -> None:
        furthest, acts_on, patience = -1, {}, PATIENCE
        self._act(None)
        while time.monotonic() < deadline:
            # wait for the bot to ask something new; alerts and "use the buttons" are not answers
            since, answered, heard = len(self.log), False, False
            acted_at = time.monotonic()
            end = acted_at + patience
            while not answered and await self.tg.changed(self.uid, since, end - time.monotonic()):
                if not heard:
                    self.longest_silence = max(self.longest_silence, time.monotonic() - acted_at)
                heard = True
                new, since = self.log[since:], len(self.log)
                answered = any(s.kind in ANSWERS for s in new)
                for s in new:
                    self.receipts.update(RECEIPT.findall(s.text) if s.kind == "receipt" else ())
                    if s.kind == "lost":
                        self.anomalies.append(f"form lost: the bot said {s.text[:50]!r}")
                    elif s.kind == "other":
                        self.unexpected.append(s.text[:60])
            prompt = self._latest_prompt()
            if prompt is not None and prompt.kind == "receipt":
                self.done = True
                return
            if prompt is not None and prompt.kind in FORM_STEPS:
                step = FORM_STEPS.index(prompt.kind)
                self.regressions += step < furthest
                furthest = max(furthest, step)
            if not answered:
                self.resends += 1
            if not heard:
                self.longest_silence = max(self.longest_silence, time.monotonic() - acted_at)
            patience = PATIENCE if heard else min(patience * 2, MAX_PATIENCE)
            key = prompt.seq if prompt else 0
            acts_on[key] = acts_on.get(key, 0) + heard  # silence is latency; answers without a way on are not
            if acts_on[key] > STUCK_AFTER:  # a person would give up on this and start again
                self.anomalies.append(
                    f"stuck at {prompt.kind if prompt else 'start'}: {STUCK_AFTER} answers, "
                    "none with a new question; starting the form again"
                )
                acts_on.clear()
                self.tg.message(self.uid, "/complaint")
                continue
            self._act(prompt)


class Officer:
    def __init__(self, uid: int, tg: ObservedTelegram):
        self.uid, self.tg, self.taken, self.presses = uid, tg, set(), 0

    async def run(self) -> None:
        since = 0
        while True:
            await self.tg.changed(self.uid, since, 1.0)
            log = self.tg.chats.get(self.uid, [])
            cards = [s for s in log if "새 민원" in s.text and s.markup]
            for card in cards:
                receipt = RECEIPT.search(card.text).group()
                if receipt in self.taken:
                    continue
                while True:  # press 접수 until the bot says it is taken (or was already)
                    mark = len(self.tg.chats[self.uid])
                    self.presses += 1
                    self.tg.press(self.uid, card, "접수")
                    end = time.monotonic() + MAX_PATIENCE
                    done = False
                    while time.monotonic() < end and not done:
                        if not await self.tg.changed(self.uid, mark, end - time.monotonic()):
                            break
                        new = self.tg.chats[self.uid][mark:]
                        mark = len(self.tg.chats[self.uid])
                        done = any(receipt in s.text and "맡았습니다" in s.text for s in new) or any(
                            "할 수 없는 처리입니다" in s.text for s in new
                        )
                    if done:
                        break
                self.taken.add(receipt)
            since = len(log)


class BotProcess:
    """`python -m bot` against the fake; SIGKILL and restart, with one log file per run."""

    def __init__(self, tg: FakeTelegram, env: dict[str, str], logs: Path):
        self.tg, self.env, self.logs = tg, env, logs
        self.proc: asyncio.subprocess.Process | None = None
        self.runs = 0
        self.kill_walls: list[float] = []
        self.restart_walls: list[float] = []

    async def start(self) -> None:
        self.runs += 1
        mark = self.tg.mark()
        with open(self.logs / f"bot-{self.runs}.log", "wb") as err:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", env=self.env, stdout=asyncio.subprocess.DEVNULL, stderr=err
            )
        await self.tg.wait_for(lambda c: c.method == "getUpdates", after=mark, timeout=60)
        self.restart_walls.append(time.time())

    def kill(self) -> None:
        """SIGKILL now (called synchronously inside the fake's request handler)."""
        self.kill_walls.append(time.time())
        os.kill(self.proc.pid, signal.SIGKILL)

    async def stop(self) -> int:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:  # reported by the exit code (never left running into the next test)
            self.proc.kill()
            await self.proc.wait()
            return -int(signal.SIGKILL)


def _env(tg: FakeTelegram, tmp_path: Path, url: str) -> dict[str, str]:
    env = process_env(
        BOT_TOKEN=tg.token,
        TELEGRAM_API_URL=tg.base_url,
        DATABASE_URL=url,
        DATA_DIR=str(tmp_path),
        DATA_KEY=TEST_KEY,
        ADMIN_IDS=str(ADMIN),
        POLLING_TIMEOUT="1",
        DELIVERY_RATE="200",
        FLOOD_LIMIT="100000",
        LOG_LEVEL="WARNING",
    )
    if databases.TEST_REDIS_URL:
        env.update(REDIS_URL=databases.TEST_REDIS_URL, REDIS_PREFIX=databases.redis_prefix())
    return env


async def _rows(url: str):
    engine = create_async_engine(url)
    try:
        async with engine.connect() as c:
            complaints = (
                await c.execute(
                    select(
                        Complaint.citizen_id,
                        Complaint.receipt_no,
                        Complaint.description,
                        Complaint.category_code,
                        Complaint.state,
                        Complaint.received_at,
                    )
                )
            ).all()
            outbox = (
                await c.execute(
                    select(
                        OutboxMessage.id,
                        OutboxMessage.dedup_key,
                        OutboxMessage.chat_id,
                        OutboxMessage.payload,
                        OutboxMessage.method,
                        OutboxMessage.status,
                        OutboxMessage.sent_at,
                        OutboxMessage.attempts,
                        OutboxMessage.telegram_message_id,
                    )
                )
            ).all()
        return complaints, outbox
    finally:
        await engine.dispose()


@pytest.mark.slow
async def test_200_residents_while_the_bot_is_killed_twice(tmp_path):
    started = time.monotonic()
    tg = ObservedTelegram()
    await tg.start()
    url = databases.new_database_url(tmp_path)
    bot = BotProcess(tg, _env(tg, tmp_path, url), tmp_path)
    residents = [Resident(FIRST_RESIDENT + i, i, tg) for i in range(RESIDENTS)]
    done_residents: set[int] = set()
    kill_requested = asyncio.Event()
    kills: list[str] = []

    def on_accepted(chat: int, seen: Seen) -> None:
        if seen.kind == "receipt" and chat >= FIRST_RESIDENT:
            done_residents.add(chat)
        if kill_requested.is_set() or bot.proc is None or bot.proc.returncode is not None:
            return
        receipts = len(done_residents)
        if len(kills) == 0 and receipts >= KILL_AT_RECEIPTS[0]:
            what = f"the receipt of resident #{receipts} accepted, before the bot saw the answer"
        elif len(kills) == 1 and bot.runs == 2 and receipts >= KILL_AT_RECEIPTS[1] and "새 민원" in seen.text:
            what = f"an officer card accepted after {receipts} receipts, before the bot could mark its outbox row sent"
        else:
            return
        midway = sum(1 for r in residents if r.uid not in done_residents and any(x.kind in FORM_STEPS for x in r.log))
        kills.append(f"kill {len(kills) + 1}: {what}; {midway} forms mid-way, {RESIDENTS - receipts} not submitted")
        bot.kill()
        kill_requested.set()

    async def restart_when_killed() -> None:
        while True:
            await kill_requested.wait()
            await bot.proc.wait()
            await bot.start()
            kill_requested.clear()

    tg.on_accepted = on_accepted
    officers: list[asyncio.Task] = []
    supervisor: asyncio.Task | None = None
    try:
        await bot.start()
        for dept, uid in OFFICERS.items():
            mark = len(tg.chats.get(ADMIN, []))
            tg.message(ADMIN, f"/grant {uid} officer {dept}")
            assert await tg.changed(ADMIN, mark, 10), f"no answer to /grant {uid}"
            assert "역할을 부여했습니다" in tg.chats[ADMIN][-1].text, tg.chats[ADMIN][-1].text
        officers = [asyncio.create_task(Officer(uid, tg).run()) for uid in OFFICERS.values()]
        setup_s = time.monotonic() - started

        supervisor = asyncio.create_task(restart_when_killed())
        await asyncio.gather(*(r.run(time.monotonic() + FILING_DEADLINE) for r in residents))
        filing_s = time.monotonic() - started - setup_s

        # the officers take every complaint; the outbox drains (cards, then the pushes)
        drain_deadline = time.monotonic() + DRAIN_DEADLINE
        while True:
            complaints, outbox = await _rows(url)
            settled = (
                len(complaints) >= RESIDENTS
                and all(c.state != "received" for c in complaints)
                and all(r.status != "pending" for r in outbox)
                and not kill_requested.is_set()
                and len(kills) == len(KILL_AT_RECEIPTS)
            )
            if settled or time.monotonic() > drain_deadline:
                break
            await asyncio.sleep(0.25)
    finally:
        for task in [*officers, *([supervisor] if supervisor else [])]:
            task.cancel()
        exit_code = await bot.stop()
        await tg.stop()
    total_s = time.monotonic() - started

    # --- what the residents saw, against the database ---------------------------------------
    by_receipt: dict[str, list] = {}
    for c in complaints:
        by_receipt.setdefault(c.receipt_no, []).append(c)
    by_citizen: dict[int, list] = {}
    for c in complaints:
        by_citizen.setdefault(c.citizen_id, []).append(c)
    problems: list[str] = []
    for r in residents:
        if not r.done:
            problems.append(
                f"resident {r.uid} never saw a receipt ({r.actions} actions, last: "
                f"{r.log[-1].text[:40] if r.log else None!r})"
            )
        for no in r.receipts:
            owners = by_receipt.get(no, [])
            if len(owners) != 1 or owners[0].citizen_id != r.uid:
                problems.append(
                    f"receipt {no} seen by {r.uid}: {len(owners)} complaints {[o.citizen_id for o in owners]}"
                )
        mine = by_citizen.get(r.uid, [])
        if len(mine) != 1:
            problems.append(f"resident {r.uid} has {len(mine)} complaints")
        elif mine[0].description != r.text or mine[0].category_code != r.category["code"]:
            problems.append(f"resident {r.uid}: the complaint does not hold what they entered")
        problems.extend(f"resident {r.uid}: {a}" for a in r.anomalies)
    not_taken = [c.receipt_no for c in complaints if c.state == "received"]

    # --- every outbox row reached Telegram once (per dedup key) ---------------------------------
    def copies(row) -> list[Seen]:
        return [
            s for s in tg.chats.get(row.chat_id, []) if s.method == "sendMessage" and s.text == row.payload.get("text")
        ]

    missing, window_dups, other_dups = [], [], []
    for row in outbox:
        if row.method.startswith("edit"):
            # an edit of a card already sent (a colleague took the complaint): doing it twice is
            # harmless and the fake does not log edits as messages, so only its outcome counts
            if row.status != "sent":
                missing.append(f"{row.dedup_key} ({row.method}, {row.status})")
            continue
        sent = copies(row)
        if not sent or row.status != "sent":
            missing.append(f"{row.dedup_key} ({row.status}, {len(sent)} copies)")
            continue
        if len(sent) == 1:
            continue
        explained = None
        for k, kill_wall in enumerate(bot.kill_walls):
            if len(sent) == 2 and sent[0].wall <= kill_wall < sent[1].wall and row.sent_at.timestamp() > kill_wall:
                explained = (
                    f"{row.dedup_key} → chat {row.chat_id}: accepted by Telegram "
                    f"{kill_wall - sent[0].wall:.3f}s before SIGKILL {k + 1}, its sent mark not yet "
                    f"committed; sent again {sent[1].wall - kill_wall:.1f}s after the kill"
                )
        (window_dups if explained else other_dups).append(
            explained
            or f"{row.dedup_key} → chat {row.chat_id}: {len(sent)} copies at "
            f"{[round(s.wall - started, 3) for s in sent]}"
        )

    # every card an officer has on screen (the copy its row recorded) says the complaint is taken:
    # a card taken while its send was in flight was edited after (workflows.outbox.catch_up)
    on_screen = {
        row.dedup_key: (row.chat_id, tg._messages.get((row.chat_id, row.telegram_message_id), {}).get("text", ""))
        for row in outbox
        if row.dedup_key.startswith("new:") and row.telegram_message_id
    }
    stale_cards = [f"{key} → chat {chat}: {text[:60]!r}" for key, (chat, text) in on_screen.items() if "미배정" in text]
    stale_cards += [f"{key}: not on screen" for key, (_, text) in on_screen.items() if not text]
    stale_cards += [] if len(on_screen) == RESIDENTS else [f"{len(on_screen)} cards recorded, not {RESIDENTS}"]

    card_delay = sorted(
        s.wall - c.received_at.timestamp()
        for c in complaints
        for s in tg.chats.get(OFFICERS[next(x["department"] for x in CATEGORIES if x["code"] == c.category_code)], [])
        if c.receipt_no in s.text and "새 민원" in s.text
    )
    bot_logs = "\n".join(p.read_text(errors="replace") for p in sorted(tmp_path.glob("bot-*.log")))
    tracebacks = bot_logs.count("Traceback")
    released = sum(int(n) for n in re.findall(r"released (\d+) event-isolation lock", bot_logs))
    cards = sum(1 for r in outbox if r.dedup_key.startswith("new:"))
    pushes = sum(1 for r in outbox if r.dedup_key.startswith("push:"))
    edits = sum(1 for r in outbox if r.method.startswith("edit"))
    redelivered = tg.updates_delivered - (tg._next_update_id - 1)
    summary = (
        f"[crash/restart {databases.BACKEND}{' + Redis FSM' if databases.TEST_REDIS_URL else ''}] "
        f"{RESIDENTS} residents, {len(OFFICERS)} officers; {len(bot.kill_walls)} SIGKILLs, {bot.runs - 1} restarts; "
        f"setup {setup_s:.1f}s, filing {filing_s:.1f}s, total {total_s:.1f}s\n"
        + "".join(f"  {k}\n" for k in kills)
        + f"  complaints {len(complaints)}, receipts seen {sum(len(r.receipts) for r in residents)}, "
        f"resident actions {sum(r.actions for r in residents)}, resends after silence "
        f"{sum(r.resends for r in residents)}, longest silence a resident met "
        f"{max(r.longest_silence for r in residents):.1f}s, steps asked again {sum(r.regressions for r in residents)}, "
        f"updates delivered again by Telegram {redelivered}\n"
        f"  outbox rows {len(outbox)} (officer cards {cards}, card edits {edits}, resident pushes {pushes}); sent once "
        f"{len(outbox) - len(missing) - len(window_dups) - len(other_dups)}; duplicated in the "
        f"at-least-once window {len(window_dups)}; other duplicates {len(other_dups)}; missing {len(missing)}\n"
        f"  bot logs: {tracebacks} tracebacks; Redis isolation locks of a killed process released at start: {released}\n"
        f"  filed → officer card accepted: median {card_delay[len(card_delay) // 2]:.1f}s, "
        f"max {card_delay[-1]:.1f}s\n"
        + "".join(f"  duplicate: {d}\n" for d in window_dups + other_dups)
        + "".join(f"  unexpected answer: {u!r}\n" for u in sorted({u for r in residents for u in r.unexpected})[:10])
    )
    print("\n" + summary)
    assert len(bot.kill_walls) == 2 and bot.runs == 3, summary
    if problems:  # each troubled resident's chat, for reading next to bot-*.log
        chats = {
            r.uid: [(round(x.wall - started, 2), x.method, x.kind, x.text[:60]) for x in r.log]
            for r in residents
            if r.anomalies or not r.done
        }
        (tmp_path / "residents.json").write_text(json.dumps(chats, ensure_ascii=False, indent=0), encoding="utf-8")
    assert not problems, summary + "\n".join(problems[:30]) + f"\n(chats in {tmp_path / 'residents.json'})"
    assert not not_taken, summary + f"not taken by an officer: {not_taken[:10]}"
    assert not missing and not other_dups, summary + "\n".join(missing[:20])
    assert not stale_cards, summary + "cards still showing 미배정:\n" + "\n".join(stale_cards[:20])
    # each kill can catch at most the worker's in-flight sends (max_in_flight = 8)
    assert len(window_dups) <= 8 * len(bot.kill_walls), summary
    assert tracebacks == 0, summary + "see bot-*.log"
    assert exit_code == 0, summary + f"the last run did not stop cleanly ({exit_code})"


# --- the two windows a crash leaves between the form's state and what the resident saw ---------


async def _to_phone_step(h, fake, user_id: int) -> None:
    from tests.e2e.test_complaint_loop import consent

    await consent(h, user_id)
    await h.say(user_id, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(user_id, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(user_id, "골목 쓰레기가 사흘째 수거되지 않았습니다.", expect="사진이 있으면")
    await h.press(user_id, "건너뛰기", expect="위치를 알려 주세요")
    await h.press(user_id, "건너뛰기", expect="연락처를 남기시겠어요")


async def test_a_summary_that_never_arrived_is_shown_again(harness, fake):
    """The state reached the summary but its message was lost (FSM in Redis is saved at once; the
    process died before sending): the resident types again and gets the summary with its buttons."""
    h, user = harness, 120
    await _to_phone_step(h, fake, user)
    ctx = h.app.dp.fsm.get_context(bot=h.app.bot, chat_id=user, user_id=user)
    await ctx.set_state("ComplaintForm:confirm")  # saved, but the summary was never sent
    await h.say(user, "010-1234-5678", expect="신청 내용 확인")
    await h.press(user, "제출", expect="민원이 접수되었습니다")


async def test_a_summary_whose_step_was_not_saved_asks_that_step_again(harness, fake):
    """The summary was sent but the step before it not saved (the database commit comes after the
    reply): 제출 asks that step again instead of calling the button stale; then it goes through."""
    h, user = harness, 121
    await _to_phone_step(h, fake, user)
    await h.press(user, "건너뛰기", expect="신청 내용 확인")
    ctx = h.app.dp.fsm.get_context(bot=h.app.bot, chat_id=user, user_id=user)
    await ctx.set_state("ComplaintForm:phone")  # the commit of the phone step was lost
    await h.press(user, "제출", expect="연락처를 남기시겠어요")
    await h.press(user, "건너뛰기", expect="신청 내용 확인")
    await h.press(user, "제출", expect="민원이 접수되었습니다")
