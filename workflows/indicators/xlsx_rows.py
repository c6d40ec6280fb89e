"""Many plain rows added to a sheet of a saved XLSX, written as the sheet's XML directly.

openpyxl spends about 8 µs on every cell it writes: the anonymised raw ratings of a month are
120,000 cells (1 s of the monthly report) and a year's 1.5 million (12 s). Those rows hold only
numbers, text and dates, so they are written here as text, after openpyxl has written the sheet,
its header and the first such row. Each column keeps the style openpyxl gave that first row (a
date its number format), so the cells read back exactly as openpyxl's own would (a test compares
the two). Text goes through the same XML escape rules as openpyxl's: &, < and > escaped, spaces
at either end kept, and characters XML cannot hold refused."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

_ROW = re.compile(r'<row r="(\d+)"')
_CELL = re.compile(r'<c r="([A-Z]+)\d+"(?: s="(\d+)")?')
_END = "</sheetData>"


def _cell(ref: str, value, style: str | None) -> str:
    return f'<c r="{ref}"{_tail(ref, value, style)}'


def _tail(ref: str, value, style: str | None) -> str:
    """A cell's XML after its reference: the same for every cell of a column with this value."""
    s = f' s="{style}"' if style else ""
    if isinstance(value, (bool, datetime)):
        raise TypeError(f"not a plain value for a fast row: {value!r}")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"not a number Excel can hold: {value!r}")
        return f'{s} t="n"><v>{value!r}</v></c>'
    if isinstance(value, date):
        if not style:
            raise ValueError(f"a date in column {ref} needs the date style of the row before")
        return f'{s} t="n"><v>{to_excel(value)!r}</v></c>'
    if isinstance(value, str):
        if ILLEGAL_CHARACTERS_RE.search(value):  # what openpyxl refuses in a cell too
            raise ValueError("text with a character XML cannot hold")
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'{s} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
    raise TypeError(f"not a plain value for a fast row: {value!r}")


# Values repeat down a column (a department's name, a day, a score): their XML is made once per
# column, until the column shows it does not repeat (a running number).
_REPEATING = (str, date, int, float)  # not bool (an int): _tail refuses it, uncached
_DISTINCT_AT_MOST = 2_000


def append_rows(xlsx: bytes, sheet_path: str, rows: Iterable[Sequence]) -> bytes:
    """``xlsx`` with ``rows`` added at the end of the sheet at ``sheet_path`` (as openpyxl names
    it: ``xl/worksheets/sheetN.xml``), each column styled as in the sheet's last row. None leaves a
    cell empty, as openpyxl does."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    xml = src.read(sheet_path).decode("utf-8")
    at = xml.rindex(_END)
    start = xml.rfind("<row ", 0, at)
    last = _ROW.match(xml, start) if start >= 0 else None
    if last is None:
        raise ValueError("the sheet has no row to take the columns' styles from")
    styles = {col: style for col, style in _CELL.findall(xml, last.end(), at)}
    letters: list[str] = []
    made: list[dict[tuple[type, object], str]] = []  # per column: value -> its cell's XML after the reference
    parts, r = [], int(last.group(1))
    for row in rows:
        r += 1
        while len(letters) < len(row):
            letters.append(get_column_letter(len(letters) + 1))
            made.append({})
        cells = []
        for k, v in enumerate(row):
            if v is None:
                continue
            ref = f"{letters[k]}{r}"
            if not isinstance(v, _REPEATING):
                cells.append(_cell(ref, v, styles.get(letters[k])))
                continue
            column, key = made[k], (type(v), v)
            tail = column.get(key)
            if tail is None:
                tail = _tail(ref, v, styles.get(letters[k]))
                if len(column) < _DISTINCT_AT_MOST:
                    column[key] = tail
            cells.append(f'<c r="{ref}"{tail}')
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')
    if not parts:
        return xlsx
    xml = xml[:at] + "".join(parts) + xml[at:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, xml.encode("utf-8") if info.filename == sheet_path else src.read(info))
    return out.getvalue()
