"""Fan-out at scale: chunked, resumable after a crash, each distinct rendering stored once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot import service as service_mod
from bot.alerts import fanout
from bot.alerts.render import render_alert
from bot.config import Config
from bot.service import Service
from bot.understand.understanding import TopicHit, Understanding
from feeds.factmodel import Facts
from feeds.model import Announcement
from state import announcements, outbox, renderings
from state.alerts import alerts_for
from state.db import open_db
from state.subscribers import add_subscriber, set_status, subscribe, update_subscriber
from tests.conftest import NOW

ANN = Announcement(
    key="csms:68396594", source="cbp-csms-rss", kind="csms_rss", ext_id="68396594",
    title="CAPE Phase 1 is live", url="https://content.govdelivery.com/x", published=NOW,
    body="IEEPA refunds through CAPE.",
)  # fmt: skip
U = Understanding((TopicHit("ieepa_cape", "標題含「CAPE」"),), Facts(), "CAPE 第一階段上線。")


class _Crash(BaseException):
    """Stands in for a kill: not an Exception, so nothing in the service catches it."""


@pytest.fixture
def db(tmp_path):
    d = open_db(tmp_path / "f.db")
    yield d
    d.close()


@pytest.fixture(autouse=True)
def _fixed_understanding(monkeypatch):
    monkeypatch.setattr(service_mod, "understand", lambda a, now=None: U)


def _store(db, ann: Announcement = ANN) -> None:
    with db.atomic():
        announcements.store_new(db, [ann], now=NOW, alertable_after=datetime(2026, 1, 1, tzinfo=UTC))


def _people(db, n: int, **kw) -> list[int]:
    ids = []
    for i in range(n):
        lang = "en" if i % 2 else "zh-TW"
        tz = "America/New_York" if i % 3 == 0 else "Asia/Taipei"
        s = add_subscriber(db, name=f"firm {i}", channel="file", address=f"f{i}", now=NOW, language=lang, timezone=tz)
        subscribe(db, s.id, kw.get("kind", "topic"), kw.get("value", "ieepa_cape"), now=NOW)
        ids.append(s.id)
    return ids


def _alert_rows(db) -> list[tuple[int, str]]:
    return db.execute("SELECT subscriber_id, message_key FROM outbox WHERE kind = 'alert' ORDER BY 1").fetchall()


async def test_a_crash_between_chunks_resumes_without_doubling_or_losing(db, monkeypatch) -> None:
    ids = _people(db, 7)
    _store(db)
    monkeypatch.setattr(fanout, "CHUNKS", (2,))
    real = outbox.enqueue_rendered
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # chunks 1 and 2 committed, the third dies
            raise _Crash()
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox, "enqueue_rendered", dying)
    with pytest.raises(_Crash):
        await Service(Config(sources=()), db, {}).match(NOW)
    assert [sid for sid, _ in _alert_rows(db)] == ids[:4]
    assert db.execute("SELECT count(*) FROM alerts").fetchone()[0] == 4  # the third chunk rolled back whole
    assert announcements.unmatched(db), "not marked matched before every row is in"

    monkeypatch.setattr(outbox, "enqueue_rendered", real)
    queued = await Service(Config(sources=()), db, {}).match(NOW)  # the restarted process
    assert queued == 3
    assert [sid for sid, _ in _alert_rows(db)] == ids  # each exactly once
    assert db.execute("SELECT count(*) FROM alerts").fetchone()[0] == 7
    assert not announcements.unmatched(db)
    assert await Service(Config(sources=()), db, {}).match(NOW) == 0


async def test_a_crash_inside_a_chunk_leaves_none_of_its_rows(db, monkeypatch) -> None:
    _people(db, 5)
    _store(db)
    monkeypatch.setattr(fanout, "CHUNKS", (5,))

    def dying(*args, **kwargs):
        raise _Crash()  # after the chunk's alerts were written, before its outbox rows

    monkeypatch.setattr(outbox, "enqueue_rendered", dying)
    with pytest.raises(_Crash):
        await Service(Config(sources=()), db, {}).match(NOW)
    assert db.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0
    assert _alert_rows(db) == []


async def test_each_distinct_rendering_is_stored_once_and_claims_read_it_back(db) -> None:
    ids = _people(db, 30)
    _store(db)
    assert await Service(Config(sources=()), db, {}).match(NOW) == 30
    # zh-TW/en × Taipei/New York, one set of reasons: at most four renderings for thirty rows
    # (as many as differ in what they say — identical ones are one row).
    reasons = json.loads(alerts_for(db, ids[0])[0]["reasons"])
    looks = {render_alert(ANN, U, reasons, lang=lang, tz=tz, now=NOW)
             for lang in ("zh-TW", "en") for tz in ("Asia/Taipei", "America/New_York")}  # fmt: skip
    assert 2 <= renderings.count(db) == len(looks)
    assert db.execute("SELECT count(*) FROM outbox WHERE text != '' OR rendering_id IS NULL").fetchone()[0] == 0
    claimed = {m.subscriber_id: m for m in outbox.claim_due(db, now=NOW, limit=100, channels=["file"])}
    assert set(claimed) == set(ids)
    for sid, lang, tz in ((ids[1], "en", "Asia/Taipei"), (ids[0], "zh-TW", "America/New_York")):
        want = render_alert(ANN, U, reasons, lang=lang, tz=tz, now=NOW)
        got = claimed[sid]
        assert (got.text, got.html, got.subject) == (want.text, want.html, want.subject or ANN.title)
        assert got.payload == {"url": ANN.url, "announcement": ANN.key, "topics": ["ieepa_cape"]}
        assert got.message_key == "alert:csms:68396594" and got.language == lang
        assert outbox.messages_for(db, sid)[0]["text"] == want.text


async def test_paused_digest_and_urgent_subscribers_are_treated_as_before(db) -> None:
    active, paused, digest, urgent = _people(db, 4)
    set_status(db, paused, "paused", "blocked")
    update_subscriber(db, digest, digest="daily")
    update_subscriber(db, urgent, digest="daily")
    subscribe(db, urgent, "urgent", "ieepa_cape", now=NOW)
    _store(db)
    await Service(Config(sources=()), db, {}).match(NOW)
    assert [sid for sid, _ in _alert_rows(db)] == [active, urgent]
    delivery = dict(db.execute("SELECT subscriber_id, delivery FROM alerts").fetchall())
    assert delivery == {active: "immediate", digest: "digest", urgent: "immediate"}


async def test_the_index_is_rebuilt_only_when_a_subscription_changed(db) -> None:
    svc = Service(Config(sources=()), db, {})
    (a,) = _people(db, 1)
    await svc.match(NOW)  # nothing new: the index is built (or kept) while idle
    first = svc.match_index()
    await svc.match(NOW)
    _store(db)
    await svc.match(NOW)
    assert svc.match_index() is first  # nothing changed: the same index
    b = add_subscriber(db, name="late", channel="file", address="late", now=NOW).id
    subscribe(db, b, "keyword", "refunds", now=NOW)
    _store(db, Announcement(**{**{f: getattr(ANN, f) for f in ANN.__dataclass_fields__}, "key": "csms:2", "ext_id": "2"}))
    await svc.match(NOW)
    assert svc.match_index() is not first
    assert {sid for sid, key in _alert_rows(db) if key == "alert:csms:2"} == {a, b}
