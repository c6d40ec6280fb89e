"""workflows/indicators/xlsx_rows.py: rows written as a sheet's XML read back exactly as the same
rows written by openpyxl (values, types, number formats), for every kind of value they hold."""

from __future__ import annotations

import io
import math
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from workflows.indicators.xlsx_rows import append_rows

WIDE = 30  # past column Z


def _rows(n: int) -> list[list]:
    out = []
    for i in range(n):
        row: list = [
            i + 1,
            ["청소행정과", "부서 <&> \"'", " 앞뒤 공백 ", "'=SUM(A1)", "中文", "x" * 300][i % 6],
            None if i % 3 == 0 else 9_000_000 + i,
            date(2025, 1, 1 + i % 28),
            date(2026, 12, 31 - i % 28),
            [1, 5, 3.25, -2, 0, 1e-7][i % 6],
        ]
        row += [None if (i + k) % 4 == 0 else (k * i) % 6 for k in range(WIDE - len(row))]
        out.append(row)
    return out


def _workbook(first: list[list], fast: list[list] | None) -> bytes:
    wb = Workbook(write_only=True)
    wb.create_sheet("요약").append(["a"])
    ws = wb.create_sheet("평가 원자료")
    ws.freeze_panes = "A2"
    head = WriteOnlyCell(ws, value="번호")
    head.font = Font(bold=True)
    ws.append([head] + [f"c{k}" for k in range(WIDE - 1)])
    for r in first:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue() if fast is None else append_rows(buf.getvalue(), ws.path.lstrip("/"), fast)


def _cells(xlsx: bytes, read_only: bool = False) -> list[list[tuple]]:
    ws = load_workbook(io.BytesIO(xlsx), read_only=read_only)["평가 원자료"]
    return [[(c.value, c.data_type, c.number_format) for c in row] for row in ws.iter_rows()]


def test_fast_rows_read_back_as_openpyxls_own():
    rows = _rows(60)
    theirs = _cells(_workbook(rows, None))
    ours = _workbook(rows[:1], rows[1:])
    assert _cells(ours) == theirs
    assert len(theirs) == 61 and theirs[5][3] == (datetime(2025, 1, 5), "d", "yyyy-mm-dd")

    # a reader that streams the sheet sees every row too (there is no stale dimension to trust)
    def values(rows):
        return [
            [v for v, _, _ in r][: max((k + 1 for k, (v, _, _) in enumerate(r) if v is not None), default=0)]
            for r in rows
        ]

    assert values(_cells(ours, read_only=True)) == values(theirs)
    assert load_workbook(io.BytesIO(ours))["요약"]["A1"].value == "a"  # the other sheets are kept
    # Excel drops spaces at either end of a text without this (openpyxl's reader keeps them anyway)
    sheet = zipfile.ZipFile(io.BytesIO(ours)).read("xl/worksheets/sheet2.xml").decode()
    assert '<t xml:space="preserve"> 앞뒤 공백 </t>' in sheet


def test_values_made_once_per_column_read_back_the_same_past_the_columns_limit(monkeypatch):
    """Each column's repeated values are written from XML made once (1 and 1.0 and True apart);
    a column with more distinct values than it keeps (a running number) is written cell by cell."""
    from workflows.indicators import xlsx_rows

    monkeypatch.setattr(xlsx_rows, "_DISTINCT_AT_MOST", 5)
    rows = _rows(60)
    for i, row in enumerate(rows):
        row[5] = [1, 1.0, 1, 2.0][i % 4]  # the same number as int and float: each its own cell XML
    theirs = _cells(_workbook(rows, None))
    ours = _workbook(rows[:1], rows[1:])
    assert _cells(ours) == theirs
    sheet = zipfile.ZipFile(io.BytesIO(ours)).read("xl/worksheets/sheet2.xml").decode()
    assert all(f'<c r="F{r}" t="n"><v>{v}</v></c>' in sheet for r, v in ((3, "1.0"), (4, 1), (7, "1.0"), (8, 1)))


def test_no_rows_leave_the_file_as_it_was():
    xlsx = _workbook(_rows(1), None)
    assert append_rows(xlsx, "xl/worksheets/sheet2.xml", []) == xlsx


@pytest.mark.parametrize(
    "bad",
    [datetime(2026, 1, 1), True, math.nan, math.inf, "bell \x07", b"bytes"],
    ids=["datetime", "bool", "nan", "inf", "control", "bytes"],
)
def test_what_it_cannot_write_as_openpyxl_would_is_refused(bad):
    rows = _rows(2)
    rows[1][1] = bad
    with pytest.raises((TypeError, ValueError)):
        _workbook(rows[:1], rows[1:])


def test_a_date_where_the_first_row_had_none_is_refused():
    """Its style (the date format) comes from the row openpyxl wrote: a date there without one
    would read back as a bare number."""
    rows = _rows(2)
    rows[1][2] = date(2026, 1, 1)  # column C: None in the first row
    with pytest.raises(ValueError, match="date style"):
        _workbook(rows[:1], rows[1:])
