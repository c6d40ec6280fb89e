"""The report: summary text, chart PNG, XLSX cells, and the scheduled monthly send."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.db.models import OutboxFile, OutboxMessage, User
from tests.indicator_sample import NOW, kst, seed
from workflows import reports, roles
from workflows.indicators import Span

OCT = Span("month", 2026, 10)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def report(session, svc, clock):
    clock.at = NOW
    await seed(session)
    return await reports.build(session, svc, OCT)


def rows_by_key(ws, *key_cols: int) -> dict:
    header = [c.value for c in ws[1]]
    out = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        out[tuple(row[i] for i in key_cols)] = dict(zip(header, row))
    return out


async def test_summary_text(report, svc):
    ko = reports.summary(report, svc, "ko")
    assert "2026-10" in ko and "만족도 4.00점" in ko and "응답률 75%" in ko
    assert "중앙값 16.0" in ko and "90% 39.4" in ko and "기한 내 75%" in ko and "기한 초과 2건" in ko
    assert "전기 대비 +2.00" in ko and "전년 동기 대비 -1.00" in ko  # 4.0 vs 2.0 and vs 5.0
    assert "이송 1건" in ko and "재개 비율 25%" in ko and "첫 접촉 해결 67%" in ko
    assert "청소행정과: 4.00 · 3건 · 67% · 1건" in ko
    assert "10건 이상인 부서가 없습니다" in ko  # nobody has the minimum sample this month
    en = reports.summary(report, svc, "en")
    assert "Satisfaction 4.00" in en and "Sanitation Division" in en and len(en) < 4000


def test_chart_is_a_png(report, svc):
    png = reports.chart_png(report, svc)
    assert png.startswith(PNG_MAGIC) and len(png) > 10_000
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.size == (1000, 1000)


def test_workbook_cells(report, svc):
    wb = load_workbook(io.BytesIO(reports.workbook_xlsx(report, svc)))
    assert wb.sheetnames == ["Summary", "Satisfaction", "Speed", "Soft and Smart", "Volume", "Recurring",
                             "One-stop and opinion days", "Ranking", "Trend", "Ratings (raw)"]
    summary = {r[0]: r[1:] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["mean rating"] == (4.0, 2.0, 2.0, 5.0, -1.0)
    assert summary["median business hours"][:3] == (16.0, 8.0, 8.0)
    assert summary["on-time rate"][:3] == (0.75, 1.0, -0.25)
    assert summary["overdue"][0] == 2 and summary["complaints received"][0] == 6

    sat = rows_by_key(wb["Satisfaction"], 0, 1, 3)
    d = sat[("district", None, None)]
    assert (d["surveys sent"], d["responses"], d["response rate"], d["ratings"], d["mean"]) == (4, 3, 0.75, 4, 4.0)
    assert (d["greeting"], d["tone"], d["share 4-5"], d["n3"], d["n4"], d["n5"]) == (4.0, 4.5, 0.75, 1, 2, 1)
    assert sat[("officer", "CLEAN", 202)]["mean"] == 3.5
    assert sat[("department", "CLEAN", None)]["department name"] == "청소행정과"
    assert wb["Satisfaction"]["G2"].number_format == "0.0%"  # response rate column

    speed = rows_by_key(wb["Speed"], 0, 1, 3)
    clean = speed[("department", "CLEAN", None)]
    assert (clean["answered"], clean["median hours"], clean["median hours 2026-09"]) == (3, 24, 8)
    assert clean["median hours change vs 2026-09"] == 16 and clean["p90 hours"] == pytest.approx(41.6)
    assert clean["on-time rate"] == pytest.approx(2 / 3) and clean["overdue"] == 1 and clean["extensions"] == 1
    assert speed[("district", None, None)]["p90 hours"] == pytest.approx(39.4)

    flow = rows_by_key(wb["Soft and Smart"], 0, 1, 3)
    assert (flow[("department", "TRAFFIC", None)]["transfers"],
            flow[("department", "TRAFFIC", None)]["business hours lost"]) == (1, 4.0)
    assert flow[("district", None, None)]["reopen rate"] == 0.25
    assert flow[("district", None, None)]["first-contact rate"] == pytest.approx(2 / 3)

    vol = rows_by_key(wb["Volume"], 0, 1)
    assert vol[("department", "CLEAN")]["received"] == 4 and vol[("dong", "능동")]["received"] == 1

    raw = list(wb["Ratings (raw)"].iter_rows(values_only=True))
    assert raw[0] == ("no", "department", "officer", "survey sent", "rated", "overall", "greeting",
                      "guidance", "tone", "answer", "closing")
    assert [r[5] for r in raw[1:]] == [4, 5, 3, 4]  # c9 (10-01), c1, c2, c4 in rating order
    assert raw[2][1:6] == ("CLEAN", 201, kst(2026, 10, 13).replace(tzinfo=None), kst(2026, 10, 13).replace(tzinfo=None), 5)
    flat = " ".join(str(c) for r in raw for c in r)
    assert "010-" not in flat and "의견" not in flat and "2026-0000" not in flat  # anonymised

    trend = list(wb["Trend"].iter_rows(min_row=2, values_only=True))
    assert trend[-1] == ("2026-10", 4, 4.0, 4, 0.75) and len(trend) == 12


async def _evaluator(session, uid: int, lang: str = "ko") -> None:
    session.add(User(id=uid, language=lang))
    await session.flush()
    await roles.grant(session, user_id=uid, role="evaluator", department_code=None, by=None, departments={})


async def test_monthly_report_waits_for_the_first_working_day(session, svc, clock):
    clock.at = NOW
    await seed(session)
    await _evaluator(session, 700)
    await _evaluator(session, 701, "en")
    await session.commit()
    # November 2026: the 1st is a Sunday, so the first working day is Monday the 2nd, from 09:00
    assert reports.first_working_day(svc, kst(2026, 11, 20).date()) == kst(2026, 11, 2).date()
    clock.at = kst(2026, 11, 1, 12)
    assert await reports.send_monthly(session, svc) == 0
    clock.at = kst(2026, 11, 2, 8, 59)
    assert await reports.send_monthly(session, svc) == 0
    clock.at = kst(2026, 11, 2, 9, 11)
    assert await reports.send_monthly(session, svc) == 2
    await session.commit()
    rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    assert [(r.chat_id, r.method) for r in rows] == [
        (700, "sendMessage"), (700, "sendPhoto"), (700, "sendDocument"),
        (701, "sendMessage"), (701, "sendPhoto"), (701, "sendDocument")]
    assert "2026-10" in rows[0].payload["text"] and "만족도 4.00점" in rows[0].payload["text"]
    assert "Satisfaction 4.00" in rows[3].payload["text"]
    files = {f.id: f for f in (await session.execute(select(OutboxFile))).scalars()}
    assert len(files) == 2  # one PNG and one XLSX shared by both recipients
    photo = files[rows[1].payload["photo"]["outbox_file"]]
    assert photo.content.startswith(PNG_MAGIC) and photo.filename == "indicators-2026-10.png"
    assert rows[4].payload["photo"] == rows[1].payload["photo"]
    doc = files[rows[2].payload["document"]["outbox_file"]]
    assert load_workbook(io.BytesIO(doc.content))["Summary"]["B2"].value == "2026-10"
    # later runs the same month send nothing again; a new evaluator still gets it once
    clock.at = kst(2026, 11, 2, 10, 11)
    assert await reports.send_monthly(session, svc) == 0
    await _evaluator(session, 702)
    assert await reports.send_monthly(session, svc) == 1
    assert await reports.send_monthly(session, svc) == 0


async def test_monthly_report_to_the_team_chat(session, svc, clock):
    clock.at = NOW
    svc.evaluation_chat_id = -100123
    await _evaluator(session, 700)
    assert await reports.send_monthly(session, svc) == 1
    chats = set((await session.execute(select(OutboxMessage.chat_id))).scalars())
    assert chats == {-100123}
