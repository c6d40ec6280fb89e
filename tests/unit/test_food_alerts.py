"""Food-poisoning alerts (workflows/food_alerts/service.py, food_import.py): grade mapping, threshold, season,
registration, de-duplication of alerts, the failed-fetch rule, outbreak notices, the CSV import."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from workflows.models import (
    Consent,
    FoodAlertRun,
    FoodForecast,
    FoodNotice,
    FoodOperator,
    Invite,
    OutboxMessage,
    RoleGrant,
    User,
)
from bot.scheduler import Duties
from workflows.food_alerts import service as fa
from workflows import roles
from workflows.food_alerts import food_import
from workflows.food_alerts.nhis_forecast import ForecastError, ForecastRow
from workflows.roles import OFFICER, OPERATOR

CFG = fa.config()
DAY = date(2026, 7, 1)
HYGIENE_OFFICER = 700


# --- helpers ---------------------------------------------------------------------------------


def row(risk: int, day: date = DAY, low: str = "11215", guidance: str = "주의 <요망>") -> ForecastRow:
    return ForecastRow(day=day, zn_cd="11", lowrnk_zn_cd=low, risk=risk, cnt=100, guidance=guidance)


async def add_operators(
    session, n: int, *, start: int = 5000, dong: str = "자양1동", btype: str = "korean", lang: str = "ko"
) -> list[int]:
    ids = list(range(start, start + n))
    session.add_all(User(id=i, language=lang) for i in ids)
    await session.flush()
    session.add_all(
        FoodOperator(user_id=i, business_name=f"식당{i}", business_type=btype, dong=dong, status=fa.ACTIVE) for i in ids
    )
    await session.commit()
    return ids


async def outbox(session, prefix: str = "food:") -> list[OutboxMessage]:
    return list(
        await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(prefix)).order_by(OutboxMessage.id)
        )
    )


def nhis(*answers):
    """An httpx.MockTransport answering with NHIS JSON rows (or an error body) in turn."""
    calls = []

    def handler(request):
        calls.append(request)
        answer = answers[min(len(calls), len(answers)) - 1]
        if isinstance(answer, bytes):
            return httpx.Response(200, content=answer)
        items = [
            {
                "dissCd": "3",
                "dt": f"{d:%Y%m%d}",
                "znCd": "11",
                "lowrnkZnCd": low,
                "cnt": 10,
                "risk": r,
                "dissRiskXpln": "식중독 발생 가능성 안내",
            }
            for d, low, r in answer
        ]
        return httpx.Response(
            200,
            json={
                "response": {"header": {"resultCode": "00", "resultMsg": "NORMAL_SERVICE"}, "body": {"items": items}}
            },
        )

    return httpx.MockTransport(handler), calls


KEY_ERROR = (
    b"<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg><returnAuthMsg>"
    b"SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg><returnReasonCode>30</returnReasonCode>"
    b"</cmmMsgHeader></OpenAPI_ServiceResponse>"
)


@pytest.fixture
def summer(svc, clock):
    clock.set(2026, 7, 1, 6, 30)
    svc.nhis_service_key = "k"
    return svc


@pytest.fixture
def duties(db_sessionmaker, svc, caplog):
    """The real Duties.run; it logs a failing duty instead of raising, so the test checks the log."""
    yield Duties(db_sessionmaker, svc, lambda: None)
    failed = [r for r in caplog.get_records("call") if r.name == "bot.scheduler" and r.levelno >= logging.ERROR]
    assert not failed, [r.getMessage() for r in failed]


# --- grades, threshold, season ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("risk", "ko", "en"),
    [
        (1, "관심", "Attention"),
        (2, "주의", "Caution"),
        (3, "경고", "Warning"),
        (4, "위험", "Danger"),
        ("3", "경고", "Warning"),
    ],
)
def test_grade_mapping(risk, ko, en):
    g = fa.grade(CFG, risk)
    assert (g.name("ko"), g.name("en")) == (ko, en)
    assert g.checklist("ko") and len(g.checklist("ko")) == len(g.checklist("en"))


@pytest.mark.parametrize("risk", [0, 5, -1, None, "high"])
def test_unknown_risk_codes_are_refused(risk):
    with pytest.raises(ValueError):
        fa.grade(CFG, risk)


def test_threshold_default_is_caution_and_configurable():
    assert CFG.threshold == 2
    assert [fa.at_or_above_threshold(CFG, r) for r in (1, 2, 3, 4)] == [False, True, True, True]
    strict = replace(CFG, threshold=3)
    assert [fa.at_or_above_threshold(strict, r) for r in (1, 2, 3, 4)] == [False, False, True, True]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), True),
        (date(2026, 7, 15), True),
        (date(2026, 9, 30), True),
        (date(2026, 10, 1), False),
        (date(2027, 1, 10), False),
    ],
)
def test_season_is_may_to_september_by_default(day, expected):
    assert fa.in_season(CFG, day) is expected


def test_season_is_configurable_and_labelled():
    assert (fa.season_label(CFG, "ko"), fa.season_label(CFG, "en")) == ("5~9월", "May–September")
    odd = replace(CFG, season_months=frozenset({4, 6}))
    assert fa.in_season(odd, date(2026, 4, 2)) and not fa.in_season(odd, date(2026, 5, 2))
    assert (fa.season_label(odd, "ko"), fa.season_label(odd, "en")) == ("4월, 6월", "April, June")


def test_data_file_has_sources_and_rejects_bad_values(tmp_path):
    raw = json.loads(fa.DEFAULT_PATH.read_text(encoding="utf-8"))
    assert raw["source"] and raw["updated"] and raw["nhis"]["lowrnkZnCd_is_sample"] is True
    for section in ("nhis", "season", "threshold", "grades", "business_types", "licence_export"):
        assert raw[section]["_source"], section
    assert (CFG.zn_cd, len(CFG.lowrnk_zn_cd)) == ("11", 5)
    raw["threshold"]["risk"] = 5
    (bad := tmp_path / "bad.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError):
        fa.load_config(bad)


def test_pick_today_prefers_the_district_then_the_city_and_never_another_day():
    rows = [row(3, low="0"), row(2), row(4, day=DAY + timedelta(days=1)), row(1, low="11110")]
    assert fa.pick_today(CFG, rows, DAY).risk == 2
    assert fa.pick_today(CFG, [row(3, low="0"), row(1, low="11110")], DAY).risk == 3
    assert fa.pick_today(CFG, [row(2, day=DAY - timedelta(days=1))], DAY) is None


# --- registration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "error"), [("", "short"), ("가", "short"), ("가" * 61, "long"), ("900101-1234567", "rrn")]
)
def test_business_name_validation(text, error):
    with pytest.raises(ValueError, match=error):
        fa.validate_name(text)
    assert fa.validate_name("  한강   식당 ") == "한강 식당"


async def test_register_change_and_stop(session, svc):
    op = await fa.register(session, svc, user_id=42, name="한강식당", business_type="korean", dong="자양1동")
    await session.commit()
    assert (op.status, op.user_id) == (fa.ACTIVE, 42)
    p = await roles.load_principal(session, 42, frozenset())
    assert OPERATOR in p.roles
    assert await session.scalar(select(Consent).where(Consent.user_id == 42, Consent.purpose == fa.CONSENT_PURPOSE))
    again = await fa.register(session, svc, user_id=42, name="한강식당 본점", business_type="chinese", dong="화양동")
    assert again.id == op.id and again.business_type == "chinese"
    await fa.change(session, svc, op, dong="광장동")
    with pytest.raises(ValueError):
        await fa.change(session, svc, op, dong="없는동")
    with pytest.raises(ValueError):
        await fa.register(session, svc, user_id=43, name="가게", business_type="sushi", dong=None)
    await session.commit()
    assert await fa.stop(session, 42) is True
    await session.commit()
    assert await fa.get_operator(session, 42) is None
    assert OPERATOR not in (await roles.load_principal(session, 42, frozenset())).roles
    assert await fa.stop(session, 42) is False


# --- alerts and de-duplication ------------------------------------------------------------------


async def test_one_alert_per_operator_per_day_per_grade(session, summer):
    ids = await add_operators(session, 5)
    assert await fa.alert_operators(session, summer, row(2)) == 5
    await session.commit()
    assert await fa.alert_operators(session, summer, row(2)) == 0  # the job running twice
    assert await fa.alert_operators(session, summer, row(3)) == 5  # a change of grade: an update
    await session.commit()
    assert await fa.alert_operators(session, summer, row(2)) == 0  # back to a grade already sent
    await session.commit()
    msgs = await outbox(session)
    assert len(msgs) == 10 and {m.chat_id for m in msgs} == set(ids)
    first, update = msgs[0].payload["text"], msgs[5].payload["text"]
    assert "오늘의 식중독 예측: 주의" in first and "주의 &lt;요망&gt;" in first and "손 씻기" in first
    assert "주의 → 경고" in update and "지하수" in update
    runs = list(await session.scalars(select(FoodAlertRun).order_by(FoodAlertRun.id)))
    assert [(r.risk, r.previous_risk) for r in runs] == [(2, None), (3, 2)]
    # the next day starts afresh
    assert await fa.alert_operators(session, summer, row(2, day=DAY + timedelta(days=1))) == 5


async def test_fanout_commits_in_batches_so_the_worker_starts_early(session, summer, monkeypatch):
    ids = await add_operators(session, 5)
    commits, real_commit = [], session.commit

    async def counted():
        commits.append(len(await outbox(session)))
        await real_commit()

    monkeypatch.setattr(session, "commit", counted)
    assert await fa.alert_operators(session, summer, row(2), commit_every=2) == 5
    assert commits == [2, 4, 5]  # the worker could send the first rows while the rest were queued
    assert await fa.alert_operators(session, summer, row(2), commit_every=2) == 0
    assert sorted(m.chat_id for m in await outbox(session)) == ids


async def test_below_threshold_sends_nothing_unless_it_lowers_an_alert(session, summer):
    await add_operators(session, 3)
    assert await fa.alert_operators(session, summer, row(1)) == 0
    assert await fa.alert_operators(session, summer, row(3)) == 3
    assert await fa.alert_operators(session, summer, row(1)) == 3  # lowered the same day: told
    texts = [m.payload["text"] for m in await outbox(session)]
    assert "경고 → 관심" in texts[-1]


async def test_operators_added_later_get_the_days_grade_once(session, summer):
    await add_operators(session, 2)
    assert await fa.alert_operators(session, summer, row(2)) == 2
    await add_operators(session, 1, start=9000)
    assert await fa.alert_operators(session, summer, row(2)) == 1
    assert await fa.alert_operators(session, summer, row(2)) == 0


async def test_blocked_and_invited_operators_get_nothing_and_english_speakers_english(session, summer):
    ids = await add_operators(session, 2)
    en = await add_operators(session, 1, start=8000, lang="en")
    (await session.get(User, ids[0])).is_active = False
    session.add(
        FoodOperator(business_name="초대만", business_type="korean", status=fa.INVITED, invite_token="tok-unused")
    )
    await session.commit()
    assert await fa.alert_operators(session, summer, row(4)) == 2
    msgs = {m.chat_id: m.payload["text"] for m in await outbox(session)}
    assert set(msgs) == {ids[1], en[0]} and "Danger" in msgs[en[0]]


# --- the morning run --------------------------------------------------------------------------


async def test_morning_fetches_stores_and_alerts_once(session, summer, duties):
    ids = await add_operators(session, 4)
    summer.http_transport, calls = nhis(
        [(DAY, "11215", 3), (DAY, "0", 2), (DAY, "11110", 4), (DAY + timedelta(days=1), "11215", 2)]
    )
    assert await fa.morning(summer, duties.run) == "alerted"
    assert await fa.morning(summer, duties.run) == "alerted"
    assert len(calls) == 2 and calls[0].url.params["znCd"] == "11"
    stored = list(await session.scalars(select(FoodForecast).order_by(FoodForecast.id)))
    assert {(f.day, f.lowrnk_zn_cd, f.risk) for f in stored} == {
        (DAY, "11215", 3),
        (DAY, "0", 2),
        (DAY + timedelta(days=1), "11215", 2),
    }  # not 11110
    assert all(f.fetched_at == summer.now() for f in stored)
    assert (await fa.todays_forecast(session, summer)).risk == 3
    assert sorted(m.chat_id for m in await outbox(session)) == ids


async def test_morning_off_season_or_without_a_key_does_nothing(session, svc, clock, duties, caplog):
    transport, calls = nhis([(DAY, "11215", 4)])
    svc.http_transport, svc.nhis_service_key = transport, "k"
    clock.set(2026, 11, 2, 6, 30)
    assert await fa.morning(svc, duties.run) == "off_season"
    clock.set(2026, 7, 1, 6, 30)
    svc.nhis_service_key = None
    with caplog.at_level(logging.WARNING):
        assert await fa.morning(svc, duties.run) == "disabled"
    assert "NHIS_SERVICE_KEY is not set" in caplog.text
    assert calls == []


async def test_failed_fetch_retries_until_0730_then_tells_hygiene_once(session, summer, clock, duties):
    await add_operators(session, 3)
    await roles.grant(
        session,
        user_id=HYGIENE_OFFICER,
        role=OFFICER,
        department_code="HYGIENE",
        by=1,
        departments=summer.district.departments,
    )
    await session.commit()
    summer.http_transport, calls = nhis(KEY_ERROR)
    slept = []

    async def sleep(seconds):
        slept.append(seconds)
        clock.advance(seconds=seconds)

    assert await fa.morning(summer, duties.run, sleep=sleep) == "failed"
    assert slept == [600.0] * 6 and len(calls) == 7  # 06:30, 06:40 … 07:30
    msgs = await outbox(session)
    assert [m.chat_id for m in msgs] == [HYGIENE_OFFICER]
    assert "07:30" in msgs[0].payload["text"] and "30 SERVICE_KEY_IS_NOT_REGISTERED_ERROR" in msgs[0].payload["text"]
    await session.commit()  # end this reader's transaction before the next run writes
    clock.set(2026, 7, 1, 12, 30)  # the re-check fails too: not told twice, operators still nothing
    assert await fa.morning(summer, duties.run, sleep=sleep) == "failed"
    assert len(await outbox(session)) == 1


async def test_stale_rows_are_not_sent_as_today(session, summer, clock, duties):
    await add_operators(session, 2)
    summer.http_transport, _ = nhis([(DAY - timedelta(days=1), "11215", 4)])  # only yesterday's row
    clock.set(2026, 7, 1, 7, 45)
    assert await fa.morning(summer, duties.run) == "failed"
    assert await outbox(session) == []
    # yesterday's fetch of today's row is not today's forecast either
    await fa.store_forecast(session, CFG, [row(3)], fetched_at=summer.now() - timedelta(days=1))
    await session.commit()
    assert await fa.todays_forecast(session, summer) is None


async def test_a_recheck_that_fails_after_a_good_morning_tells_nobody(session, summer, clock, duties):
    await add_operators(session, 2)
    await roles.grant(
        session,
        user_id=HYGIENE_OFFICER,
        role=OFFICER,
        department_code="HYGIENE",
        by=1,
        departments=summer.district.departments,
    )
    await session.commit()
    summer.http_transport, _ = nhis([(DAY, "11215", 2)], KEY_ERROR)
    assert await fa.morning(summer, duties.run) == "alerted"
    clock.set(2026, 7, 1, 12, 30)
    assert await fa.morning(summer, duties.run) == "failed"
    assert all(m.chat_id != HYGIENE_OFFICER for m in await outbox(session))


async def test_report_fetch_failure_is_a_no_op_without_hygiene_officers(session, summer):
    assert await fa.report_fetch_failure(session, summer, error=ForecastError("timeout", retryable=True), cfg=CFG) == 0


# --- outbreak notices -------------------------------------------------------------------------


async def test_notice_audiences_and_double_send(session, svc):
    a = await add_operators(session, 2, start=100, dong="자양1동", btype="korean")
    b = await add_operators(session, 1, start=200, dong="화양동", btype="pub")
    assert {u for u, _ in await fa.notice_recipients(session, "all")} == set(a + b)
    assert [u for u, _ in await fa.notice_recipients(session, "dong", "화양동")] == b
    assert [u for u, _ in await fa.notice_recipients(session, "type", "korean")] == a
    with pytest.raises(ValueError):
        await fa.notice_recipients(session, "everyone")
    notice, new = await fa.send_notice(
        session,
        svc,
        form_id="f1",
        officer_id=HYGIENE_OFFICER,
        kind="dong",
        value="자양1동",
        text="자양1동 식당에서 <노로바이러스> 의심 환자 발생",
    )
    assert new and notice.recipients == 2
    again, new = await fa.send_notice(
        session,
        svc,
        form_id="f1",
        officer_id=HYGIENE_OFFICER,
        kind="dong",
        value="자양1동",
        text="자양1동 식당에서 노로바이러스 의심 환자 발생",
    )
    assert not new and again.id == notice.id
    msgs = await outbox(session, "food:notice:")
    assert sorted(m.chat_id for m in msgs) == a
    assert "위생과" in msgs[0].payload["text"] and "&lt;노로바이러스&gt;" in msgs[0].payload["text"]
    assert await session.scalar(select(func.count()).select_from(FoodNotice)) == 1
    with pytest.raises(ValueError):
        fa.validate_notice("짧음")


# --- licence-export import --------------------------------------------------------------------

HEADER = "번호,개방서비스명,사업장명,소재지전체주소,도로명전체주소,업태구분명,영업상태명\n"
CSV_ROWS = [
    "1,일반음식점,한강식당,서울특별시 광진구 화양동 1-1,서울특별시 광진구 능동로 1,한식,영업/정상",
    "2,일반음식점,용궁반점,서울특별시 광진구 자양동 2-2,서울특별시 광진구 뚝섬로 2,중국식,영업/정상",
    "3,일반음식점,문닫은집,서울특별시 광진구 구의동 3,서울특별시 광진구 아차산로 3,분식,폐업",
    "4,일반음식점,,서울특별시 광진구 구의동 4,,한식,영업/정상",
    "5,일반음식점,한강식당,서울특별시 광진구 화양동 1-1,서울특별시 광진구 능동로 1,한식,영업/정상",
    '6,일반음식점,"치킨, 맥주",서울특별시 광진구 군자동 5,,호프/통닭,영업/정상',
    "7,일반음식점,새로운맛,서울특별시 광진구 광장동 6,,퓨전한식,영업/정상",
    "8,일반음식점,=HYPERLINK(1),서울특별시 광진구 능동 7,,한식,영업/정상",
]


def licence_csv(rows=CSV_ROWS, encoding="utf-8-sig") -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp949"])
def test_parse_licence_export(svc, encoding):
    parsed = food_import.parse_licence_csv(licence_csv(encoding=encoding), svc.district.dongs)
    assert [(r.name, r.business_type, r.dong) for r in parsed.rows] == [
        ("한강식당", "korean", "화양동"),
        ("용궁반점", "chinese", None),
        ("치킨, 맥주", "pub", "군자동"),
        ("새로운맛", "other", "광장동"),
        ("=HYPERLINK(1)", "korean", "능동"),
    ]
    assert parsed.skipped == {"closed": 1, "no_name": 1, "duplicate": 1}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        ("사업장명,업태구분명\n가,한식\n".encode(), "missing_columns"),
        (bytes([0xFF, 0xFE, 0x00, 0xD8]) * 10, "encoding"),
    ],
)
def test_unusable_files(svc, data, code):
    with pytest.raises(food_import.CsvError) as e:
        food_import.parse_licence_csv(data, svc.district.dongs)
    assert e.value.code == code
    if code == "missing_columns":
        assert "소재지" in e.value.kw["columns"] and "영업상태명" in e.value.kw["columns"]


def test_row_and_size_limits(svc):
    small = replace(CFG, max_rows=3, max_bytes=10_000)
    with pytest.raises(food_import.CsvError, match="too_many_rows"):
        food_import.parse_licence_csv(licence_csv(), svc.district.dongs, small)
    with pytest.raises(food_import.CsvError, match="too_big"):
        food_import.parse_licence_csv(b"x" * 10_001, svc.district.dongs, small)


async def test_import_creates_pending_invitations_then_claims(session, svc):
    svc.bot_username = "minwon_bot"
    parsed = food_import.parse_licence_csv(licence_csv(), svc.district.dongs)
    done = await food_import.import_businesses(session, svc, parsed.rows, by=1)
    await session.commit()
    assert len(done.created) == 5 and done.already == 0
    ops = list(await session.scalars(select(FoodOperator).order_by(FoodOperator.id)))
    assert all(o.user_id is None and o.status == fa.INVITED and o.invite_token for o in ops)
    inv = await session.get(Invite, ops[0].invite_token)
    assert inv.role == OPERATOR and inv.expires_at - svc.now() == timedelta(days=30)
    again = await food_import.import_businesses(session, svc, parsed.rows, by=1)
    assert (len(again.created), again.already) == (0, 5)

    sheet = food_import.invitations_csv(svc, done.created, "ko").decode("utf-8-sig").splitlines()
    assert sheet[0].startswith("사업장명,소재지") and "https://t.me/minwon_bot?start=inv_" in sheet[1]
    assert '"치킨, 맥주"' in sheet[3] and sheet[5].startswith("'=HYPERLINK(1)")  # not run as a formula

    # someone redeems the first link: the business becomes theirs (and gets alerts)
    await roles.redeem_invite(
        session, token=ops[0].invite_token, user_id=321, departments=svc.district.departments, now=svc.now()
    )
    await fa.register(session, svc, user_id=654, name="자기식당", business_type="cafe", dong="능동")
    await roles.redeem_invite(
        session, token=ops[1].invite_token, user_id=654, departments=svc.district.departments, now=svc.now()
    )
    assert await fa.claim_redeemed(session) == 1  # 654 already has a registration: theirs is kept
    await session.commit()
    mine = await fa.get_operator(session, 321)
    assert (mine.business_name, mine.status) == ("한강식당", fa.ACTIVE)
    assert (await fa.get_operator(session, 654)).business_name == "자기식당"
    assert (await fa.counts(session)) == {fa.INVITED: 4, fa.ACTIVE: 2}
    assert await session.scalar(select(func.count()).select_from(RoleGrant).where(RoleGrant.role == OPERATOR)) == 2
