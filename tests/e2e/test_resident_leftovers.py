"""Issue 15, what was left: English 동 names in /licensetax, /foodalert and /opinion; one-stop and
tax cards in department group chats carry nothing personal (a private deep link opens the item);
a photo with a caption at the complaint form's location or phone step keeps both; an edited
message is handled the same way in every form."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import FoodOperator, LicenseTaxNotice, OpinionSubscription
from tests.e2e.english import check, proper_names
from tests.e2e.harness import ADMIN, BotHarness
from workflows import license_tax as lt
from workflows.district import DEFAULT_PATH

EN = 500


def fast(h):
    h.app.worker.private_interval = h.app.worker.group_interval = 0.02
    return h


async def say_en(h, user, text, expect):
    return await h.say(user, text, expect=expect, language_code="en")


def labels(call) -> list[str]:
    return [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


# --- 1. English 동 names ---------------------------------------------------------------------------

async def test_food_alert_registration_shows_english_dong_names(harness, fake):
    h = fast(harness)
    start = fake.mark()
    await say_en(h, EN, "/foodalert", "Food-poisoning")
    await h.press(EN, "Register my business", expect="business name")
    await say_en(h, EN, "Han River Diner", "type of business")
    ask = await h.press(EN, "Korean", expect="Choose the dong your business is in")
    assert "Jayang 1-dong (자양1동)" in labels(ask) and "자양1동" not in labels(ask)
    confirm = await h.press(EN, "Jayang 1-dong", expect="Please check")
    assert "Dong: Jayang 1-dong (자양1동)" in confirm.params["text"]
    await h.press(EN, "Start alerts", expect="Registered")
    assert (await h.one(FoodOperator, user_id=EN)).dong == "자양1동"  # stored as the district knows it
    status = await say_en(h, EN, "/foodalert", "registered")
    assert "Dong: Jayang 1-dong (자양1동)" in status.params["text"]
    # changing the 동 later: the same English buttons
    change = await h.press(EN, "dong", expect="Choose the dong your business is in")
    assert "Hwayang-dong (화양동)" in labels(change)
    await fake.wait_idle()
    assert not check(fake.requests[start:], proper_names(h.app.svc.district)), \
        check(fake.requests[start:], proper_names(h.app.svc.district))


async def test_opinion_day_dong_buttons_and_home_in_english(harness, fake):
    h = fast(harness)
    await say_en(h, EN, "/opinion", "Opinion")
    ask = await h.press(EN, "Agree and subscribe", expect="Choose your dong")
    assert "Guui 2-dong (구의2동)" in labels(ask) and "구의2동" not in labels(ask)
    await h.press(EN, "Guui 2-dong", expect="Saved your dong: Guui 2-dong (구의2동).")
    assert (await h.one(OpinionSubscription, user_id=EN)).dong == "구의2동"
    home = await say_en(h, EN, "/opinion", "Opinion")
    assert "Guui 2-dong (구의2동)" in home.params["text"]


async def test_license_tax_dong_buttons_summary_and_notice_in_english(harness, fake):
    h = fast(harness)
    await say_en(h, EN, "/licensetax", "how we use your data")
    await h.press(EN, "Agree and continue", expect="Which licence")
    await say_en(h, EN, "karaoke", "matching")
    await h.press(EN, "karaoke room business", expect="What are you applying for")
    await h.press(EN, "a new licence", expect="body that grants the licence")
    await h.press(EN, "Gwangjin Police Station", expect="business name")
    ask = await say_en(h, EN, "Song World", "Pick the dong of the business")
    assert "Hwayang-dong (화양동)" in labels(ask) and "화양동" not in labels(ask)
    await h.press(EN, "Hwayang-dong", expect="taxpayer's name")
    await h.press(EN, "Skip", expect="licence certificate")
    issue = lt.local_today(h.app.svc) + timedelta(days=10)
    summary = await say_en(h, EN, issue.isoformat(), "Please check")
    assert "Place: Hwayang-dong (화양동)" in summary.params["text"]
    await h.press(EN, "Get the notice", expect="Request received")
    n = await h.one(LicenseTaxNotice, citizen_id=EN)
    assert n.dong == "화양동"
    # the texts made from the stored notice later name the 동 in English too (Korean stays Korean)
    svc = h.app.svc
    assert "Hwayang-dong (화양동)" in lt.verify_text(svc, n, "en")
    assert "Hwayang" not in lt.verify_text(svc, n, "ko") and "화양동" in lt.verify_text(svc, n, "ko")
