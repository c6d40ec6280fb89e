"""What staff and group chats see of what a resident typed (issue 15 §1): a department's group chat
gets only what the whole group may see and a link to open the case in private; officers see phone
numbers typed into free text masked, while the resident's own view keeps them."""

from __future__ import annotations

import dataclasses

import pytest

from tests.unit.test_complaints_service import (
    CITIZEN,
    GROUP,
    ROADS_1,
    file,
    outbox,
    people,  # noqa: F401 - a fixture, used by name
    who,
    with_group_chat,
)
from workflows import roles
from workflows.complaints import service as complaints
from workflows.links import private_chat
from workflows.opinion_days.analysis import Opinion, analyse
from workflows.opinion_days.service import DATA_PATH

TEXT = "집 앞 가로등이 꺼졌어요. 홍길동 010-2222-3333 으로 연락 주세요."
ADDRESS = "자양1동 12-3 김철수 씨 댁 앞 (010-4444-5555)"
PERSONAL = ("가로등이 꺼졌어요", "홍길동", "김철수", "12-3", "2222", "3333", "4444", "5555", "6666", "7777")


def named(svc, username: str = "minwon_bot"):
    return dataclasses.replace(with_group_chat(svc, "ROADS"), bot_username=username)


def keyboard(row) -> list[list[dict]]:
    return row.payload.get("reply_markup", {}).get("inline_keyboard", [])


async def test_a_group_card_holds_nothing_the_resident_wrote_and_opens_in_private(session, svc, people):
    g = named(svc)
    c = await file(session, g, "road", text=TEXT, address=ADDRESS, phone_enc=svc.cipher.encrypt("010-6666-7777"))
    rows = {r.chat_id: r for r in await outbox(session, f"new:{c.id}:")}
    group = rows[GROUP].payload["text"]
    assert "새 민원 2026-000001" in group and "도로·보도·가로등" in group and "자양1동" in group
    assert "2026-12-01(화) 18:00" in group and "접수" in group
    assert [p for p in PERSONAL if p in group] == []
    assert keyboard(rows[GROUP]) == [
        [{"text": "🔒 1:1 대화에서 열기", "url": "https://t.me/minwon_bot?start=case_2026-000001"}]
    ]
    # the officers' own copies keep the work buttons, with the phones typed in the text masked
    officer = rows[ROADS_1].payload["text"]
    assert "홍길동 010-****-3333" in officer and "(010-****-5555)" in officer and "6666" not in officer
    assert all("callback_data" in b for line in keyboard(rows[ROADS_1]) for b in line)

    # reopened with a comment: the group gets the same kind of card
    p = await who(session, ROADS_1)
    await complaints.answer(session, g, p, c, "가로등 안정기를 교체했습니다. 확인 부탁드립니다.")
    me = roles.Principal(user_id=CITIZEN)
    await complaints.citizen_reopen(session, g, me, c, "아직 깜빡거려요. 010-8888-9999 로 전화 주세요.")
    await session.commit()
    reopen = {r.chat_id: r for r in await outbox(session, f"reopen:{c.id}:")}
    assert "재처리 요청 2026-000001" in reopen[GROUP].payload["text"]
    assert not any(p in reopen[GROUP].payload["text"] for p in (*PERSONAL, "깜빡", "8888", "9999"))
    assert "010-****-9999" in reopen[ROADS_1].payload["text"] and "8888" not in reopen[ROADS_1].payload["text"]
    assert keyboard(reopen[GROUP])[0][0]["url"].endswith("start=case_2026-000001")


async def test_without_the_bot_username_a_group_card_has_no_button(session, svc, people):
    c = await file(session, named(svc, ""), "road", text=TEXT)
    [group] = [r for r in await outbox(session, f"new:{c.id}:") if r.chat_id == GROUP]
    assert "reply_markup" not in group.payload and "홍길동" not in group.payload["text"]


async def test_officers_see_typed_phones_masked_and_the_resident_sees_them_whole(session, svc, people):
    c = await file(session, svc, "road", text=TEXT, address=ADDRESS)
    p = await who(session, ROADS_1)
    await complaints.answer(session, svc, p, c, "가로등 안정기를 교체했습니다. 확인 부탁드립니다.")
    await complaints.citizen_reopen(session, svc, roles.Principal(user_id=CITIZEN), c, "아직 깜빡거려요. 010 8888 9999")
    staff = " ".join(complaints.officer_view(session, svc, p, c, "ko"))
    assert "010-****-3333" in staff and "010-****-5555" in staff and "010-****-9999" in staff
    assert not any(n in staff for n in ("2222", "4444", "8888"))
    own = " ".join(complaints.detail_messages(svc, c, "ko"))
    assert "010-2222-3333" in own and "010 8888 9999" in own


def test_opinions_quoted_in_the_analysis_have_their_phones_masked():
    import json

    from workflows.opinion_days.analysis import Rules

    rules = Rules.from_json(json.loads(DATA_PATH.read_text(encoding="utf-8"))["analysis"])
    texts = [f"골목 주차 문제 해결해 주세요. 주차 단속 부탁드립니다 010-1234-56{i:02d}" for i in range(6)]
    result = analyse([Opinion(i + 1, 1000 + i, x) for i, x in enumerate(texts)], rules=rules)
    examples = [e for theme in result.themes for e in theme.examples]
    assert examples and all("010-****-56" in e and "1234" not in e for e in examples)


def test_private_chat_links():
    assert private_chat("minwon_bot") == "https://t.me/minwon_bot"
    assert private_chat("minwon_bot", "case_2026-000123") == "https://t.me/minwon_bot?start=case_2026-000123"
    assert private_chat("", "status") is None
    with pytest.raises(ValueError):
        private_chat("minwon_bot", "no spaces or 한글")
