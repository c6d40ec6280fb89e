"""The report: summary text, chart PNG, XLSX cells, and the scheduled monthly send."""

from __future__ import annotations

import io
import re
import warnings
from datetime import datetime, timedelta

import pytest
from matplotlib.colors import to_hex
from openpyxl import load_workbook
from sqlalchemy import select

from workflows.models import OutboxFile, OutboxMessage, User
from tests.indicator_sample import KST, NOW, _complaint, _life, kst, seed
from workflows import roles
from workflows.indicators import reports
from workflows.indicators.service import OfficeWork, Span
from workflows.texts import TEXTS

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
    assert "민원 지표 — 2026년 10월 (10월 1일~31일)" in ko and "만족도 4.00점" in ko and "응답률 75.0%" in ko
    assert "중앙값 16.0" in ko and "90% 39.4" in ko and "기한 내 75.0% (-25.0%p)" in ko and "기한 초과 2건" in ko
    assert "전기 대비 +2.00" in ko and "전년 동기 대비 -1.00" in ko  # 4.0 vs 2.0 and vs 5.0
    assert "이송 1건" in ko and "재개 비율 25.0%" in ko and "첫 접촉 해결 66.7%" in ko
    assert "청소행정과: 4.00 · 3건 · 66.7% · 1건" in ko
    # 3 and 1 ratings: both departments are small samples, listed apart and nobody is Best Office
    assert ko.index("표본 적음 — 평가 30건 미만") < ko.index("청소행정과") < ko.index("건설과")
    assert "30건 이상인 부서가 없습니다" in ko
    en = reports.summary(report, svc, "en")
    assert "October 2026 (1–31 Oct)" in en and "Satisfaction 4.00" in en and "Sanitation Division" in en
    assert len(en) < 4000


async def test_summary_lists_small_samples_apart(session, svc, clock):
    clock.at = NOW
    await seed(session)
    report = await reports.build(session, svc, OCT, min_sample=2)
    ko = reports.summary(report, svc, "ko")
    # 청소행정과 (3 ratings) is ranked; 건설과 (1 rating) comes after the small-sample heading
    assert ko.index("청소행정과: 4.00") < ko.index("표본 적음 — 평가 2건 미만") < ko.index("건설과: 4.00")
    assert "Best Office: 청소행정과" in ko


# --- the period in words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "ko", "en"),
    [
        (Span("month", 2026, 11), "2026년 11월 (11월 1일~30일)", "November 2026 (1–30 Nov)"),
        (Span("month", 2028, 2), "2028년 2월 (2월 1일~29일)", "February 2028 (1–29 Feb)"),
        (Span("quarter", 2026, 4), "2026년 4분기 (10월 1일~12월 31일)", "Q4 2026 (1 Oct – 31 Dec)"),
        (Span("year", 2025), "2025년 (1월 1일~12월 31일)", "2025 (1 Jan – 31 Dec)"),
        (Span("week", 2026, 49), "2026년 49주 (11월 30일~12월 6일)", "Week 49 of 2026 (30 Nov – 6 Dec)"),
        (
            Span("week", 2026, 53),
            "2026년 53주 (2026년 12월 28일~2027년 1월 3일)",
            "Week 53 of 2026 (28 Dec 2026 – 3 Jan 2027)",
        ),
    ],
)
def test_period_in_words(span, ko, en, svc, clock):
    clock.at = datetime.combine(span.end, datetime.min.time(), KST) + timedelta(days=400)
    assert reports.period_text(span, svc, "ko") == ko and reports.period_text(span, svc, "en") == en


def test_a_running_period_says_so(svc, clock):
    nov = Span("month", 2026, 11)
    clock.at = kst(2026, 11, 21, 15)
    assert reports.period_text(nov, svc, "ko") == "2026년 11월 (11월 1일~21일, 집계 중)"
    assert reports.period_text(nov, svc, "en") == "November 2026 (1–21 Nov, so far)"
    clock.at = kst(2026, 11, 1, 0, 5)
    assert reports.period_text(nov, svc, "ko") == "2026년 11월 (11월 1일, 집계 중)"


# --- chart ---------------------------------------------------------------------------------


def _drawn(report, svc):
    """The chart's figure, drawn (tick labels exist), and every non-empty text in it."""
    from matplotlib.text import Text

    with reports._chart_style():
        fig = reports.chart_figure(report, svc)
        fig.canvas.draw()
    return fig, [x for x in fig.findobj(Text) if x.get_text().strip()]


def _axes(fig, title: str):
    return next(ax for ax in fig.axes if ax.get_title() == title)


def _bars(ax) -> list:
    """The bars top to bottom (the y axis is inverted: the first department on top)."""
    from matplotlib.patches import Rectangle

    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    return sorted(bars, key=lambda p: p.get_y())


async def test_chart_is_korean_rounded_and_marks_small_samples(session, svc, clock):
    clock.at = NOW
    await seed(session)
    report = await reports.build(session, svc, OCT, min_sample=2)
    fig, texts = _drawn(report, svc)
    words = [x.get_text() for x in texts]
    assert fig.get_suptitle() == "샘플구 민원 지표 — 2026년 10월 (10월 1일~31일)"
    for expected in (
        "부서별 평균 만족도 (1~5점)",
        "부서별 법정 기한 내 처리율",
        "구 전체 추이 (최근 12개월)",
        "평균 만족도 (1~5점)",
        "기한 내 처리 (%)",
        "청소행정과",
        "건설과",
        "구 전체 평균 4.0점",
        "4.0점 (n=3)",
        "4.0점 · 표본 적음 (n=1)",
        "66.7% (답변 3건)",
        "100.0% · 표본 적음 (답변 1건)",
        "표본 적음: 2건 미만, 순위 제외",
        "평균 만족도",
        "기한 내 처리율",
    ):
        assert expected in words, expected
    # no department codes, no English words: Hangul, digits and signs only
    assert not [w for w in words if re.search(r"[A-Za-z]{2,}", w)]

    smile, speed = _axes(fig, "부서별 평균 만족도 (1~5점)"), _axes(fig, "부서별 법정 기한 내 처리율")
    assert [x.get_text() for x in smile.get_yticklabels()] == ["청소행정과", "건설과"]
    ranked, small = _bars(smile)
    assert ranked.get_hatch() is None and small.get_hatch() == reports.SMALL_HATCH
    assert to_hex(small.get_facecolor()) == reports.SMALL_COLOUR.lower() != to_hex(ranked.get_facecolor())
    # 건설과 answered 1 of 1 on time (100%) but is a small sample: drawn below 청소행정과's 66.7%
    assert [x.get_text() for x in speed.get_yticklabels()] == ["청소행정과", "건설과"]
    assert [round(b.get_width(), 1) for b in _bars(speed)] == [66.7, 100.0]
    assert _bars(speed)[1].get_hatch() == reports.SMALL_HATCH


async def test_chart_text_is_drawn_in_nanum_gothic_with_every_glyph(report, svc):
    from matplotlib.font_manager import findfont
    from matplotlib.ft2font import FT2Font

    _, texts = _drawn(report, svc)
    hangul = [x for x in texts if re.search("[가-힣]", x.get_text())]
    assert len(hangul) > 10 and {x.get_fontname() for x in hangul} == {"NanumGothic"}
    for x in texts:  # no tofu: every character is in the font the text is drawn with
        font = FT2Font(findfont(x.get_fontproperties(), fallback_to_default=False))
        missing = [c for c in x.get_text() if not c.isspace() and font.get_char_index(ord(c)) == 0]
        assert not missing, (x.get_text(), missing)


def test_chart_is_a_png(report, svc):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        png = reports.chart_png(report, svc)
    assert png.startswith(PNG_MAGIC) and len(png) > 10_000
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.size == (1000, 1000)


# --- spreadsheet ---------------------------------------------------------------------------


def _rows(ws) -> dict:
    return {r[0].value: r for r in ws.iter_rows(min_row=2)}


def test_workbook_cells(report, svc):
    wb = load_workbook(io.BytesIO(reports.workbook_xlsx(report, svc)))
    assert wb.sheetnames == [
        "요약",
        "만족도",
        "처리 속도",
        "이송·재개",
        "접수량",
        "반복 민원",
        "원스톱·소통 Day",
        "부서 순위",
        "월별 추이",
        "평가 원자료",
    ]
    ws = wb["요약"]
    assert [c.value for c in ws[1]] == [
        "지표",
        "2026년 10월",
        "2026년 9월",
        "2026년 9월 대비",
        "2025년 10월",
        "2025년 10월 대비",
    ]
    summary = _rows(ws)
    assert summary["기간"][1].value == "2026년 10월 (10월 1일~31일)"
    mean = summary["평균 만족도 (1~5점)"]
    assert [c.value for c in mean[1:]] == [4.0, 2.0, 2.0, 5.0, -1.0]
    assert [c.number_format for c in mean[1:3]] == ["0.00", "0.00"] and mean[5].number_format == "+0.00;-0.00;0.00"
    on_time = summary["기한 내 처리율"]
    assert [c.value for c in on_time[1:4]] == [0.75, 1.0, -0.25]
    assert on_time[1].number_format == "0.0%" and on_time[3].number_format == '+0.0%"p";-0.0%"p";0.0%"p"'
    assert summary["처리 시간 중앙값 (근무시간)"][1].value == 16.0
    assert summary["처리 시간 중앙값 (근무시간)"][1].number_format == "0.0"
    assert summary["기한 초과"][1].value == 2 and summary["접수"][1].value == 6
    assert summary["표본 적음 기준 (건 미만)"][1].value == 30

    sat = rows_by_key(wb["만족도"], 0, 1, 2)
    d = sat[("구 전체", None, None)]
    assert (d["설문 발송"], d["응답"], d["응답률"], d["평가 수"], d["평균"]) == (4, 3, 0.75, 4, 4.0)
    assert (d["첫인사"], d["말투"], d["4~5점 비율"], d["3점"], d["4점"], d["5점"]) == (4.0, 4.5, 0.75, 1, 2, 1)
    assert d["평균, 2026년 9월"] == 2.0 and d["평균, 2025년 10월 대비"] == -1.0
    # fewer than 30 ratings: flagged at every level
    assert d["표본"] == "표본 적음 (n=4)"
    assert sat[("부서", "청소행정과", None)]["표본"] == "표본 적음 (n=3)"
    assert sat[("담당자", "청소행정과", 202)]["평균"] == 3.5
    assert sat[("담당자", "청소행정과", 202)]["표본"] == "표본 적음 (n=2)"
    header = [c.value for c in wb["만족도"][1]]
    row = wb["만족도"][3]  # 청소행정과: 2 of 3 = 66.666…%, kept exact, shown 66.7%
    assert row[header.index("응답률")].value == pytest.approx(2 / 3)
    assert row[header.index("응답률")].number_format == "0.0%" and row[header.index("평균")].number_format == "0.00"

    speed = rows_by_key(wb["처리 속도"], 0, 1, 2)
    clean = speed[("부서", "청소행정과", None)]
    median, p90 = "처리 시간 중앙값 (근무시간)", "처리 시간 90% (근무시간)"
    assert (clean["답변"], clean[median], clean[f"{median}, 2026년 9월"]) == (3, 24, 8)
    assert clean[f"{median}, 2026년 9월 대비"] == 16 and clean[p90] == pytest.approx(41.6)
    assert clean["기한 내 처리율"] == pytest.approx(2 / 3) and clean["기한 초과"] == 1 and clean["기한 연장"] == 1
    assert clean["표본"] == "표본 적음 (n=3)"
    assert speed[("구 전체", None, None)][p90] == pytest.approx(39.4)

    flow = rows_by_key(wb["이송·재개"], 0, 1, 2)
    assert (
        flow[("부서", "교통행정과", None)]["이송"],
        flow[("부서", "교통행정과", None)]["이송 전 근무시간 합계"],
    ) == (1, 4.0)
    assert flow[("구 전체", None, None)]["재개 비율"] == 0.25
    assert flow[("구 전체", None, None)]["첫 접촉 해결률"] == pytest.approx(2 / 3)

    vol = rows_by_key(wb["접수량"], 0, 1)
    assert vol[("부서", "청소행정과")]["접수"] == 4 and vol[("동", "능동")]["접수"] == 1
    assert vol[("분야", "쓰레기·청소")]["접수"] == 4 and ("동", "(지도 위치만)") in vol

    ranking = rows_by_key(wb["부서 순위"], 1)
    assert ranking[("청소행정과",)]["순위"] is None and ranking[("청소행정과",)]["비고"] == "표본 적음 (n=3)"

    raw = list(wb["평가 원자료"].iter_rows(values_only=True))
    assert raw[0] == (
        "번호",
        "부서",
        "담당자",
        "설문 발송일",
        "평가일",
        "종합",
        "첫인사",
        "안내",
        "말투",
        "답변",
        "끝인사",
    )
    assert [r[5] for r in raw[1:]] == [4, 5, 3, 4]  # c9 (10-01), c1, c2, c4 in rating order
    assert raw[2][1:6] == (
        "청소행정과",
        201,
        kst(2026, 10, 13).replace(tzinfo=None),
        kst(2026, 10, 13).replace(tzinfo=None),
        5,
    )
    assert wb["평가 원자료"]["D3"].number_format == "yyyy-mm-dd"
    flat = " ".join(str(c) for r in raw for c in r)
    assert "010-" not in flat and "의견" not in flat and "2026-0000" not in flat  # anonymised

    trend = list(wb["월별 추이"].iter_rows(min_row=2, values_only=True))
    assert trend[-1] == ("2026-10", 4, 4.0, 4, 0.75) and len(trend) == 12
    # department and category codes never reach the evaluators
    cells = {str(c) for s in wb for r in s.iter_rows(values_only=True) for c in r if isinstance(c, str)}
    codes = set(svc.district.departments) | set(svc.district.categories)
    assert not [c for c in cells if set(re.findall(r"[A-Za-z][A-Za-z0-9-]+", c)) & codes]


async def test_workbook_ranks_only_sufficient_samples(session, svc, clock):
    clock.at = NOW
    await seed(session)
    report = await reports.build(session, svc, OCT, min_sample=2)
    wb = load_workbook(io.BytesIO(reports.workbook_xlsx(report, svc)))
    ranking = list(wb["부서 순위"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[5]) for r in ranking] == [(1, "청소행정과", None), (None, "건설과", "표본 적음 (n=1)")]
    sat = rows_by_key(wb["만족도"], 0, 1, 2)
    assert (
        sat[("부서", "청소행정과", None)]["표본"] is None and sat[("부서", "건설과", None)]["표본"] == "표본 적음 (n=1)"
    )


def test_one_stop_offices_by_name(report, svc):
    report.indicators.onestop = {
        "NPS": OfficeWork(done=2, hours=[3.0, 6.0]),
        "WELFARE": OfficeWork(done=1, hours=[8.0]),
    }
    ws = load_workbook(io.BytesIO(reports.workbook_xlsx(report, svc)))["원스톱·소통 Day"]
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {"국민연금공단", "복지정책과"}  # an outside body and a department, by name
    assert rows["국민연금공단"][0].value == "원스톱 처리 기관" and rows["국민연금공단"][3].value == 4.5
    assert rows["국민연금공단"][3].number_format == "0.0"


async def test_a_typed_address_never_runs_as_a_formula(session, svc, clock):
    clock.at = NOW
    await seed(session)
    place = '=HYPERLINK("https://phish.example/","자양동 1")'
    for n, day in ((30, 5), (31, 6), (32, 7)):
        session.add(
            _life(
                _complaint(
                    n, "CLEAN", "waste", kst(2026, 10, day, 10), kst(2026, 10, day + 8, 18), "received", address=place
                )
            )
        )
    await session.commit()
    report = await reports.build(session, svc, OCT)
    ws = load_workbook(io.BytesIO(reports.workbook_xlsx(report, svc)))["반복 민원"]
    cell = ws["B2"]
    assert cell.data_type == "s" and cell.value.endswith(place) and not cell.value.startswith("=")


DEV_NOTE = re.compile(r"\.(md|py|json)\b|§|kr-facts|https?://|docs/|facts/")


async def test_report_texts_carry_no_developer_notes(report, svc):
    keys = [k for k in TEXTS if k.startswith(("report.", "ranking.")) or k == "help.evaluator"]
    assert len(keys) > 40
    assert not [(k, s) for k in keys for s in TEXTS[k] if DEV_NOTE.search(s)]
    _, texts = _drawn(report, svc)
    wb = load_workbook(io.BytesIO(reports.workbook_xlsx(report, svc)))
    shown = (
        [reports.summary(report, svc, "ko")]
        + [x.get_text() for x in texts]
        + [c for s in wb for r in s.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    )
    assert not [s for s in shown if DEV_NOTE.search(s)]
    codes = set(svc.district.departments)
    assert not [s for s in shown if set(re.findall(r"[A-Z][A-Z0-9-]+", s)) & codes]


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
        (700, "sendMessage"),
        (700, "sendPhoto"),
        (700, "sendDocument"),
        (701, "sendMessage"),
        (701, "sendPhoto"),
        (701, "sendDocument"),
    ]
    assert "2026년 10월 (10월 1일~31일)" in rows[0].payload["text"] and "만족도 4.00점" in rows[0].payload["text"]
    assert rows[1].payload["caption"].startswith("2026년 10월 (10월 1일~31일)")
    assert "Satisfaction 4.00" in rows[3].payload["text"]
    files = {f.id: f for f in (await session.execute(select(OutboxFile))).scalars()}
    assert len(files) == 2  # one PNG and one XLSX shared by both recipients
    photo = files[rows[1].payload["photo"]["outbox_file"]]
    assert photo.content.startswith(PNG_MAGIC) and photo.filename == "indicators-2026-10.png"
    assert rows[4].payload["photo"] == rows[1].payload["photo"]
    doc = files[rows[2].payload["document"]["outbox_file"]]
    assert load_workbook(io.BytesIO(doc.content))["요약"]["B2"].value == "2026년 10월 (10월 1일~31일)"
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
