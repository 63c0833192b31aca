"""State: migrations, the outbox's guarantees, and delivery outcomes."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.config import DeliveryConfig
from bot.delivery import worker as delivery
from bot.delivery.channels.base import Blocked, Failed, Retry, Sent
from state import outbox
from state.db import iso, open_db
from state.schema import migrations
from state.subscribers import add_subscriber, get_subscriber
from tests.conftest import NOW


def _applied(db: Database) -> list[str]:
    return [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations WHERE migration_set = 'tradealert'")]


def test_new_database_reaches_latest_schema_and_reopening_is_a_no_op(tmp_path):
    db = open_db(tmp_path / "a.db")
    names = _applied(db)
    assert names[0] == "001_foundation"
    assert {"sources", "announcements", "subscribers", "subscriptions", "outbox", "deliveries", "alerts"} <= set(
        db.table_names()
    )
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert _applied(open_db(tmp_path / "a.db")) == names


def test_database_from_an_older_version_is_upgraded_without_losing_rows(tmp_path):
    path = tmp_path / "old.db"
    old = Database(path)
    first = Migrations("tradealert")
    first(name="001_foundation")(migrations._migrations[0].fn)  # the oldest release's schema
    first.apply(old)
    old.execute(
        "INSERT INTO subscribers (name, channel, address, created_at) VALUES ('x', 'file', 'x', '2026-01-01')"
    )
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert _applied(db) == [m.name for m in migrations._migrations]
    assert db.execute("SELECT count(*) FROM subscribers").fetchone()[0] == 1


class _Fixed:
    name = "file"

    def __init__(self, outcome) -> None:
        self.outcome, self.calls = outcome, 0

    async def send(self, msg):
        self.calls += 1
        return self.outcome

    async def close(self):
        return None


def _queue(db, key="k1"):
    sub = add_subscriber(db, name="s", channel="file", address=f"s-{key}", now=NOW)
    assert outbox.enqueue(db, subscriber_id=sub.id, message_key=key, kind="alert", text="t", now=NOW)
    assert not outbox.enqueue(db, subscriber_id=sub.id, message_key=key, kind="alert", text="t", now=NOW)
    return sub


async def _drain(db, channel, now=NOW, config=DeliveryConfig(max_attempts=3)):
    return await delivery.drain(db, {"file": channel}, now=now, config=config, rng=random.Random(1))


async def test_enqueue_is_idempotent_and_sent_once(tmp_path):
    db = open_db(tmp_path / "o.db")
    _queue(db)
    ch = _Fixed(Sent("ok"))
    db2 = open_db(tmp_path / "o.db")
    await _drain(db2, ch)
    await _drain(db2, ch, NOW + timedelta(hours=1))
    assert ch.calls == 1
    assert outbox.backlog(db2) == {"sent": 1}


async def test_retry_backs_off_then_gives_up_after_max_attempts(tmp_path):
    db = open_db(tmp_path / "o.db")
    _queue(db)
    ch = _Fixed(Retry("HTTP 502"))
    when = NOW
    for _ in range(3):
        stats = await _drain(db, ch, when)
        assert stats.sent == 0
        row = next(db.query("SELECT * FROM outbox"))
        if row["status"] == "pending":
            assert row["next_attempt_at"] > iso(when)
            # not due before the backoff
            assert (await _drain(db, ch, when + timedelta(seconds=1))).retried == 0
        when += timedelta(days=1)
    row = next(db.query("SELECT * FROM outbox"))
    assert row["status"] == "failed" and ch.calls == 3
    attempts = [r["outcome"] for r in db.query("SELECT outcome FROM deliveries ORDER BY id")]
    assert attempts == ["retry", "retry", "failed"]


async def test_retry_after_is_honoured(tmp_path):
    db = open_db(tmp_path / "o.db")
    _queue(db)
    await _drain(db, _Fixed(Retry("429", after=42)))
    row = next(db.query("SELECT next_attempt_at FROM outbox"))
    assert row["next_attempt_at"] == iso(NOW + timedelta(seconds=42))


async def test_blocked_recipient_is_paused_not_retried_in_a_loop(tmp_path):
    db = open_db(tmp_path / "o.db")
    sub = _queue(db)
    ch = _Fixed(Blocked("403 bot was blocked by the user"))
    await _drain(db, ch)
    for hours in range(1, 5):
        await _drain(db, ch, NOW + timedelta(hours=hours))
    assert ch.calls == 1
    paused = get_subscriber(db, sub.id)
    assert paused is not None and paused.status == "paused"
    assert outbox.backlog(db) == {"pending": 1}  # kept, not lost, for when they come back


async def test_permanent_failure_is_recorded(tmp_path):
    db = open_db(tmp_path / "o.db")
    _queue(db)
    await _drain(db, _Fixed(Failed("400 message is too long")))
    row = next(db.query("SELECT * FROM outbox"))
    assert row["status"] == "failed" and "too long" in row["last_error"]


async def test_a_crashing_channel_does_not_lose_the_message(tmp_path):
    class Crashing:
        name = "file"

        async def send(self, msg):
            raise ValueError("bug")

        async def close(self):
            return None

    db = open_db(tmp_path / "o.db")
    _queue(db)
    stats = await _drain(db, Crashing())
    assert stats.retried == 1
    assert outbox.backlog(db) == {"pending": 1}
