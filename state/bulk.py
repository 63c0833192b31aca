"""Bulk writes of subscribers and their subscriptions: a whole CSV in one transaction.

Rows are inserted with ``executemany`` (100,000 subscribers in a few seconds); a subscriber
already there (same channel and address) is updated and gains the listed subscriptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from state.db import iso
from state.schema_mail import new_token


@dataclass(frozen=True, slots=True)
class NewSubscriber:
    name: str
    channel: str
    address: str
    language: str
    timezone: str
    subscriptions: tuple[tuple[str, str], ...]  # (kind, value)


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    updated: int
    subscriptions: int  # new subscriptions (ones already there are not counted)


def _ids(db: Database) -> dict[tuple[str, str], int]:
    return {(ch, addr): sid for sid, ch, addr in db.conn.execute("SELECT id, channel, address FROM subscribers")}


def import_subscribers(db: Database, people: Sequence[NewSubscriber], *, now: datetime) -> ImportResult:
    """Add or update every subscriber and add their subscriptions, all or nothing."""
    stamp = iso(now)
    with db.atomic():
        known = _ids(db)
        fresh = [p for p in people if (p.channel, p.address) not in known]
        again = [p for p in people if (p.channel, p.address) in known]
        db.conn.executemany(
            "INSERT INTO subscribers (name, channel, address, language, timezone, created_at, token,"
            " action_token) VALUES (?,?,?,?,?,?,?,?)",
            [(p.name, p.channel, p.address, p.language, p.timezone, stamp, new_token(), new_token()) for p in fresh],
        )
        db.conn.executemany(
            "UPDATE subscribers SET name = ?, language = ?, timezone = ? WHERE id = ?",
            [(p.name, p.language, p.timezone, known[(p.channel, p.address)]) for p in again],
        )
        ids = _ids(db) if fresh else known
        cur = db.conn.executemany(
            "INSERT OR IGNORE INTO subscriptions (subscriber_id, kind, value, created_at) VALUES (?,?,?,?)",
            [(ids[(p.channel, p.address)], kind, value, stamp) for p in people for kind, value in p.subscriptions],
        )
    return ImportResult(len(fresh), len(again), cur.rowcount)
