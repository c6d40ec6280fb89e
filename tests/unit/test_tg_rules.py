"""What the real Bot API refuses (tests/fakes/tg_rules.py, ported from TDLib and telegram-bot-api),
and how the fake server answers a refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest

from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.tg_rules import TelegramRefusal, check_link, check_request, fix_text, parse_html

ENTITIES = "Bad Request: can't parse entities: "


def refusal(method: str, **params) -> str | None:
    try:
        check_request(method, params)
    except TelegramRefusal as e:
        assert e.error_code == 400 and e.description.startswith("Bad Request: ")
        return e.description
    return None


def html_error(text: str) -> str | None:
    try:
        parse_html(text)
    except TelegramRefusal as e:
        return e.description
    return None


def kb(*buttons: dict) -> dict:
    return {"inline_keyboard": [list(buttons)]}


# ------------------------------------------------------------------ HTML parse mode


def test_a_real_angle_bracket_in_an_address_is_an_unsupported_tag():
    # byte offsets are UTF-8: "자양동 680-1 " is 3 × 3 + 1 + 5 + 1 = 16 bytes
    assert html_error("자양동 680-1 <대성빌딩> 뒤편") == ENTITIES + 'Unsupported start tag "대성빌딩" at byte offset 16'
    assert parse_html("자양동 680-1 &lt;대성빌딩&gt; 뒤편") == ("자양동 680-1 <대성빌딩> 뒤편", [])
    assert refusal("sendMessage", text="자양동 680-1 <대성빌딩> 뒤편", parse_mode="HTML").startswith(ENTITIES)
    assert refusal("sendMessage", text="자양동 680-1 <대성빌딩> 뒤편") is None  # no parse_mode: taken as is


def test_a_lone_less_than_sign_and_unknown_tags():
    assert html_error("1 < 2") == ENTITIES + 'Unsupported start tag "" at byte offset 2'
    assert html_error("끝 <") == ENTITIES + "Unclosed start tag at byte offset 4"
    assert html_error("<foo>x</foo>") == ENTITIES + 'Unsupported start tag "foo" at byte offset 0'
    assert html_error("<br/>") == ENTITIES + 'Unsupported start tag "br/" at byte offset 0'
    assert html_error("<span>x</span>") == ENTITIES + 'Tag "span" must have class "tg-spoiler" at byte offset 0'


def test_tags_must_nest_and_close():
    assert html_error("<b>x") == ENTITIES + 'Can\'t find end tag corresponding to start tag "b"'
    assert html_error("<b>x</i>") == ENTITIES + 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'
    assert html_error("x</b>") == ENTITIES + "Unexpected end tag at byte offset 1"
    assert html_error("<b>x</b") == ENTITIES + "Unclosed end tag at byte offset 4"
    assert (
        html_error('<a href="https://example.org">x') == ENTITIES + 'Can\'t find end tag corresponding to start tag "a"'
    )
    assert parse_html("<b>x</>") == ("x", [{"type": "bold", "offset": 0, "length": 1}])  # "</>" closes any


def test_supported_tags_and_their_entities():
    assert parse_html('<a href="https://example.org">x</a>') == (
        "x",
        [{"type": "text_link", "offset": 0, "length": 1, "url": "https://example.org"}],
    )
    text, entities = parse_html(
        "<b>굵게</b> <i>기울임</i> <u>밑줄</u> <s>취소</s> <tg-spoiler>숨김</tg-spoiler> "
        '<span class="tg-spoiler">x</span> <code>c</code> <blockquote expandable>q</blockquote>'
    )
    assert text == "굵게 기울임 밑줄 취소 숨김 x c q"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
        "expandable_blockquote",
    ]
    assert parse_html('<pre><code class="language-python">print(1)</code></pre>') == (
        "print(1)",
        [{"type": "pre", "offset": 0, "length": 8, "language": "python"}],
    )
    # offsets and lengths are UTF-16 code units: an emoji outside the BMP counts 2
    assert parse_html("😀<b>x</b>")[1] == [{"type": "bold", "offset": 2, "length": 1}]
    # an unquoted href is a name token: ':' and '/' end it
    assert html_error("<a href=https://x.org/>y</a>") == ENTITIES + "Unexpected end of name token at byte offset 8"
    assert html_error('<tg-emoji emoji-id="abc">x</tg-emoji>') == ENTITIES + "Invalid custom emoji identifier specified"


def test_html_entities_are_decoded_and_an_unknown_one_is_kept():
    assert parse_html("&lt;&gt;&amp;&quot;&#65;&#x42;") == ('<>&"AB', [])
    assert parse_html("&lt 소음 & 먼지 &nbsp; &#X43;") == ("< 소음 & 먼지 &nbsp; &#X43;", [])
    assert html_error("&#xD800;").startswith(ENTITIES + "Text contains invalid Unicode characters")


# ------------------------------------------------------------------ message texts


def test_text_length_is_counted_after_parsing():
    assert refusal("sendMessage", text="&lt;" * 4096, parse_mode="HTML") is None  # 4096 characters
    assert refusal("sendMessage", text="&lt;" * 4097, parse_mode="HTML") == "Bad Request: message is too long"
    assert refusal("sendMessage", text="가" * 4096) is None
    assert refusal("sendMessage", text="가" * 4097) == "Bad Request: message is too long"
    # code points, not UTF-16 units: 4096 emoji are 8192 UTF-16 units and still fit
    assert refusal("sendMessage", text="😀" * 4096) is None
    # the trailing newlines are cut before counting
    assert refusal("sendMessage", text="가" * 4096 + "\n\n  ") is None
    assert refusal("editMessageText", text="가" * 4097, chat_id=1, message_id=1) == "Bad Request: MESSAGE_TOO_LONG"


def test_a_text_cut_inside_a_tag_is_refused():
    text = ("<b>민원 접수</b> " + "내용 " * 2000)[:3990] + '<a href="https://example.org/">링크</a>'
    offset = len(text[:3990].encode())  # the byte offset of "<a"
    cut = text[:4000]  # 4,000 characters, ending in '<a href="h'
    assert len(cut) == 4000 and cut.endswith('<a href="h')
    assert (
        refusal("sendMessage", text=cut, parse_mode="HTML") == ENTITIES + f"Unclosed start tag at byte offset {offset}"
    )
    assert refusal("sendMessage", text=text[:3995], parse_mode="HTML") == (  # '<a hre'
        ENTITIES + f'Unclosed start tag "a" at byte offset {offset}'
    )
    assert refusal("sendMessage", text=text[:3992], parse_mode="HTML") == (  # '<a'
        ENTITIES + f"Unclosed start tag at byte offset {offset}"
    )
    assert refusal("sendMessage", text=text[:4022], parse_mode="HTML") == (  # inside the link text
        ENTITIES + 'Can\'t find end tag corresponding to start tag "a"'
    )
    assert refusal("sendMessage", text=text, parse_mode="HTML") is None


def test_empty_texts():
    assert refusal("sendMessage", text="") == "Bad Request: message text is empty"
    assert refusal("sendMessage") == "Bad Request: message text is empty"
    assert refusal("sendMessage", text=" \n\t") == "Bad Request: text must be non-empty"
    assert refusal("sendMessage", text="<b> </b>", parse_mode="HTML") == "Bad Request: text must be non-empty"
    assert refusal("sendMessage", text="\u200b") == "Bad Request: text must be non-empty"
    assert fix_text("  안녕\n\n", allow_empty=False) == "안녕"
    assert fix_text(" ", allow_empty=True) == ""


def test_parse_mode_must_be_known():
    assert refusal("sendMessage", text="x", parse_mode="XML") == "Bad Request: unsupported parse_mode"
    assert refusal("sendMessage", text="x" * 40000) == "Bad Request: text is too long"


# ------------------------------------------------------------------ captions


def test_captions_up_to_1024_characters():
    assert refusal("sendPhoto", caption="가" * 1024, photo="id") is None
    assert refusal("sendPhoto", caption="가" * 1025, photo="id") == "Bad Request: message caption is too long"
    assert refusal("sendDocument", caption="&amp;" * 1024, parse_mode="HTML") is None
    assert refusal("copyMessage", caption="x" * 1025) == "Bad Request: message caption is too long"
    assert refusal("editMessageCaption", caption="x" * 1025) == "Bad Request: MEDIA_CAPTION_TOO_LONG"
    assert refusal("sendPhoto", caption="<b>x", parse_mode="HTML").startswith(ENTITIES)
    assert refusal("sendPhoto", caption="", photo="id") is None and refusal("sendPhoto", caption="  ") is None


def test_media_group_captions():
    item = {"type": "photo", "media": "id", "parse_mode": "HTML"}
    assert refusal("sendMediaGroup", media=[{**item, "caption": "a"}, item]) is None
    assert refusal("sendMediaGroup", media=[{**item, "caption": "x" * 1025}, item]) == (
        "Bad Request: message caption is too long"
    )
    assert refusal("sendMediaGroup", media=[{**item, "caption": "<i>x"}, item]) == (
        "Bad Request: can't parse InputMedia: Can't parse entities: Can't find end tag corresponding to start tag \"i\""
    )
    assert refusal("sendMediaGroup", media=[item] * 11) == "Bad Request: MULTI_MEDIA_TOO_LONG"
    assert refusal("sendMediaGroup", media=[]) == "Bad Request: there are no messages to send"


# ------------------------------------------------------------------ keyboards


def test_callback_data_is_1_to_64_bytes():
    assert (
        refusal("sendMessage", text="x", reply_markup=kb({"text": "a", "callback_data": "가" * 21})) is None
    )  # 63 bytes
    assert refusal("sendMessage", text="x", reply_markup=kb({"text": "a", "callback_data": "가" * 22})) == (
        "Bad Request: BUTTON_DATA_INVALID"
    )  # 22 Hangul syllables are 66 bytes
    assert refusal("sendMessage", text="x", reply_markup=kb({"text": "a", "callback_data": "y" * 64})) is None
    assert refusal("editMessageReplyMarkup", reply_markup=kb({"text": "a", "callback_data": "y" * 65})) == (
        "Bad Request: BUTTON_DATA_INVALID"
    )


def test_an_inline_button_needs_an_action():
    assert refusal("sendMessage", text="x", reply_markup=kb({"text": "a"})) == (
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
    )
    assert refusal("sendMessage", text="x", reply_markup=kb({"text": "a", "callback_data": ""})) == (
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
    )
    for action in (
        {"url": "https://example.org"},
        {"switch_inline_query": ""},
        {"pay": True},
        {"web_app": {"url": "https://example.org/app"}},
        {"copy_text": {"text": "복사"}},
    ):
        assert refusal("sendMessage", text="x", reply_markup=kb({"text": "a", **action})) is None, action
    # TDLib drops a button with an empty text (and a keyboard left empty) without refusing
    assert refusal("sendMessage", text="x", reply_markup=kb({"text": "", "callback_data": "y" * 100})) is None
    assert refusal("sendMessage", text="x", reply_markup={"inline_keyboard": [{"text": "a"}]}) == (
        'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
    )


def test_button_urls_are_checked_as_telegram_does():
    url = "https://example.org:8O80/"
    assert refusal("sendMessage", text="x", reply_markup=kb({"text": "a", "url": url})) == (
        f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong port number specified in the URL"
    )
    assert check_link("https://example.org:8080/path?q=1") is None
    assert check_link("https://example.org:65536/").endswith("Wrong port number specified in the URL")
    assert check_link("https://example.org:/").endswith("Wrong port number specified in the URL")
    assert check_link("example.org/page") is None  # no scheme: http
    assert check_link("tg://resolve?domain=gwangjin") is None
    assert check_link("ftp://example.org/").endswith("Unsupported URL protocol")
    assert check_link("https://localhost:8080/").endswith("Wrong HTTP URL")  # a host needs a dot
    assert check_link("https://exa mple.org/").endswith("Disallowed character in URL host")
    assert check_link("https://광진구.kr/민원") is None  # UTF-8 is allowed
    assert refusal(
        "sendMessage", text="x", reply_markup=kb({"text": "a", "web_app": {"url": "http://example.org/app"}})
    ) == (
        "Bad Request: inline keyboard button Web App URL 'http://example.org/app' is invalid: "
        "Only HTTPS links are allowed"
    )


def test_reply_keyboards_and_edits():
    keyboard = {"keyboard": [[{"text": "위치 보내기", "request_location": True}, "취소"]], "resize_keyboard": True}
    assert refusal("sendMessage", text="x", reply_markup=keyboard) is None
    assert refusal("sendMessage", text="x", reply_markup={"keyboard": [[{"request_location": True}]]}) == (
        "Bad Request: can't parse keyboard button: Can't find field \"text\""
    )
    assert refusal("editMessageText", text="x", reply_markup=keyboard) == "Bad Request: inline keyboard expected"
    assert refusal("sendMessage", text="x", reply_markup={"remove_keyboard": True}) is None


# ------------------------------------------------------------------ other methods


def test_callback_answers_up_to_200_characters():
    assert refusal("answerCallbackQuery", callback_query_id="1", text="가" * 200) is None
    assert refusal("answerCallbackQuery", callback_query_id="1", text="가" * 201) == "Bad Request: MESSAGE_TOO_LONG"
    assert refusal("answerCallbackQuery", callback_query_id="1") is None


def test_polls():
    ok = {
        "question": "어느 쪽?",
        "question_parse_mode": "HTML",
        "options": [{"text": "가", "text_parse_mode": "HTML"}, {"text": "나"}],
    }
    assert refusal("sendPoll", **ok) is None
    assert (
        refusal("sendPoll", **{**ok, "question": "가" * 301}) == "Bad Request: poll question length must not exceed 300"
    )
    assert refusal("sendPoll", **{**ok, "question": ""}) == "Bad Request: text must be non-empty"
    assert (
        refusal("sendPoll", **{**ok, "options": [{"text": "x"}] * 13})
        == "Bad Request: poll can't have more than 12 options"
    )
    assert refusal("sendPoll", **{**ok, "options": []}) == "Bad Request: poll must have at least one answer option"
    assert refusal("sendPoll", **{**ok, "options": [{"text": "가" * 101}, "b"]}) == (
        "Bad Request: poll options length must not exceed 100"
    )
    assert refusal("sendPoll", **{**ok, "options": [{"text": "<b>x", "text_parse_mode": "HTML"}]}).startswith(ENTITIES)


def test_bot_commands():
    good = [{"command": "start", "description": "시작"}, {"command": "/help_2", "description": "도움말"}]
    assert refusal("setMyCommands", commands=good) is None
    assert (
        refusal("setMyCommands", commands=[{"command": "Start", "description": "x"}])
        == "Bad Request: BOT_COMMAND_INVALID"
    )
    assert (
        refusal("setMyCommands", commands=[{"command": "민원", "description": "x"}])
        == "Bad Request: BOT_COMMAND_INVALID"
    )
    assert refusal("setMyCommands", commands=[{"command": "a" * 33, "description": "x"}]) == (
        "Bad Request: command length must not exceed 32"
    )
    assert refusal("setMyCommands", commands=[{"command": "a", "description": " "}]) == (
        "Bad Request: command description must be non-empty"
    )
    assert refusal("setMyCommands", commands=[{"command": "a", "description": "x" * 257}]) == (
        "Bad Request: command description length must not exceed 256"
    )
    assert refusal("setMyCommands", commands=[{"command": f"c{i}", "description": "x"} for i in range(101)]) == (
        "Bad Request: BOT_COMMANDS_TOO_MUCH"
    )


def test_webhooks_need_https_on_four_ports():
    assert refusal("setWebhook", url="https://bot.example.org/telegram/webhook") is None
    assert refusal("setWebhook", url="https://bot.example.org:8443/hook") is None
    assert refusal("setWebhook", url="http://bot.example.org/hook") == (
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    assert refusal("setWebhook", url="https://bot.example.org:8080/hook") == (
        "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
    )
    assert refusal("setWebhook", url="https://bot.example.org/hook", secret_token="비밀") == (
        "Bad Request: secret token contains unallowed characters"
    )
    assert refusal("setWebhook", url="https://bot.example.org:99999/") == "Bad Request: invalid webhook URL specified"
    check_request("setWebhook", {"url": "http://127.0.0.1:8080/hook"}, local_mode=True)  # telegram-bot-api --local


def test_locations_and_venues():
    assert refusal("sendLocation", latitude=37.538, longitude=127.082) is None
    assert refusal("sendLocation", latitude=91.0, longitude=127.0) == "Bad Request: invalid location specified"
    assert refusal("sendVenue", latitude=37.5, longitude=181.0, title="t", address="a") == (
        "Bad Request: wrong venue location specified"
    )
    assert refusal("sendVenue", longitude=127.0, title="t", address="a") == "Bad Request: latitude is empty"


# ------------------------------------------------------------------ the fake answers as Telegram does


async def test_the_fake_answers_a_refusal_with_400_and_records_it(fake: FakeTelegram):
    fake.expect_refusals()
    bot = Bot(
        fake.token,
        session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    try:
        with pytest.raises(TelegramBadRequest, match="Unsupported start tag"):
            await bot.send_message(5, "자양동 680-1 <대성빌딩> 뒤편")
        await bot.send_message(5, "자양동 680-1 &lt;대성빌딩&gt; 뒤편")
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{fake.base_url}/bot{fake.token}/sendMessage",
                data={"chat_id": "5", "text": "<b>x", "parse_mode": "HTML"},
            ) as r:
                assert r.status == 400
                assert await r.json() == {
                    "ok": False,
                    "error_code": 400,
                    "description": ENTITIES + 'Can\'t find end tag corresponding to start tag "b"',
                }
    finally:
        await bot.session.close()
    assert [c.params["text"] for c in fake.sent(5)] == ["자양동 680-1 &lt;대성빌딩&gt; 뒤편"]
    assert [(m, d.split(": ")[-1]) for m, d, _ in fake.refused] == [
        ("sendMessage", 'Unsupported start tag "대성빌딩" at byte offset 16'),
        ("sendMessage", 'Can\'t find end tag corresponding to start tag "b"'),
    ]
    assert "대성빌딩" in fake.refused[0][2]  # what was sent, for the failure message


def test_a_refusal_nobody_expected_fails_the_test(tmp_path):
    """The suite's teardown check (tests/conftest.py), in a pytest run of its own."""
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import _telegram_would_refuse, fake, pytest_terminal_summary  # noqa\n"
    )
    (tmp_path / "test_x.py").write_text("""
import aiohttp

async def post(fake, text):
    async with aiohttp.ClientSession() as http:
        await http.post(f"{fake.base_url}/bot{fake.token}/sendMessage",
                        data={"chat_id": "1", "text": text, "parse_mode": "HTML"})

async def test_a_stray_tag(fake):
    await post(fake, "a <b")

async def test_a_stray_tag_on_purpose(fake):
    fake.expect_refusals()
    await post(fake, "a <b")
""")
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            "test_x.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    out = run.stdout
    assert "2 passed, 1 error" in out, out
    assert "the Bot API would refuse 1 request(s) of this test" in out
    assert "sendMessage: Bad Request: can't parse entities: Unclosed start tag at byte offset 2" in out
    assert "Bot API calls: 2 (refused: 2)" in out
