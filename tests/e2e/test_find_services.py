"""Every service is easy to find (issue 15 §4): /start and /menu show every resident service as
buttons that run the same entry as the command; /foodalert is listed for everyone; free text about
a service points to it (the complaint offer kept below); a greeting is greeted with the menu."""

from workflows import services

ALICE, BOB = 100, 101
SERVICES = (
    "complaint",
    "status",
    "birth",
    "death",
    "licensetax",
    "moving",
    "opinion",
    "foodalert",
    "privacy",
    "language",
)


def labels(call) -> list[str]:
    return [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


def callbacks(call) -> list[str]:
    return [b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


async def test_start_and_menu_show_every_resident_service(harness, fake):
    h = harness
    greeting = await h.say(ALICE, "/start", expect="민원 도우미")
    for line in (
        "민원 신청",
        "출생 원스톱",
        "사망 원스톱",
        "등록면허세",
        "전입주민 생활정보",
        "소통 Day",
        "식중독 예방 알림",
        "개인정보",
        "언어",
    ):
        assert line in greeting.params["text"]
    assert [c.removeprefix("menu:") for c in callbacks(greeting)] == [*SERVICES, "help"]
    await fake.wait_text(ALICE, "개인정보 수집·이용 동의")  # the complaint consent still follows
    menu = await h.say(BOB, "/menu", expect="How can we help", language_code="en")
    assert labels(menu) == [
        "📝 File a complaint",
        "📋 My complaints and applications",
        "👶 Birth one-stop",
        "🕊 Death one-stop",
        "🧾 Registration license tax",
        "🏡 New residents",
        "🗣 Opinion Day",
        "🍽 Food alerts (restaurants)",
        "🔒 Privacy",
        "🌐 Language · 언어",
        "❓ Help",
    ]
    assert [s.code for s in services.catalogue().services] == list(SERVICES)


async def test_a_menu_button_runs_the_same_entry_as_the_command(harness, fake):
    h = harness
    for n, code in enumerate(("birth", "death", "licensetax", "moving", "opinion", "foodalert", "privacy", "language")):
        pressing, typing = 1000 + n, 2000 + n
        await h.say(pressing, "/menu", expect="무엇을 도와드릴까요")
        mark = fake.mark()
        msg_id, _data = fake.button(pressing, "")  # any button of the menu, to get its message id
        fake.callback(pressing, f"menu:{code}", message_id=msg_id)
        pressed = await fake.wait_for(
            lambda c: c.method == "sendMessage" and c.params.get("chat_id") == pressing,  # noqa: B023 - awaited in this iteration
            after=mark,
        )
        typed = await h.say(typing, f"/{code}", expect="")
        assert pressed.params["text"] == typed.params["text"], code
        assert (
            labels(pressed) == labels(typed) if "reply_markup" in typed.params else "reply_markup" not in pressed.params
        )


async def test_foodalert_is_listed_for_everyone(harness, fake):
    h = harness
    defaults = [
        c
        for c in fake.requests
        if (c.method == "setMyCommands" and "scope" not in c.params)
        or (c.method == "setMyCommands" and (c.params.get("scope") or {}).get("type") == "default")
    ]
    assert len(defaults) == 3  # Korean, English and Chinese
    for call in defaults:
        assert "foodalert" in [c["command"] for c in call.params["commands"]]
    text = (await h.say(ALICE, "/help", expect="도움말")).params["text"]
    assert "/foodalert" in text
    text = (await h.say(BOB, "/help", expect="Help", language_code="en")).params["text"]
    assert "/foodalert" in text


async def test_free_text_about_a_service_points_to_it_and_keeps_the_complaint_offer(harness, fake):
    h = harness
    await h.say(ALICE, "/start", expect="개인정보 수집·이용 동의")
    await h.press(ALICE, "동의합니다", expect="동의가 기록되었습니다")
    replies = {}
    for said, command, button in (
        ("출생신고 하려면 어떻게 해야 하나요?", "/birth", "출생 원스톱"),
        ("아버지가 돌아가셨는데 무엇부터 해야 하나요", "/death", "사망 원스톱"),
        ("다음 주에 이사 왔는데 쓰레기는 언제 버리나요", "/moving", "전입주민 생활정보"),
        ("등록면허세를 내야 한다는데요", "/licensetax", "등록면허세"),
        ("식중독 알림을 받고 싶어요", "/foodalert", "식중독 알림"),
    ):
        reply = await h.say(ALICE, said, expect=command)
        assert button in labels(reply)[0], said
        assert "다른 분야 고르기" in labels(reply) and "아니요" in labels(reply)  # the offer stays
        assert "민원으로 신청할까요" in reply.params["text"]
        replies[command] = reply
    # the hint's button starts the service
    msg_id, data = fake.button(replies["/birth"], "출생 원스톱")
    mark = fake.mark()
    fake.callback(ALICE, data, message_id=msg_id)
    await fake.wait_text(ALICE, "출생 원스톱", after=mark)
    await h.say(ALICE, "/cancel", expect="취소")
    # a complaint that only mentions a word of a service is a plain complaint
    plain = await h.say(ALICE, "사망사고가 날 것 같은 교차로에 신호등을 설치해 주세요", expect="민원으로 신청할까요")
    assert not any(c.startswith("menu:") for c in callbacks(plain))


async def test_a_greeting_is_greeted_with_the_menu(harness, fake):
    h = harness
    for user, said, lang in ((ALICE, "안녕하세요!", "ko"), (BOB, "hi there 👋", "en")):
        reply = await h.say(user, said, expect="", language_code=lang)
        assert (
            "민원으로 신청할까요" not in reply.params["text"] and "File this as a complaint" not in reply.params["text"]
        )
        assert "menu:birth" in callbacks(reply) and "menu:complaint" in callbacks(reply)
    assert (await h.say(ALICE, "안녕하세요, 가로등이 고장났어요", expect="민원으로 신청할까요")) is not None
