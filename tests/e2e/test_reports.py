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
from workflows import reports

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
    call = await fake.wait_for(lambda c: c.method == method and c.params.get("chat_id") == chat_id
                               and c.status == 200, after=after, timeout=15)
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
    text = await h.say(EVALUATOR, "/report 2026-10", expect="민원 지표 — 2026-10", timeout=15)
    body = text.params["text"]
    assert "만족도 4.00점" in body and "응답률 75%" in body and "중앙값 16.0" in body
    assert "기한 초과 2건" in body and "이송 1건" in body and "청소행정과: 4.00 · 3건 · 67% · 1건" in body

    png = await _upload(fake, "sendPhoto", EVALUATOR, mark)
    assert png.content.startswith(PNG_MAGIC) and png.filename == "indicators-2026-10.png"
    from PIL import Image

    assert Image.open(io.BytesIO(png.content)).size == (1000, 1000)

    doc = await _upload(fake, "sendDocument", EVALUATOR, mark)
    assert doc.filename == "indicators-2026-10.xlsx"
    wb = load_workbook(io.BytesIO(doc.content))
    summary = {r[0]: r[1:] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["mean rating"] == (4.0, 2.0, 2.0, 5.0, -1.0)
    assert summary["median business hours"][0] == 16.0 and summary["p90 business hours"][0] == pytest.approx(39.4)
    assert summary["on-time rate"][0] == 0.75 and summary["response rate"][0] == 0.75
    assert summary["reopen rate"][0] == 0.25 and summary["first-contact resolution"][0] == pytest.approx(2 / 3)
    sat = _sheet(wb, "Satisfaction", 0, 1, 3)
    assert sat[("department", "CLEAN", None)]["mean"] == 4.0 and sat[("officer", "CLEAN", 202)]["mean"] == 3.5
    assert sat[("district", None, None)]["tone"] == 4.5
    speed = _sheet(wb, "Speed", 0, 1, 3)
    assert speed[("department", "CLEAN", None)]["median hours"] == 24
    assert speed[("department", "ROADS", None)]["overdue"] == 1
    flow = _sheet(wb, "Soft and Smart", 0, 1, 3)
    assert flow[("department", "TRAFFIC", None)]["business hours lost"] == 4.0
    raw = list(wb["Ratings (raw)"].iter_rows(min_row=2, values_only=True))
    assert [r[5] for r in raw] == [4, 5, 3, 4]
    assert "010-" not in " ".join(str(c) for r in raw for c in r)


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
    await fake.wait_text(EVALUATOR, "민원 지표 — 2026-10", after=mark, timeout=10)
    png = await _upload(fake, "sendPhoto", EVALUATOR, mark)
    doc = await _upload(fake, "sendDocument", EVALUATOR, mark)
    assert png.content.startswith(PNG_MAGIC)
    wb = load_workbook(io.BytesIO(doc.content))
    assert wb["Summary"]["A4"].value == "mean rating" and wb["Summary"]["B4"].value == 4.0
    assert _sheet(wb, "Speed", 0)[("district",)]["answered"] == 4
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
        async with http.get(f"{base}/requests.json",
                            params={"start_date": "2026-10-01", "end_date": "2026-10-31"}) as r:
            assert r.status == 200
            out = await r.json()
        assert [x["service_request_id"] for x in out] == [f"2026-{n:06d}" for n in (6, 5, 4, 3, 2, 1)]
        assert {x["status"] for x in out} == {"open", "closed"}
        raw = str(out)
        for x in out:
            assert not {"citizen_id", "phone", "phone_enc", "answer_text"} & set(x) and x["description"] is None
        assert "gAAAA" not in raw and "샘플 민원 내용" not in raw
        async with http.get(f"{base}/requests.json", params={"status": "open", "start_date": "2026-10-01",
                                                             "end_date": "2026-10-31"}) as r:
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

    place = "자양동 680-1 <대성빌딩> 뒤편 <a href=\"https://phish.sample-gu.example/\">안내</a>"
    async with bot.app.sessionmaker() as s:
        for n, day in ((20, 5), (21, 6), (22, 7)):
            c = _complaint(n, "CLEAN", "waste", kst(2026, 10, day, 10), kst(2026, 10, day + 8, 18), "received",
                           address=place)
            s.add(_life(c))
        await s.commit()
    await bot.say(ADMIN, f"/grant {EVALUATOR} evaluator", expect="역할을 부여했습니다")
    mark = fake.mark()
    text = await bot.say(EVALUATOR, "/report 2026-10", expect="민원 지표 — 2026-10", timeout=15)
    plain, entities = parse_html(text.params["text"])
    assert f"{place} (3회)" in plain and not [e for e in entities if e["type"] == "text_link"]
    assert (await _upload(fake, "sendPhoto", EVALUATOR, mark)).content.startswith(PNG_MAGIC)
    assert (await _upload(fake, "sendDocument", EVALUATOR, mark)).filename == "indicators-2026-10.xlsx"
