"""Renderings: each distinct message body stored once; outbox rows point at it.

An alert to 30,000 recipients has a handful of distinct renderings (language × zone ×
reasons). The row is content-addressed (sha256 of subject, text, HTML parts and payload), so
whatever makes two renderings differ makes two rows, and the same rendering queued again —
a fan-out resumed after a crash — finds the row it stored before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from sqlite_utils import Database

from state.db import iso


def store(
    db: Database,
    *,
    subject: str,
    text: str,
    html: Sequence[str],
    payload: dict,
    now: datetime,
) -> int:
    """The id of this rendering, stored if new. Call inside the transaction that queues the
    outbox rows referencing it. Storing it again makes it young again, so retention (which
    deletes old renderings no row references) never takes one that is being reused."""
    html_json = json.dumps(list(html), ensure_ascii=False)
    payload_json = json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True)
    digest = hashlib.sha256("\x1f".join((subject, text, html_json, payload_json)).encode()).digest()
    db.execute(
        "INSERT INTO renderings (digest, subject, text, html, payload, created_at)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT (digest) DO UPDATE SET created_at = excluded.created_at",
        [digest, subject, text, html_json, payload_json, iso(now)],
    )
    return int(db.execute("SELECT id FROM renderings WHERE digest = ?", [digest]).fetchone()[0])


def count(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM renderings").fetchone()[0])
