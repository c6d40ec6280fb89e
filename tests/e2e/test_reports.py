"""The evaluation team through the real bot: /report with its text, PNG and XLSX (cells checked
against the hand-computed sample), the monthly report through the outbox, /ranking, and the
Open311 export on the bot's HTTP server."""

from __future__ import annotations

import dataclasses
import io

import aiohttp
import pytest
from openpyxl import load_workbook

from tests.e2e.harness import ADMIN, BotHarness, free_port
from tests.fakes.telegram_server import Upload
from tests.indicator_sample import NOW, seed
from workflows.indicators import reports

EVALUATOR, CITIZEN = 500, 600
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def bot(fake, tmp_path):
    port = free_port()
    h = BotHarness(fake, tmp_path, EXPORT_PORT=str(port))
    await h.start()
    h.port = port  # the export listener: Open311
    async with h.app.sessionmaker() as s:
        await seed(s)
    yield h
    await h.stop()


def _sheet(wb, name: str, *key_cols: int) -> dict:
    ws = wb[name]
    header = [c.value for c in ws[1]]
    return {tuple(r[i] for i in key_cols): dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}


async def _upload(fake, method: str, chat_id: int, after: int) -> Upload:
    call = await fake.wait_for(
        lambda c: c.method == method and c.params.get("chat_id") == chat_id and c.status == 200, after=after, timeout=15
    )
    field = "photo" if method == "sendPhoto" else "document"
    assert isinstance(call.params[field], Upload), call.params
    return call.params[field]


async def test_evaluator_gets_text_png_and_xlsx(bot, fake):
    h = bot
    await h.say(EVALUATOR, "/report 2026-10", expect="평가단만 쓸 수 있는 명령입니다")
    await h.say(ADMIN, f"/grant {EVALUATOR} evaluator", expect="역할을 부여했습니다")
    await h.say(EVALUATOR, "/report 2026-13", expect="사용법: /report")
    await h.say(EVALUATOR, "/report 2999-01", expect="아직 시작하지 않은 기간입니다")

    mark = fake.mark()
    text = await h.say(EVALUATOR, "/report 2026-10", expect="민원 지표 — 2026년 10월 (10월 1일~31일)", timeout=15)
    body = text.params["text"]
    assert "만족도 4.00점" in body and "응답률 75.0%" in body and "중앙값 16.0" in body
    assert "기한 초과 2건" in body and "이송 1건" in body and "청소행정과: 4.00 · 3건 · 66.7% · 1건" in body

    png = await _upload(fake, "sendPhoto", EVALUATOR, mark)
    assert png.content.startswith(PNG_MAGIC) and png.filename == "indicators-2026-10.png"
    from PIL import Image

    assert Image.open(io.BytesIO(png.content)).size == (1000, 1000)

    doc = await _upload(fake, "sendDocument", EVALUATOR, mark)
    assert doc.filename == "indicators-2026-10.xlsx"
    wb = load_workbook(io.BytesIO(doc.content))
    summary = {r[0]: r[1:] for r in wb["요약"].iter_rows(min_row=2, values_only=True)}
    assert summary["평균 만족도 (1~5점)"] == (4.0, 2.0, 2.0, 5.0, -1.0)
    assert summary["처리 시간 중앙값 (근무시간)"][0] == 16.0
    assert summary["처리 시간 90% (근무시간)"][0] == pytest.approx(39.4)
    assert summary["기한 내 처리율"][0] == 0.75 and summary["설문 응답률"][0] == 0.75
    assert summary["재개 비율"][0] == 0.25 and summary["첫 접촉 해결률"][0] == pytest.approx(2 / 3)
    sat = _sheet(wb, "만족도", 0, 1, 2)
    assert sat[("부서", "청소행정과", None)]["평균"] == 4.0 and sat[("담당자", "청소행정과", 202)]["평균"] == 3.5
    assert sat[("구 전체", None, None)]["말투"] == 4.5
    speed = _sheet(wb, "처리 속도", 0, 1, 2)
    assert speed[("부서", "청소행정과", None)]["처리 시간 중앙값 (근무시간)"] == 24
    assert speed[("부서", "건설과", None)]["기한 초과"] == 1
    flow = _sheet(wb, "이송·재개", 0, 1, 2)
    assert flow[("부서", "교통행정과", None)]["이송 전 근무시간 합계"] == 4.0
    raw = list(wb["평가 원자료"].iter_rows(min_row=2, values_only=True))
    assert [r[5] for r in raw] == [4, 5, 3, 4]
    assert "010-" not in " ".join(str(c) for r in raw for c in r)


async def test_report_defaults_to_the_last_complete_month_in_korean(bot, fake):
    """On 2 November (the injected clock) /report and /report month are October, said in words;
    the chart and the spreadsheet are Korean, flag the small samples and carry no codes."""
    h = bot
    h.app.svc.clock = lambda: NOW
    await h.say(ADMIN, f"/grant {EVALUATOR} evaluator", expect="역할을 부여했습니다")
    october = "2026년 10월 (10월 1일~31일)"
    for command in ("/report", "/report month"):
        mark = fake.mark()
        await h.say(EVALUATOR, command, expect=f"{october} 보고서를 만드는 중입니다")
        text = await fake.wait_text(EVALUATOR, f"민원 지표 — {october}", after=mark, timeout=15)
        assert "접수 6건" in text.params["text"] and "표본 적음 — 평가 30건 미만" in text.params["text"]
        png = await _upload(fake, "sendPhoto", EVALUATOR, mark)
        doc = await _upload(fake, "sendDocument", EVALUATOR, mark)
        assert png.filename == "indicators-2026-10.png" and doc.filename == "indicators-2026-10.xlsx"
    photo = await fake.wait_for(lambda c: c.method == "sendPhoto" and c.status == 200, after=mark)
    assert photo.params["caption"].startswith(october)
    wb = load_workbook(io.BytesIO(doc.content))
    assert wb.sheetnames[:3] == ["요약", "만족도", "처리 속도"]
    assert wb["요약"]["B2"].value == october and wb["요약"]["B4"].number_format == "0.00"
    sat = _sheet(wb, "만족도", 0, 1, 2)
    assert sat[("부서", "청소행정과", None)]["표본"] == "표본 적음 (n=3)"
    assert "CLEAN" not in str([c for s in wb for r in s.iter_rows(values_only=True) for c in r])

    mark = fake.mark()  # this month, named: the figures so far, and said so
    await h.say(EVALUATOR, "/report 이번달", expect="2026년 11월 (11월 1일~2일, 집계 중) 보고서를 만드는 중입니다")
    await fake.wait_text(EVALUATOR, "민원 지표 — 2026년 11월 (11월 1일~2일, 집계 중)", after=mark, timeout=15)
    await _upload(fake, "sendDocument", EVALUATOR, mark)


async def test_monthly_report_goes_through_the_outbox(bot, fake):
    """The scheduled duty on 2026-11-02 (first working day) with the sample: the delivery worker
    uploads the stored chart and spreadsheet by multipart."""
    h = bot
    await h.say(ADMIN, f"/grant {EVALUATOR} evaluator", expect="역할을 부여했습니다")
    mark = fake.mark()
    svc = dataclasses.replace(h.app.svc, clock=lambda: NOW)
    async with h.app.sessionmaker() as s:
        assert await reports.send_monthly(s, svc) == 1
        await s.commit()
    h.app.worker.wake()
    await fake.wait_text(EVALUATOR, "민원 지표 — 2026년 10월 (10월 1일~31일)", after=mark, timeout=10)
    png = await _upload(fake, "sendPhoto", EVALUATOR, mark)
    doc = await _upload(fake, "sendDocument", EVALUATOR, mark)
    assert png.content.startswith(PNG_MAGIC)
    wb = load_workbook(io.BytesIO(doc.content))
    assert wb["요약"]["A4"].value == "평균 만족도 (1~5점)" and wb["요약"]["B4"].value == 4.0
    assert _sheet(wb, "처리 속도", 0)[("구 전체",)]["답변"] == 4
    async with h.app.sessionmaker() as s:  # a second run of the duty sends nothing
        assert await reports.send_monthly(s, svc) == 0


async def test_ranking_for_everyone(bot, fake):
    reply = await bot.say(CITIZEN, "/ranking", expect="친절 부서 순위")
    # the sample has at most 3 ratings per department: below the minimum of 10
    assert "아직 순위를 낼 만큼 평가가 쌓이지 않았습니다" in reply.params["text"]


async def test_open311_export(bot):
    base = f"http://127.0.0.1:{bot.port}/open311/v2"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/services.json") as r:
            assert r.status == 200 and r.content_type == "application/json"
            services = await r.json()
        assert {s["service_code"] for s in services} >= {"waste", "road", "parking"}
        async with http.get(
            f"{base}/requests.json", params={"start_date": "2026-10-01", "end_date": "2026-10-31"}
        ) as r:
            assert r.status == 200
            out = await r.json()
        assert [x["service_request_id"] for x in out] == [f"2026-{n:06d}" for n in (6, 5, 4, 3, 2, 1)]
        assert {x["status"] for x in out} == {"open", "closed"}
        raw = str(out)
        for x in out:
            assert not {"citizen_id", "phone", "phone_enc", "answer_text"} & set(x) and x["description"] is None
        assert "gAAAA" not in raw and "샘플 민원 내용" not in raw
        async with http.get(
            f"{base}/requests.json", params={"status": "open", "start_date": "2026-10-01", "end_date": "2026-10-31"}
        ) as r:
            assert [x["service_request_id"] for x in await r.json()] == ["2026-000005", "2026-000003"]
        async with http.get(f"{base}/requests.json", params={"status": "pending"}) as r:
            assert r.status == 400 and (await r.json())[0]["code"] == 400
        async with http.post(f"{base}/requests.json", data=b"{}") as r:
            assert r.status == 405  # read-only


async def test_a_recurring_place_typed_with_markup_does_not_stop_the_report(bot, fake):
    """Three complaints at an address a resident typed with '<' make a recurring place: the summary
    shows it as typed, and the chart and spreadsheet follow (they used to be lost with the refused
    summary)."""
    from tests.fakes.tg_rules import parse_html
    from tests.indicator_sample import _complaint, _life, kst

    place = '자양동 680-1 <대성빌딩> 뒤편 <a href="https://phish.sample-gu.example/">안내</a>'
    async with bot.app.sessionmaker() as s:
        for n, day in ((20, 5), (21, 6), (22, 7)):
            c = _complaint(
                n, "CLEAN", "waste", kst(2026, 10, day, 10), kst(2026, 10, day + 8, 18), "received", address=place
            )
            s.add(_life(c))
        await s.commit()
    await bot.say(ADMIN, f"/grant {EVALUATOR} evaluator", expect="역할을 부여했습니다")
    mark = fake.mark()
    text = await bot.say(EVALUATOR, "/report 2026-10", expect="민원 지표 — 2026년 10월", timeout=15)
    plain, entities = parse_html(text.params["text"])
    assert f"{place} (3회)" in plain and not [e for e in entities if e["type"] == "text_link"]
    assert (await _upload(fake, "sendPhoto", EVALUATOR, mark)).content.startswith(PNG_MAGIC)
    assert (await _upload(fake, "sendDocument", EVALUATOR, mark)).filename == "indicators-2026-10.xlsx"
