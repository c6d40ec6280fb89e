"""What the real Bot API refuses with 400, as pure functions for the suite's fake server.

Ported from the sources that answer a bot's request, read at these commits:

* telegram-bot-api (tdlib/telegram-bot-api 01a3679, Bot API 10.0), ``telegram-bot-api/Client.cpp`` --
  the HTTP front: argument parsing, ``get_formatted_text``, ``get_reply_markup``, setWebhook, and
  ``fail_query_with_error``, which turns an error into ``"Bad Request: " + message`` with the
  first letter lower-cased unless the message is an UPPER_CASE server code;
* TDLib (tdlib/td 022d602), which the Bot API server runs on: ``td/telegram/MessageEntity.cpp``
  (``parse_html``, ``fix_formatted_text``), ``td/telegram/misc.cpp`` (``clean_input_string``,
  ``is_empty_string``), ``td/telegram/MessageContent.cpp`` (text and caption limits),
  ``td/telegram/ReplyMarkup.cpp``, ``td/telegram/LinkManager.cpp`` (``check_link``),
  ``tdutils/td/utils/HttpUrl.cpp`` (``parse_url``), ``td/telegram/PollOption.cpp``,
  ``td/telegram/BotCommand.cpp``;
* limits enforced only by Telegram's servers (UPPER_CASE errors such as ``BUTTON_DATA_INVALID``)
  from the Bot API documentation (core.telegram.org/bots/api) and the errors bots report.

Lengths are counted as TDLib counts them: in Unicode code points (``utf8_length``) of the text
after entity parsing, control-character cleaning and trimming of spaces and newlines. Markdown
parse modes are not parsed here (the project sends HTML); their texts are measured raw.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from typing import Any

TEXT_LIMIT = 4096  # MessageContent.cpp: option message_text_length_max (default 4096)
CAPTION_LIMIT = 1024  # MessageContent.cpp: option message_caption_length_max (default 1024)
RAW_TEXT_LIMIT = 1 << 15  # Client.cpp get_formatted_text: "Text is too long" over 32768 bytes
CALLBACK_ANSWER_LIMIT = 200  # Bot API answerCallbackQuery: text 0-200 characters (server-side)
CALLBACK_DATA_LIMIT = 64  # Bot API InlineKeyboardButton.callback_data: 1-64 bytes (server-side)
POLL_QUESTION_LIMIT = 300  # MessageContent.cpp: MAX_POLL_QUESTION_LENGTH = is_bot ? 300 : 255
POLL_OPTION_LIMIT = 100  # PollOption.cpp: MAX_POLL_OPTION_LENGTH
POLL_OPTIONS_MAX = 12  # OptionManager.cpp: poll_answer_count_max (Bot API 10: 1-12 options)
COMMANDS_MAX = 100  # Bot API setMyCommands: at most 100 commands (server: BOT_COMMANDS_TOO_MUCH)
COMMAND_LIMIT = 32  # BotCommand.cpp: MAX_COMMAND_TEXT_LENGTH
COMMAND_DESCRIPTION_LIMIT = 256  # BotCommand.cpp: MAX_COMMAND_DESCRIPTION_LENGTH
ALBUM_MAX = 10  # Bot API sendMediaGroup: 2-10 items (server: MULTI_MEDIA_TOO_LONG)
WEBHOOK_PORTS = (80, 88, 443, 8443)  # telegram-bot-api WebhookActor::start_up (not in --local mode)

CAPTION_METHODS = frozenset(
    {
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendanimation",
        "sendaudio",
        "sendvoice",
        "sendpaidmedia",
        "editmessagecaption",
        "copymessage",
    }
)
EDIT_METHODS = frozenset(
    {
        "editmessagetext",
        "editmessagecaption",
        "editmessagemedia",
        "editmessagereplymarkup",
        "editmessagelivelocation",
        "stopmessagelivelocation",
        "stoppoll",
    }
)


class TelegramRefusal(Exception):
    """A request the Bot API answers with ``{"ok": false, "error_code": 400, ...}``."""

    error_code = 400

    def __init__(self, description: str):
        super().__init__(description)
        self.description = description


def _fail(message: str) -> TelegramRefusal:
    """Client.cpp fail_query_with_error: "Bad Request: " + message, its first letter lower-cased
    unless the message is a server code (second character '_' or an upper-case letter)."""
    if not message.startswith("Bad Request"):
        if not (len(message) >= 2 and (message[1] == "_" or "A" <= message[1] <= "Z")):
            message = message[:1].lower() + message[1:]
        message = "Bad Request: " + message
    return TelegramRefusal(message)


# ------------------------------------------------------------------ HTML parse mode


class _HtmlError(Exception):
    """An error of MessageEntity.cpp parse_html, without the "Can't parse entities: " prefix."""


def _is_space(c: int) -> bool:  # tdutils misc.h is_space (NUL counts: end of the C string)
    return c in (0x20, 0x09, 0x0D, 0x0A, 0x00, 0x0B)


def _is_alpha(c: int) -> bool:  # misc.h is_alpha: ASCII letters only
    return 0x61 <= (c | 0x20) <= 0x7A


def _is_digit(c: int) -> bool:
    return 0x30 <= c <= 0x39


def _is_hex(c: int) -> bool:
    return _is_digit(c) or 0x61 <= (c | 0x20) <= 0x66


def _decode_html_entity(src: bytes, pos: int) -> tuple[int, int]:
    """MessageEntity.cpp decode_html_entity: (code point, position after) or (0, pos) when the
    '&' does not start &lt; &gt; &amp; &quot; &#NN; &#xHH; (the ';' is optional)."""

    def at(k: int) -> int:
        return src[k] if k < len(src) else 0

    end, res = pos + 1, 0
    if at(pos + 1) == 0x23:  # '#'
        end += 1
        if at(pos + 2) == 0x78:  # 'x', lower case only
            end += 1
            while _is_hex(at(end)):
                res = res * 16 + int(chr(at(end)), 16)
                end += 1
        else:
            while _is_digit(at(end)):
                res = res * 10 + at(end) - 0x30
                end += 1
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _is_alpha(at(end)):
            end += 1
        res = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(src[pos + 1 : end], 0)
        if res == 0:
            return 0, pos  # unsupported literal entity
    if at(end) == 0x3B:  # ';'
        end += 1
    return res, end


def _to_int32(value: bytes) -> int:
    """misc.h to_integer<int32>: optional '-', leading digits, wrapping on overflow."""
    m = re.match(rb"(-?)(\d*)", value)
    n = int(m.group(2) or b"0") % 2**32
    n = n - 2**32 if n >= 2**31 else n
    return -n if m.group(1) else n


def _date_flags_ok(fmt: str) -> bool:  # FormattedDate.cpp get_date_flags
    return fmt in ("r", "R") or all(c in "tTdDwW" for c in fmt)


def _link_user_id(url: str) -> int | None:
    """LinkManager::get_link_user_id: the user of a tg://user?id=N link."""
    url = url.lower()
    if not url.startswith("tg:"):
        return None
    url = url[3:].removeprefix("//")
    if not url.startswith("user") or (len(url) > 4 and url[4] not in "/?#"):
        return None
    url = url[4:].removeprefix("/")
    if not url.startswith("?"):
        return None
    for parameter in url[1:].split("#", 1)[0].split("&"):
        key, _, value = parameter.partition("=")
        if key == "id":
            return int(value) if re.fullmatch(r"-?[1-9]\d*|0", value) and 0 < int(value) < 1 << 40 else None
    return None


def _parse_html(text: str) -> tuple[str, list[dict]]:
    """MessageEntity.cpp parse_html, step by step on the UTF-8 bytes (offsets are byte offsets)."""
    src = text.encode("utf-8", "surrogatepass")
    n = len(src)

    def at(k: int) -> int:
        return src[k] if k < n else 0

    out = bytearray()
    entities: list[dict] = []
    nested: list[list] = []  # [tag, argument, date, utf16 offset, byte position in out]
    utf16 = 0
    i = 0
    while i < n:
        c = src[i]
        if c == 0x26:  # '&'
            code, after = _decode_html_entity(src, i)
            if code:
                i = after
                utf16 += 1 + (code > 0xFFFF)
                out += chr(code).encode("utf-8", "surrogatepass")
                continue
        if c != 0x3C:  # not '<'
            if c & 0xC0 != 0x80:  # first byte of a character
                utf16 += 1 + (c >= 0xF0)
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != 0x2F:  # a start tag
            while not _is_space(at(i)) and at(i) != 0x3E:
                i += 1
            if at(i) == 0:
                raise _HtmlError(f"Unclosed start tag at byte offset {begin}")
            tag = src[begin + 1 : i].lower().decode("utf-8", "replace")
            if tag not in (
                "a",
                "b",
                "strong",
                "i",
                "em",
                "s",
                "strike",
                "del",
                "u",
                "ins",
                "tg-spoiler",
                "tg-emoji",
                "tg-time",
                "span",
                "pre",
                "code",
                "blockquote",
            ):
                raise _HtmlError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument, date = b"", 0
            while at(i) != 0x3E:  # attributes up to '>'
                while at(i) != 0 and _is_space(at(i)):
                    i += 1
                if at(i) == 0x3E:
                    break
                name_begin = i
                while not _is_space(at(i)) and at(i) not in (0x3D, 0x3E, 0x2F, 0x22, 0x27):
                    i += 1
                name = src[name_begin:i]
                if not name:
                    raise _HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
                while at(i) != 0 and _is_space(at(i)):
                    i += 1
                if at(i) != 0x3D:  # an attribute without a value
                    if at(i) == 0:
                        raise _HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and name == b"expandable":
                        argument = b"1"
                    continue
                i += 1
                while at(i) != 0 and _is_space(at(i)):
                    i += 1
                if at(i) == 0:
                    raise _HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (0x22, 0x27):  # a name token, case-insensitive
                    token_begin = i
                    while (0x30 <= at(i) <= 0x39 or _is_alpha(at(i))) or at(i) in (0x2E, 0x2D):
                        i += 1
                    value = src[token_begin:i].lower()
                    if not _is_space(at(i)) and at(i) != 0x3E:
                        raise _HtmlError(f"Unexpected end of name token at byte offset {token_begin}")
                else:  # a quoted string, entities decoded
                    quote = at(i)
                    i += 1
                    buf = bytearray()
                    while at(i) != quote and at(i) != 0:
                        if at(i) == 0x26:
                            code, after = _decode_html_entity(src, i)
                            if code:
                                buf += chr(code).encode("utf-8", "surrogatepass")
                                i = after
                                continue
                        buf.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = bytes(buf)
                if at(i) == 0:
                    raise _HtmlError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and name == b"href":
                    argument = value
                elif tag == "code" and name == b"class" and value.startswith(b"language-"):
                    argument = value[9:]
                elif tag == "span" and name == b"class" and value.startswith(b"tg-"):
                    argument = value[3:]
                elif tag == "tg-emoji" and name == b"emoji-id":
                    argument = value
                elif tag == "blockquote" and name == b"expandable":
                    argument = b"1"
                elif tag == "tg-time" and name == b"unix":
                    date = _to_int32(value)
                elif tag == "tg-time" and name == b"format":
                    argument = value
            if tag == "span" and argument != b"spoiler":
                raise _HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            nested.append([tag, argument, date, utf16, len(out)])
        else:  # an end tag
            if not nested:
                raise _HtmlError(f"Unexpected end tag at byte offset {begin}")
            while not _is_space(at(i)) and at(i) != 0x3E:
                i += 1
            end_tag = src[begin + 2 : i].lower().decode("utf-8", "replace")
            while _is_space(at(i)) and at(i) != 0:
                i += 1
            if at(i) != 0x3E:
                raise _HtmlError(f"Unclosed end tag at byte offset {begin}")
            tag, argument, date, offset, out_begin = nested[-1]
            if end_tag and end_tag != tag:
                raise _HtmlError(f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", found "</{end_tag}>"')
            if utf16 > offset:
                _close_entity(entities, tag, argument, date, offset, utf16 - offset, bytes(out[out_begin:]))
            nested.pop()
        i += 1  # past '>'
    if nested:
        raise _HtmlError(f'Can\'t find end tag corresponding to start tag "{nested[-1][0]}"')
    for e in entities:
        if e["type"] == "code":
            e.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))
    try:  # only a surrogate from &#xD800; and the like can make it invalid (need_recheck_utf8)
        result = bytes(out).decode("utf-8")
    except UnicodeDecodeError:
        raise _HtmlError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        ) from None
    return result, entities


_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "date_time": 30,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}  # MessageEntity::get_type_priority
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _close_entity(
    entities: list[dict], tag: str, argument: bytes, date: int, offset: int, length: int, inner: bytes
) -> None:
    """The entity of a closed tag (the end-tag branch of parse_html)."""
    arg = argument.decode("utf-8", "replace")
    if tag in _SIMPLE:
        entities.append({"type": _SIMPLE[tag], "offset": offset, "length": length})
    elif tag == "tg-emoji":
        if not re.fullmatch(r"-?[1-9]\d*", arg) or not -(2**63) <= int(arg) < 2**63:
            raise _HtmlError("Invalid custom emoji identifier specified")
        entities.append({"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": arg})
    elif tag == "tg-time":
        if not _date_flags_ok(arg):
            raise _HtmlError("Invalid date format used")
        if date > 0:
            entities.append(
                {
                    "type": "date_time",
                    "offset": offset,
                    "length": length,
                    "unix_time": date,
                    **({"date_time_format": arg} if arg else {}),
                }
            )
    elif tag == "a":
        url = arg or inner.decode("utf-8", "replace")
        if (user_id := _link_user_id(url)) is not None:
            entities.append({"type": "text_mention", "offset": offset, "length": length, "user": {"id": user_id}})
        elif check_link(url) is None:  # an invalid link is dropped silently
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("language")
        ):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if last and last["type"] == "pre" and last["offset"] == offset and last["length"] == length and arg:
            last["language"] = arg
        else:
            entities.append({"type": "code", "offset": offset, "length": length, **({"language": arg} if arg else {})})
    elif tag == "blockquote":
        entities.append({"type": "expandable_blockquote" if arg else "blockquote", "offset": offset, "length": length})


def parse_html(text: str) -> tuple[str, list[dict]]:
    """Telegram's HTML parse mode: (text without tags, its entities with UTF-16 offsets), or
    TelegramRefusal("Bad Request: can't parse entities: ...") as the Bot API answers."""
    try:
        return _parse_html(text)
    except _HtmlError as e:
        raise _fail(f"Can't parse entities: {e}") from None


# ------------------------------------------------------------------ text cleaning and lengths

_REMOVED = re.compile("[\r\u2028-\u202e\u0333\u033f\u030a]")  # misc.cpp clean_input_string
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")  # ... control characters -> ' '
_SPACES = re.compile("[\u1680\u180e\u2000-\u200a\u202f\u205f\u2800\u3000\ufffc\U000e0000-\U000e007f]")
_EMPTY_CHARS = frozenset(" \n\u200b\u200c\u200d\u200e\u200f\u202e\ufeff\u00a0")


def clean_input_string(text: str) -> str:
    """misc.cpp clean_input_string: control characters become spaces ('\\n' kept), '\\r',
    U+2028..U+202E and the combining vertical lines U+0333 U+033F U+030A are removed."""
    return _CONTROL.sub(" ", _REMOVED.sub("", text))


def is_empty_string(text: str) -> bool:
    """misc.cpp is_empty_string (strip_empty_characters): only spaces, zero-width characters,
    BOM and no-break spaces."""
    s = _SPACES.sub(" ", text).strip(" \t\r\n\x00\x0b")
    return all(ch in _EMPTY_CHARS for ch in s)


def fix_text(text: str, entities: list[dict] | None = None, *, allow_empty: bool) -> str:
    """MessageEntity.cpp fix_formatted_text as far as the text goes: cleaned, trailing spaces and
    newlines cut, leading ones cut up to the first entity; "Text must be non-empty" when nothing
    visible is left (unless ``allow_empty``: captions, poll descriptions)."""
    s = clean_input_string(text).rstrip(" \n")
    first = min((e["offset"] for e in entities or []), default=len(s))
    k = 0
    while k < first and k < len(s) and s[k] in " \n":
        k += 1
    s = s[k:]
    if not s or is_empty_string(s):
        if allow_empty:
            return ""
        raise _fail("Text must be non-empty")
    return s


def text_length(text: str) -> int:
    """utf8_length: Unicode code points (an emoji outside the BMP counts 1, not 2)."""
    return len(text)


def formatted_text(text: str, parse_mode: Any, *, where: str = "") -> tuple[str, list[dict]]:
    """Client.cpp get_formatted_text: the raw text is at most 32768 bytes, then it is parsed in
    its parse_mode (an empty text is not parsed). ``where`` prefixes errors as the Bot API does
    for nested objects ("Can't parse InputMedia: ")."""
    try:
        if len(text.encode("utf-8", "surrogatepass")) > RAW_TEXT_LIMIT:
            raise _HtmlError("Text is too long")
        mode = str(parse_mode or "").lower()
        if not text or mode in ("", "none"):
            return text, []
        if mode == "html":
            try:
                return _parse_html(text)
            except _HtmlError as e:
                raise _HtmlError(f"Can't parse entities: {e}") from None
        if mode in ("markdown", "markdownv2"):
            return text, []  # not modelled: measured raw
        raise _HtmlError("Unsupported parse_mode")
    except _HtmlError as e:
        raise _fail(f"{where}{e}") from None


# ------------------------------------------------------------------ URLs


class _UrlError(Exception):
    pass


_URL_PART_OK = frozenset(b".-_!$,~*'();&+=")


def _check_url_part(part: bytes, name: str, allow_colon: bool) -> None:
    """HttpUrl.cpp parse_url's check_url_part (RFC 3986 characters, %XX, any non-ASCII byte)."""
    i = 0
    while i < len(part):
        c = part[i]
        if (_is_digit(c) or _is_alpha(c)) or c in _URL_PART_OK or (allow_colon and c == 0x3A):
            i += 1
            continue
        if c == 0x25:  # '%'
            if i + 2 < len(part) and _is_hex(part[i + 1]) and _is_hex(part[i + 2]):
                i += 3
                continue
            raise _UrlError(f"Wrong percent-encoded symbol in URL {name}")
        if c >= 128:
            i += 1
            continue
        raise _UrlError(f"Disallowed character in URL {name}")


def parse_url(url: str, default_https: bool = False) -> dict:
    """tdutils HttpUrl.cpp parse_url: [http(s)://][userinfo@]host[:port][/query]."""
    raw = url.encode("utf-8", "surrogatepass")
    k = 0
    while k < len(raw) and raw[k] not in b":/?#@[]":
        k += 1
    protocol_str = raw[:k].lower()
    if raw[k : k + 3] == b"://":
        if protocol_str not in (b"http", b"https"):
            raise _UrlError("Unsupported URL protocol")
        https, rest = protocol_str == b"https", raw[k + 3 :]
    else:
        https, rest = default_https, raw
    k = 0
    while k < len(rest) and rest[k] not in b"/?#":
        k += 1
    userinfo_host_port, query = rest[:k], rest[k:]
    colon = len(userinfo_host_port) - 1
    while colon > 0 and userinfo_host_port[colon] not in b":]@":
        colon -= 1
    port = 0
    if colon > 0 and userinfo_host_port[colon] == 0x3A:
        digits = userinfo_host_port[colon + 1 :]
        while len(digits) > 1 and digits[:1] == b"0":
            digits = digits[1:]
        # to_integer_safe<int>: the whole slice must be the number; 0 is no port either
        port = int(digits) if re.fullmatch(rb"[1-9][0-9]{0,9}", digits) and int(digits) < 2**31 else -1
        userinfo_host = userinfo_host_port[:colon]
    else:
        userinfo_host = userinfo_host_port
    if port < 0 or port > 65535:
        raise _UrlError("Wrong port number specified in the URL")
    at_pos = userinfo_host.rfind(b"@")
    userinfo, host = (userinfo_host[:at_pos], userinfo_host[at_pos + 1 :]) if at_pos >= 0 else (b"", userinfo_host)
    is_ipv6 = False
    if host[:1] == b"[" and host[-1:] == b"]":
        try:
            ipaddress.IPv6Address(host[1:-1].decode("ascii"))
        except ValueError:
            raise _UrlError("Wrong IPv6 address specified in the URL") from None
        is_ipv6 = True
    if not host:
        raise _UrlError("URL host is empty")
    if host == b".":
        raise _UrlError("Host is invalid")
    host = host.lower()
    if not is_ipv6:
        _check_url_part(host, "host", False)
        _check_url_part(userinfo, "userinfo", True)
    return {
        "https": https,
        "userinfo": userinfo.decode("utf-8", "replace"),
        "host": host.decode("utf-8", "replace"),
        "is_ipv6": is_ipv6,
        "specified_port": port,
        "port": port or (443 if https else 80),
        "query": query.decode("utf-8", "replace") or "/",
    }


def check_link(url: str, http_only: bool = False, https_only: bool = False) -> str | None:
    """LinkManager::check_link: None if Telegram accepts the link, else its error message
    ("URL '...' is invalid: ..."). Schemes: http, https, tg, ton, tonsite (none = http)."""
    try:
        link, scheme = url, ""
        for prefix in ("tg:", "ton:", "tonsite:"):
            if link.lower().startswith(prefix):
                link, scheme = link[len(prefix) :], prefix[:-1]
                break
        if scheme and link.startswith("//"):
            link = link[2:]
        u = parse_url(link)
        if https_only and (not u["https"] or scheme):
            raise _UrlError("Only HTTPS links are allowed")
        if scheme:
            if http_only:
                raise _UrlError("Only HTTP links are allowed")
            if link.lower().startswith("http://") or u["https"] or u["userinfo"] or u["specified_port"] or u["is_ipv6"]:
                raise _UrlError("Wrong tg URL" if scheme == "tg" else "Wrong ton URL")
            for ch in u["host"]:
                if not (ch.isascii() and (ch.isalnum() or ch in "-_" or (scheme == "tonsite" and ch == "."))):
                    raise _UrlError("Unallowed characters in URL host")
            return None
        if "." not in u["host"] and not u["is_ipv6"]:
            raise _UrlError("Wrong HTTP URL")
        return None
    except _UrlError as e:
        return f"URL '{url}' is invalid: {e}"


# ------------------------------------------------------------------ reply markup


def _json(value: Any, what: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise _fail(f"Can't parse {what} JSON object") from None
    return value


def _button_type(b: dict) -> str | None:
    """Client.cpp get_inline_keyboard_button_type: the first of these wins; an empty url or
    callback_data counts as absent."""
    for key in ("url", "callback_data"):
        if isinstance(b.get(key), str) and b[key]:
            return key
    for key in (
        "callback_game",
        "pay",
        "switch_inline_query",
        "switch_inline_query_chosen_chat",
        "switch_inline_query_current_chat",
        "login_url",
        "web_app",
        "copy_text",
    ):
        if key in b:
            return key
    return None


def check_reply_markup(markup: Any, *, inline_only: bool = False) -> None:
    """Client.cpp get_reply_markup, then ReplyMarkup.cpp get_reply_markup, then the server's
    BUTTON_DATA_INVALID. A button with an empty text is dropped by TDLib, not refused."""
    if markup is None or markup == "":
        return
    markup = _json(markup, "reply keyboard markup")
    if not isinstance(markup, dict):
        raise _fail("Object expected as reply markup")
    rows = markup.get("keyboard")
    if rows is not None and not isinstance(rows, list):
        raise _fail('Field "keyboard" must be of type Array')
    for row in rows or []:
        if not isinstance(row, list):
            raise _fail('Field "keyboard" must be an Array of Arrays')
        for b in row:
            if isinstance(b, dict):
                if not isinstance(b.get("text"), str):
                    raise _fail(
                        'Can\'t parse keyboard button: Field "text" must be of type String'
                        if "text" in b
                        else "Can't parse keyboard button: Can't find field \"text\""
                    )
            elif not isinstance(b, str):
                raise _fail("Can't parse keyboard button: KeyboardButton must be a String or an Object")
    inline = markup.get("inline_keyboard")
    if inline is not None and not isinstance(inline, list):
        raise _fail('Field "inline_keyboard" must be of type Array')
    for row in inline or []:
        if not isinstance(row, list):
            raise _fail('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        for b in row:
            if not isinstance(b, dict):
                raise _fail("Can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            if not isinstance(b.get("text"), str):
                raise _fail(
                    'Can\'t parse inline keyboard button: Field "text" must be of type String'
                    if "text" in b
                    else "Can't parse inline keyboard button: Can't find field \"text\""
                )
            if str(b.get("style") or "default").lower() not in ("default", "primary", "danger", "success"):
                raise _fail("Can't parse inline keyboard button: invalid button style specified")
            if _button_type(b) is None:
                raise _fail("Can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    # ReplyMarkup.cpp: the kind of markup, then each inline button that has a text
    kind = (
        "keyboard"
        if any(row for row in rows or [])
        else "inline"
        if any(row for row in inline or [])
        else "remove"
        if markup.get("remove_keyboard") or markup.get("hide_keyboard")
        else "force_reply"
        if markup.get("force_reply") or markup.get("force_reply_keyboard")
        else None
    )
    if inline_only and kind not in (None, "inline"):
        raise _fail("Inline keyboard expected")  # get_inline_reply_markup, for edits
    if kind != "inline":
        return
    buttons = [b for row in inline for b in row if b["text"]]
    for b in buttons:
        kind_of_button = _button_type(b)
        if kind_of_button == "url" and _link_user_id(b["url"]) is None:
            if error := check_link(b["url"]):
                raise _fail(f"Inline keyboard button {error}")
        elif kind_of_button in ("web_app", "login_url"):
            url = (b[kind_of_button] or {}).get("url", "") if isinstance(b[kind_of_button], dict) else ""
            label = "Web App" if kind_of_button == "web_app" else "login"
            if _link_user_id(url) is not None:
                raise _fail(
                    f"Link to a user can't be used in {'Web App URL' if label == 'Web App' else 'login URL'} buttons"
                )
            if error := check_link(url, http_only=True, https_only=True):
                raise _fail(f"Inline keyboard button {label} {error}")
    for b in buttons:  # server-side: 1-64 bytes
        if _button_type(b) == "callback_data" and len(b["callback_data"].encode("utf-8")) > CALLBACK_DATA_LIMIT:
            raise _fail("BUTTON_DATA_INVALID")


# ------------------------------------------------------------------ the requests


def _caption(params: dict, method: str, *, where: str = "") -> None:
    """A media caption: parsed by the Bot API, then at most 1024 characters (MessageContent.cpp
    create_input_message_content: "Message caption is too long"; an edit is refused by the
    server with MEDIA_CAPTION_TOO_LONG)."""
    caption = params.get("caption")
    if not isinstance(caption, str) or not caption:
        return
    plain, entities = formatted_text(caption, params.get("parse_mode"), where=where)
    if text_length(fix_text(plain, entities, allow_empty=True)) > CAPTION_LIMIT:
        raise _fail("MEDIA_CAPTION_TOO_LONG" if method == "editmessagecaption" else "Message caption is too long")


def _location(params: dict, method: str) -> None:
    """Client.cpp get_location ("latitude is empty"), then Location.cpp / Venue.cpp: finite,
    |latitude| <= 90, |longitude| <= 180."""
    values = []
    for key in ("latitude", "longitude"):
        v = params.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            raise _fail(f"Bad Request: {key} is empty")
        try:
            values.append(float(v))
        except (TypeError, ValueError):
            values.append(0.0)  # td::to_double of garbage is 0
    lat, lon = values
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        raise _fail("Wrong venue location specified" if method == "sendvenue" else "Invalid location specified")


def _poll(params: dict) -> None:
    """Client.cpp process_send_poll_query, MessageContent.cpp (question) and PollOption.cpp."""
    question, _ = formatted_text(str(params.get("question") or ""), params.get("question_parse_mode"))
    options = _json(params.get("options"), "options")
    if not isinstance(options, list):
        raise _fail("Expected an Array of String as options")
    parsed = []
    for o in options:
        if isinstance(o, dict):
            if not isinstance(o.get("text"), str):
                raise _fail('Field "text" must be of type String' if "text" in o else 'Can\'t find field "text"')
            parsed.append(formatted_text(o["text"], o.get("text_parse_mode")))
        elif isinstance(o, str):
            parsed.append((o, []))
        else:
            raise _fail("Expected an option to be of type String")
    if text_length(fix_text(question, allow_empty=False)) > POLL_QUESTION_LIMIT:
        raise _fail(f"Poll question length must not exceed {POLL_QUESTION_LIMIT}")
    if not parsed:
        raise _fail("Poll must have at least one answer option")
    if len(parsed) > POLL_OPTIONS_MAX:
        raise _fail(f"Poll can't have more than {POLL_OPTIONS_MAX} options")
    for text, entities in parsed:
        if text_length(fix_text(text, entities, allow_empty=False)) > POLL_OPTION_LIMIT:
            raise _fail(f"Poll options length must not exceed {POLL_OPTION_LIMIT}")


def _commands(params: dict) -> None:
    """BotCommand.cpp set_commands (trimmed, a leading '/' dropped, lengths), then the server:
    BOT_COMMAND_INVALID unless [a-z0-9_], BOT_COMMANDS_TOO_MUCH over 100."""
    commands = _json(params.get("commands") or [], "commands")
    if not isinstance(commands, list):
        raise _fail("Expected an Array of BotCommand")
    cleaned = []
    for c in commands:
        if not isinstance(c, dict):
            raise _fail("Can't parse BotCommand: expected an Object")
        for key in ("command", "description"):
            if not isinstance(c.get(key), str):
                raise _fail(f"Can't parse BotCommand: Can't find field \"{key}\"")
        command = clean_input_string(c["command"]).strip(" \t\r\n\x00\x0b").removeprefix("/")
        if not command:
            raise _fail("Command must be non-empty")
        if text_length(command) > COMMAND_LIMIT:
            raise _fail(f"Command length must not exceed {COMMAND_LIMIT}")
        description = clean_input_string(c["description"]).strip(" \t\r\n\x00\x0b")
        if not description:
            raise _fail("Command description must be non-empty")
        if text_length(description) > COMMAND_DESCRIPTION_LIMIT:
            raise _fail(f"Command description length must not exceed {COMMAND_DESCRIPTION_LIMIT}")
        cleaned.append(command)
    if len(cleaned) > COMMANDS_MAX:
        raise _fail("BOT_COMMANDS_TOO_MUCH")
    if any(not re.fullmatch(r"[a-z0-9_]+", command) for command in cleaned):
        raise _fail("BOT_COMMAND_INVALID")


def _webhook(params: dict, local_mode: bool) -> None:
    """Client.cpp do_set_webhook (URL, https by default; secret token), then WebhookActor::start_up:
    HTTPS only, ports 80, 88, 443, 8443 -- both skipped by a server run with --local."""
    url = str(params.get("url") or "")
    if not url:
        return  # same as deleteWebhook
    try:
        u = parse_url(url, default_https=True)
    except _UrlError:
        raise _fail("Bad Request: invalid webhook URL specified") from None
    secret = str(params.get("secret_token") or "")
    if len(secret.encode("utf-8")) > 256:
        raise _fail("Bad Request: secret token is too long")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", secret):
        raise _fail("Bad Request: secret token contains unallowed characters")
    if local_mode:
        return
    if not u["https"]:
        raise _fail("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    if u["port"] not in WEBHOOK_PORTS:
        raise _fail("Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def check_request(method: str, params: dict, *, local_mode: bool = False) -> None:
    """Raise TelegramRefusal if the real Bot API answers this request with 400.

    ``params`` as the fake decodes them (JSON values decoded, free text kept as str).
    ``local_mode``: a Bot API server run with ``--local`` (any webhook scheme and port)."""
    m = method.lower()
    inline_only = m in EDIT_METHODS
    if m in ("sendmessage", "editmessagetext"):
        # Client.cpp get_input_message_text: "Message text is empty" for a missing or "" text;
        # then get_formatted_text; TDLib fix_formatted_text: "Text must be non-empty";
        # MessageContent.cpp: "Message is too long" over 4096 (an edit: the server's MESSAGE_TOO_LONG)
        text = params.get("text")
        if not isinstance(text, str) or not text:
            raise _fail("Message text is empty")
        plain, entities = formatted_text(text, params.get("parse_mode"))
        check_reply_markup(params.get("reply_markup"), inline_only=inline_only)
        if text_length(fix_text(plain, entities, allow_empty=False)) > TEXT_LIMIT:
            raise _fail("MESSAGE_TOO_LONG" if m == "editmessagetext" else "Message is too long")
        return
    if m in CAPTION_METHODS:
        _caption(params, m)
    elif m == "sendmediagroup":
        media = _json(params.get("media") or [], "media")
        if not isinstance(media, list):
            raise _fail("Expected an Array of InputMedia")
        for item in media:
            if isinstance(item, dict):
                caption = item.get("caption")
                if isinstance(caption, str) and caption:
                    formatted_text(caption, item.get("parse_mode"), where="Can't parse InputMedia: ")
        if not media:
            raise _fail("There are no messages to send")  # MessagesManager::send_message_group
        if len(media) > ALBUM_MAX:
            raise _fail("MULTI_MEDIA_TOO_LONG")  # server: too many media in an album
        for item in media:
            if isinstance(item, dict):
                _caption(item, m)
    elif m in ("sendlocation", "sendvenue"):
        _location(params, m)
    elif m == "sendpoll":
        _poll(params)
    elif m == "answercallbackquery":
        # server-side limit, Bot API docs: "text ... 0-200 characters"; reported as MESSAGE_TOO_LONG
        if text_length(str(params.get("text") or "")) > CALLBACK_ANSWER_LIMIT:
            raise _fail("MESSAGE_TOO_LONG")
        return
    elif m == "setmycommands":
        _commands(params)
        return
    elif m == "setwebhook":
        _webhook(params, local_mode)
        return
    if "reply_markup" in params and m != "sendmediagroup":  # the album takes no reply_markup
        check_reply_markup(params.get("reply_markup"), inline_only=inline_only)
