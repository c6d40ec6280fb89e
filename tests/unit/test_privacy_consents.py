"""/privacy → 내 정보 보기 lists every consent the resident gave, the one-stop ones included: the §15
collection consent of each birth or death application and each §17 answer to an outside body
(한전, 국민연금, 금감원, 차량등록사업소 …), with when and what for (issue 15 §1)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from workflows.models import OnestopApplication, OnestopItem, User
from handlers.privacy import held_messages
from workflows import users
from workflows.privacy import service as privacy

ME = 1001


def app(receipt: str, kind: str, consents: dict, items: list[tuple[str, str | None]], **kw) -> OnestopApplication:
    return OnestopApplication(
        receipt_no=receipt,
        submit_key=receipt,
        kind=kind,
        citizen_id=ME,
        dong="화양동",
        event_date=date(2026, 11, 10),
        facts={},
        consents=consents,
        state="open",
        items=[
            OnestopItem(
                code=code,
                agency_code=agency,
                state="pending",
                updated_at=datetime(2026, 11, 20, 1, tzinfo=timezone.utc),
            )
            for code, agency in items
        ],
        **kw,
    )


async def test_see_my_data_lists_the_one_stop_consents_with_time_and_purpose(session, svc):
    session.add(User(id=ME))
    await session.flush()
    await users.give_consent(session, ME)
    at = svc.now()
    birth = app(
        "2026-900001",
        "birth",
        {
            "version": "onestop-v1",
            "collection": (at - timedelta(minutes=5)).isoformat(),
            "provision": {
                "KEPCO": {"granted": True, "at": at.isoformat()},
                "CITYGAS": {"granted": False, "at": (at + timedelta(minutes=1)).isoformat()},
            },
        },
        [("parental_allowance", None), ("birth_household_electricity", "KEPCO"), ("multi_child_city_gas", "CITYGAS")],
        created_at=at,
    )
    death = app(
        "2026-900002",
        "death",
        {
            "version": "onestop-v1",
            "collection": (at + timedelta(days=1)).isoformat(),
            "provision": {
                code: {"granted": True, "at": (at + timedelta(days=1, minutes=2)).isoformat()}
                for code in ("NPS", "FSS", "VEHICLE")
            },
        },
        [("NPS", "NPS"), ("FSS", "FSS"), ("VEHICLE", "VEHICLE")],
        created_at=at,
    )
    session.add_all([birth, death])
    await session.flush()

    h = await privacy.what_is_held(session, svc, ME)
    assert [(c.receipt, [(p.body, p.granted) for p in c.provisions]) for c in h.onestop_consents] == [
        ("2026-900001", [("KEPCO", True), ("CITYGAS", False)]),
        ("2026-900002", [("NPS", True), ("FSS", True), ("VEHICLE", True)]),
    ]

    text = "\n".join(held_messages(svc, h, "ko"))
    consents = text.split("<b>동의 내역</b>")[1]
    assert "민원 접수·처리" in consents  # the complaint consent is still there
    assert "출생 원스톱 2026-900001 — 개인정보 수집·이용 (개인정보 보호법 제15조" in consents
    assert "사망 원스톱 2026-900002 — 개인정보 수집·이용" in consents
    assert (
        "한국전력공사에 제공 (제17조) — 목적: 출산가구 전기요금 감면 신청·적용 — " + svc.fmt(at, "ko") + " 동의"
        in consents
    )
    assert "관할 도시가스 공급사에 제공 (제17조)" in consents and "동의하지 않음 (제공하지 않음)" in consents
    for body, purpose in (
        ("국민연금공단", "연금 지급 정지"),
        ("금융감독원 (안심상속)", "안심상속"),
        ("차량등록사업소", "상속 이전등록"),
    ):
        line = next(x for x in consents.splitlines() if f"{body}에 제공" in x)
        assert purpose in line and svc.fmt(at + timedelta(days=1, minutes=2), "ko") in line
    en = "\n".join(held_messages(svc, h, "en"))
    assert "provision to Korea Electric Power Corporation (KEPCO) (art. 17)" in en
    assert "refused (nothing passed on)" in en


async def test_another_residents_one_stop_consents_are_not_listed(session, svc):
    session.add_all([User(id=ME), User(id=ME + 1)])
    await session.flush()
    other = app(
        "2026-900003",
        "birth",
        {
            "version": "v",
            "collection": svc.now().isoformat(),
            "provision": {"KEPCO": {"granted": True, "at": svc.now().isoformat()}},
        },
        [("birth_household_electricity", "KEPCO")],
        created_at=svc.now(),
    )
    other.citizen_id = ME + 1
    session.add(other)
    await session.flush()
    h = await privacy.what_is_held(session, svc, ME)
    assert h.onestop_consents == [] and "2026-900003" not in "\n".join(held_messages(svc, h, "ko"))
