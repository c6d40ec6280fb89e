"""A resident who reads Simplified Chinese (issue 18 §3): one whose Telegram app is in Chinese
("zh-hans"), and one who picks 中文 in /language, file a complaint end to end — consent, form,
summary, receipt, /status — and read /start and /help, all in Chinese. Hangul is allowed only as the
Korean form of a name or an institution given in brackets after its Chinese or English form
("Jayang 1-dong (자양1동)", "区厅(구청)"), and in the language picker's own label."""

from __future__ import annotations

import html
import re

import pytest

from tests.e2e.english import HANGUL, visible
from tests.e2e.harness import ADMIN

ZH_APP, ZH_PICKED, OFFICER = 500, 501, 502
# Korean allowed to stay: a bracketed Korean form "(자양1동)" / "（구청）", and the names of the
# languages themselves (한국어, 언어 in "🌐 语言 · 언어")
_GLOSS = re.compile(r"[(（][^()（）]*[\uac00-\ud7a3][^()（）]*[)）]")
_LANGUAGE_NAMES = ("한국어", "언어")


def korean_leaks(calls) -> list[str]:
    leaks = []
    for c in calls:
        for text in visible(c):
            stripped = _GLOSS.sub("", html.unescape(text))
            for name in _LANGUAGE_NAMES:
                stripped = stripped.replace(name, "")
            leaks += [f"{c.method}: {line}" for line in stripped.splitlines() if HANGUL.search(line)]
    return leaks


async def say(h, user, text=None, expect=None, **kw):
    return await h.say(user, text, expect=expect, language_code="zh-hans" if user == ZH_APP else "ko", **kw)


async def file_in_chinese(h, fake, user):
    await h.press(user, "我同意", expect="已记录您的同意")
    await say(h, user, "/complaint", "请选择民愿的类别")
    await h.press(user, "Waste and cleaning", expect="请描述问题")
    await say(h, user, "短", "请再详细一些")
    await say(h, user, "小巷入口处的大件垃圾已经放了一个星期，没有人清理。", "如有照片请发送")
    await say(h, user, photo=True, expect="已收到第 1/5 张照片")
    await h.press(user, "完成", expect="地点在哪里")
    await say(h, user, location=(37.5384, 127.0823), expect="是否留下电话号码")
    summary = await say(h, user, "010 1234 5678", "请确认")
    text = summary.params["text"]
    assert "处理部门：Sanitation Division" in text and "010-****-5678" in text
    assert re.search(r"处理期限：\d{4}-\d\d-\d\d\(周[一二三四五六日]\) \d\d:\d\d", text), text
    done = await h.press(user, "提交", expect="您的民愿已受理")
    receipt = re.search(r"<code>([\d-]+)</code>", done.params["text"]).group(1)
    status = await say(h, user, "/status", "我的民愿")
    listed = " ".join(visible(status))
    assert receipt in listed and "已受理" in listed, listed
    await h.press(user, receipt, expect="状态：")
    return receipt


@pytest.mark.parametrize("how", ["app language", "/language"])
async def test_complaint_in_chinese(harness, fake, how):
    h = harness
    h.app.worker.private_interval = h.app.worker.group_interval = 0.02
    user = ZH_APP if how == "app language" else ZH_PICKED
    await h.say(ADMIN, f"/grant {OFFICER} officer CLEAN", expect="역할을 부여했습니다")
    start = fake.mark()
    if how == "/language":
        await say(h, user, "/language", "언어를 선택하세요")  # a Korean app: Korean until they choose
        start = fake.mark()
        await h.press(user, "中文", expect="今后将用中文为您提供服务")
        commands = await fake.wait_for(
            lambda c: c.method == "setMyCommands" and (c.params.get("scope") or {}).get("chat_id") == user, after=start
        )
        assert "提交民愿" in str(commands.params["commands"])
    await say(h, user, "/start", "个人信息收集与使用同意")
    await fake.wait_text(user, "您好，这里是")
    await say(h, user, "/help", "<b>帮助</b>")
    receipt = await file_in_chinese(h, fake, user)

    # the officer (in Korean) takes it; the resident is told in Chinese
    await fake.wait_text(OFFICER, f"새 민원 {receipt}")
    await h.press(OFFICER, "접수", expect="맡았습니다")
    told = await fake.wait_text(user, "的工作人员已负责处理您的民愿")
    assert "Sanitation Division" in told.params["text"] and "周" in told.params["text"]

    calls = [c for c in fake.requests[start:] if c in fake.sent(user)]
    assert len(calls) >= 12
    assert korean_leaks(calls) == []


async def test_commands_menu_in_chinese(harness, fake):
    """The command menu beside the text box is set per language_code at start-up: zh too."""
    zh = await fake.wait_for(lambda c: c.method == "setMyCommands" and c.params.get("language_code") == "zh")
    described = {c["command"]: c["description"] for c in zh.params["commands"]}
    assert described["complaint"] == "提交民愿" and described["status"] == "我的民愿"
    assert not any(HANGUL.search(_GLOSS.sub("", d)) for d in described.values())  # "沟通日(소통 Day)"
