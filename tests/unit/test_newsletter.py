"""The monthly newsletter: the send-date rule, preparing an issue, fan-out exactly once, counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from workflows.models import Consent, NewResident, NewsletterIssue, OutboxMessage, User
from workflows.new_residents import newsletter as nl
from workflows import users
from workflows.business_time import BusinessCalendar
from workflows.new_residents.service import STOP_CB
from workflows.new_residents.newsletter import Draft, NewsletterError
from workflows.roles import Principal

from tests.unit.conftest import KST

EDITOR = 4242


@pytest.fixture(scope="module")
def cal():
    return BusinessCalendar.from_file()


# --- the send-date rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 12, date(2026, 12, 28)),  # 25th = 기독탄신일, a Friday -> Monday
        (2027, 4, date(2027, 4, 26)),  # 25th = a Sunday -> Monday
        (2026, 10, date(2026, 10, 26)),  # 25th = a Sunday -> Monday
        (2026, 7, date(2026, 7, 27)),  # 25th = a Saturday -> Monday
        (2026, 11, date(2026, 11, 25)),  # a Wednesday: the day itself
        (2027, 1, date(2027, 1, 25)),  # a Monday
    ],
)
def test_send_date_25th_or_next_working_day(cal, year, month, expected):
    assert nl.send_date(year, month, cal, 25) == expected


def test_holiday_names_behind_the_rule(cal):
    assert date(2026, 12, 25).weekday() == 4 and cal.holiday_name(date(2026, 12, 25)) == "기독탄신일"
    assert date(2027, 4, 25).weekday() == 6


def test_send_date_skips_a_run_of_holidays(cal):
    # 2026-09-24..26 is 추석 (Thu-Sat), then Sunday: a send day of 24 goes to Monday 28th
    assert nl.send_date(2026, 9, cal, 24) == date(2026, 9, 28)


def test_send_day_and_time_come_from_data(cal, svc, monkeypatch):
    settings = nl.cfg()
    monkeypatch.setattr(nl, "cfg", lambda: replace(settings, send_day=3, send_time=time(9, 30)))
    # 2026-10-03 개천절 (Saturday) -> Monday 5th is 대체공휴일 -> Tuesday 6th, 09:30
    assert nl.send_at(svc, 2026, 10) == datetime(2026, 10, 6, 9, 30, tzinfo=KST)


def test_issue_month_turns_over_after_the_send_time(svc):
    assert nl.issue_month(svc, datetime(2026, 11, 25, 9, 59, tzinfo=KST)) == (2026, 11)
    assert nl.issue_month(svc, datetime(2026, 11, 25, 10, 0, tzinfo=KST)) == (2026, 12)
    assert nl.issue_month(svc, datetime(2026, 12, 26, 12, 0, tzinfo=KST)) == (2026, 12)  # sent on the 28th
    assert nl.issue_month(svc, datetime(2026, 12, 28, 10, 1, tzinfo=KST)) == (2027, 1)


# --- content ----------------------------------------------------------------------------------------


def test_check_text_limits():
    assert nl.check_text("  <b>12월</b> 소식  ", has_photo=False) == "<b>12월</b> 소식"
    with pytest.raises(NewsletterError) as e:
        nl.check_text(" ", has_photo=False)
    assert e.value.code == "empty"
    with pytest.raises(NewsletterError) as e:
        nl.check_text("가" * 3501, has_photo=False)
    assert (e.value.code, e.value.values) == ("too_long", {"n": 3501, "max": 3500})
    with pytest.raises(NewsletterError) as e:
        nl.check_text("가" * 1025, has_photo=True)
    assert e.value.code == "photo_too_long"


def test_parse_links():
    got = nl.parse_links(
        "구청 누리집 | https://www.sample-gu.example\n\n[행사 안내](https://sample-gu.example/e?id=1)\nhttps://a.sample.example/x"
    )
    assert got == [
        ("구청 누리집", "https://www.sample-gu.example"),
        ("행사 안내", "https://sample-gu.example/e?id=1"),
        ("a.sample.example", "https://a.sample.example/x"),
    ]
    for bad, line, why in (
        ("구청 | ftp://x.kr", 1, "protocol"),
        ("ok | https://a.kr\njavascript:alert(1)", 2, "port"),
        ("그냥 글", 1, "host"),
        ("", 1, "host"),
    ):
        with pytest.raises(NewsletterError) as e:
            nl.parse_links(bad)
        assert e.value.code == "bad_link" and e.value.values == {"line": line, "why": why}
    with pytest.raises(NewsletterError) as e:
        nl.parse_links("\n".join(f"https://a{i}.kr" for i in range(6)))
    assert e.value.code == "too_many_links"


def test_parse_file_md_and_txt():
    md = "# 12월 샘플구 소식\n\n김장 쓰레기 배출 안내 <필독>\n\n\n\n[자세히 보기](https://www.sample-gu.example/news)\n".encode()
    d = nl.parse_file(md, "december.MD")
    assert d.text == "<b>12월 샘플구 소식</b>\n\n김장 쓰레기 배출 안내 &lt;필독&gt;"
    assert d.links == [("자세히 보기", "https://www.sample-gu.example/news")]
    txt = nl.parse_file("\ufeff# 제목 아님\r\n본문".encode("utf-8"), "a.txt")
    assert txt.text == "# 제목 아님\n본문" and txt.links == []
    assert nl.parse_file("한글 본문입니다".encode("cp949"), "win.txt").text == "한글 본문입니다"
    for data, name, code in (
        (b"x", "a.pdf", "file_type"),
        (b"x" * 70000, "a.txt", "file_size"),
        (b"\xff\xd8\xff\xe0FAKE-JPEG\x00", "a.txt", "file_encoding"),
        (b"   \n", "a.md", "empty"),
    ):
        with pytest.raises(NewsletterError) as e:
            nl.parse_file(data, name)
        assert e.value.code == code


def test_render_text_and_photo():
    method, params = nl.render("<b>소식</b>", None, [("누리집", "https://sample-gu.example")], "ko")
    assert method == "sendMessage" and params["text"] == "<b>소식</b>" and params["parse_mode"] == "HTML"
    assert params["reply_markup"]["inline_keyboard"] == [
        [{"text": "누리집", "url": "https://sample-gu.example"}],
        [{"text": "🔕 수신 거부", "callback_data": STOP_CB}],
    ]
    method, params = nl.render("사진 설명", "AgACphoto", [], "en")
    assert method == "sendPhoto" and params["photo"] == "AgACphoto" and params["caption"] == "사진 설명"
    assert "text" not in params and params["reply_markup"]["inline_keyboard"][0][0]["text"].startswith("🔕 Stop")


def test_is_editor():
    assert nl.is_editor(Principal(1, frozenset({"citizen", "officer"}), "CIVIL"))
    assert not nl.is_editor(Principal(1, frozenset({"citizen", "officer"}), "CLEAN"))
    assert nl.is_editor(Principal(1, frozenset({"citizen", "admin"})))
    assert not nl.is_editor(Principal(1))


# --- scheduling, fan-out, counts --------------------------------------------------------------------


async def subscribers(session, ids, *, inactive=(), withdrawn=()):
    for uid in ids:
        session.add(User(id=uid, language="en" if uid % 10 == 0 else "ko", is_active=uid not in inactive))
    await session.flush()
    for uid in ids:
        session.add(NewResident(user_id=uid, token=f"t{uid}", dong="자양1동", moved_in_on=date(2026, 11, 1)))
    await session.flush()
    now = datetime.now(KST)
    session.add_all(
        [
            Consent(
                user_id=uid,
                purpose="new_resident_info",
                version="t",
                granted_at=now,
                withdrawn_at=now if uid in withdrawn else None,
            )
            for uid in ids
        ]
    )
    session.add(User(id=EDITOR))
    await session.commit()


async def issue_rows(session, issue_id):
    return list(
        await session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.like(f"newsletter:{issue_id}:%")))
    )


async def test_schedule_sets_the_send_time_and_replaces_until_sent(session, svc, clock):
    await subscribers(session, [1])
    issue = await nl.schedule(session, svc, editor_id=EDITOR, draft=Draft(text="첫 안"))
    assert issue.month == "2026-11" and issue.status == "scheduled"
    assert issue.send_at == datetime(2026, 11, 25, 10, 0, tzinfo=KST)
    again = await nl.schedule(
        session, svc, editor_id=EDITOR, draft=Draft(text="고친 안", links=[("a", "https://a.kr")])
    )
    assert again.id == issue.id and again.text == "고친 안" and again.links == [["a", "https://a.kr"]]
    await session.commit()
    clock.set(2026, 11, 25, 10, 0)
    await nl.fan_out(session, svc)
    clock.set(2026, 11, 25, 9, 0)  # the editor tries to change it after it went out (same month)
    with pytest.raises(NewsletterError) as e:
        await nl.schedule(session, svc, editor_id=EDITOR, draft=Draft(text="늦은 안"))
    assert e.value.code == "already_sent"
    with pytest.raises(NewsletterError):
        await nl.schedule(session, svc, editor_id=EDITOR, draft=Draft(text="가" * 2000, photo="AgAC"))


async def test_fan_out_only_on_the_send_date_to_active_consenting_subscribers_once(session, svc, clock):
    await subscribers(session, range(1, 31), inactive={3, 4}, withdrawn={5})
    clock.set(2026, 12, 1, 9, 0)
    issue = await nl.schedule(session, svc, editor_id=EDITOR, draft=Draft(text="12월호"))
    await session.commit()
    assert issue.send_at == datetime(2026, 12, 28, 10, 0, tzinfo=KST)
    for when in ((2026, 12, 25, 10, 0), (2026, 12, 28, 9, 59)):
        clock.set(*when)
        assert await nl.fan_out(session, svc) == 0
    # a resident who moved in during the month is a subscriber by the send date
    session.add(User(id=99))
    await session.flush()
    session.add(NewResident(user_id=99, token="t99", dong="화양동", moved_in_on=date(2026, 12, 20)))
    await users.give_consent(session, 99, "new_resident_info")
    await session.commit()
    clock.set(2026, 12, 28, 10, 0)
    assert await nl.fan_out(session, svc) == 28  # 30 - 2 blocked - 1 withdrawn + 1 new
    assert await nl.fan_out(session, svc) == 0  # the run again: nothing more
    got = await issue_rows(session, issue.id)
    assert sorted(r.chat_id for r in got) == sorted(set(range(1, 31)) - {3, 4, 5} | {99})
    assert len({r.dedup_key for r in got}) == 28
    assert got[0].payload["text"] == "12월호" and STOP_CB in str(got[0].payload["reply_markup"])
    await session.refresh(issue)
    assert issue.status == "sending" and issue.recipients == 28


async def test_fan_out_killed_halfway_and_run_again_queues_each_subscriber_once(session, svc, clock, monkeypatch):
    await subscribers(session, range(1, 1001))
    clock.set(2026, 12, 1, 9, 0)
    issue_id = (await nl.schedule(session, svc, editor_id=EDITOR, draft=Draft(text="12월호"))).id
    await session.commit()
    clock.set(2026, 12, 28, 10, 0)
    real_enqueue_many, calls = nl.enqueue_many, 0

    async def dying(*a, **kw):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("killed")  # the process dies while queueing the third batch
        return await real_enqueue_many(*a, **kw)

    monkeypatch.setattr(nl, "enqueue_many", dying)
    with pytest.raises(RuntimeError):
        await nl.fan_out(session, svc, batch=250)
    await session.rollback()
    before = len(await issue_rows(session, issue_id))
    assert before == 500  # the two committed batches are kept
    assert (await session.get(NewsletterIssue, issue_id)).status == "scheduled"
    monkeypatch.setattr(nl, "enqueue_many", real_enqueue_many)
    assert await nl.fan_out(session, svc, batch=250) == 1000 - before
    got = await issue_rows(session, issue_id)
    assert len(got) == 1000 and len({r.chat_id for r in got}) == 1000


async def test_report_waits_for_delivery_then_sends_the_counts_once(session, svc, clock):
    await subscribers(session, range(1, 11))
    clock.set(2026, 12, 1, 9, 0)
    issue = await nl.schedule(session, svc, editor_id=EDITOR, draft=Draft(text="12월호"))
    await session.commit()
    clock.set(2026, 12, 28, 10, 0)
    await nl.fan_out(session, svc)
    assert await nl.report(session, svc) == 0  # all still pending
    rows = await issue_rows(session, issue.id)
    outcome = {
        1: ("failed", "Forbidden: bot was blocked by the user"),
        2: ("failed", "Bad Request: chat not found"),
        3: ("cancelled", "unsubscribed"),
    }
    for r in rows:
        status, error = outcome.get(r.chat_id, ("sent", None))
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == r.id).values(status=status, last_error=error)
        )
    await session.commit()
    clock.set(2026, 12, 28, 10, 5)
    assert await nl.report(session, svc) == 1
    assert await nl.report(session, svc) == 0
    await session.commit()
    await session.refresh(issue)
    assert (issue.status, issue.sent_count, issue.blocked_count, issue.failed_count, issue.cancelled_count) == (
        "sent",
        7,
        1,
        1,
        1,
    )
    msg = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == EDITOR))
    assert msg.dedup_key == f"nlreport:{issue.id}:{EDITOR}"
    assert "대상 10명" in msg.payload["text"] and "보냄 7 · 차단 1 · 실패 1 · 수신 거부로 취소 1" in msg.payload["text"]


async def test_blocked_subscribers_are_skipped_next_month(session, svc, clock):
    await subscribers(session, range(1, 6))
    clock.set(2026, 12, 1, 9, 0)
    await nl.schedule(session, svc, editor_id=EDITOR, draft=Draft(text="12월호"))
    await session.commit()
    clock.set(2026, 12, 28, 10, 0)
    assert await nl.fan_out(session, svc) == 5
    await session.execute(update(User).where(User.id == 2).values(is_active=False))  # the worker saw 403
    await session.commit()
    january = await nl.schedule(session, svc, editor_id=EDITOR, draft=Draft(text="1월호"))
    assert january.month == "2027-01" and january.send_at == datetime(2027, 1, 25, 10, 0, tzinfo=KST)
    await session.commit()
    clock.set(2027, 1, 25, 10, 0)
    assert await nl.fan_out(session, svc) == 4
    assert 2 not in {r.chat_id for r in await issue_rows(session, january.id)}
    assert await nl.subscriber_count(session) == 4


async def test_daily_expires_sends_and_reports(session, svc, clock):
    await subscribers(session, range(1, 4))
    await session.execute(update(NewResident).where(NewResident.user_id == 1).values(moved_in_on=date(2024, 1, 1)))
    clock.set(2026, 12, 1, 9, 0)
    await nl.schedule(session, svc, editor_id=EDITOR, draft=Draft(text="12월호"))
    await session.commit()
    clock.set(2026, 12, 28, 10, 0)
    assert await nl.daily(session, svc) == 1 + 2  # one expired, two queued
    assert await session.get(NewResident, 1) is None
    withdrawn = await session.scalar(
        select(func.count()).select_from(Consent).where(Consent.user_id == 1, Consent.withdrawn_at.is_not(None))
    )
    assert withdrawn == 1
    assert (
        nl.next_send_text(svc, "ko", datetime(2026, 12, 28, 10, 0, tzinfo=KST) + timedelta(minutes=1))
        == "2027-01-25(월) 10:00"
    )


def test_scheduler_runs_the_job_daily_at_the_send_time():
    from bot.scheduler import Duties, build_scheduler

    sched = build_scheduler(Duties(None, None, lambda: None), "Asia/Seoul")
    job = sched.get_job("newsletter")
    assert str(job.trigger) == "cron[hour='10', minute='0']"
    assert job.misfire_grace_time == 6 * 3600 and job.coalesce is True
    report = sched.get_job("newsletter_report")
    assert report.trigger.interval == timedelta(minutes=5) and report.coalesce is True


async def test_enqueue_many_skips_existing_and_repeated_keys(session):
    from workflows.outbox import Queued, enqueue, enqueue_many

    session.add(User(id=1))
    await enqueue(session, key="k1", chat_id=1, text="old")
    added = await nl.enqueue_many(
        session,
        [
            Queued("k1", 1, "again"),
            Queued("k2", 1, "new", [[("b", "cb")]]),
            Queued("k2", 1, "twice"),
            Queued("k3", 2, method="sendVenue", params={"title": "x"}),
        ],
    )
    assert added == 2 and await enqueue_many(session, []) == 0
    got = {r.dedup_key: r for r in await session.scalars(select(OutboxMessage))}
    assert got["k1"].payload["text"] == "old"
    assert got["k2"].payload == {
        "text": "new",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "b", "callback_data": "cb"}]]},
    }
    assert got["k3"].method == "sendVenue" and got["k3"].payload == {"title": "x"}
    assert session.info["outbox_added"] is True


# --- links Telegram takes in a URL button ---------------------------------------------------------

# Each passes the old check (http(s), a netloc with a dot) or fails it, against what Telegram does.
URLS = [
    "https://news.sample-gu.example:8O80/",
    "https://news.sample-gu.example:65536/x",
    "https://news.sample-gu.example:0/",
    "https://news.sample-gu.example:/",
    "https://news.sample-gu.example:8080/ok",
    "https://news.sample-gu.example:00443/",
    "https://bad host.example/",
    "https://exa%zzmple.example/",
    "https://[::1]/",
    "https://[::zz]/",
    "https://user:pw@h.example/",
    "https://h.example/<a>",
    "http://한글도메인.example/",
    "https://sample-gu/",
    "https://./",
    "https:///path",
    "news.sample-gu.example/x",
    "tg://resolve?domain=sample_gu",
    "tg://resolve:80?domain=x",
    "tg://user?id=123",
    "ton://wallet",
    "tonsite://site.ton",
    "ftp://h.example/",
    "mailto:a@b.example",
    "https://h.example?q=<b>",
    "HTTPS://H.EXAMPLE/",
    "https://h_x.example/",
    "https://h.example:443:80/",
]


@pytest.mark.parametrize("url", URLS)
def test_button_urls_are_checked_as_telegram_does(url):
    """workflows.links agrees with the Bot API's rules (tests/fakes/tg_rules.check_link, ported
    from TDLib) on every URL: a newsletter link passes exactly when Telegram takes the button."""
    from tests.fakes.tg_rules import check_link
    from workflows import links

    assert (links.button_url_problem(url) is None) == (check_link(url) is None), check_link(url)


def test_a_link_telegram_refuses_is_refused_with_the_reason():
    with pytest.raises(NewsletterError) as e:
        nl.parse_links("구청 소식 | https://news.sample-gu.example:8O80/")
    assert (e.value.code, e.value.values) == ("bad_link", {"line": 1, "why": "port"})
    assert "포트 번호는 65535 이하의 숫자" in e.value.text("ko") and "1번째 줄" in e.value.text("ko")
    assert "port after ':' must be a number up to 65535" in e.value.text("en")
    with pytest.raises(NewsletterError) as e:  # a file's link line is checked too (it used to become text)
        nl.parse_file("본문입니다\n[구청 소식](https://news.sample-gu.example:99999/)\n".encode(), "a.md")
    assert (e.value.code, e.value.values) == ("bad_link", {"line": 2, "why": "port"})
    assert nl.parse_links("https://news.sample-gu.example:8080/a") == [
        ("news.sample-gu.example", "https://news.sample-gu.example:8080/a")
    ]
