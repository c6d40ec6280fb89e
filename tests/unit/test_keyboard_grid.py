"""handlers.keyboards.grid lays buttons out as aiogram's InlineKeyboardBuilder.adjust does (the
builder is not used: it deep-copies every button added so far at each new one)."""

from __future__ import annotations

import pytest
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import CategoryCb
from handlers.keyboards import grid


@pytest.mark.parametrize("n", [0, 1, 2, 5, 13, 14])
@pytest.mark.parametrize("sizes", [(1,), (2,), (3,), (3, 3, 2), (2, 1)])
def test_grid_is_the_builders_layout(n, sizes):
    buttons = [(f"b{i}", CategoryCb(code=f"c{i}") if i % 2 else f"raw:{i}") for i in range(n)]
    b = InlineKeyboardBuilder()
    for label, data in buttons:
        b.button(text=label, callback_data=data)
    b.adjust(*sizes)
    assert grid(buttons, *sizes) == b.as_markup()
