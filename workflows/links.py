"""Which URLs Telegram takes in an inline keyboard's URL button.

A button whose URL Telegram refuses makes it refuse the whole message (400 "Inline keyboard button
URL '...' is invalid: ..."), so a newsletter with one such link would reach nobody. The rules are
the Bot API server's (TDLib): ``tdutils/td/utils/HttpUrl.cpp`` ``parse_url`` and
``td/telegram/LinkManager.cpp`` ``check_link`` — [http(s)://][userinfo@]host[:port][/path...]
with a port of digits up to 65535, a host of URL characters (RFC 3986, %XX, or any non-ASCII)
that has a dot (or is an [IPv6] address); ``tg:``, ``ton:`` and ``tonsite:`` links with a plain
host and nothing else; ``tg://user?id=<n>`` links to a user. The path, query and fragment are not
checked. A URL without a scheme is taken as http. ``button_url_problem`` says what is wrong, in a
word the editor's message names (``nl.err.url.<problem>``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

PROBLEMS = ("protocol", "port", "host", "characters", "percent", "ipv6", "dot", "scheme_link")

_PART_OK = frozenset(b".-_!$,~*'();&+=")


class UrlProblem(ValueError):
    """A URL Telegram refuses; ``problem`` is one of PROBLEMS."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class Url:
    https: bool
    userinfo: str
    host: str
    is_ipv6: bool
    specified_port: int

    @property
    def port(self) -> int:
        return self.specified_port or (443 if self.https else 80)


def _alnum(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x61 <= (c | 0x20) <= 0x7A


def _hex(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x61 <= (c | 0x20) <= 0x66


def _check_part(part: bytes, allow_colon: bool) -> None:
    i = 0
    while i < len(part):
        c = part[i]
        if _alnum(c) or c in _PART_OK or (allow_colon and c == 0x3A) or c >= 128:
            i += 1
        elif c == 0x25 and i + 2 < len(part) and _hex(part[i + 1]) and _hex(part[i + 2]):
            i += 3
        else:
            raise UrlProblem("percent" if c == 0x25 else "characters")


def parse(url: str, default_https: bool = False) -> Url:
    """HttpUrl.cpp parse_url (http by default; ``default_https`` for a webhook); UrlProblem on
    what it refuses."""
    raw = url.encode("utf-8", "surrogatepass")
    k = 0
    while k < len(raw) and raw[k] not in b":/?#@[]":
        k += 1
    https, rest = default_https, raw
    if raw[k : k + 3] == b"://":
        scheme = raw[:k].lower()
        if scheme not in (b"http", b"https"):
            raise UrlProblem("protocol")
        https, rest = scheme == b"https", raw[k + 3 :]
    k = 0
    while k < len(rest) and rest[k] not in b"/?#":
        k += 1
    authority = rest[:k]
    colon = len(authority) - 1
    while colon > 0 and authority[colon] not in b":]@":
        colon -= 1
    port, userinfo_host = 0, authority
    if colon > 0 and authority[colon] == 0x3A:
        digits = authority[colon + 1 :].lstrip(b"0") or b"0"
        port = int(digits) if re.fullmatch(rb"[1-9][0-9]{0,9}", digits) and int(digits) < 2**31 else -1
        userinfo_host = authority[:colon]
    if not 0 <= port <= 65535:
        raise UrlProblem("port")
    at = userinfo_host.rfind(b"@")
    userinfo, host = (userinfo_host[:at], userinfo_host[at + 1 :]) if at >= 0 else (b"", userinfo_host)
    is_ipv6 = host[:1] == b"[" and host[-1:] == b"]"
    if is_ipv6:
        try:
            ipaddress.IPv6Address(host[1:-1].decode("ascii"))
        except ValueError:
            raise UrlProblem("ipv6") from None
    if not host or host == b".":
        raise UrlProblem("host")
    if not is_ipv6:
        _check_part(host, allow_colon=False)
        _check_part(userinfo, allow_colon=True)
    return Url(https, userinfo.decode("utf-8", "replace"), host.lower().decode("utf-8", "replace"), is_ipv6, port)


def _user_link(url: str) -> bool:
    """LinkManager::get_link_user_id: tg://user?id=<n> (always accepted in a URL button)."""
    url = url.lower()
    if not url.startswith("tg:"):
        return False
    url = url[3:].removeprefix("//")
    if not url.startswith("user") or (len(url) > 4 and url[4] not in "/?#"):
        return False
    url = url[4:].removeprefix("/")
    if not url.startswith("?"):
        return False
    for parameter in url[1:].split("#", 1)[0].split("&"):
        key, _, value = parameter.partition("=")
        if key == "id":
            return bool(re.fullmatch(r"[1-9]\d*", value)) and int(value) < 1 << 40
    return False


def button_url_problem(url: str) -> str | None:
    """None when Telegram accepts ``url`` in a URL button, else what is wrong with it (PROBLEMS)."""
    if _user_link(url):
        return None
    link, scheme = url, ""
    for prefix in ("tg:", "ton:", "tonsite:"):
        if link.lower().startswith(prefix):
            link, scheme = link[len(prefix) :], prefix[:-1]
            break
    if scheme and link.startswith("//"):
        link = link[2:]
    try:
        u = parse(link)
    except UrlProblem as e:
        return e.problem
    if scheme:
        if (
            link.lower().startswith("http://")
            or u.https
            or u.userinfo
            or u.specified_port
            or u.is_ipv6
            or not all(
                ch.isascii() and (ch.isalnum() or ch in "-_" or (scheme == "tonsite" and ch == ".")) for ch in u.host
            )
        ):
            return "scheme_link"
        return None
    if "." not in u.host and not u.is_ipv6:
        return "dot"
    return None


def host(url: str) -> str:
    """The host of an accepted http(s) URL (a button's default label)."""
    try:
        return parse(url).host
    except UrlProblem:
        return url


_START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")  # Bot API deep linking: start parameter


def private_chat(bot_username: str, payload: str | None = None) -> str | None:
    """https://t.me/<bot>?start=<payload>: a link that opens the private chat with the bot and, when
    the person presses Start, sends it "/start <payload>" (handlers/group.py answers it). None when
    the bot's username is not known yet (before getMe), so a caller leaves the button out."""
    if not bot_username:
        return None
    if payload is None:
        return f"https://t.me/{bot_username}"
    if not _START_PAYLOAD.fullmatch(payload):
        raise ValueError(f"not a deep-link payload: {payload!r}")
    return f"https://t.me/{bot_username}?start={payload}"


def is_link(data: str) -> bool:
    """A button's second half is a URL (a link button), not callback data."""
    return data.startswith(("https://", "http://", "tg://"))
