"""Alerts: which subscriber got which announcement, and why (one row per pair)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlite_utils import Database

from state.db import iso


def record_alert(
    db: Database, subscriber_id: int, announcement_key: str, reasons: Sequence[str], *, now: datetime
) -> bool:
    """True when this is the first alert of this announcement to this subscriber."""
    cur = db.execute(
        "INSERT OR IGNORE INTO alerts (subscriber_id, announcement_key, reasons, created_at)"
        " VALUES (?,?,?,?)",
        [subscriber_id, announcement_key, json.dumps(list(reasons), ensure_ascii=False), iso(now)],
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
