"""The key under which the HTTP handlers find the running bot's App on their aiohttp application
(set by bot/http.py when it starts the listeners)."""

from __future__ import annotations

from aiohttp import web

APP_KEY: web.AppKey = web.AppKey("app", object)
