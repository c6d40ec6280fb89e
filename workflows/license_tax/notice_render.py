"""The 등록면허세 notice (고지서) and receipt (영수증) as a PNG the resident can keep (Pillow).

Korean needs a CJK font. The project installs one from PyPI: ``koreanize-matplotlib`` (pinned in
pyproject.toml / requirements.lock) ships NanumGothic (SIL Open Font License); we only read its
font files and never import the package (importing it would reconfigure matplotlib). A font
named by ``font_path`` (tests) wins. Without any CJK font the sheet is drawn with English labels
and ASCII values only (a Korean value becomes "(see message)"); the message that carries the PNG
has the Korean text in full either way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from workflows.fonts import korean_font_dir

if TYPE_CHECKING:
    from PIL import ImageDraw

WIDTH, MARGIN, LABEL_W, LINE_GAP = 960, 48, 250, 14
INK, MUTED, ACCENT, RULE, PAPER, STAMP = "#1b1f24", "#5b6470", "#0b4f8a", "#c9d1da", "#ffffff", "#c0392b"
ASCII_PLACEHOLDER = "(see message)"


@dataclass(frozen=True)
class Row:
    label_ko: str
    label_en: str
    value: str
    value_en: str | None = None  # when the English sheet should show something else
    strong: bool = False


@dataclass(frozen=True)
class Sheet:
    title_ko: str
    title_en: str
    issuer_ko: str
    issuer_en: str
    rows: tuple[Row, ...]
    note_ko: str
    note_en: str
    issued: str
    issued_en: str
    stamp_ko: str | None = None
    stamp_en: str | None = None


@lru_cache(maxsize=1)
@lru_cache(maxsize=32)
def _fonts(korean: bool, size: int, bold: bool):
    from PIL import ImageFont  # Pillow is loaded when a sheet is drawn, not at start

    if korean:
        folder = korean_font_dir()
        name = "NanumGothicBold.ttf" if bold and (folder / "NanumGothicBold.ttf").exists() else "NanumGothic.ttf"
        return ImageFont.truetype(str(folder / name), size)
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Lines no wider than ``width`` pixels (by character: Korean has no spaces to rely on)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            if draw.textlength(line + ch, font=font) > width and line:
                cut = line.rfind(" ")
                if cut > len(line) // 2:
                    lines.append(line[:cut])
                    line = line[cut + 1 :] + ch
                else:
                    lines.append(line)
                    line = ch
            else:
                line += ch
        lines.append(line)
    return lines


def _ascii(text: str) -> str:
    return text if text.isascii() else ASCII_PLACEHOLDER


def render(sheet: Sheet, *, korean: bool | None = None) -> bytes:
    """The sheet as PNG bytes; ``korean`` defaults to whether a Korean font is installed."""
    korean = korean_font_dir() is not None if korean is None else korean
    if korean and korean_font_dir() is None:
        raise RuntimeError("no Korean font installed")
    title_f, head_f = _fonts(korean, 38, True), _fonts(korean, 22, False)
    label_f, value_f, strong_f = _fonts(korean, 22, False), _fonts(korean, 24, False), _fonts(korean, 26, True)
    note_f, stamp_f = _fonts(korean, 19, False), _fonts(korean, 34, True)

    def pick(ko: str, en: str) -> str:
        return ko if korean else _ascii(en)

    from PIL import Image, ImageDraw

    scratch = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    value_w = WIDTH - 2 * MARGIN - LABEL_W
    laid = []
    for r in sheet.rows:
        value = r.value if korean else _ascii(r.value_en if r.value_en is not None else r.value)
        font = strong_f if r.strong else value_f
        laid.append((pick(r.label_ko, r.label_en), _wrap(scratch, value, font, value_w), font))
    note = _wrap(scratch, pick(sheet.note_ko, sheet.note_en), note_f, WIDTH - 2 * MARGIN)
    row_h = [max(len(lines), 1) * (font.size + 8) + LINE_GAP for _, lines, font in laid]
    height = 150 + 50 + sum(row_h) + 30 + len(note) * (note_f.size + 8) + 70

    img = Image.new("RGB", (WIDTH, height), PAPER)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, WIDTH, 118), fill=ACCENT)
    d.text((MARGIN, 26), pick(sheet.title_ko, sheet.title_en), font=title_f, fill="#ffffff")
    d.text((MARGIN, 78), pick(sheet.issuer_ko, sheet.issuer_en), font=head_f, fill="#dfe9f3")
    y = 150
    d.text((MARGIN, y), pick(sheet.issued, sheet.issued_en), font=note_f, fill=MUTED)
    y += 50
    d.line((MARGIN, y - 10, WIDTH - MARGIN, y - 10), fill=RULE, width=2)
    for (label, lines, font), h in zip(laid, row_h):
        d.text((MARGIN, y + 2), label, font=label_f, fill=MUTED)
        for i, line in enumerate(lines):
            d.text((MARGIN + LABEL_W, y + i * (font.size + 8)), line, font=font, fill=INK)
        y += h
        d.line((MARGIN, y - LINE_GAP // 2, WIDTH - MARGIN, y - LINE_GAP // 2), fill=RULE, width=1)
    y += 16
    for line in note:
        d.text((MARGIN, y), line, font=note_f, fill=MUTED)
        y += note_f.size + 8
    stamp = pick(sheet.stamp_ko, sheet.stamp_en) if sheet.stamp_ko else None
    if stamp:
        w = d.textlength(stamp, font=stamp_f) + 40
        x0, y0 = WIDTH - MARGIN - w, 128
        d.rounded_rectangle((x0, y0, x0 + w, y0 + 54), radius=10, outline=STAMP, width=4)
        d.text((x0 + 20, y0 + 6), stamp, font=stamp_f, fill=STAMP)
    out = io.BytesIO()
    # 64 colours are plenty for text on flat colours; half the time and a third of the size of RGB.
    img.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
    return out.getvalue()
