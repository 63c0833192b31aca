"""Retention: what was delivered is pruned after ``[retention] days``; what is pending, and
what associations need for their audit, is kept. Every lookup the sweeps make uses an index."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from bot import service as service_mod
from bot.config import Config
from bot.delivery.channels.console import ConsoleChannel
from bot.delivery.channels.file import FileChannel
from bot.service import Service
from bot.understand.understanding import TopicHit, Understanding
from feeds.factmodel import Facts
from feeds.model import Announcement
from state import announcements, outbox
from state.db import open_db
from state.subscribers import add_subscriber, set_status, subscribe, update_subscriber
from tests.conftest import NOW

U = Understanding((TopicHit("ieepa_cape", "標題含「CAPE」"),), Facts(), "摘要")


def _ann(key: str) -> Announcement:
    return Announcement(key=key, source="cbp-csms-rss", kind="csms_rss", ext_id=key.split(":")[1],
                        title=f"CAPE news {key}", url="https://content.govdelivery.com/x", published=NOW)  # fmt: skip


def _count(db, sql: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {sql}").fetchone()[0])


@pytest.fixture
def db(tmp_path):
    d = open_db(tmp_path / "r.db")
    yield d
    d.close()


async def test_delivered_rows_go_after_90_days_pending_and_audit_rows_stay(db, monkeypatch) -> None:
    monkeypatch.setattr(service_mod, "understand", lambda a, now=None: U)
    reader = add_subscriber(db, name="reader", channel="console", address="r", now=NOW).id
    away = add_subscriber(db, name="away", channel="console", address="w", now=NOW).id
    weekly = add_subscriber(db, name="weekly", channel="console", address="k", now=NOW).id
    for sid in (reader, away, weekly):
        subscribe(db, sid, "topic", "ieepa_cape", now=NOW)
    update_subscriber(db, weekly, digest="weekly")
    with db.atomic():
        announcements.store_new(db, [_ann("csms:1")], now=NOW, alertable_after=NOW - timedelta(days=30))
        outbox.enqueue(db, subscriber_id=reader, message_key="forward:7", kind="forward", text="公文", now=NOW)
    svc = Service(Config(sources=()), db, {"console": ConsoleChannel(io.StringIO())})
    await svc.match(NOW)
    set_status(db, away, "paused", "blocked")  # their message waits, whatever its age
    assert (await svc.drain(NOW)).sent == 2  # reader's alert and the forward
    assert _count(db, "deliveries") == 2 and _count(db, "alerts") == 3  # weekly's waits for the digest

    stats = await svc.prune(NOW + timedelta(days=89))
    assert (stats.outbox, stats.alerts, stats.renderings) == (0, 0, 0)

    stats = await svc.prune(NOW + timedelta(days=91))
    assert stats.outbox == 1 and stats.alerts == 2
    kept = db.execute("SELECT subscriber_id, kind, status FROM outbox ORDER BY id").fetchall()
    assert kept == [(reader, "forward", "sent"), (away, "alert", "pending")]
    assert _count(db, "deliveries") == 1  # the forward's attempt, for the audit export
    assert db.execute("SELECT subscriber_id FROM alerts").fetchall() == [(weekly,)]  # not digested yet
    assert db.execute("SELECT count(*) FROM reason_sets").fetchone()[0] == 1  # weekly's still read
    assert _count(db, "renderings") == 1  # the pending row still reads it
    # The announcement is not alerted again once its alerts are gone.
    assert await svc.match(NOW + timedelta(days=91)) == 0

    stats = await svc.prune(NOW + timedelta(days=731))
    assert stats.outbox == 1 and _count(db, "deliveries") == 0
    assert [r[1] for r in db.execute("SELECT subscriber_id, kind FROM outbox")] == ["alert"]
    await svc.close()


async def test_spent_reminder_items_go_when_their_deadline_is_long_past(db) -> None:
    sid = add_subscriber(db, name="a", channel="console", address="a", now=NOW).id
    rows = [(sid, "event:x:0", "finished", NOW - timedelta(days=100)), (sid, "event:x:1", "expired", NOW - timedelta(days=10)),
            (sid, "us:E:psc", "done", NOW - timedelta(days=300)), (sid, "us:E:cape", "active", NOW - timedelta(days=200))]  # fmt: skip
    for s, key, status, past in rows:
        db.execute(
            "INSERT INTO reminders (subscriber_id, item_key, kind, title, deadline, past_at, schedule, status,"
            " created_at) VALUES (?,?,'webinar','t','2026-01-01',?,'[]',?,?)",
            [s, key, past.astimezone(UTC).isoformat(), status, NOW.isoformat()],
        )
    stats = await Service(Config(sources=()), db, {}).prune(NOW)
    assert stats.reminders == 1
    left = {r[0] for r in db.execute("SELECT item_key FROM reminders")}
    assert left == {"event:x:1", "us:E:psc", "us:E:cape"}  # recent, done (a user's mark), still active


async def test_every_sweep_lookup_uses_an_index(tmp_path) -> None:
    """A full cycle over the bundled feeds, a digest, a prune: no statement scans a table
    whose size grows with subscribers, alerts or messages."""
    db = open_db(tmp_path / "p.db")
    for i in range(3):
        sid = add_subscriber(db, name=f"s{i}", channel="file", address=f"s{i}", now=NOW).id
        subscribe(db, sid, "all", "", now=NOW)
    update_subscriber(db, 2, digest="daily")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    svc = Service(Config(), db, {"file": FileChannel(str(tmp_path / "out"))})
    await svc.cycle(NOW, force=True)
    await svc.cycle(NOW + timedelta(days=1), force=True)
    await svc.prune(NOW + timedelta(days=200))
    await svc.close()
    db.conn.set_trace_callback(None)
    full_scans = set()
    for sql in set(statements):
        if not sql.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE")):
            continue
        for *_, detail in db.execute("EXPLAIN QUERY PLAN " + sql):
            table = detail.split()[1] if detail.startswith("SCAN ") else ""
            # Scans through an index (the match index build, entry matching by design),
            # json_each id lists and subqueries are fine; a bare table scan is not.
            if table and "INDEX" not in detail and table not in ("json_each", "hit") and "subquery" not in detail:
                full_scans.add((table, sql[:90]))
    assert not {t for t in full_scans if t[0] in (
        "outbox", "o", "alerts", "a", "subscribers", "s", "u", "deliveries", "reminders", "r",
        "tracked_entries", "e", "renderings", "announcements", "n", "subscriptions")}, full_scans  # fmt: skip
    db.close()


def test_idle_digest_sweep_reads_no_one_until_a_digest_time_comes(db) -> None:
    from bot.alerts.digest import digest_sweep
    from state.subscribers import digest_due

    at_eight = add_subscriber(db, name="a", channel="console", address="a", now=NOW - timedelta(days=2)).id
    add_subscriber(db, name="b", channel="console", address="b", now=NOW)  # no digest: never read
    update_subscriber(db, at_eight, digest="daily", digest_time="08:00")
    assert [s.id for s in digest_due(db, NOW)] == [at_eight]  # not computed yet
    digest_sweep(db, NOW)  # 20:00 Taipei: nothing waiting; next look at 08:00 tomorrow
    assert digest_due(db, NOW + timedelta(hours=11)) == []
    assert [s.id for s in digest_due(db, datetime(2026, 4, 21, 0, 0, tzinfo=UTC))] == [at_eight]
    update_subscriber(db, at_eight, digest_time="21:00")  # a change is looked at again at once
    assert [s.id for s in digest_due(db, NOW)] == [at_eight]
