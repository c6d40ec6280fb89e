"""Staff at volume (issue 16 §2–3), through the real bot and the fake Bot API, with three officers of
청소행정과 (and its group chat) and two of 건설과: every complaint reachable from paged, filtered
lists; search; the morning digest instead of cards; officers by name; one officer taking a
complaint updates every other copy of its card and a second one may only take it over explicitly;
assigning to a colleague; a revoked officer's complaints handed on; internal notes for staff only."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from workflows.models import Complaint, ComplaintEvent, LicenseTaxNotice, OnestopApplication, OnestopItem, User
from tests.e2e.harness import ADMIN, BotHarness, district_with_groups
from tests.e2e.test_complaint_loop import consent

KST = ZoneInfo("Asia/Seoul")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=KST)  # a working Monday
GROUP = -1001000000888  # 청소행정과's group chat
KIM, LEE, PARK = 201, 202, 203  # 청소행정과
CHOI, JUNG = 301, 302  # 건설과
RESIDENT = 100
SHOW = os.environ.get("SHOW_STAFF_SCREENS")  # print what the fake received (for the issue note)


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
async def staff(fake, tmp_path):
    """The bot with 청소행정과's group chat, five officers in two departments (three named by the
    admin, one only by their Telegram name), the district clock on a working Monday 10:00."""
    h = BotHarness(fake, tmp_path, **district_with_groups(tmp_path, {"CLEAN": GROUP}))
    await h.start()
    h.app.worker.private_interval = h.app.worker.group_interval = 0.02
    h.clock = h.app.svc.clock = Clock(MONDAY)
    telegram_names = {KIM: "민수", LEE: "이영희", PARK: "지훈", CHOI: "도로", JUNG: "건설"}
    say = h.say

    async def say_as(uid, *args, **kw):  # each officer writes with their Telegram name, as in the app
        if uid in telegram_names:
            kw.setdefault("first_name", telegram_names[uid])
        return await say(uid, *args, **kw)

    h.say = say_as
    for uid, grant in (
        (KIM, "CLEAN 김민수"),
        (LEE, "CLEAN"),
        (PARK, "CLEAN 박지훈"),
        (CHOI, "ROADS 최도로"),
        (JUNG, "ROADS 정건설"),
    ):
        await h.say(ADMIN, f"/grant {uid} officer {grant}", expect="역할을 부여했습니다")
        await h.say(uid, "/settings", expect="새 민원 알림: 카드")
    yield h
    await h.stop()


async def seed(h, rows: list[dict]) -> list[Complaint]:
    """Complaints straight into the database (no cards): each dict overrides the defaults."""
    async with h.app.sessionmaker() as s:
        if await s.get(User, RESIDENT) is None:
            s.add(User(id=RESIDENT))
            await s.flush()
        out = []
        for r in rows:
            c = Complaint(
                **{
                    "citizen_id": RESIDENT,
                    "category_code": "waste",
                    "kind": "고충",
                    "period": "7d",
                    "state": "received",
                    "received_at": MONDAY - timedelta(days=1),
                    "updated_at": MONDAY,
                    "department_code": "CLEAN",
                    **r,
                    "submit_key": f"seed-{r['receipt_no']}",
                }
            )
            c.events = [
                ComplaintEvent(
                    at=c.received_at,
                    actor_id=RESIDENT,
                    actor_role="citizen",
                    action="submit",
                    to_state="received",
                    department_code=c.department_code,
                )
            ]
            s.add(c)
            out.append(c)
        await s.commit()
        return out


def sixty() -> list[dict]:
    """60 open complaints of 청소행정과: 6 overdue, 4 due today, the rest later; 10 of 도로 (transferred
    in); 화양동 / 구의1동 / 자양1동 in turn (one with only a pin); 5 with 김민수, 3 with 이영희."""
    rows = []
    dongs = ("화양동 {i}-1", "구의1동 {i}번지", "서울 광진구 자양1동 {i}")  # by i % 3
    for i in range(1, 61):
        r = {
            "receipt_no": f"2026-9{i:05d}",
            "description": f"골목 {i}번 전봇대 아래 쓰레기 무단투기가 계속됩니다. 단속과 수거를 부탁드립니다.",
            "address": dongs[i % 3].format(i=i),
        }
        if i <= 6:
            r["deadline_at"] = MONDAY - timedelta(hours=i)
        elif i <= 10:
            r["deadline_at"] = MONDAY + timedelta(hours=i - 5)  # 12:00 to 15:00 today
        else:
            r["deadline_at"] = MONDAY + timedelta(days=i % 9 + 1)
        if i > 50:
            r.update(category_code="road", state="transferred")
        if 11 <= i <= 15:
            r.update(officer_id=KIM, state="assigned")
        elif 16 <= i <= 18:
            r.update(officer_id=LEE, state="assigned")
        rows.append(r)
    rows[0]["description"] = "<b>불법</b> 투기 & 악취 " + "계속 " * 40  # escaped, clipped on the list
    rows[6].update(address=None, latitude=37.5384, longitude=127.0823)
    return rows


def roads() -> list[dict]:
    return [
        {
            "receipt_no": f"2026-9{60 + j:05d}",
            "category_code": "road",
            "department_code": "ROADS",
            "description": f"도로 파임 {j}곳이 위험합니다. 보수해 주세요.",
            "address": "자양1동 {j}",
            "deadline_at": MONDAY + timedelta(days=2),
        }
        for j in range(1, 6)
    ]


def screen(call) -> str:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return call.params["text"] + "\n" + "\n".join(" ".join(f"[{b['text']}]" for b in row) for row in rows)


async def test_inbox_every_complaint_paged_and_filtered_never_another_departments(staff, fake):
    h = staff
    await seed(h, sixty() + roads())
    shown = []

    inbox = await h.say(KIM, "/inbox", expect="청소행정과 처리함</b> — 미처리 60건")
    shown.append(screen(inbox))
    text = inbox.params["text"]
    assert "60건 중 1–10 (1/6쪽, 기한 순)" in text
    first, second = text.index("<b>2026-900006</b>"), text.index("<b>2026-900005</b>")  # the most overdue first
    assert first < second
    lines = text.split("\n")
    at = next(i for i, x in enumerate(lines) if "<b>2026-900001</b>" in x)
    line = lines[at : at + 2]
    assert "쓰레기·청소 · 구의1동" in line[0] and "&lt;b&gt;불법&lt;/b&gt; 투기 &amp; 악취" in line[1]
    assert "…" in line[1] and "👤 미배정" in line[1] and "⚠️ 1시간 지남" in line[1]
    assert "⏰ 오늘 12:00까지 (2시간)" in text and "📍 위치만" in text  # 2026-900007: a pin, no address
    labels = [b["text"] for row in inbox.params["reply_markup"]["inline_keyboard"] for b in row]
    assert "1 · 2026-900006" in labels and "다음 ▶" in labels and "1/6" in labels

    for page in range(2, 7):  # every complaint is reachable: six pages of ten
        nxt = await h.press(KIM, "다음 ▶", expect=f"({page}/6쪽")
        assert nxt.method == "editMessageText"
        if page == 2:
            shown.append(screen(nxt))
    seen = {f"<b>2026-9{i:05d}</b>" for i in range(1, 61)}
    texts = " ".join(c.params["text"] for c in fake.sent(KIM) if "처리함" in c.params.get("text", ""))
    assert all(r in texts for r in seen) and "2026-900061" not in texts  # never 건설과's
    assert texts.count("👤 김민수") == 5 and texts.count("👤 이영희") == 3  # by name (이영희: her Telegram name)
    assert "담당자 20" not in texts

    unassigned = await h.press(KIM, "미배정", expect="52건 중 1–10")
    assert "— 미배정" in unassigned.params["text"] and "👤 김민수" not in unassigned.params["text"]
    overdue = await h.press(KIM, "기한 경과", expect="6건 중 1–6")
    assert overdue.params["text"].count("지남") == 6
    today = await h.press(KIM, "오늘 기한", expect="4건 중 1–4")
    assert all(f"2026-9{i:05d}" in today.params["text"] for i in range(7, 11))
    mine = await h.press(KIM, "내 담당", expect="5건 중 1–5")
    assert mine.params["text"].count("👤 김민수") == 5

    await h.press(KIM, "전체", expect="60건 중 1–10")
    picker = await h.press(KIM, "분야 ▾", expect="분야를 고르세요")
    assert "쓰레기·청소 (50)" in str(picker.params["reply_markup"]) and "도로·보도·가로등 (10)" in str(
        picker.params["reply_markup"]
    )
    roads_only = await h.press(KIM, "도로·보도·가로등", expect="10건 중 1–10")
    assert "— 도로·보도·가로등" in roads_only.params["text"]
    await h.press(KIM, "필터 지우기", expect="60건 중 1–10")
    await h.press(KIM, "동 ▾", expect="동을 고르세요")
    jayang = await h.press(KIM, "자양1동", expect="20건 중 1–10")
    shown.append(screen(jayang))
    assert "화양동" not in jayang.params["text"].split("\n", 2)[2]
    overdue_jayang = await h.press(KIM, "기한 경과", expect="2건 중 1–2")  # 2 and 5: the filters combine
    assert "2026-900002" in overdue_jayang.params["text"] and "2026-900005" in overdue_jayang.params["text"]
    shown.append(screen(overdue_jayang))

    # 건설과 sees its five and nothing of 청소행정과
    other = await h.say(CHOI, "/inbox", expect="건설과 처리함</b> — 미처리 5건")
    assert "2026-9000" not in other.params["text"].replace("2026-90006", "")
    # a forged list button cannot reach another department: the view is always the presser's own
    fake.callback(CHOI, "ls:c:a::-1:0::", message_id=other.result["message_id"])
    await fake.wait_for(
        lambda c: c.method == "editMessageText" and c.params["chat_id"] == CHOI and "미처리 5건" in c.params["text"]
    )
    if SHOW:
        print("\n\n---\n".join(shown))


async def test_search_by_words_place_and_receipt(staff, fake):
    h = staff
    await seed(h, sixty() + roads())
    found = await h.say(KIM, "/find 화양동", expect="“화양동” 찾기: 20건")
    assert "20건 중 1–10 (1/2쪽, 최신 순)" in found.params["text"]
    assert "구의1동" not in found.params["text"]
    both = await h.say(KIM, "/find 골목 4번", expect="찾기:")  # every word: 골목 and 4번 (4, 14 … 54)
    assert "2026-900004" in both.params["text"] and "2026-900005" not in both.params["text"]
    await h.say(KIM, "/find 도로 파임", expect="해당하는 항목이 없습니다")  # 건설과's words: not found here
    theirs = await h.say(CHOI, "/find 도로 파임", expect="찾기: 5건")
    assert "2026-900061" in theirs.params["text"]
    await h.say(KIM, "/find 2026-900012", expect="2026-900012")  # a receipt number opens the card
    card = fake.sent(KIM)[-1]
    assert "담당: 청소행정과 / 담당자 김민수" in card.params["text"]  # by name, never "담당자 201"
    await h.say(CHOI, "/find 2026-900012", expect="찾을 수 없습니다")
    await h.say(KIM, "/find", expect="/find 낱말")


async def file(h, text="골목 입구에 대형 폐기물이 일주일째 방치되어 있습니다.", address="자양1동 12-3 앞"):
    """A resident files through the form (consent first); returns the complaint."""
    await h.say(RESIDENT, "/complaint", expect="민원 분야를 골라 주세요")
    await h.press(RESIDENT, "쓰레기·청소", expect="무엇이 문제인지")
    await h.say(RESIDENT, text, expect="사진이 있으면")
    await h.press(RESIDENT, "건너뛰기", expect="위치를 알려 주세요")
    await h.say(RESIDENT, address, expect="연락처를 남기시겠어요")
    await h.press(RESIDENT, "건너뛰기", expect="신청 내용 확인")
    await h.press(RESIDENT, "제출", expect="민원이 접수되었습니다")
    rows = await h.db(select(Complaint).where(Complaint.citizen_id == RESIDENT).order_by(Complaint.id.desc()))
    return rows[0]


async def test_taking_updates_every_copy_and_a_second_officer_takes_over_only_explicitly(staff, fake):
    h = staff
    await consent(h, RESIDENT)
    c = await file(h)
    cards = {uid: await fake.wait_text(uid, f"새 민원 {c.receipt_no}") for uid in (KIM, LEE, PARK)}
    group_card = await fake.wait_text(GROUP, c.receipt_no)
    assert not any(c.receipt_no in x for x in fake.texts(CHOI) + fake.texts(JUNG))  # the other department

    mark = fake.mark()
    await h.press(KIM, "접수", expect="맡았습니다")
    # every other copy now says who took it: the colleagues' (with an 열기 button only) and the group's
    for uid in (LEE, PARK):
        edit = await fake.wait_for(lambda x: x.method == "editMessageText" and x.params["chat_id"] == uid, after=mark)  # noqa: B023 - awaited in this iteration
        assert edit.params["message_id"] == cards[uid].result["message_id"]
        assert "👤 김민수 님이 맡았습니다" in edit.params["text"]
        assert [b["text"] for row in edit.params["reply_markup"]["inline_keyboard"] for b in row] == ["열기"]
    group_edit = await fake.wait_for(
        lambda x: x.method == "editMessageText" and x.params["chat_id"] == GROUP, after=mark
    )
    assert group_edit.params["message_id"] == group_card.result["message_id"]
    assert "김민수 님이 맡았습니다" in group_edit.params["text"] and "폐기물" not in group_edit.params["text"]
    own = await fake.wait_for(lambda x: x.method == "editMessageText" and x.params["chat_id"] == KIM, after=mark)
    assert "✅ 내가 맡은 민원" in own.params["text"] and "접수" not in str(own.params["reply_markup"])

    # 이영희 presses 답변 on the card she received before it was edited: told who has it
    fake.callback(LEE, f"op:answer:{c.id}", message_id=cards[LEE].result["message_id"])
    told = await fake.wait_text(LEE, "김민수 님이 맡고 있습니다")
    assert "넘겨받기" in str(told.params["reply_markup"])
    fake.callback(LEE, f"op:take:{c.id}", message_id=cards[LEE].result["message_id"])  # 접수 likewise
    await fake.wait_for(
        lambda x: (
            x.method == "sendMessage" and x.params["chat_id"] == LEE and "김민수 님이 맡고 있습니다" in x.params["text"]
        ),
        after=fake.requests.index(told) + 1,
    )
    assert (await h.one(Complaint, id=c.id)).officer_id == KIM  # nothing changed without the confirmation

    mark = fake.mark()
    await h.press(LEE, "넘겨받기", expect="넘겨받았습니다")
    told_kim = await fake.wait_text(KIM, "이영희 님이", after=mark)
    assert c.receipt_no in told_kim.params["text"] and "넘겨받았습니다" in told_kim.params["text"]
    park = await fake.wait_for(lambda x: x.method == "editMessageText" and x.params["chat_id"] == PARK, after=mark)
    assert "👤 이영희 님이 맡았습니다" in park.params["text"]
    c = await h.one(Complaint, id=c.id)
    assert c.officer_id == LEE
    events = await h.db(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id))
    take_over = events[-1]
    assert (take_over.action, take_over.actor_id, take_over.officer_id, take_over.note) == (
        "takeover",
        LEE,
        LEE,
        str(KIM),
    )

    # the history staff read names both; 건설과 cannot take it over with a forged button
    card = await h.say(PARK, f"/find {c.receipt_no}", expect="담당자 이영희")
    history = " ".join(x.params["text"] for x in fake.sent(PARK)[-3:])
    assert "담당자 변경(넘겨받음) → 이영희" in history and "담당자 배정 — 김민수" in history
    assert "담당자 20" not in history and card
    fake.callback(CHOI, f"op:takeover:{c.id}", message_id=1)
    await fake.wait_for(lambda x: x.method == "answerCallbackQuery" and "다른 부서" in x.params.get("text", ""))
    assert (await h.one(Complaint, id=c.id)).officer_id == LEE
    # the resident's history shows neither the take-over nor the names
    detail = await h.say(RESIDENT, "/status", expect="내 민원")
    await h.press(RESIDENT, c.receipt_no, expect="처리 이력")
    resident = " ".join(fake.texts(RESIDENT)[-3:])
    assert "넘겨받음" not in resident and "이영희" not in resident and detail


async def test_morning_digest_instead_of_cards(staff, fake):
    h = staff
    settings = await h.say(LEE, "/settings", expect="새 민원 알림: 카드")
    assert "아침 요약으로 받기" in str(settings.params["reply_markup"])
    saved = await h.press(LEE, "아침 요약으로 받기", expect="새 민원 알림: 아침 요약 (08:30)")
    assert saved.method == "editMessageText"
    assert (await h.one(User, id=LEE)).card_mode == "digest"

    await consent(h, RESIDENT)
    c = await file(h)
    for uid in (KIM, PARK):
        await fake.wait_text(uid, f"새 민원 {c.receipt_no}")
    await fake.wait_text(GROUP, c.receipt_no)  # the department group still gets its card
    await fake.wait_idle()
    assert not any(c.receipt_no in x for x in fake.texts(LEE))  # no card for the officer who chose the digest
    await seed(h, sixty()[:12])  # 6 overdue, 4 due today (with 2 of 김민수's later ones)

    # Tuesday 08:31: the duty sends 이영희 one digest; 김민수 (cards) gets none
    h.clock.at = datetime(2026, 12, 8, 8, 31, tzinfo=KST)
    mark = fake.mark()
    await h.app.duties.officer_digest()
    digest = await fake.wait_text(LEE, "☀️ <b>아침 요약</b>", after=mark)
    text = digest.params["text"]
    # each complaint once: overdue, the 10 due by Monday 15:00; new, the one filed (nobody took it)
    assert "⚠️ 기한 경과 10건 · ⏰ 오늘 기한 0건 · 🆕 새 민원 1건 (미배정 모두 11건)" in text
    assert "외 5건" in text and "2026-900006" in text and c.receipt_no in text
    assert "2026-900011" not in text  # 김민수's, not due: not in 이영희's digest
    assert text.count("2026-900006") == 1
    assert "미배정 11" in str(digest.params["reply_markup"])
    await fake.wait_idle()
    assert not any("☀️" in x for x in fake.texts(KIM) + fake.texts(PARK))
    # run again the same morning (a restart, a second instance): nothing twice
    await h.app.duties.officer_digest()
    await fake.wait_idle()
    assert sum("☀️" in x for x in fake.texts(LEE)) == 1
    # the digest's buttons open the filtered list
    listed = await h.press(LEE, "기한 경과 10", expect="기한 경과")
    assert "10건 중 1–10" in listed.params["text"]
    if SHOW:
        print("\n\n" + screen(digest))

    # Saturday: no digest; the next Monday: one
    h.clock.at = datetime(2026, 12, 12, 8, 31, tzinfo=KST)
    await h.app.duties.officer_digest()
    h.clock.at = datetime(2026, 12, 14, 8, 40, tzinfo=KST)
    await h.app.duties.officer_digest()
    await fake.wait_idle()
    await fake.wait_for(lambda x: x.params.get("chat_id") == LEE and "2026-12-14" in x.params.get("text", ""))
    assert sum("☀️" in x for x in fake.texts(LEE)) == 2


async def test_assign_to_a_colleague_notes_for_staff_and_a_revoked_officers_complaints(staff, fake):
    h = staff
    await consent(h, RESIDENT)
    c = await file(h)
    await fake.wait_text(KIM, f"새 민원 {c.receipt_no}")
    await h.press(KIM, "접수", expect="맡았습니다")
    ask = await h.press(KIM, "담당자 지정", expect="누구에게 맡길까요")
    names = [b["text"] for row in ask.params["reply_markup"]["inline_keyboard"] for b in row]
    assert names == ["박지훈", "이영희"]  # colleagues of 청소행정과 by name, not 건설과's, not himself
    mark = fake.mark()
    await h.press(KIM, "박지훈", expect="박지훈 님께 맡겼습니다")
    given = await fake.wait_text(PARK, "민원을 맡겼습니다", after=mark)
    assert c.receipt_no in given.params["text"] and "📌 김민수 님이" in given.params["text"]
    await fake.wait_for(
        lambda x: (
            x.method == "editMessageText"
            and x.params["chat_id"] == LEE
            and "박지훈 님이 맡았습니다" in x.params["text"]
        ),
        after=mark,
    )
    assert (await h.one(Complaint, id=c.id)).officer_id == PARK
    # 김민수 no longer has it: 답변 tells him who does
    fake.callback(KIM, f"op:answer:{c.id}", message_id=1)
    await fake.wait_text(KIM, "박지훈 님이 맡고 있습니다", after=mark)

    # an internal note: staff read it in the history, the resident never
    await h.say(PARK, f"/find {c.receipt_no}", expect="담당자 박지훈")
    await h.press(PARK, "메모", expect="내부 메모를 적어 주세요")
    await h.say(PARK, "민원인과 통화함. 목요일 오전 수거 예정이라고 안내했습니다.", expect="메모를 남겼습니다")
    await h.say(LEE, f"/find {c.receipt_no}", expect="담당자 박지훈")
    staff_view = " ".join(fake.texts(LEE)[-3:])
    assert "내부 메모 — 박지훈: 민원인과 통화함. 목요일 오전 수거 예정" in staff_view
    assert "담당자 배정 → 박지훈 (김민수 지정)" in staff_view
    await h.say(RESIDENT, "/status", expect="내 민원")
    await h.press(RESIDENT, c.receipt_no, expect="처리 이력")
    assert not any("통화함" in x or "내부 메모" in x for x in fake.texts(RESIDENT))
    note = (
        await h.db(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id, ComplaintEvent.action == "note"))
    )[0]
    assert (note.actor_id, note.actor_role) == (PARK, "officer")

    # 박지훈 leaves: the admin chooses where his open complaints go — here, back to unassigned
    await seed(
        h,
        [
            {
                "receipt_no": "2026-900777",
                "officer_id": PARK,
                "state": "in_progress",
                "description": "음식물 쓰레기 수거함이 넘칩니다.",
                "address": "화양동 1",
                "deadline_at": MONDAY + timedelta(days=3),
            }
        ],
    )
    mark = fake.mark()
    await h.say(ADMIN, f"/revoke {PARK} officer", expect="회수")
    ask = await fake.wait_text(ADMIN, "박지훈 님이 맡던 청소행정과 민원 2건", after=mark)
    assert c.receipt_no in ask.params["text"] and "2026-900777" in ask.params["text"]
    options = [b["text"] for row in ask.params["reply_markup"]["inline_keyboard"] for b in row]
    assert options == ["김민수", "이영희", "미배정으로 (부서에 알림)"]
    await h.press(ADMIN, "미배정으로", expect="2건을 미배정으로 돌리고 부서에 알렸습니다")
    for chat in (KIM, LEE, GROUP):
        told = await fake.wait_text(chat, "박지훈 님의 역할이 끝나", after=mark)
        assert "2026-900777" in told.params["text"]
    rows = await h.db(select(Complaint).where(Complaint.receipt_no.in_([c.receipt_no, "2026-900777"])))
    assert all(r.officer_id is None for r in rows)
    inbox = await h.say(LEE, "/inbox", expect="처리함")
    assert "2026-900777" in inbox.params["text"]
    await h.press(LEE, "미배정", expect="미배정")
    # anyone may take it again; the revoked officer cannot act any more
    fake.callback(PARK, f"op:take:{c.id}", message_id=1)
    await fake.wait_for(lambda x: x.method == "answerCallbackQuery" and "다른 부서" in x.params.get("text", ""))
    await h.say(LEE, f"/find {c.receipt_no}", expect=c.receipt_no)
    await h.press(LEE, "접수", expect="맡았습니다")
    actions = [
        e.action
        for e in await h.db(
            select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id)
        )
    ]
    assert actions == ["submit", "take", "assign", "note", "release", "take"]
    assert "담당자 해제 — 박지훈 (관리자)" in " ".join(fake.texts(LEE)[-6:])


async def test_revoked_officers_complaints_go_to_the_colleague_the_admin_names(staff, fake):
    h = staff
    await seed(
        h,
        [
            {
                "receipt_no": f"2026-90080{i}",
                "officer_id": KIM,
                "state": "assigned",
                "description": "가로등 아래 쓰레기가 쌓였습니다.",
                "address": "구의1동 3",
                "deadline_at": MONDAY + timedelta(days=2),
            }
            for i in range(3)
        ],
    )
    mark = fake.mark()
    await h.say(ADMIN, f"/grant {KIM} officer ROADS 김민수", expect="건설과")  # moved: same question
    ask = await fake.wait_text(ADMIN, "김민수 님이 맡던 청소행정과 민원 3건", after=mark)
    await h.press(ADMIN, "이영희", expect="3건을 이영희 님께 넘겼습니다")
    told = await fake.wait_text(LEE, "맡겼습니다", after=mark)
    assert "2026-90080" in told.params["text"] and "📌 관리자 님이" in told.params["text"]
    await h.say(LEE, "/find 2026-900801", expect="담당자 이영희")
    assert "담당자 배정 → 이영희 (관리자 지정)" in " ".join(fake.texts(LEE)[-3:])
    rows = await h.db(select(Complaint).where(Complaint.receipt_no.like("2026-90080%")))
    assert {r.officer_id for r in rows} == {LEE}
    # the same choice pressed again (a double tap) moves nothing; a forged one is stale
    message_id, data = fake.button(ask, "이영희")
    fake.callback(ADMIN, data, message_id=message_id)
    await fake.wait_text(ADMIN, "넘길 민원이 없습니다", after=mark)
    fake.callback(ADMIN, "orph:0:0", message_id=message_id)
    await fake.wait_for(lambda x: x.method == "answerCallbackQuery" and x.params.get("show_alert"), after=mark)
    fake.callback(LEE, data, message_id=message_id)  # not an admin
    await fake.wait_for(lambda x: x.method == "answerCallbackQuery" and "권한이 없습니다" in x.params.get("text", ""))


async def test_onestop_and_tax_lists_show_every_item_paged(staff, fake):
    h = staff
    TAX_OFFICER = 501
    await h.say(ADMIN, f"/grant {TAX_OFFICER} officer TAX 한세무", expect="역할을 부여했습니다")
    async with h.app.sessionmaker() as s:
        s.add(User(id=RESIDENT))
        await s.flush()
        for i in range(1, 24):  # 23 birth sub-requests for 청소행정과 (as if routed there), 2 of them 김민수's
            app = OnestopApplication(
                receipt_no=f"OS-2026-{i:05d}",
                submit_key=f"os-{i}",
                kind="birth",
                citizen_id=RESIDENT,
                dong=("자양1동", "화양동")[i % 2],
                event_date=MONDAY.date(),
                state="open",
                created_at=MONDAY - timedelta(hours=i),
            )
            app.items = [
                OnestopItem(
                    code="parental_allowance",
                    department_code="CLEAN",
                    state="pending",
                    officer_id=KIM if i <= 2 else None,
                )
            ]
            s.add(app)
        for i in range(1, 14):  # 13 등록면허세 notices: 7 to settle, 6 unpaid (2 past due)
            s.add(
                LicenseTaxNotice(
                    notice_no=f"LT-2026-{i:06d}",
                    submit_key=f"lt-{i}",
                    citizen_id=RESIDENT,
                    licence_code="karaoke",
                    licence_name="노래연습장업 <신규>",
                    request_kind="new",
                    rate_column="city_500k",
                    legal_basis="지방세법 §34",
                    body_code="POLICE",
                    business_name=f"별빛노래방 {i}호점",
                    dong="군자동",
                    state="awaiting_class" if i <= 7 else "issued",
                    amount=None if i <= 7 else 40500,
                    due_date=None if i <= 7 else (MONDAY.date() + timedelta(days=-1 if i <= 9 else 5)),
                )
            )
        await s.commit()

    listed = await h.say(KIM, "/onestop", expect="원스톱 처리함 (23건)")
    assert "23건 중 1–10 (1/3쪽)" in listed.params["text"] and "👤 김민수" in listed.params["text"]
    await h.press(KIM, "다음 ▶", expect="23건 중 11–20")
    last = await h.press(KIM, "다음 ▶", expect="23건 중 21–23")
    assert "OS-2026-00001" in last.params["text"] or "OS-2026-00023" in last.params["text"]
    await h.press(KIM, "내 담당", expect="2건 중 1–2")
    await h.press(KIM, "필터 지우기", expect="23건")
    await h.press(KIM, "동 ▾", expect="동을 고르세요")
    await h.press(KIM, "화양동", expect="12건 중 1–10")  # odd i: 1, 3 … 23
    await h.say(CHOI, "/onestop", expect="처리할 원스톱 세부 신청이 없습니다")  # 건설과 has none

    tax = await h.say(TAX_OFFICER, "/taxinbox", expect="등록면허세 처리함")
    text = tax.params["text"]
    assert "고지 목록</b> (13건)" in text and "13건 중 1–10 (1/2쪽)" in text
    assert "노래연습장업 &lt;신규&gt;" in text and "별빛노래방 1호점" in text
    await h.press(TAX_OFFICER, "다음 ▶", expect="13건 중 11–13")
    await h.press(TAX_OFFICER, "미배정", expect="7건 중 1–7")  # 종 to settle: nobody has settled it yet
    overdue = await h.press(TAX_OFFICER, "기한 경과", expect="2건 중 1–2")
    assert "LT-2026-000008" in overdue.params["text"] and "⚠️" in overdue.params["text"]
    await h.say(KIM, "/taxinbox", expect="세무과")  # not a tax officer: refused as before
