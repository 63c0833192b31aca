"""Telegram delivery bookkeeping: which parts of an outbox message went out, and acks."""

from __future__ import annotations

import json
from datetime import datetime

from sqlite_utils import Database

from state import outbox
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
    row = outbox.payload_of(db, outbox_id)  # an alert's payload lives in its rendering
    if row is None:
        return None, {}
    try:
        payload = json.loads(row[1] or "{}")
    except ValueError:
        payload = {}
    return row[0], payload if isinstance(payload, dict) else {}


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


def message_key_of(db: Database, chat_id: str, message_id: int) -> str | None:
    """The outbox message key of a message the bot sent (e.g. which preview a button was under)."""
    row = next(
        db.query(
            "SELECT o.message_key FROM telegram_parts p JOIN outbox o ON o.id = p.outbox_id"
            " WHERE p.chat_id = ? AND p.message_id = ?",
            [chat_id, message_id],
        ),
        None,
    )
    return row["message_key"] if row else None


def preview_message(db: Database, chat_id: str, message_key: str) -> int | None:
    """The Telegram message id of the last part of outbox message ``message_key`` in a chat."""
    row = next(
        db.query(
            "SELECT p.message_id FROM outbox o JOIN telegram_parts p ON p.outbox_id = o.id"
            " WHERE o.message_key = ? AND p.chat_id = ? ORDER BY p.part DESC LIMIT 1",
            [message_key, chat_id],
        ),
        None,
    )
    return int(row["message_id"]) if row else None


# ---- dialog state (python-telegram-bot persistence, bot/telegram/persistence.py) ----------
def conversations(db: Database, name: str) -> dict[tuple[int | str, ...], object]:
    """Open dialogs of the ConversationHandler ``name``: key (chat, user) → state."""
    return {
        tuple(json.loads(r["key"])): json.loads(r["state"])
        for r in db.query("SELECT key, state FROM telegram_conversations WHERE name = ?", [name])
    }


def save_conversation(db: Database, name: str, key: tuple[int | str, ...], state: object | None) -> None:
    """Remember a dialog's state; None (the dialog ended) forgets it."""
    with db.atomic():
        if state is None:
            db.execute("DELETE FROM telegram_conversations WHERE name = ? AND key = ?", [name, json.dumps(list(key))])
        else:
            db.execute(
                "INSERT OR REPLACE INTO telegram_conversations (name, key, state) VALUES (?,?,?)",
                [name, json.dumps(list(key)), json.dumps(state)],
            )


def dialog_user_data(db: Database) -> dict[int, dict]:
    """What open dialogs remember per Telegram user (e.g. the forward being edited)."""
    return {int(r["user_id"]): json.loads(r["data"]) for r in db.query("SELECT user_id, data FROM telegram_user_data")}


def save_user_data(db: Database, user_id: int, data: dict) -> None:
    """Store one user's dialog data; an empty dict removes the row."""
    with db.atomic():
        if not data:
            db.execute("DELETE FROM telegram_user_data WHERE user_id = ?", [user_id])
        else:
            db.execute(
                "INSERT OR REPLACE INTO telegram_user_data (user_id, data) VALUES (?,?)",
                [user_id, json.dumps(data, ensure_ascii=False, default=str)],
            )
