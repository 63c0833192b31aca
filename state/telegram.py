"""Telegram delivery bookkeeping: which parts of an outbox message went out, and acks."""

from __future__ import annotations

import json
from datetime import datetime

from sqlite_utils import Database

from state.db import iso


def sent_parts(db: Database, outbox_id: int) -> dict[int, int]:
    """Part index → Telegram message id, for the parts of this message already delivered."""
    return {
        r["part"]: r["message_id"]
        for r in db.query(
            "SELECT part, message_id FROM telegram_parts WHERE outbox_id = ?", [outbox_id]
        )
    }


def record_part(
    db: Database,
    outbox_id: int,
    part: int,
    *,
    chat_id: str,
    message_id: int,
    plain: bool,
    now: datetime,
) -> None:
    with db.atomic():
        db.execute(
            "INSERT OR REPLACE INTO telegram_parts"
            " (outbox_id, part, chat_id, message_id, plain, sent_at) VALUES (?,?,?,?,?,?)",
            [outbox_id, part, chat_id, message_id, int(plain), iso(now)],
        )


def outbox_owner(db: Database, outbox_id: int) -> int | None:
    """The subscriber an outbox row belongs to (None when it is gone)."""
    row = next(db.query("SELECT subscriber_id FROM outbox WHERE id = ?", [outbox_id]), None)
    return int(row["subscriber_id"]) if row else None


def outbox_kind_payload(db: Database, outbox_id: int) -> tuple[str | None, dict]:
    row = next(db.query("SELECT kind, payload FROM outbox WHERE id = ?", [outbox_id]), None)
    if row is None:
        return None, {}
    try:
        payload = json.loads(row["payload"] or "{}")
    except ValueError:
        payload = {}
    return row["kind"], payload if isinstance(payload, dict) else {}


def acknowledge(db: Database, outbox_id: int, *, user_id: int | None, now: datetime) -> bool:
    """Mark an alert handled (已處理); False when it already was."""
    with db.atomic():
        cur = db.execute(
            "INSERT OR IGNORE INTO telegram_acks (outbox_id, user_id, acked_at) VALUES (?,?,?)",
            [outbox_id, user_id, iso(now)],
        )
    return bool(cur.rowcount)


def is_acknowledged(db: Database, outbox_id: int) -> bool:
    return next(db.query("SELECT 1 FROM telegram_acks WHERE outbox_id = ?", [outbox_id]), None) is not None


def extra_subscriptions(db: Database, subscriber_id: int) -> list[tuple[int, str, str]]:
    """(subscription id, kind, value) of a subscriber's keyword and HTS subscriptions."""
    return [
        (r["id"], r["kind"], r["value"])
        for r in db.query(
            "SELECT id, kind, value FROM subscriptions WHERE subscriber_id = ?"
            " AND kind IN ('keyword', 'hts') ORDER BY kind, value",
            [subscriber_id],
        )
    ]


def remove_subscription(db: Database, subscriber_id: int, subscription_id: int) -> bool:
    """Delete one subscription by id, only if it belongs to this subscriber."""
    with db.atomic():
        cur = db.execute(
            "DELETE FROM subscriptions WHERE id = ? AND subscriber_id = ?",
            [subscription_id, subscriber_id],
        )
    return bool(cur.rowcount)
