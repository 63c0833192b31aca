"""Alerts: which subscriber got which announcement, and why (one row per pair)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from feeds.factmodel import Facts
from state.db import iso


def record_alert(
    db: Database,
    subscriber_id: int,
    announcement_key: str,
    reasons: Sequence[str],
    *,
    now: datetime,
    delivery: str = "immediate",
) -> bool:
    """True when this is the first alert of this announcement to this subscriber.

    ``delivery`` is ``immediate`` (queued now) or ``digest`` (waits for the next digest).
    """
    cur = db.execute(
        "INSERT OR IGNORE INTO alerts (subscriber_id, announcement_key, reasons, created_at, delivery)"
        " VALUES (?,?,?,?,?)",
        [subscriber_id, announcement_key, json.dumps(list(reasons), ensure_ascii=False), iso(now), delivery],
    )
    return bool(cur.rowcount)


def alerts_for(db: Database, subscriber_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT a.*, n.title, n.url FROM alerts a JOIN announcements n ON n.key = a.announcement_key"
            " WHERE a.subscriber_id = ? ORDER BY a.id",
            [subscriber_id],
        )
    )


def pending_digest(db: Database, subscriber_id: int, until: datetime) -> list[dict]:
    """Alerts waiting for this subscriber's digest, with their announcements, oldest first."""
    return list(
        db.query(
            "SELECT a.id, a.reasons, n.key, n.title, n.url, n.published, n.topics, n.summary_zh, n.source, n.facts"
            " FROM alerts a JOIN announcements n ON n.key = a.announcement_key"
            " WHERE a.subscriber_id = ? AND a.delivery = 'digest' AND a.digested_at IS NULL"
            " AND a.created_at <= ? ORDER BY n.published, a.id",
            [subscriber_id, iso(until)],
        )
    )


def mark_digested(db: Database, alert_ids: Sequence[int], now: datetime) -> None:
    for chunk in range(0, len(alert_ids), 500):
        ids = list(alert_ids[chunk : chunk + 500])
        db.execute(
            f"UPDATE alerts SET digested_at = ? WHERE id IN ({','.join('?' for _ in ids)})", [iso(now), *ids]
        )


@dataclass(frozen=True, slots=True)
class AlertedFacts:
    key: str
    title: str
    url: str
    facts: Facts


def alerted_facts(db: Database, subscriber_id: int) -> list[AlertedFacts]:
    """Key, title, url and facts of every understood announcement this subscriber was alerted to.

    A stored ``facts`` value that is not JSON is skipped (it cannot place anything on a calendar)."""
    out = []
    for r in db.query(
        "SELECT n.key, n.title, n.url, n.facts FROM alerts a JOIN announcements n ON n.key = a.announcement_key"
        " WHERE a.subscriber_id = ? AND n.facts IS NOT NULL ORDER BY a.id",
        [subscriber_id],
    ):
        try:
            raw = json.loads(r["facts"] or "{}")
        except json.JSONDecodeError:
            continue
        out.append(AlertedFacts(r["key"], r["title"] or "", r["url"] or "", Facts.from_json(raw)))
    return out
