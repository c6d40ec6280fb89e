"""What the bot renders is what Telegram accepts: user text escaped (workflows/texts.escape), user text
shortened before templating (clip, t_fit), long screens sent whole across messages (pack) — each
checked against Telegram's own HTML parser and limits (tests/fakes/tg_rules.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflows.models import OutboxMessage
from tests.fakes.tg_rules import TEXT_LIMIT, TelegramRefusal, check_request, fix_text, parse_html, text_length
from tests.unit.test_complaints_service import CLEAN_1, CITIZEN, file, people, who  # noqa: F401 (fixture)
from workflows.indicators import service as indicators
from workflows.indicators import reports
from workflows.complaints import service as complaints
from workflows.texts import ELLIPSIS, MESSAGE_LIMIT, clip, escape, pack, t, t_fit, visible_len
from workflows.complaints.cards import officer_card
from workflows.complaints.common import ANSWER_MAX, DESCRIPTION_MAX

PLACE = "자양동 680-1 <대성빌딩> 뒤편"
LINK = '<a href="https://phish.sample-gu.example/">구청 환급 신청</a>'


def shown(text: str) -> str:
    """The text a person sees: Telegram parses it as HTML (TelegramRefusal if it would answer 400
    to sendMessage) and trims it."""
    check_request("sendMessage", {"chat_id": 1, "text": text, "parse_mode": "HTML"})
    plain, entities = parse_html(text)
    return fix_text(plain, entities, allow_empty=False)


# --- the helpers ------------------------------------------------------------------------------


def test_clip_cuts_plain_text_on_a_character_boundary():
    assert clip("짧은 글", 10) == "짧은 글" and clip(None, 5) == ""
    assert clip("가나다라마바사", 5) == "가나다라" + ELLIPSIS
    assert clip("ab 😀😀", 5) == "ab" + ELLIPSIS  # an emoji is 2 UTF-16 units: never half of one
    assert clip("abc", 0) == ""
    long = "가" * 5000
    assert len(clip(long, 4000)) == 4000 and clip(long, 4000).endswith(ELLIPSIS)


def test_visible_len_is_the_length_telegram_counts():
    for text in ("<b>새 민원</b> &lt;대성빌딩&gt; &amp; 뒤편", escape(PLACE + LINK), "<i>가</i>\n<code>x&amp;y</code>"):
        assert visible_len(text) == text_length(parse_html(text)[0])


def test_escape_makes_markup_typed_by_a_resident_plain_text():
    assert shown(escape(PLACE)) == PLACE
    assert shown(escape(LINK)) == LINK  # shown as typed, not a working link
    assert parse_html(escape(LINK))[1] == []
    with pytest.raises(TelegramRefusal, match="Unsupported start tag"):
        shown(PLACE)  # what the bot used to send


def test_pack_gathers_whole_blocks_within_the_limit():
    blocks = [f"<b>{i}</b> " + "가" * 900 for i in range(10)]
    messages = pack(blocks)
    assert len(messages) == 3 and all(visible_len(m) <= MESSAGE_LIMIT for m in messages)
    assert "\n".join(messages) == "\n".join(blocks)  # nothing dropped, order kept, no block split
    for m in messages:
        assert text_length(shown(m)) <= TEXT_LIMIT
    assert pack(["짧음", "", "\n\n<b>둘째</b>"], sep="") == ["짧음\n\n<b>둘째</b>"]
    assert pack(["가" * 4094, "\n\n<b>이력</b>"], sep="") == ["가" * 4094, "<b>이력</b>"]  # no leading blank line
    with pytest.raises(ValueError, match="over the 4096 limit"):
        pack(["가" * 4097])


def test_t_fit_shortens_the_user_text_to_the_room_left():
    text = t_fit(
        "ko",
        "op.reopened_in",
        "answer",
        "답" * 4000 + "<끝>",
        receipt="2026-000001",
        note=escape("의" * 1000),
        deadline="2026-12-01(화) 18:00",
    )
    assert text_length(shown(text)) <= TEXT_LIMIT and visible_len(text) == MESSAGE_LIMIT
    assert ("의" * 1000) in shown(text) and shown(text).endswith(ELLIPSIS)
    short = t_fit("ko", "op.reopened_in", "answer", "짧은 <답변>", receipt="2026-000001", note="x", deadline="d")
    assert shown(short).endswith("짧은 <답변>")


# --- the complaint's texts --------------------------------------------------------------------


async def test_an_address_with_markup_reaches_the_department_as_typed(session, svc, people):
    c = await file(session, svc, "waste", address=PLACE + " " + LINK)
    [row] = [r for r in (await session.execute(select(OutboxMessage))).scalars() if r.chat_id == CLEAN_1]
    assert f"위치: {PLACE} {LINK}" in shown(row.payload["text"])
    assert not any(e["type"] == "text_link" for e in parse_html(row.payload["text"])[1])
    card = officer_card(svc, c, "ko")
    assert f"위치: {PLACE} {LINK}" in shown(card)


async def test_a_long_history_is_sent_whole_in_several_messages(session, svc, people):
    c = await file(session, svc, "waste", text="설" * DESCRIPTION_MAX)
    clean = await who(session, CLEAN_1)
    resident = await who(session, CITIZEN)
    comments = []
    for round_ in range(3):
        await complaints.answer(session, svc, clean, c, f"{round_}차 답변 <확인> " + "답" * 3980)
        comments.append(f"{round_}차 의견 <아직> " + "의" * 985)
        await complaints.citizen_reopen(session, svc, resident, c, comments[-1])
    await complaints.answer(session, svc, clean, c, "마지막 답변 <완료> " + "끝" * 3980)
    for lang in ("ko", "en"):
        messages = complaints.detail_messages(svc, c, lang)
        assert len(messages) >= 3
        seen = "\n".join(shown(m) for m in messages)
        assert all(text_length(shown(m)) <= TEXT_LIMIT for m in messages)
        assert "설" * DESCRIPTION_MAX in seen and "마지막 답변 <완료> " + "끝" * 3980 in seen
        assert all(comment in seen for comment in comments)  # every reopen comment, whole
        assert seen.count("\n") >= len(c.events)  # one line per event


async def test_the_reopen_notice_fits_and_the_officer_can_read_it_all(session, svc, people):
    c = await file(session, svc, "waste")
    answer = "답변 <전문> " + "답" * (ANSWER_MAX - 9)
    comment = "해결되지 않았습니다 <사진 참고> " + "의" * 980
    await complaints.answer(session, svc, await who(session, CLEAN_1), c, answer)
    await complaints.citizen_reopen(session, svc, await who(session, CITIZEN), c, comment)
    [row] = [
        r
        for r in (await session.execute(select(OutboxMessage))).scalars()
        if r.dedup_key.startswith("reopen:") and r.chat_id == CLEAN_1
    ]
    notice = shown(row.payload["text"])
    assert text_length(notice) <= TEXT_LIMIT and comment in notice and answer[:1000] in notice
    view = complaints.officer_view(session, svc, await who(session, CLEAN_1), c, "ko")
    seen = "\n".join(shown(m) for m in view)
    assert answer in seen and comment in seen and c.receipt_no in shown(view[-1])


# --- the evaluators' summary ------------------------------------------------------------------


async def test_report_summary_shows_a_recurring_place_typed_with_markup(session, svc, people, clock):
    for _ in range(3):
        await file(session, svc, "waste", address=PLACE)
        clock.advance(hours=1)
    span = indicators.parse_span(f"{svc.now().astimezone(svc.tz):%Y-%m}", svc.now().astimezone(svc.tz).date())
    report = await reports.build(session, svc, span)
    for lang in ("ko", "en"):
        text = shown(reports.summary(report, svc, lang))
        assert f"{PLACE} (3" in text


def test_template_values_from_the_district_profile_are_escaped(svc):
    """An English department name with '&' is shown as written (the sample district has several)."""
    roads = svc.district.department("ROADS").name("en")
    assert "&" in roads
    assert roads in shown(t("en", "op.transferred", receipt="2026-000001", department=escape(roads)))


# --- screens that may be long: sent whole, in several messages --------------------------------


async def test_one_stop_status_with_long_requests_for_more_is_sent_whole(session, svc):
    from datetime import date

    from tests.unit.test_birth_death import DONG_OFFICER, PARENT, _file_birth
    from workflows.onestop import service as bd
    from workflows import roles
    from workflows.models import User
    from tests.unit.conftest import ADMIN_ID

    session.add(User(id=PARENT))
    await roles.grant(
        session,
        user_id=DONG_OFFICER,
        role="officer",
        department_code="DONG-JUNGGOK1",
        by=ADMIN_ID,
        departments=svc.district.departments,
    )
    await session.commit()
    officer = await roles.load_principal(session, DONG_OFFICER, frozenset())
    app, _ = await _file_birth(session, svc, bd.BirthAnswers(date(2026, 11, 2), 1, "중곡1동", False), {"KEPCO": True})
    notes = []
    for i, item in enumerate(it for it in app.items if it.department_code == "DONG-JUNGGOK1"):
        notes.append(f"{i}번 서류 <원본> " + "보" * (bd.NOTE_MAX - 12))
        await bd.request_supplement(session, svc, officer, item, notes[-1])
    assert len(notes) >= 4  # 4,000+ characters of notes: more than one message
    messages = bd.status_messages(svc, app, "ko")
    assert len(messages) >= 2 and all(text_length(shown(m)) <= TEXT_LIMIT for m in messages)
    seen = "\n".join(shown(m) for m in messages)
    assert all(note in seen for note in notes) and "출생신고 기한" in seen


def test_birth_benefit_list_and_privacy_screens_fit(svc):
    from datetime import datetime, timezone

    from handlers import privacy as privacy_screens
    from handlers.onestop import birth
    from workflows.privacy.service import ConsentLine, Deleted, Held

    data = {
        "date": "2026-11-02",
        "order": 3,
        "dong": "중곡1동",
        "reported": False,
        "recipient": True,
        "heating": "city_gas",
        "provision": {},
    }
    p = birth.plan(svc, data)
    messages = birth.benefits_messages(svc, p, data, "ko")
    seen = "\n".join(shown(m) for m in messages)
    assert all(text_length(shown(m)) <= TEXT_LIMIT for m in messages)
    assert all(it.name("ko") in seen for it in p.items)

    at = datetime(2026, 11, 23, 1, tzinfo=timezone.utc)
    many = Held(
        since=at,
        phones=[f"010-****-{n:04d}" for n in range(400)],
        consents=[ConsentLine("complaint", f"2026-{n:04d} <v>", at, at) for n in range(120)],
    )
    messages = privacy_screens.held_messages(svc, many, "ko")
    seen = "\n".join(shown(m) for m in messages)
    assert len(messages) >= 3 and all(text_length(shown(m)) <= TEXT_LIMIT for m in messages)
    assert "아래에 이어서 보냅니다" in shown(messages[0])
    assert all(f"010-****-{n:04d}" in seen for n in range(400)) and "2026-0119 <v>" in seen
    few = privacy_screens.held_messages(svc, Held(since=at, phones=["010-****-5678"]), "ko")
    assert len(few) == 1 and "010-****-5678" in shown(few[0])
    gone = Deleted(withdrawn=[f"2026-{n:06d}" for n in range(500)], tax_kept=["LT-2026-0001"])
    messages = privacy_screens.deleted_messages(gone, "ko")
    seen = "\n".join(shown(m) for m in messages)
    assert all(f"2026-{n:06d}" in seen for n in range(500)) and "LT-2026-0001" in seen
