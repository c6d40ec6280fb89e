"""The Korean font the images the bot draws need (the tax notice, the report's charts): the
NanumGothic files bundled with koreanize-matplotlib, found without importing that package (or
matplotlib) at start."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def korean_font_dir() -> Path | None:
    """The folder of the bundled NanumGothic files, found without importing their package."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    return folder if (folder / "NanumGothic.ttf").exists() else None
