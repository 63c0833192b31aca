"""Alerts: which subscriber got which announcement, and why (one row per pair)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from feeds.factmodel import Facts
from state.db import iso

# An alert's reasons: its own column, or (fan-out) the shared reason set it points at.
REASONS = "coalesce(rs.reasons, a.reasons) AS reasons"


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
    rows = list(
        db.query(
            "SELECT a.*, rs.reasons AS shared_reasons, n.title, n.url FROM alerts a"
            " JOIN announcements n ON n.key = a.announcement_key"
            " LEFT JOIN reason_sets rs ON rs.id = a.reasons_id WHERE a.subscriber_id = ? ORDER BY a.id",
            [subscriber_id],
        )
    )
    for r in rows:
        shared = r.pop("shared_reasons")
        r["reasons"] = shared if shared is not None else r["reasons"]
    return rows


def pending_digest(db: Database, subscriber_id: int, until: datetime) -> list[dict]:
    """Alerts waiting for this subscriber's digest, with their announcements, oldest first."""
    return list(
        db.query(
            f"SELECT a.id, {REASONS}, n.key, n.title, n.url, n.published, n.topics, n.summary_zh, n.source, n.facts"
            " FROM alerts a JOIN announcements n ON n.key = a.announcement_key"
            " LEFT JOIN reason_sets rs ON rs.id = a.reasons_id WHERE a.subscriber_id = ? AND a.delivery = 'digest' AND a.digested_at IS NULL"
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


def has_alerts(db: Database, announcement_key: str) -> bool:
    """Any alert of this announcement yet (a fan-out interrupted part-way)?"""
    return db.execute("SELECT 1 FROM alerts WHERE announcement_key = ? LIMIT 1", [announcement_key]).fetchone() is not None


def alerted_among(db: Database, announcement_key: str, subscriber_ids: Sequence[int]) -> set[int]:
    """Which of these subscribers already have this announcement's alert."""
    return {
        r[0]
        for r in db.execute(
            "SELECT subscriber_id FROM alerts WHERE announcement_key = ?"
            " AND subscriber_id IN (SELECT value FROM json_each(?))",
            [announcement_key, json.dumps(list(subscriber_ids))],
        )
    }


def reason_set(db: Database, announcement_key: str, reasons: Sequence[str]) -> int:
    """The id of this list of reasons for this announcement (stored once, shared by rows)."""
    text = json.dumps(list(reasons), ensure_ascii=False)
    db.execute(
        "INSERT OR IGNORE INTO reason_sets (announcement_key, reasons) VALUES (?,?)", [announcement_key, text]
    )
    return int(
        db.execute(
            "SELECT id FROM reason_sets WHERE announcement_key = ? AND reasons = ?", [announcement_key, text]
        ).fetchone()[0]
    )


def record_alerts(
    db: Database, announcement_key: str, rows: Sequence[tuple[int, int, str]], *, now: datetime
) -> int:
    """Many ``record_alert``s in one statement: (subscriber id, reason set id, delivery).
    Rows already there are kept. Call inside ``db.atomic()``."""
    created = iso(now)
    cur = db.conn.executemany(
        "INSERT OR IGNORE INTO alerts (subscriber_id, announcement_key, reasons, reasons_id, created_at, delivery)"
        " VALUES (?,?,'',?,?,?)",
        [(sid, announcement_key, reasons_id, created, delivery) for sid, reasons_id, delivery in rows],
    )
    return cur.rowcount  # summed over the rows (trigger changes not counted)
