"""/birth, /death and one-stop /status in English (issue 15 §4): every message and button a family
reads is English — 동 names, places, legal bases, consent screens —, Hangul only as the Korean form
of a name given in English ("Junggok 1-dong (중곡1동)"); the birth benefit list comes in readable
parts; a body's phone is one a resident can dial, or the screen says it is not published."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.english import check, proper_names
from workflows.onestop import service as bd
from workflows.texts import visible_len

PARENT, REPORTER = 400, 401


def fast(h):
    h.app.worker.private_interval = h.app.worker.group_interval = 0.02
    return h


async def say(h, user, text, expect):
    return await h.say(user, text, expect=expect, language_code="en")


async def test_birth_in_english(harness, fake):
    h = fast(harness)
    start = fake.mark()
    today = bd.local_today(h.app.svc)
    await say(h, PARENT, "/birth", "Birth one-stop")
    await h.press(PARENT, "I agree", expect="When was the child born")
    await say(h, PARENT, (today - timedelta(days=10)).isoformat(), "Which child is this")
    await h.press(PARENT, "third or later", expect="Which neighbourhood (dong) does the family live in")
    await h.press(PARENT, "Junggok 1-dong", expect="Is the birth already registered")
    await h.press(PARENT, "Not yet", expect="basic livelihood")
    await h.press(PARENT, "Yes", expect="How is your home heated")
    mark = fake.mark()
    last = await h.press(PARENT, "City gas", expect="Expected first-year total")
    parts = [c for c in fake.requests[mark:] if c in fake.sent(PARENT, "sendMessage")]
    # the list in readable parts: the community centre's, the health centre's, other bodies', totals
    assert len(parts) >= 4 and parts[-1] is last
    heads = [
        next((i for i, c in enumerate(parts) if head in c.params["text"]), None)
        for head in (
            "Support you can apply for",
            "Handled by the community centre",
            "Handled by the public health centre",
            "Discounts from other bodies",
            "Expected first-year total",
        )
    ]
    assert heads[0] == heads[1] == 0 and heads[1] < heads[2] < heads[3] < heads[4] == len(parts) - 1  # a part each
    assert all(visible_len(c.params["text"]) <= 1500 for c in parts)  # was one message of 2,500 characters
    assert ["reply_markup" in c.params for c in parts] == [False] * (len(parts) - 1) + [True]  # buttons under the last
    text = "\n".join(c.params["text"] for c in parts)
    assert "born " in text and "Junggok 1-dong (중곡1동)" in text
    assert "Basis: Child Allowance Act art. 4⑤, Enforcement Decree art. 2①" in text  # legal lines in English
    # the §17 screens: KEPCO's number is its own short number, said as such; no number is said plainly
    kepco = await h.press(PARENT, "Next: consent per outside body", expect="Korea Electric Power Corporation")
    assert "☎ 123 (no area code)" in kepco.params["text"] and "to be confirmed" not in kepco.params["text"]
    assert "is not yet known to us" in kepco.params["text"]
    gas = await h.press(PARENT, "I agree to this provision", expect="the local city-gas supplier")
    assert (
        "We cannot give this body's own number yet; the district office (☎ 02-450-1114) can help." in gas.params["text"]
    )
    await h.press(PARENT, "I agree to this provision", expect="A phone number the bodies can call you on")
    await h.press(PARENT, "Skip", expect="Please review")
    await h.press(PARENT, "Apply", expect="Your application is filed")
    await fake.wait_text(PARENT, "in progress")
    await say(h, PARENT, "/status", "birth one-stop")
    calls = [c for c in fake.requests[start:] if c in fake.sent(PARENT)]
    assert check(calls, proper_names(h.app.svc.district)) == []


async def test_death_in_english(harness, fake):
    h = fast(harness)
    start = fake.mark()
    died = bd.local_today(h.app.svc) - timedelta(days=3)
    await say(h, REPORTER, "/death", "deeply sorry for your loss")
    await h.press(REPORTER, "I agree", expect="On what day did they pass away")
    await say(h, REPORTER, died.isoformat(), "What is your relationship to the deceased")
    await h.press(
        REPORTER, "a relative who lived with the deceased", expect="Which neighbourhood (dong) did the deceased live in"
    )
    await h.press(REPORTER, "Neung-dong", expect="Has the death been reported")
    await h.press(REPORTER, "Not yet", expect="address abroad")
    nps = await h.press(REPORTER, "Yes, an heir lives abroad", expect="(1/4)")
    assert "☎ 1355 (no area code)" in nps.params["text"]
    for n in (2, 3, 4):
        await h.press(REPORTER, "I agree to this provision", expect=f"({n}/4)")
    await h.press(REPORTER, "I agree to this provision", expect="A phone number the bodies can call you on")
    await h.press(REPORTER, "Skip", expect="remind you here before the deadlines")
    review = await h.press(REPORTER, "Yes, remind me", expect="Please review")
    assert "Neighbourhood: Neung-dong (능동)" in review.params["text"]
    await h.press(REPORTER, "Please tell them", expect="Received")
    checklist = (await fake.wait_text(REPORTER, "What to do, and by when")).params["text"]
    assert "Basis: Inheritance and Gift Tax Act art. 67④" in checklist and "Civil Act art. 1019①" in checklist
    await say(h, REPORTER, "/status", "death one-stop")
    calls = [c for c in fake.requests[start:] if c in fake.sent(REPORTER)]
    assert check(calls, proper_names(h.app.svc.district)) == []
