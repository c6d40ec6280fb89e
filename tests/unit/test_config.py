"""Settings: the multi-instance and webhook settings are checked before the bot starts."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings

BASE = {"BOT_TOKEN": "123:ABC", "DATA_KEY": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="}
SECRET = "0123456789abcdef-_XYZ"


def settings(**env):
    return load_settings({**BASE, **env}, dotenv=False)


def test_polling_is_the_default():
    s = settings()
    assert not s.webhook_mode and s.webhook_url is None and s.redis_prefix == "minwon"
    assert s.instance_id  # host:pid, unique per process
    assert s.lease_seconds == 30 and s.form_ttl_days == 30


def test_webhook_mode_with_a_secret_and_a_port():
    s = settings(
        WEBHOOK_URL="https://bot.example.go.kr/telegram/webhook",
        WEBHOOK_SECRET=SECRET,
        HTTP_PORT="8080",
        WEBHOOK_PATH="hook",
        INSTANCE_ID="bot-1",
        LEASE_SECONDS="20",
    )
    assert s.webhook_mode and s.webhook_secret == SECRET and s.webhook_path == "/hook"
    assert s.instance_id == "bot-1" and s.lease_seconds == 20


@pytest.mark.parametrize(
    "env, message",
    [
        ({"WEBHOOK_URL": "https://x.example/h", "HTTP_PORT": "8080"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "https://x.example/h", "HTTP_PORT": "8080", "WEBHOOK_SECRET": "short"}, "16-256"),
        (
            {"WEBHOOK_URL": "https://x.example/h", "HTTP_PORT": "8080", "WEBHOOK_SECRET": "has spaces in it 123"},
            "16-256",
        ),
        ({"WEBHOOK_URL": "ftp://x.example/h", "HTTP_PORT": "8080", "WEBHOOK_SECRET": SECRET}, "http(s)"),
        ({"WEBHOOK_URL": "https://x.example/h", "WEBHOOK_SECRET": SECRET}, "HTTP_PORT"),
        ({"LEASE_SECONDS": "soon"}, "LEASE_SECONDS"),
        ({"LEASE_SECONDS": "0"}, "at least 1"),
        ({"FORM_TTL_DAYS": "1.5"}, "FORM_TTL_DAYS"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(env, message):
    with pytest.raises(ConfigError) as e:
        settings(**env)
    assert message in str(e.value)


WEBHOOK = {"WEBHOOK_SECRET": SECRET, "HTTP_PORT": "8080"}


@pytest.mark.parametrize(
    "url",
    [
        "https://bot.sample-gu.example/telegram/webhook",
        "https://bot.sample-gu.example:8443/hook",
        "https://bot.sample-gu.example:88/hook",
        "https://bot.sample-gu.example:80/hook",
        "https://bot.sample-gu.example:443/hook",
    ],
)
def test_webhook_urls_telegram_posts_to_are_taken(url):
    assert settings(WEBHOOK_URL=url, **WEBHOOK).webhook_url == url


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://bot.sample-gu.example/telegram/webhook", "must be https"),
        ("https://bot.sample-gu.example:8080/telegram/webhook", "port 8080 is not one Telegram posts to"),
        ("https://bot.sample-gu.example:3000/hook", "use 443, 80, 88 or 8443"),
        ("https://bot.sample-gu.example:8O80/hook", "not a URL Telegram accepts (port)"),
        ("https://bot.sample-gu.example:70000/hook", "not a URL Telegram accepts (port)"),
        ("https://bot sample-gu.example/hook", "not a URL Telegram accepts (characters)"),
    ],
)
def test_webhook_urls_telegram_refuses_stop_the_start(url, message):
    """Telegram's setWebhook takes only https on ports 443, 80, 88 and 8443: anything else is a
    configuration error at start, not a bot that starts and never receives an update."""
    with pytest.raises(ConfigError) as e:
        settings(WEBHOOK_URL=url, **WEBHOOK)
    assert message in str(e.value) and "WEBHOOK_URL" in str(e.value)


def test_a_self_hosted_bot_api_server_may_post_anywhere():
    """telegram-bot-api --local (TELEGRAM_API_URL) posts to any http(s) address and port."""
    s = settings(
        WEBHOOK_URL="http://10.0.0.5:8080/telegram/webhook", TELEGRAM_API_URL="http://bot-api.internal:8081", **WEBHOOK
    )
    assert s.webhook_mode and not s.uses_official_api
    with pytest.raises(ConfigError, match="not a URL Telegram accepts"):
        settings(WEBHOOK_URL="http://10.0.0.5:99999/hook", TELEGRAM_API_URL="http://bot-api.internal:8081", **WEBHOOK)


def test_delivery_spacing_defaults_to_telegrams_limits_and_refuses_nonsense():
    s = settings()
    assert (s.delivery_private_interval, s.delivery_group_interval) == (1.0, 3.0)
    s = settings(DELIVERY_PRIVATE_INTERVAL="0.05", DELIVERY_GROUP_INTERVAL="0")
    assert (s.delivery_private_interval, s.delivery_group_interval) == (0.05, 0.0)
    for bad in (
        {"DELIVERY_PRIVATE_INTERVAL": "-1"},
        {"DELIVERY_GROUP_INTERVAL": "nan"},
        {"DELIVERY_PRIVATE_INTERVAL": "1s"},
    ):
        with pytest.raises(ConfigError, match="DELIVERY_PRIVATE_INTERVAL"):
            settings(**bad)
