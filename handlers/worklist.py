"""Every officer list — /inbox, /onestop, /taxinbox and /find <words> — drawn one way: numbered
lines, a button per line to open it, paging, and the filters the list offers (scope, category,
동). The view lives in the buttons' callback data (ListCb, under 64 bytes), so a list is paged and
filtered by editing its own message; the lines come from workflows/worklist.py."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import Num
from handlers.keyboards import markup
from workflows import worklist as wl
from workflows.context import Services
from workflows.roles import Principal
from workflows.texts import MESSAGE_LIMIT, escape, t, visible_len

router = Router(name="worklist")
CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback data


class ListCb(CallbackData, prefix="ls"):  # workflows/worklist.list_data builds the same strings
    s: str  # source: c complaints, q search, o one-stop, t tax
    f: str = wl.ALL  # scope: a m u o d
    c: str = ""  # category code
    d: Num = -1  # 동 index
    p: Num = 0  # page
    v: str = ""  # "" the list, "c" / "d" the category / 동 picker
    q: str = ""  # search words

    @classmethod
    def of(cls, view: wl.View, picker: str = "") -> "ListCb":
        return cls(s=view.source, f=view.scope, c=view.category, d=view.dong, p=view.page, v=picker, q=view.query)

    def view(self) -> wl.View:
        return wl.View(self.s, self.f, self.c, self.d, self.p, self.q)


def fit_query(words: str) -> str:
    """The search words as far as they fit a button (64 bytes with the rest of the view)."""
    words = " ".join(wl.search_words(words))
    base = len(ListCb.of(wl.View(wl.SEARCH, page=999, dong=-1)).pack().encode())
    room = CALLBACK_LIMIT - base
    while len(words.encode()) > room:
        words = words[:-1]
    return words.strip()


def _data(view: wl.View, picker: str = "") -> str:
    return ListCb.of(view, picker).pack()


def render(page: wl.Page, svc: Services, lang: str) -> tuple[str, list[list[tuple[str, str]]]]:
    """The list message: header, title, the page's lines, and its buttons."""
    v = page.view
    parts = [page.header] if page.header else []
    parts.append(page.title)
    if page.lines:
        first = v.page * wl.PAGE_SIZE + 1
        key = "ws.page.search" if v.source == wl.SEARCH else "ws.page" if v.source == wl.COMPLAINTS else "ws.page.plain"
        parts.append(
            t(
                lang,
                key,
                total=page.total,
                first=first,
                last=first + len(page.lines) - 1,
                page=v.page + 1,
                pages=page.pages,
            )
        )
        parts.append("\n".join(line.text for line in page.lines))
    else:
        parts.append(t(lang, "ws.empty" if page.filtered else page.empty_key))
    rows: list[list[tuple[str, str]]] = []
    opens = [(line.label, line.open_data) for line in page.lines]
    rows += [opens[i : i + 2] for i in range(0, len(opens), 2)]
    if page.pages > 1:
        nav = []
        if v.page > 0:
            nav.append((t(lang, "ws.btn.prev"), _data(v.with_(page=v.page - 1))))
        nav.append((f"{v.page + 1}/{page.pages}", _data(v)))
        if v.page + 1 < page.pages:
            nav.append((t(lang, "ws.btn.next"), _data(v.with_(page=v.page + 1))))
        rows.append(nav)
    if page.scopes:

        def scope(s: str) -> tuple[str, str]:
            mark = "✓ " if v.scope == s else ""
            return mark + t(lang, f"ws.scope.{s}"), _data(v.with_(scope=s, page=0))

        rows.append([scope(s) for s in page.scopes[:3]])
        if page.scopes[3:]:
            rows.append([scope(s) for s in page.scopes[3:]])
    pickers = []
    if page.categories:
        label = t(lang, "ws.btn.category")
        if v.category in svc.district.categories:
            label = "✓ " + svc.district.category(v.category).name(lang) + " ▾"
        pickers.append((label, _data(v.with_(page=0), "c")))
    if page.dongs:
        label = t(lang, "ws.btn.dong")
        if 0 <= v.dong < len(svc.district.dongs):
            label = "✓ " + svc.district.dongs[v.dong] + " ▾"
        pickers.append((label, _data(v.with_(page=0), "d")))
    if v.scope != wl.ALL or v.category or v.dong >= 0:
        pickers.append((t(lang, "ws.btn.reset"), _data(wl.View(v.source, query=v.query))))
    if pickers:
        rows.append(pickers)
    rows += page.extra_buttons
    text = "\n\n".join(parts)
    if page.header and visible_len(text) > MESSAGE_LIMIT:  # a long header (the tax inbox's failures) gives way
        text = "\n\n".join(parts[1:])
    return text, rows


async def show(
    message: Message,
    session: AsyncSession,
    svc: Services,
    lang: str,
    p: Principal,
    view: wl.View,
    *,
    edit: bool = False,
) -> None:
    """Send the list (or, from one of its buttons, redraw it in place)."""
    try:
        page = await wl.page(session, svc, p, view, lang)
    except wl.NotAllowed:
        key = "lt.err.not_tax_officer" if view.source == wl.TAX else "op.not_officer"
        await message.answer(t(lang, key))
        return
    text, rows = render(page, svc, lang)
    if edit:
        await message.edit_text(text, reply_markup=markup(rows) if rows else None)
    else:
        await message.answer(text, reply_markup=markup(rows) if rows else None)


async def _picker(
    query: CallbackQuery, session: AsyncSession, svc: Services, lang: str, p: Principal, cb: ListCb
) -> None:
    view = cb.view()
    back = [(t(lang, "ws.btn.back"), _data(view))]
    if cb.v == "c":
        counts = await wl.category_counts(session, svc, p, view) if p.is_officer else []
        options = [(t(lang, "ws.btn.all_categories"), _data(view.with_(category="", page=0)))]
        options += [
            (f"{svc.district.category(code).name(lang)} ({n})", _data(view.with_(category=code, page=0)))
            for code, n in counts
        ]
        text = t(lang, "ws.picker.category")
    else:
        options = [(t(lang, "ws.btn.all_dongs"), _data(view.with_(dong=-1, page=0)))]
        options += [(d, _data(view.with_(dong=i, page=0))) for i, d in enumerate(svc.district.dongs)]
        text = t(lang, "ws.picker.dong")
    rows = [options[i : i + 3] for i in range(0, len(options), 3)] + [back]
    await query.message.edit_text(escape(text), reply_markup=markup(rows))


@router.callback_query(ListCb.filter())
async def list_button(
    query: CallbackQuery, callback_data: ListCb, session: AsyncSession, svc: Services, lang: str, principal: Principal
) -> None:
    await query.answer()
    if callback_data.v in ("c", "d"):
        await _picker(query, session, svc, lang, principal, callback_data)
        return
    await show(query.message, session, svc, lang, principal, callback_data.view(), edit=True)
