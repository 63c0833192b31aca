"""Announcements stored once, by key (CSMS number, FR document number, or feed guid)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from feeds.factmodel import Facts
from feeds.model import Announcement
from state.db import from_iso, iso


def store_new(
    db: Database,
    items: Iterable[Announcement],
    *,
    now: datetime,
    alertable_after: datetime,
    baseline: bool = False,
) -> int:
    """Insert the items not stored yet; returns how many were new.

    An item published before ``alertable_after`` is stored (so it is never alerted later)
    but marked not alertable; so is every item of a ``baseline`` (a source's first poll),
    whatever its date. A row only a baseline has seen that a watched source then reports is
    news after all (the new source merely saw it first): it becomes alertable and is matched
    again. A CSMS already stored from the widget (subject only) gains the RSS body when that
    arrives; it is still one row and one alert. Call inside ``db.atomic()``.
    """
    new = 0
    for a in items:
        alertable = not baseline and a.published >= alertable_after
        cur = db.execute(
            "INSERT OR IGNORE INTO announcements (key, source, kind, ext_id, title, url, published,"
            " body, language, meta, first_seen_at, alertable, baseline)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                a.key,
                a.source,
                a.kind,
                a.ext_id,
                a.title,
                a.url,
                iso(a.published),
                a.body,
                a.language,
                json.dumps(a.meta, ensure_ascii=False, default=str),
                iso(now),
                int(alertable),
                int(baseline),
            ],
        )
        if cur.rowcount:
            new += 1
            continue
        if alertable:
            db.execute(
                "UPDATE announcements SET alertable = 1, baseline = 0, matched_at = NULL"
                " WHERE key = ? AND baseline = 1 AND alertable = 0 AND source != ?",
                [a.key, a.source],
            )
        if a.body:
            db.execute(
                "UPDATE announcements SET body = ? WHERE key = ? AND body = ''", [a.body, a.key]
            )
    return new


def _to_announcement(row: dict) -> Announcement:
    published = from_iso(row["published"])
    assert published is not None
    return Announcement(
        key=row["key"],
        source=row["source"],
        kind=row["kind"],
        ext_id=row["ext_id"],
        title=row["title"],
        url=row["url"],
        published=published,
        body=row["body"],
        language=row["language"],
        meta=json.loads(row["meta"] or "{}"),
    )


@dataclass(frozen=True, slots=True)
class PendingAnnouncement:
    announcement: Announcement
    alertable: bool


def unmatched(db: Database, limit: int = 500) -> list[PendingAnnouncement]:
    rows = db.query(
        "SELECT * FROM announcements WHERE matched_at IS NULL ORDER BY published, key LIMIT ?",
        [limit],
    )
    return [PendingAnnouncement(_to_announcement(r), bool(r["alertable"])) for r in rows]


def mark_matched(
    db: Database,
    key: str,
    *,
    now: datetime,
    topics: list[str],
    facts: Facts,
    summary_zh: str,
) -> None:
    """Record what was understood and that matching is done. Call inside ``db.atomic()``."""
    db.execute(
        "UPDATE announcements SET matched_at = ?, topics = ?, facts = ?, summary_zh = ? WHERE key = ?",
        [
            iso(now),
            json.dumps(topics, ensure_ascii=False),
            json.dumps(facts.to_json(), ensure_ascii=False),
            summary_zh,
            key,
        ],
    )


def get(db: Database, key: str) -> Announcement | None:
    row = next(db.query("SELECT * FROM announcements WHERE key = ?", [key]), None)
    return _to_announcement(row) if row else None


def count(db: Database) -> int:
    return int(next(db.query("SELECT count(*) AS n FROM announcements"))["n"])


def facts_of(db: Database, key: str) -> Facts:
    """The stored facts (empty before the match sweep has understood the item)."""
    row = next(db.query("SELECT facts FROM announcements WHERE key = ?", [key]), None)
    try:
        return Facts.from_json(json.loads(row["facts"])) if row and row["facts"] else Facts()
    except json.JSONDecodeError:
        return Facts()


def summary_of(db: Database, key: str) -> str:
    """The stored 繁體中文 summary ('' before the match sweep has understood the item)."""
    row = next(db.query("SELECT summary_zh FROM announcements WHERE key = ?", [key]), None)
    return (row["summary_zh"] or "") if row else ""
