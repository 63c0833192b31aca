"""A new source's first poll is a baseline: what its feed already holds is stored, not alerted,
whatever its dates; an undated item is dated by when it was first seen."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlite_utils import Database

from bot.cli.main import main
from bot.delivery.channels.file import FileChannel
from bot.service import Service
from feeds.model import Announcement
from state import announcements, sources
from state.db import open_db
from state.schema import migrations
from state.subscribers import add_subscriber, subscribe
from tests.conftest import NOW, empty_feeds, server_config, write_config


def _undated(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://web.customs.gov.tw/news/{abs(hash(t))}</link>"
        f"<guid>{t}</guid><description>公告內容</description></item>"
        for t in titles
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>關務署</title>{items}</channel></rss>'.encode()


HISTORY = [f"關務署公告第{i}號 歷史消息" for i in range(12)]


def _setup(tmp_path, feed_server, routes):
    config = server_config(tmp_path, feed_server, routes)
    db = open_db(config.service.database)
    sub = add_subscriber(db, name="firm", channel="file", address="firm", now=NOW)
    subscribe(db, sub.id, "all", "", now=NOW)
    svc = Service(config, db, {"file": FileChannel(config.file.directory)}, clock=lambda: NOW, rng=random.Random(1))
    return config, db, svc


def _alerted(db) -> list[str]:
    return [r["announcement_key"] for r in db.query("SELECT announcement_key FROM alerts ORDER BY id")]


async def test_newly_added_undated_feed_alerts_nothing_then_its_next_item_once(tmp_path, feed_server):
    feed_server.overrides["/tw.xml"] = _undated(*HISTORY)
    _, db, svc = _setup(tmp_path, feed_server, {"tw": ("rss", "/tw.xml")})
    first = await svc.cycle(NOW, force=True)
    assert first["poll"].baselined == ["tw"] and first["poll"].new_items == 12
    assert first["match"] == 0 and _alerted(db) == []

    later = NOW + timedelta(hours=2)
    feed_server.overrides["/tw.xml"] = _undated("關務署公告 新消息", *HISTORY)
    second = await svc.cycle(later, force=True)
    assert second["poll"].baselined == []
    new_keys = set(_alerted(db))
    assert len(new_keys) == 1 == second["drain"].sent
    (key,) = new_keys
    ann = announcements.get(db, key)
    assert ann is not None and ann.title == "關務署公告 新消息"
    assert ann.published == later  # no date in the feed: dated by when it was first seen
    third = await svc.cycle(later + timedelta(hours=1), force=True)
    assert third["match"] == 0 and len(_alerted(db)) == 1
    await svc.close()


async def test_first_poll_of_recent_dated_items_is_a_baseline_too(tmp_path, feed_server):
    # The samples are hours old at NOW, well inside alert_max_age: still history, not news.
    _, db, svc = _setup(tmp_path, feed_server, None)
    first = await svc.cycle(NOW, force=True)
    assert sorted(first["poll"].baselined) == ["cbp-csms-rss", "cbp-csms-widget", "customs-tw", "federal-register-cbp"]
    assert announcements.count(db) >= 8 and first["match"] == 0 and _alerted(db) == []
    assert all(s.baselined_at == NOW for s in sources.all_sources(db))
    await svc.close()


async def test_what_a_new_source_saw_first_is_news_when_a_watched_source_brings_it(tmp_path, feed_server):
    """The widget is added while the RSS feed is watched; the widget's first poll already
    holds CSMS #68396594, which the RSS feed only carries later: one alert, not none."""
    routes = {"cbp-csms-rss": ("csms_rss", "/csms.xml")}
    empty_feeds(feed_server)
    _, db, svc = _setup(tmp_path, feed_server, routes)
    await svc.cycle(NOW - timedelta(hours=1), force=True)  # RSS watched (baseline of nothing)
    await svc.close()

    routes["cbp-csms-widget"] = ("csms_widget", "/widget.js")
    del feed_server.overrides["/widget.js"]
    config = server_config(tmp_path, feed_server, routes)
    svc = Service(config, db, {"file": FileChannel(config.file.directory)}, clock=lambda: NOW, rng=random.Random(1))
    first = await svc.cycle(NOW, force=True)
    assert first["poll"].baselined == ["cbp-csms-widget"] and _alerted(db) == []
    # The widget again (its JSONP changes, no 304): its own baseline items stay history.
    feed_server.overrides["/widget.js"] = (Path(__file__).parents[1] / "feeds/samples/csms_widget.js").read_bytes() + b"\n"
    await svc.cycle(NOW + timedelta(minutes=10), force=True)
    assert _alerted(db) == []

    feed_server.overrides.pop("/csms.xml")  # the watched RSS feed now carries the samples
    await svc.cycle(NOW + timedelta(minutes=20), force=True)
    alerted = _alerted(db)
    assert "csms:68396594" in alerted and len(alerted) == len(set(alerted))
    await svc.close()


def test_same_source_reporting_its_baseline_again_is_not_news(tmp_path) -> None:
    db = open_db(tmp_path / "t.db")
    ann = Announcement(key="guid:tw:1", source="tw", kind="rss", ext_id="1", title="t", url="https://x.tw/1",
                       published=NOW)  # fmt: skip
    with db.atomic():
        announcements.store_new(db, [ann], now=NOW, alertable_after=NOW - timedelta(days=1), baseline=True)
        announcements.store_new(db, [ann], now=NOW, alertable_after=NOW - timedelta(days=1))
    assert announcements.unmatched(db)[0].alertable is False


def test_sources_polled_before_the_upgrade_are_not_baselined_again(tmp_path) -> None:
    path = tmp_path / "old.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="502_source_baseline")
    old.execute("INSERT INTO sources (name, kind, url, last_success_at) VALUES ('tw', 'rss', 'https://x.tw/rss',"
                " '2026-04-01T00:00:00.000000+00:00')")  # fmt: skip
    old.execute("INSERT INTO sources (name, kind, url) VALUES ('new', 'rss', 'https://x.tw/new')")
    old.conn.close()
    db = open_db(path)
    state = {s.name: s.baselined_at for s in sources.all_sources(db)}
    assert state["tw"] is not None and state["new"] is None
    # A changed URL is another feed: its first poll is a baseline again.
    sources.sync_sources(db, [("tw", "rss", "https://x.tw/other-rss")])
    assert sources.get_source(db, "tw").baselined_at is None  # type: ignore[union-attr]


def test_operator_flow_first_once_is_quiet_then_news_arrives(tmp_path, monkeypatch, capsys) -> None:
    feed = tmp_path / "tw.xml"
    feed.write_bytes(_undated(*HISTORY))
    cfg = write_config(tmp_path, f"""
[service]
database = "{tmp_path / 't.db'}"
[console]
enabled = false
[file]
directory = "{tmp_path / 'out'}"
[[sources]]
name = "tw"
kind = "rss"
language = "zh-TW"
url = "{feed.as_uri()}"
""")  # fmt: skip
    c = ["--config", str(cfg)]
    assert main([*c, "subscriber", "add", "--name", "f", "--channel", "file", "--address", "f"]) == 0
    assert main([*c, "subscribe", "1", "--all"]) == 0
    capsys.readouterr()
    assert main([*c, "once", "--force"]) == 0
    assert "new=12 not_modified=0 failed=0 queued=0 sent=0" in capsys.readouterr().out
    feed.write_bytes(_undated("關務署公告 今日新訊", *HISTORY))
    assert main([*c, "once", "--force"]) == 0
    assert "queued=1 sent=1" in capsys.readouterr().out
    (delivered,) = (tmp_path / "out" / "f").glob("*.txt")
    assert "今日新訊" in delivered.read_text(encoding="utf-8")
