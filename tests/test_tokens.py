"""Read and act are different secrets: a calendar link shared with a colleague cannot
unsubscribe the firm; a command rotates both."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from sqlite_utils import Database

from bot.cli.main import main
from bot.config import load_config
from bot.delivery.channels import build_channels
from bot.service import Service
from bot.web.app import make_app, start_server
from state import outbox
from state.db import open_db
from state.schema import migrations
from state.subscribers import add_subscriber, get_subscriber
from tests.conftest import NOW, write_config
from tests.smtpserver import SmtpServer, free_port, mail_config_toml


async def _status(http: aiohttp.ClientSession, method: str, url: str) -> int:
    async with http.request(method, url, data={"List-Unsubscribe": "One-Click"}) as resp:
        await resp.read()
        return resp.status


async def test_calendar_token_reads_but_cannot_unsubscribe_and_action_token_cannot_read(tmp_path):
    db = open_db(tmp_path / "t.db")
    sub = add_subscriber(db, name="永信報關行", channel="email", address="ops@firm.tw", now=NOW)
    assert sub.token and sub.action_token and sub.token != sub.action_token
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    runner = await start_server(make_app(db, clock=lambda: NOW), f"127.0.0.1:{port}")
    try:
        async with aiohttp.ClientSession() as http:
            assert await _status(http, "GET", f"{base}/calendar/{sub.token}.ics") == 200
            # The colleague who was given the calendar link tries to unsubscribe the firm.
            assert await _status(http, "GET", f"{base}/unsubscribe/{sub.token}") == 404
            assert await _status(http, "POST", f"{base}/unsubscribe/{sub.token}") == 404
            assert get_subscriber(db, sub.id).status == "active"  # type: ignore[union-attr]
            # The action token is no calendar key either.
            assert await _status(http, "GET", f"{base}/calendar/{sub.action_token}.ics") == 404
            assert await _status(http, "POST", f"{base}/unsubscribe/{sub.action_token}") == 200
    finally:
        await runner.cleanup()
    assert get_subscriber(db, sub.id).status == "unsubscribed"  # type: ignore[union-attr]


async def test_email_carries_the_action_link_and_never_the_calendar_token(tmp_path):
    db = open_db(tmp_path / "t.db")
    sub = add_subscriber(db, name="x", channel="email", address="ops@firm.tw", now=NOW)
    with db.atomic():
        outbox.enqueue(db, subscriber_id=sub.id, message_key="alert:k", kind="alert", text="內文", now=NOW,
                       payload={"url": "https://www.cbp.gov/x"})  # fmt: skip
    with SmtpServer() as smtp:
        config = load_config(write_config(tmp_path, "sources = []\n" + mail_config_toml(smtp.port, http_port=9)))
        svc = Service(config, db, build_channels(config), clock=lambda: NOW)
        try:
            await svc.drain(NOW)
        finally:
            await svc.close()
        (mail,) = smtp.box.to("ops@firm.tw")
    assert mail["List-Unsubscribe"].strip() == f"<http://127.0.0.1:9/unsubscribe/{sub.action_token}>"
    assert sub.token and sub.token not in mail.as_string()


async def test_rotate_tokens_prints_the_new_calendar_url_and_old_links_stop(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    db_path = str(tmp_path / "t.db")
    db = open_db(db_path)
    old = add_subscriber(db, name="x", channel="email", address="ops@firm.tw", now=NOW)
    assert main(["--db", db_path, "subscriber", "rotate-tokens", str(old.id)]) == 0
    out = capsys.readouterr()
    new = get_subscriber(db, old.id)
    assert new is not None and new.token != old.token and new.action_token != old.action_token
    assert out.out.strip() == f"http://127.0.0.1:8080/calendar/{new.token}.ics"
    assert "no longer work" in out.err
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    runner = await start_server(make_app(db, clock=lambda: NOW), f"127.0.0.1:{port}")
    try:
        async with aiohttp.ClientSession() as http:
            assert await _status(http, "GET", f"{base}/calendar/{old.token}.ics") == 404
            assert await _status(http, "POST", f"{base}/unsubscribe/{old.action_token}") == 404
            assert await _status(http, "GET", f"{base}/calendar/{new.token}.ics") == 200
            assert await _status(http, "GET", f"{base}/unsubscribe/{new.action_token}") == 200
    finally:
        await runner.cleanup()
    assert main(["--db", db_path, "subscriber", "rotate-tokens", "99"]) == 2
    assert "錯誤：" in capsys.readouterr().err


async def test_existing_database_gets_action_tokens_and_keeps_calendar_urls(tmp_path: Path):
    path = tmp_path / "old.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="501_action_tokens")
    old.execute(
        "INSERT INTO subscribers (name, channel, address, created_at, token) VALUES (?,?,?,?,?)",
        ["舊客戶", "email", "old@firm.tw", "2026-01-01T00:00:00.000000+00:00", "calendar-token-from-2025"],
    )
    old.conn.close()

    db = open_db(path)
    (sub,) = [s for s in [get_subscriber(db, 1)] if s]
    assert sub.token == "calendar-token-from-2025"
    assert sub.action_token and sub.action_token != sub.token
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    runner = await start_server(make_app(db, clock=lambda: NOW), f"127.0.0.1:{port}")
    try:
        async with aiohttp.ClientSession() as http:
            assert await _status(http, "GET", f"{base}/calendar/calendar-token-from-2025.ics") == 200
            assert await _status(http, "POST", f"{base}/unsubscribe/calendar-token-from-2025") == 404
    finally:
        await runner.cleanup()
    assert get_subscriber(db, 1).status == "active"  # type: ignore[union-attr]
