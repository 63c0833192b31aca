"""LINE channel against the strict fake LINE server: shape, limits, retry key, 429, blocks, quota."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from datetime import timedelta

import pytest
from pydantic import SecretStr

from bot.cli.main import main
from bot.config import LineConfig, load_config
from bot.delivery.channels import build_channels
from bot.delivery.channels.line import LineChannel, requests_of, retry_key
from bot.service import Service
from feeds.errors import ConfigError
from state import outbox
from state.db import open_db
from state.outbox import OutboxMessage
from state.subscribers import add_subscriber, get_subscriber, subscribe
from tests.conftest import NOW, server_config, watched_sources, write_config
from tests.fakeline import MAX_TEXT, FakeLine, user_id, utf16_len


def line_toml(fake: FakeLine, *, secret: str = "line-channel-secret-test", extra: str = "") -> str:
    return f"""
[line]
enabled = true
api_base = "{fake.base}"
channel_access_token = "{fake.token}"
channel_secret = "{secret}"
timeout = 5
{extra}
"""


@pytest.fixture
async def fake_line():
    fake = await FakeLine().start()
    yield fake
    await fake.stop()


def _config(tmp_path, feed_server, fake, extra: str = ""):
    return server_config(tmp_path, feed_server, {"csms": ("csms_rss", "/csms.xml")}, extra=line_toml(fake) + extra)


def _service(config, db):
    return Service(config, db, build_channels(config, db=db), clock=lambda: NOW, rng=random.Random(3))


def _msg(text: str, *, id: int = 1, address: str = user_id(1), kind: str = "alert", payload=None) -> OutboxMessage:
    return OutboxMessage(
        id=id, subscriber_id=1, message_key=f"alert:k{id}", kind=kind, channel="line", address=address,
        language="zh-TW", subject="s", text=text, html=(), payload=payload or {}, attempts=1,
    )  # fmt: skip


async def test_alert_reaches_a_line_subscriber_once_as_valid_push(tmp_path, feed_server, fake_line):
    config = _config(tmp_path, feed_server, fake_line)
    db = open_db(config.service.database)
    watched_sources(db, config)  # the samples' items arrive as news
    sub = add_subscriber(db, name="永信報關行", channel="line", address=user_id(7), now=NOW)
    subscribe(db, sub.id, "keyword", "68396594", now=NOW)
    svc = _service(config, db)
    await svc.cycle(NOW, force=True)
    await svc.cycle(NOW + timedelta(minutes=1))
    await svc.close()
    (push,) = fake_line.pushes_to(user_id(7))
    assert fake_line.rejected == []  # token, JSON shape and limits all accepted by the strict server
    assert uuid.UUID(push.retry_key or "")  # a UUID retry key on every push
    text = "\n".join(push.texts)
    assert "68396594" in text and "原文連結" in text or "原文" in text
    assert outbox.backlog(db) == {"sent": 1}


async def test_long_text_splits_at_paragraphs_five_messages_per_request(fake_line):
    paragraphs = [f"第{i}段 " + "關務快訊" * 600 for i in range(12)]  # 12 × ~2,400 characters
    msg = _msg("\n\n".join(paragraphs))
    groups = requests_of(msg)
    flat = [t for g in groups for t in g]
    assert all(len(g) <= 5 for g in groups) and len(groups) >= 2
    assert all(utf16_len(t) <= MAX_TEXT for t in flat)
    assert all(t.startswith("第") for t in flat)  # every cut fell on a paragraph boundary
    channel = LineChannel(LineConfig(enabled=True, api_base=fake_line.base, channel_access_token=SecretStr(fake_line.token)))
    try:
        outcome = await channel.send(msg)
    finally:
        await channel.close()
    assert type(outcome).__name__ == "Sent"
    assert fake_line.received(user_id(1)) == flat
    keys = [p.retry_key for p in fake_line.pushes]
    assert len(set(keys)) == len(groups) == len(fake_line.pushes)


def test_emoji_counts_twice_toward_the_limit():
    groups = requests_of(_msg("😀" * 4000))  # 8,000 UTF-16 units, no paragraph to cut at
    assert all(utf16_len(t) <= MAX_TEXT for g in groups for t in g)
    assert "".join(t for g in groups for t in g) == "😀" * 4000


def test_retry_key_is_stable_per_row_and_request():
    a, b = _msg("x", id=5), _msg("y", id=5)
    assert retry_key(a, 0) == retry_key(b, 0) != retry_key(a, 1) != retry_key(_msg("x", id=6), 1)


async def test_lost_answer_and_kill_are_not_a_second_message(tmp_path, feed_server, fake_line):
    """LINE accepted, but the answer was lost (500) and then the process died mid-send:
    the row is retried with the same key, LINE says 409, the user has one message."""
    config = _config(tmp_path, feed_server, fake_line)
    db = open_db(config.service.database)
    watched_sources(db, config)  # the samples' items arrive as news
    sub = add_subscriber(db, name="f", channel="line", address=user_id(8), now=NOW)
    subscribe(db, sub.id, "keyword", "68396594", now=NOW)
    fake_line.crash_after_accept = 1
    svc = _service(config, db)
    await svc.cycle(NOW, force=True)
    await svc.close()
    row = outbox.messages_for(db, sub.id)[0]
    assert row["status"] == "pending" and row["attempts"] == 1  # a Retry: accepted, but we never heard
    db.execute("UPDATE outbox SET status = 'sending', next_attempt_at = ?", [row["created_at"]])  # killed mid-send
    db2 = open_db(config.service.database)
    svc2 = _service(config, db2)  # start-up puts the in-flight row back
    await svc2.cycle(NOW + timedelta(hours=1))
    await svc2.close()
    assert len(fake_line.pushes_to(user_id(8))) == 1  # delivered once
    assert outbox.messages_for(db2, sub.id)[0]["status"] == "sent"
    detail = next(db2.query("SELECT detail FROM deliveries WHERE outcome = 'sent'"))["detail"]
    assert "already accepted" in detail


async def test_429_defers_without_spending_attempts_and_never_drops(tmp_path, feed_server, fake_line):
    config = _config(tmp_path, feed_server, fake_line, extra="[delivery]\nmax_attempts = 2\n")
    db = open_db(config.service.database)
    watched_sources(db, config)  # the samples' items arrive as news
    sub = add_subscriber(db, name="f", channel="line", address=user_id(9), now=NOW)
    subscribe(db, sub.id, "keyword", "68396594", now=NOW)
    fake_line.rate_limited = 5
    svc = _service(config, db)
    await svc.cycle(NOW, force=True)
    row = outbox.messages_for(db, sub.id)[0]
    assert row["status"] == "pending" and row["attempts"] == 0
    assert row["next_attempt_at"] > (NOW + timedelta(seconds=30)).isoformat()
    for k in range(1, 5):  # each later attempt is refused again (the whole channel held back meanwhile)
        svc.channels["line"]._hold_until = 0.0  # type: ignore[attr-defined]
        await svc.drain(NOW + timedelta(hours=k))
    svc.channels["line"]._hold_until = 0.0  # type: ignore[attr-defined]
    await svc.drain(NOW + timedelta(hours=6))
    await svc.close()
    assert outbox.messages_for(db, sub.id)[0]["status"] == "sent"  # never failed, never dropped
    assert len(fake_line.pushes_to(user_id(9))) == 1


@pytest.mark.parametrize("status", [400, 403])
async def test_user_who_blocked_the_account_is_paused_and_kept(tmp_path, feed_server, fake_line, status):
    config = _config(tmp_path, feed_server, fake_line)
    db = open_db(config.service.database)
    watched_sources(db, config)  # the samples' items arrive as news
    sub = add_subscriber(db, name="f", channel="line", address=user_id(10), now=NOW)
    subscribe(db, sub.id, "keyword", "68396594", now=NOW)
    fake_line.blocked[user_id(10)] = status
    svc = _service(config, db)
    await svc.cycle(NOW, force=True)
    await svc.close()
    s = get_subscriber(db, sub.id)
    assert s is not None and s.status == "paused" and str(status) in (s.status_reason or "")
    assert outbox.messages_for(db, sub.id)[0]["status"] == "pending"  # kept for if they come back


async def test_member_forward_on_line_carries_the_opt_out_link(fake_line):
    msg = _msg("公文", kind="forward", payload={"unsubscribe_url": "https://x.test/optout/abc"})
    assert "https://x.test/optout/abc" in requests_of(msg)[-1][-1]


async def test_quota_shown_in_sources_with_warning_and_token_never_logged(tmp_path, fake_line, capsys):
    fake_line.quota, fake_line.used = 1000, 950
    path = write_config(tmp_path, f'[service]\ndatabase = "{tmp_path / "q.db"}"\n' + line_toml(fake_line))
    assert await asyncio.to_thread(main, ["--config", str(path), "sources", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    line = next(r for r in rows if r["name"] == "line")
    assert line["quota"]["remaining"] == 50 and line["last_status"] == "warning"
    assert "額度" in line["last_error"]
    assert await asyncio.to_thread(main, ["--config", str(path), "sources"]) == 0
    assert "remaining=50" in capsys.readouterr().out
    fake_line.token = "another-token"  # LINE now refuses ours: the old figures stay, marked
    assert await asyncio.to_thread(main, ["--config", str(path), "sources", "--json"]) == 0
    out, err = capsys.readouterr()
    line = next(r for r in json.loads(out) if r["name"] == "line")
    assert line["last_status"] == "error" and "401" in line["last_error"] and line["quota"]["used"] == 950
    assert "額度" in err  # the warning is logged (stderr), and the token never is
    assert "line-test-token" not in err + out


def test_line_config_from_environment_and_required_token(tmp_path):
    path = write_config(tmp_path, "[line]\nenabled = true\n")
    with pytest.raises(ConfigError, match="channel_access_token"):
        load_config(path, env={})
    config = load_config(path, env={"TRADEALERT_LINE_TOKEN": "tok-123456", "TRADEALERT_LINE_SECRET": "sec-654321"})
    assert "tok-123456" in config.secrets() and "sec-654321" in config.secrets()
    assert "tok-123456" not in repr(config) and config.line.api_base == "https://api.line.me"


def test_line_subscriber_address_is_a_user_id(tmp_path, capsys):
    db_path = tmp_path / "s.db"
    assert main(["--db", str(db_path), "subscriber", "add", "--name", "x", "--channel", "line", "--address", "U123"]) == 2
    assert "LINE" in capsys.readouterr().err
    assert main(["--db", str(db_path), "subscriber", "add", "--name", "x", "--channel", "line", "--address", user_id(3)]) == 0


async def test_a_long_row_cut_short_by_429_never_repeats_its_first_part(tmp_path, fake_line):
    """Request 1 of 3 accepted, request 2 refused (429): the retry days later (the retry key
    long expired) sends requests 2 and 3 only."""
    db = open_db(tmp_path / "p.db")
    sub = add_subscriber(db, name="f", channel="line", address=user_id(11), now=NOW)
    text = "\n\n".join(f"第{i}段 " + "字" * 4900 for i in range(12))  # 12 messages → 3 requests
    outbox.enqueue(db, subscriber_id=sub.id, message_key="alert:long", kind="alert", text=text, now=NOW)
    (msg,) = outbox.claim_due(db, now=NOW, limit=5, channels=["line"])
    clock = [0.0]
    channel = LineChannel(
        LineConfig(enabled=True, api_base=fake_line.base, channel_access_token=SecretStr(fake_line.token)),
        db=db, clock=lambda: clock[0],
    )  # fmt: skip
    fake_line.script = [0, 429]
    first = await channel.send(msg)
    assert type(first).__name__ == "Deferred" and len(fake_line.pushes) == 1
    fake_line.retry_keys.clear()  # LINE forgot the keys (more than 24 hours later)
    clock[0] = 10_000.0
    second = await channel.send(msg)
    await channel.close()
    assert type(second).__name__ == "Sent"
    assert len(fake_line.pushes) == 3 and [t.split(" ")[0] for t in fake_line.received(user_id(11))] == [f"第{i}段" for i in range(12)]
