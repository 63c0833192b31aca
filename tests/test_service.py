"""The spine end to end: local feed server → poll → store → match → outbox → file channel."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from bot import polling
from bot.delivery.channels.base import Sent
from bot.delivery.channels.file import FileChannel
from bot.service import Service
from state import announcements, outbox, sources
from state.db import open_db
from state.outbox import OutboxMessage
from state.subscribers import add_subscriber, subscribe
from tests.conftest import NOW, empty_feeds, server_config


def _service(config, db, channel=None) -> Service:
    channels = {"file": channel or FileChannel(config.file.directory)}
    return Service(config, db, channels, clock=lambda: NOW, rng=random.Random(7))


def _subscriber_all(db, address="firm-a"):
    sub = add_subscriber(db, name=address, channel="file", address=address, now=NOW)
    subscribe(db, sub.id, "all", "", now=NOW)
    return sub


def _files(tmp_path: Path, address: str) -> list[Path]:
    return sorted((tmp_path / "outbox" / address).glob("*.txt"))


async def _baseline(svc: Service, feed_server, when=NOW - timedelta(hours=1)) -> None:
    """The sources' first poll, while their feeds are still empty; then the samples' items
    appear in the feeds as news (a baseline poll followed by new items)."""
    empty_feeds(feed_server)
    first = await svc.cycle(when, force=True)
    assert first["poll"].failed == {} and first["match"] == 0
    feed_server.overrides.clear()


async def test_new_items_after_the_baseline_are_delivered_then_a_304_is_free(
    tmp_path, feed_server, monkeypatch
):
    config = server_config(tmp_path, feed_server)
    db = open_db(config.service.database)
    _subscriber_all(db)
    svc = _service(config, db)
    await _baseline(svc, feed_server)
    first = await svc.cycle(NOW, force=True)
    stored = announcements.count(db)
    assert first["poll"].failed == {}
    assert stored >= 8  # CSMS (RSS ∪ widget), Federal Register, Taiwanese letters
    assert first["drain"].sent == first["match"] > 0
    assert len(_files(tmp_path, "firm-a")) == first["match"]
    assert all("tradealert/" in ua for ua in feed_server.user_agents)

    # Second poll: every source answers 304; nothing is parsed, stored, queued or sent.
    def no_parse(*_a, **_k):
        raise AssertionError("a 304 must not be parsed")

    monkeypatch.setattr(polling, "parser_for", no_parse)
    health_before = {s.name: s.items_total for s in sources.all_sources(db)}
    second = await svc.cycle(NOW + timedelta(hours=1), force=True)
    assert sorted(second["poll"].not_modified) == sorted(s.name for s in config.sources)
    assert sum(feed_server.not_modified.values()) == 4
    assert announcements.count(db) == stored
    assert second["match"] == 0 and second["drain"].sent == 0
    assert {s.name: s.items_total for s in sources.all_sources(db)} == health_before
    assert all(s.last_status == "not_modified" for s in sources.all_sources(db))
    await svc.close()


async def test_same_csms_through_rss_and_widget_is_one_row_one_alert(tmp_path, feed_server):
    config = server_config(tmp_path, feed_server)
    db = open_db(config.service.database)
    sub = _subscriber_all(db)
    svc = _service(config, db)
    await _baseline(svc, feed_server)
    await svc.cycle(NOW, force=True)
    rows = list(db.query("SELECT * FROM announcements WHERE key = 'csms:68396594'"))
    assert len(rows) == 1
    # The widget carries only the subject; the row has the RSS body with the webinar text.
    assert "April 21" in rows[0]["body"]
    assert rows[0]["url"] == "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632"
    alerts = list(db.query("SELECT * FROM alerts WHERE announcement_key = 'csms:68396594'"))
    assert len(alerts) == 1
    msgs = [m for m in outbox.messages_for(db, sub.id) if m["message_key"] == "alert:csms:68396594"]
    assert len(msgs) == 1 and msgs[0]["status"] == "sent"
    written = [p for p in _files(tmp_path, "firm-a") if "68396594" in p.name]
    assert len(written) == 1
    text = written[0].read_text(encoding="utf-8")
    assert "68396594" in text and "bulletins/413a632" in text
    await svc.close()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/malformed.xml", "parse"),
        ("/500.xml", "http_status"),
        ("/slow.xml", "timeout"),
        ("/huge.xml", "too_large"),
        ("/loop.xml", "redirects"),
    ],
)
async def test_bad_source_is_recorded_and_stores_nothing(tmp_path, feed_server, path, reason):
    routes = {"bad": ("csms_rss", path), "good": ("rss", "/tw.xml")}
    config = server_config(tmp_path, feed_server, routes)
    db = open_db(config.service.database)
    svc = _service(config, db)
    stats = await svc.poll(NOW, force=True)
    assert list(stats.failed) == ["bad"]
    assert stats.failed["bad"].startswith(reason)
    bad = sources.get_source(db, "bad")
    assert bad is not None
    assert bad.consecutive_failures == 1
    assert bad.last_error and bad.last_error.startswith(reason)
    assert bad.last_success_at is None
    assert bad.next_poll_at is not None and bad.next_poll_at > NOW  # backed off
    assert db.execute("SELECT count(*) FROM announcements WHERE source = 'bad'").fetchone()[0] == 0
    # The healthy source in the same sweep is unaffected.
    assert db.execute("SELECT count(*) FROM announcements WHERE source = 'good'").fetchone()[0] > 0

    # Failures back off exponentially and are counted; the service keeps polling.
    again = await svc.poll(bad.next_poll_at, force=False)
    assert "bad" in again.failed
    bad2 = sources.get_source(db, "bad")
    assert bad2 is not None and bad2.consecutive_failures == 2
    assert bad2.next_poll_at - bad.next_poll_at > bad.next_poll_at - NOW - timedelta(seconds=1)
    await svc.close()


async def test_source_recovers_after_failure(tmp_path, feed_server):
    config = server_config(tmp_path, feed_server, {"csms": ("csms_rss", "/csms.xml")})
    db = open_db(config.service.database)
    svc = _service(config, db)
    feed_server.overrides["/csms.xml"] = b"<rss><channel><item><title>CSMS # 1 - x"
    first = await svc.poll(NOW, force=True)
    assert "csms" in first.failed
    feed_server.overrides.clear()
    second = await svc.poll(NOW + timedelta(hours=1), force=True)
    assert second.failed == {}
    health = sources.get_source(db, "csms")
    assert health is not None and health.consecutive_failures == 0 and health.last_error is None
    assert health.last_success_at == NOW + timedelta(hours=1)
    await svc.close()


class _Crash(BaseException):
    """Stands in for a kill: not an Exception, so nothing in the service catches it."""


async def test_kill_during_match_then_restart_neither_loses_nor_repeats(tmp_path, feed_server, monkeypatch):
    config = server_config(tmp_path, feed_server)
    db = open_db(config.service.database)
    _subscriber_all(db, "firm-a")
    _subscriber_all(db, "firm-b")
    svc = _service(config, db)
    await _baseline(svc, feed_server)

    # Reference run in another database: what a run without a crash delivers.
    real_enqueue = outbox.enqueue_rendered  # the fan-out's insert, once per chunk
    calls = {"n": 0}

    def dying_enqueue(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise _Crash()
        return real_enqueue(*args, **kwargs)

    monkeypatch.setattr(outbox, "enqueue_rendered", dying_enqueue)
    with pytest.raises(_Crash):
        await svc.cycle(NOW, force=True)
    await svc.close()
    monkeypatch.setattr(outbox, "enqueue_rendered", real_enqueue)

    # Restart: a new process opens the same database.
    db2 = open_db(config.service.database)
    svc2 = _service(config, db2)
    await svc2.cycle(NOW + timedelta(minutes=1), force=True)
    await svc2.cycle(NOW + timedelta(minutes=2), force=True)
    await svc2.close()

    expected = db2.execute("SELECT count(*) FROM announcements WHERE alertable = 1").fetchone()[0]
    for address in ("firm-a", "firm-b"):
        files = _files(tmp_path, address)
        keys = [p.name.split("-", 1)[1] for p in files]
        assert len(keys) == len(set(keys)) == expected
    assert db2.execute("SELECT count(*) FROM outbox WHERE status != 'sent'").fetchone()[0] == 0


class _DyingChannel:
    """Sends the first ``n`` messages through the file channel, then 'dies' mid-send."""

    name = "file"

    def __init__(self, inner: FileChannel, n: int) -> None:
        self.inner, self.n, self.sent = inner, n, 0

    async def send(self, msg: OutboxMessage):
        if self.sent == self.n:
            raise _Crash()
        self.sent += 1
        return await self.inner.send(msg)

    async def close(self) -> None:
        return None


async def test_kill_during_drain_then_restart_delivers_each_once(tmp_path, feed_server):
    config = server_config(tmp_path, feed_server)
    db = open_db(config.service.database)
    sub = _subscriber_all(db)
    svc = _service(config, db, _DyingChannel(FileChannel(config.file.directory), 3))
    await _baseline(svc, feed_server)
    with pytest.raises(_Crash):
        await svc.cycle(NOW, force=True)
    assert outbox.backlog(db).get("sending") == 1  # the one in flight when it died
    await svc.close()

    db2 = open_db(config.service.database)
    svc2 = _service(config, db2)  # start-up puts the in-flight row back to pending
    await svc2.cycle(NOW + timedelta(minutes=1))
    await svc2.close()
    msgs = outbox.messages_for(db2, sub.id)
    assert msgs and all(m["status"] == "sent" for m in msgs)
    files = _files(tmp_path, "firm-a")
    assert len(files) == len(msgs)  # each once; the file channel skips a rewrite


class _Recording:
    name = "file"

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def send(self, msg: OutboxMessage):
        self.seen.append(msg.message_key)
        return Sent()

    async def close(self) -> None:
        return None


async def test_quiet_hours_hold_alerts_until_morning(tmp_path, feed_server):
    config = server_config(tmp_path, feed_server, {"csms": ("csms_rss", "/csms.xml")})
    db = open_db(config.service.database)
    sub = _subscriber_all(db)
    from state.subscribers import update_subscriber

    update_subscriber(db, sub.id, quiet_hours="19:00-08:00")  # NOW is 20:00 in Taipei
    rec = _Recording()
    svc = _service(config, db, rec)
    await _baseline(svc, feed_server, NOW - timedelta(hours=12))  # 08:00 Taipei
    await svc.cycle(NOW, force=True)
    assert rec.seen == []
    await svc.cycle(NOW + timedelta(hours=12, minutes=1))  # 08:01 Taipei
    assert rec.seen and len(rec.seen) == len(set(rec.seen))
    await svc.close()


async def test_items_older_than_alert_max_age_are_stored_but_not_alerted(tmp_path, feed_server):
    config = server_config(tmp_path, feed_server, {"csms": ("csms_rss", "/csms.xml")})
    config = config.model_copy(
        update={"service": config.service.model_copy(update={"alert_max_age": 86400.0})}
    )
    db = open_db(config.service.database)
    _subscriber_all(db)
    rec = _Recording()
    svc = _service(config, db, rec)
    await _baseline(svc, feed_server, NOW + timedelta(days=59))
    await svc.cycle(NOW + timedelta(days=60), force=True)  # a backfilled feed, two months on
    assert announcements.count(db) > 0
    assert rec.seen == []
    await svc.close()
