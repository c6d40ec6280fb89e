"""The text catalogues (workflows/locales): every key the code uses exists in every language, with
the same placeholders; t() picks the language and falls back."""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from handlers import commands
from workflows import ratings, roles, services, worklist
from workflows.complaints import states
from workflows import district_info
from tests.fakes.tg_rules import TelegramRefusal, parse_html
from workflows import texts
from workflows.texts import CATALOGUES, LANGS, LOCALES, MESSAGE_LIMIT, SOURCE_LANG, TEXTS, norm_lang, t, visible_len
from workflows.complaints.common import HANDOVER_REASONS, OWNER_EVENTS, STAFF_ONLY

ROOT = Path(__file__).resolve().parents[2]
TEXTS_FILE = ROOT / "workflows" / "texts.py"
_spec = importlib.util.spec_from_file_location("catalogues_tool", ROOT / "scripts" / "catalogues.py")
catalogues_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalogues_tool)
SOURCES = sorted(p for d in ("handlers", "workflows", "bot") for p in (ROOT / d).rglob("*.py") if p != TEXTS_FILE)
CODE = {p: p.read_text(encoding="utf-8") for p in SOURCES}

# Korean deliberately empty: "입력하신 {what} 내용은" reads naturally with nothing in it,
# while English needs a noun ("What you entered for the form").
KO_MAY_BE_EMPTY: set[str] = set()
# catalogues whose Chinese translation is not finished yet: their zh entries may be empty (the
# text falls back to English). Remove a name when its zh catalogue is complete.
ZH_UNFINISHED: set[str] = set()
# texts drawn into an image (workflows/license_tax/notice_render.py), not sent as HTML
NOT_HTML = ("lt.sheet.",)

LITERAL_PATTERNS = [
    re.compile(r'\bt\(\s*\w+,\s*"([^"]+)"'),  # t(lang, "key", ...)
    re.compile(r'\btr\("([^"]+)"'),  # tr("key")
    re.compile(r'(?<!def )(?:notify_department|push_citizen)\([\w\s,]*?"([^"]+)"'),  # text_key
    re.compile(r'RoleError\("([^"]+)"'),  # shown as t(lang, e.code)
]


def _literal_keys() -> set[str]:
    keys = set()
    for src in CODE.values():
        for pat in LITERAL_PATTERNS:
            keys.update(pat.findall(src))
    return keys


def _dotted_constants() -> set[str]:
    """Every string constant in the code that looks like a text key of a TEXTS namespace
    (catches keys chosen first and passed later, e.g. key = "a" if x else "b")."""
    namespaces = {k.split(".")[0] for k in TEXTS if "." in k}
    found = set()
    for src in CODE.values():
        for node in ast.walk(ast.parse(src)):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", node.value)
                and node.value.split(".")[0] in namespaces
            ):
                found.add(node.value)
    return found


def _officer_button_actions() -> set[str]:
    src = (ROOT / "workflows" / "complaints" / "cards.py").read_text(encoding="utf-8")
    return set(re.findall(r'\bb\("(\w+)"\)', src))


def _edit_fields() -> tuple[str, ...]:
    from handlers.keyboards import EDIT_FIELDS

    return EDIT_FIELDS


def _family_keys() -> dict[str, set[str]]:
    return {
        "state": {f"state.{s}" for s in states.ALL},
        "action": {f"action.{a}" for a in (*states.TRANSITIONS, "submit", "handover", *OWNER_EVENTS, *STAFF_ONLY)},
        "desk.reason": {f"desk.reason.{r}" for r in HANDOVER_REASONS},
        "op.btn": {f"op.btn.{a}" for a in _officer_button_actions()},
        "cf.edit": {f"cf.edit.{f}" for f in _edit_fields()},
        "rate.item": {f"rate.item.{i}" for i in ratings.ITEMS},
        "role.name": {f"role.name.{r}" for r in roles.GRANTABLE},
        "cmd": {f"cmd.{n}" for n in (*commands.EVERYONE, *commands.CITIZEN, *commands.OFFICER, *commands.ADMIN)},
        "cancel.what": {f"cancel.what.{w}" for w in ("complaint", "answer", "other")},
        "ws.scope": {
            f"ws.scope.{s}"
            for s in (worklist.ALL, worklist.MINE, worklist.UNASSIGNED, worklist.OVERDUE, worklist.TODAY)
        },
        "ws.digest": {f"ws.digest.{s}" for s in ("new", "today", "overdue")},
        "ws.mode": {f"ws.mode.{m}" for m in (worklist.CARDS, worklist.DIGEST)},
        "ws.btn.mode": {f"ws.btn.mode.{m}" for m in (worklist.CARDS, worklist.DIGEST)},
        "menu": {f"menu.{s.code}" for s in services.catalogue().services},
        "hint.what": {
            f"hint.what.{s.code}" for s in services.catalogue().services if s.keywords and s.code != "foodalert"
        },  # food alerts have their own hint
        "nr.kind": {f"nr.kind.{k}" for k in ("centre", *district_info.KINDS)},
    }


def _f_string_families() -> set[str]:
    """The f"prefix.{...}" key families the code builds; each must be covered above."""
    fams = set()
    for src in CODE.values():
        fams.update(re.findall(r'f"([a-z_.]+)\.\{', src))
    return fams


def test_scan_finds_the_code():
    keys = _literal_keys()
    assert len(SOURCES) > 20
    assert {
        "op.new",
        "op.transferred_in",
        "op.reopened_in",
        "push.answered",
        "push.assigned",
        "push.autoclosed",
        "rate.ask",
        "role.unknown_department",
        "invite.expired",
        "cf.submitted",
        "privacy.notice",
        "help",
    } <= keys
    assert all(re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", k) for k in keys), keys
    assert {"cf.offer_free_text", "cf.offer_free_text_nocat"} <= _dotted_constants()
    assert _officer_button_actions() == {"take", "answer", "transfer", "reject", "extend", "media", "assign", "note"}
    assert _edit_fields() == ("category", "description", "photos", "location", "phone")


def test_every_f_string_family_is_checked():
    assert _f_string_families() <= set(_family_keys())


@functools.cache
def _all_used_keys() -> list[str]:
    keys = _literal_keys() | _dotted_constants()
    for fam in _family_keys().values():
        keys |= fam
    return sorted(keys)


def _fields(s: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(s) if name is not None}


def _po(lang: str, name: str) -> list:
    with (LOCALES / lang / "LC_MESSAGES" / f"{name}.po").open("rb") as f:
        return [m for m in read_po(f, charset="utf-8") if m.id]


def _sample(text: str) -> str:
    """The text as a user sees it, each placeholder filled ("가" takes any particle)."""
    return texts._FORMATTER.format(text, **dict.fromkeys(_fields(text), "가"))


def html_error(text: str) -> str | None:
    try:
        parse_html(text)
    except TelegramRefusal as e:
        return e.description
    return None


def test_catalogue_files_are_the_same_in_every_language():
    for lang in LANGS:
        assert sorted(p.stem for p in (LOCALES / lang / "LC_MESSAGES").glob("*.po")) == sorted(CATALOGUES), lang


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_catalogue(name):
    """One catalogue, in every language: the same keys, all filed here, none untranslated or fuzzy,
    the same placeholders ({name} and {name:spec}) in each language, every key the code uses with
    this catalogue's prefixes present; each text, filled in, is HTML Telegram accepts and fits a message."""
    entries = {lang: _po(lang, name) for lang in LANGS}
    keys = [m.id for m in entries[SOURCE_LANG]]
    assert keys, f"{name}: empty catalogue"
    assert len(set(keys)) == len(keys)
    for lang, msgs in entries.items():
        assert [m.id for m in msgs] == keys, (
            f"{lang}/{name}.po: keys differ from ko/{name}.po (run scripts/catalogues.py sync)"
        )
        assert [m.id for m in msgs if m.fuzzy] == [], f"{lang}/{name}.po: fuzzy entries"
        empty = [
            m.id
            for m in msgs
            if not m.string.strip()
            and not (lang == SOURCE_LANG and m.id in KO_MAY_BE_EMPTY)
            and not (lang == "zh" and name in ZH_UNFINISHED)
        ]
        assert empty == [], f"{lang}/{name}.po: untranslated {empty}"
    assert [k for k in keys if texts.catalogue_of(k) != name] == [], f"{name}: keys filed in the wrong catalogue"
    assert all("." in k or k in {"help", "flood", "not_allowed", "unknown_command", "stale_button"} for k in keys)

    problems = []
    for i, key in enumerate(keys):
        source = _fields(entries[SOURCE_LANG][i].string)
        if not all(f.isidentifier() for f in source):
            problems.append(f"{key}: odd placeholder {source}")
        for lang, msgs in entries.items():
            text = msgs[i].string
            if not text and lang == "zh" and name in ZH_UNFINISHED:
                continue
            if _fields(text) != source:
                problems.append(f"{lang} {key}: placeholders {sorted(_fields(text))} != ko {sorted(source)}")
                continue
            if TEXTS[key][LANGS.index(lang)] != text:
                problems.append(f"{lang} {key}: loaded text differs from the file")
            sample = _sample(text)
            if key.startswith(NOT_HTML):
                pass
            elif (error := html_error(sample)) is not None:
                problems.append(f"{lang} {key}: {error}")
            elif visible_len(sample) > MESSAGE_LIMIT:
                problems.append(f"{lang} {key}: {visible_len(sample)} characters")
    assert problems == []

    used = [k for k in _all_used_keys() if k.split(".")[0] in CATALOGUES[name]]
    assert [k for k in used if k not in keys] == [], f"used in the code but missing from {name}.po"


def test_every_used_key_has_a_catalogue():
    prefixes = {p for ps in CATALOGUES.values() for p in ps}
    assert [k for k in _all_used_keys() if k.split(".")[0] not in prefixes] == []
    assert len(_all_used_keys()) > 1000


def test_catalogues_are_in_normal_form():
    """What scripts/catalogues.py sync writes: ordered like Korean, the Korean source above each
    translation. (Hand edits that change only a msgstr stay in normal form.)"""
    stale = [
        str(p.relative_to(ROOT))
        for p, text in catalogues_tool.normal_form().items()
        if not p.exists() or p.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run: python scripts/catalogues.py sync"


@pytest.mark.parametrize(
    "text",
    [
        "첫 줄\n둘째 줄\n",
        "\n앞뒤 줄바꿈\n\n",
        '따옴표 "x" \\ 역슬래시\t탭',
        "  앞뒤 공백  ",
        "<b>{a:은/는}</b>\n\n\n{b}",
        "줄 끝 공백 \n 다음",
        "\u00a0no-break space\u200b",
        "한 줄",
    ],
)
def test_texts_round_trip_through_a_catalogue(tmp_path, text):
    """Multi-line texts, quotes, backslashes, tabs and edge spaces come back byte for byte."""
    po = tmp_path / "ko" / "LC_MESSAGES" / "common.po"
    po.parent.mkdir(parents=True)
    po.write_text(catalogues_tool.render("ko", [("start.x", text, ["a note"], [], False)]), encoding="utf-8")
    assert texts.load_catalogues(tmp_path)["ko"] == {"start.x": text}


def test_a_changed_catalogue_is_read_again_not_taken_from_the_cache(tmp_path):
    """load_catalogues keeps what it parsed (a start reads it back): an edited .po, or a cache it
    cannot use, never gives the old texts."""
    po = tmp_path / "ko" / "LC_MESSAGES" / "common.po"
    po.parent.mkdir(parents=True)
    po.write_text(catalogues_tool.render("ko", [("start.x", "처음", [], [], False)]), encoding="utf-8")
    assert texts.load_catalogues(tmp_path)["ko"] == {"start.x": "처음"}
    assert len(list((tmp_path / "__pycache__").glob("texts-*.marshal"))) == 1
    assert texts.load_catalogues(tmp_path)["ko"] == {"start.x": "처음"}  # from the cache
    po.write_text(catalogues_tool.render("ko", [("start.x", "고침", [], [], False)]), encoding="utf-8")
    assert texts.load_catalogues(tmp_path)["ko"] == {"start.x": "고침"}
    (cache,) = (tmp_path / "__pycache__").glob("texts-*.marshal")  # the old one replaced
    cache.write_bytes(b"\x00not marshal")
    assert texts.load_catalogues(tmp_path)["ko"] == {"start.x": "고침"}


def _t_calls():
    """(file, line, key, keyword names or None if **kwargs) of every t(lang, "literal", ...) call."""
    for path, src in CODE.items():
        for node in ast.walk(ast.parse(src)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                names = [k.arg for k in node.keywords]
                yield (
                    f"{path.relative_to(ROOT)}:{node.lineno}",
                    node.args[1].value,
                    None if None in names else set(names),
                )


def test_t_calls_pass_every_placeholder():
    """A placeholder without a value raises KeyError at run time, in front of the user."""
    calls = list(_t_calls())
    assert len(calls) > 100
    problems = [
        f"{where} {key}: needs {sorted(_fields(TEXTS[key][0]))}, given {sorted(names)}"
        for where, key, names in calls
        if key in TEXTS and names is not None and not _fields(TEXTS[key][0]) <= names
    ]
    assert problems == []


def test_role_errors_render():
    """RoleError(code, **kw) is shown as t(lang, code, **kw): kw must fill the text's placeholders."""
    pat = re.compile(r'RoleError\("([^"]+)"((?:,\s*\w+=[^,)]+)*)\)')
    found = []
    for src in CODE.values():
        for key, kws in pat.findall(src):
            found.append((key, set(re.findall(r"(\w+)=", kws))))
    assert len(found) >= 5
    for key, names in found:
        assert _fields(TEXTS[key][0]) == names, (key, names)


def test_every_text_has_each_language():
    for key, texts_ in TEXTS.items():
        assert isinstance(texts_, tuple) and len(texts_) == len(LANGS), key
        assert all(isinstance(x, str) for x in texts_), key


def test_t_language_choice_and_formatting():
    assert t("ko", "state.received") == "접수"
    assert t("en", "state.received") == "received"
    assert t("en", "cf.photo_added", n=3) == "Photo 3/5 received. Send more or press [Done]."
    assert t("ko", "cf.photo_added", n=3) == "사진 3/5장 받았습니다. 더 보내거나 [완료]를 눌러 주세요."
    with pytest.raises(KeyError):
        t("ko", "no.such.key")


def test_chinese_falls_back_to_english_then_korean(monkeypatch):
    assert t("zh", "state.received") == "已受理"
    monkeypatch.setitem(TEXTS, "test.no_zh", ("한국어", "English", ""))
    monkeypatch.setitem(TEXTS, "test.only_ko", ("한국어만", "", ""))
    assert t("zh", "test.no_zh") == "English"
    assert t("zh", "test.only_ko") == "한국어만"


def test_chinese_dates_and_names():
    from datetime import date

    from workflows.context import fmt_day
    from workflows.texts import both, pick

    assert fmt_day(date(2026, 11, 24), "zh") == "2026-11-24(周二)"
    assert fmt_day(date(2026, 11, 24), "ko") == "2026-11-24(화)"
    assert fmt_day(date(2026, 11, 24), "en") == "Tue 2026-11-24"
    assert both("자양1동", "Jayang 1-dong", "zh") == "Jayang 1-dong (자양1동)"
    assert pick("zh", "청소행정과", "Sanitation Division") == "Sanitation Division"
    assert pick("zh", "청소행정과", "") == "청소행정과"
    assert pick("ko", "청소행정과", "Sanitation Division") == "청소행정과"


def test_t_falls_back_to_korean_when_english_is_empty(monkeypatch):
    monkeypatch.setitem(TEXTS, "test.only_ko", ("한국어만", ""))
    assert t("en", "test.only_ko") == "한국어만"
    assert t("ja", "test.only_ko") == "한국어만"


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("EN", "en"),
        ("ko", "ko"),
        ("ko-KR", "ko"),
        ("ja", "ko"),
        (None, "ko"),
        ("", "ko"),
        ("zh", "zh"),
        ("zh-hans", "zh"),
        ("zh-CN", "zh"),
        ("zh-sg", "zh"),
        ("zh-hant", "zh"),
        ("zh-TW", "zh"),
        ("zu", "ko"),
    ],
)
def test_norm_lang(code, lang):
    assert norm_lang(code) == lang


# --- particles follow the word (issue 15 §4) ---------------------------------------------------


@pytest.mark.parametrize(
    "word, pair, expected",
    [
        ("첫인사", "은/는", "첫인사는"),
        ("답변", "은/는", "답변은"),
        ("말투", "은/는", "말투는"),
        ("민원", "을/를", "민원을"),
        ("의견", "이/가", "의견이"),
        ("안내", "이/가", "안내가"),
        ("부모급여", "와/과", "부모급여와"),
        ("첫만남이용권", "와/과", "첫만남이용권과"),
        ("청소행정과", "으로/로", "청소행정과로"),
        ("건설과", "으로/로", "건설과로"),
        ("자양1동", "으로/로", "자양1동으로"),
        ("서울", "으로/로", "서울로"),  # ㄹ takes 로
        ("제1종", "으로/로", "제1종으로"),
        ("2020-01-01", "은/는", "2020-01-01은"),
        ("2026-000122", "을/를", "2026-000122를"),  # 일 / 이
        ("2026-12-10(목) 18:00", "으로/로", "2026-12-10(목) 18:00으로"),
        ("7", "으로/로", "7로"),
        ("<b>첫인사</b>", "은/는", "<b>첫인사</b>는"),  # tags do not count
        ("부모급여 (Parental allowance)", "을/를", "부모급여 (Parental allowance)를"),  # nor an aside
        ("「주차 문제」", "을/를", "「주차 문제」를"),
        ("A &amp; B", "이/가", "A &amp; B가"),
    ],
)
def test_particle_follows_the_last_syllable(word, pair, expected):
    from workflows.texts import particle

    assert particle(word, pair) == expected


def test_templates_choose_the_particle():
    assert t("ko", "rate.item", n=1, item="첫인사") == "1/5 <b>첫인사</b>는 어땠나요?"
    assert t("ko", "rate.item", n=4, item="답변") == "4/5 <b>답변</b>은 어땠나요?"
    assert (
        t("ko", "op.transferred", receipt="2026-000123", department="청소행정과")
        == "2026-000123을 청소행정과로 이송했습니다."
    )
    assert t("ko", "nr.date_past", date="2020-01-02", days=90).startswith("2020-01-02는 너무 오래전입니다")
    assert t("en", "rate.item", n=1, item="greeting") == "1/5 How was the <b>greeting</b>?"
    assert t("ko", "report.usage")  # a template without a particle is formatted as before


def test_no_template_leaves_the_particle_to_the_reader():
    """ "첫인사은(는)": a template writes {value:은/는}, never both forms."""
    both = re.compile(r"(은\(는\)|는\(은\)|이\(가\)|가\(이\)|을\(를\)|를\(을\)|과\(와\)|와\(과\)|\(으\)로|\(이\)나)")
    assert [k for k, pair in TEXTS.items() if any(both.search(s) for s in pair)] == []
