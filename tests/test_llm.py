"""Optional LLM summary against a fake OpenAI-compatible endpoint on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.config import SummaryConfig
from bot.understand.llm import llm_summary
from bot.understand.understanding import understand
from feeds.model import Announcement

KEY = "sk-test-never-log-me"


def _ann() -> Announcement:
    return Announcement(
        key="csms:68396594", source="t", kind="csms_rss", ext_id="68396594",
        title="AVAILABLE NOW – CAPE for IEEPA Refunds", url="https://example.org",
        published=datetime(2026, 4, 20, 11, 18, tzinfo=UTC),
        body="Registration link for webinar on April 21 at 1:00 p.m. ET", language="en",
    )  # fmt: skip


async def _serve(handler):  # type: ignore[no-untyped-def]
    app = web.Application()
    app.router.add_post("/v1/chat/completions", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/v1/chat/completions"


def _cfg(url: str, timeout: float = 2) -> SummaryConfig:
    return SummaryConfig(llm_url=url, llm_model="fake-model", llm_api_key=SecretStr(KEY), llm_timeout=timeout)


async def test_llm_summary_is_used_when_the_endpoint_answers() -> None:
    seen = {}

    async def ok(request: web.Request) -> web.Response:
        seen["auth"] = request.headers.get("Authorization")
        seen["body"] = await request.json()
        return web.json_response({"choices": [{"message": {"role": "assistant", "content": "標題：LLM 摘要"}}]})

    runner, url = await _serve(ok)
    try:
        a = _ann()
        got = await llm_summary(a, understand(a), _cfg(url))
    finally:
        await runner.cleanup()
    assert got.used_llm and got.text == "標題：LLM 摘要"
    assert seen["auth"] == f"Bearer {KEY}"
    assert seen["body"]["model"] == "fake-model"
    assert "4/22（三）01:00 台北時間" in seen["body"]["messages"][1]["content"]


@pytest.mark.parametrize("mode", ["slow", "500", "garbage", "empty"])
async def test_llm_failures_fall_back_to_the_deterministic_summary(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def bad(request: web.Request) -> web.StreamResponse:
        if mode == "slow":
            await asyncio.sleep(1)
        if mode == "500":
            return web.Response(status=500, text="boom")
        if mode == "garbage":
            return web.Response(text="not json")
        return web.json_response({"choices": [{"message": {"content": "  "}}]})

    runner, url = await _serve(bad)
    caplog.set_level(logging.DEBUG)
    try:
        a = _ann()
        u = understand(a)
        started = asyncio.get_running_loop().time()
        got = await llm_summary(a, u, _cfg(url, timeout=0.3))
        elapsed = asyncio.get_running_loop().time() - started
    finally:
        await runner.cleanup()
    assert not got.used_llm and got.text == u.summary_zh
    assert elapsed < 2
    assert KEY not in caplog.text


async def test_llm_not_configured_means_deterministic() -> None:
    a = _ann()
    u = understand(a)
    got = await llm_summary(a, u, SummaryConfig())
    assert got == type(got)(u.summary_zh, False)


async def test_service_match_uses_the_llm_summary_when_configured() -> None:
    from datetime import timedelta

    from bot.config import Config
    from bot.service import Service
    from state import announcements, outbox
    from state.db import open_db
    from state.subscribers import add_subscriber, subscribe

    async def ok(request: web.Request) -> web.Response:
        return web.json_response({"choices": [{"message": {"content": "標題：模型寫的摘要"}}]})

    runner, url = await _serve(ok)
    try:
        config = Config(sources=(), summary=_cfg(url))
        db = open_db(":memory:")
        now = datetime(2026, 4, 20, 12, tzinfo=UTC)
        sub = add_subscriber(db, name="t", channel="console", address="t", now=now)
        subscribe(db, sub.id, "all", "", now=now)
        with db.atomic():
            announcements.store_new(db, [_ann()], now=now, alertable_after=now - timedelta(days=1))
        service = Service(config, db, {})
        try:
            assert await service.match(now) == 1
        finally:
            await service.close()
    finally:
        await runner.cleanup()
    (row,) = outbox.messages_for(db, sub.id)
    assert "標題：模型寫的摘要" in row["text"]
