"""Migrations for the telegram capability (registered on ``state.schema.migrations``)."""

from __future__ import annotations

from sqlite_utils import Database

from state.schema import migrations


@migrations(name="301_telegram_parts")
def _telegram_parts(db: Database) -> None:
    """One row per delivered part of an outbox message, so a retry resumes, never repeats."""
    db.executescript(
        """
        CREATE TABLE telegram_parts (
            outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
            part INTEGER NOT NULL,
            chat_id TEXT NOT NULL,
            message_id INTEGER NOT NULL,
            plain INTEGER NOT NULL DEFAULT 0,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (outbox_id, part)
        );
        CREATE INDEX telegram_parts_chat ON telegram_parts(chat_id, message_id);
        CREATE TABLE telegram_acks (
            outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
            user_id INTEGER,
            acked_at TEXT NOT NULL
        );
        """
    )


@migrations(name="350_telegram_conversations")
def _telegram_conversations(db: Database) -> None:
    """Open Telegram dialogs (/track's question, an association edit) survive a restart."""
    db.executescript(
        """
        CREATE TABLE telegram_conversations (
            name TEXT NOT NULL,
            key TEXT NOT NULL,
            state TEXT NOT NULL,
            PRIMARY KEY (name, key)
        );
        CREATE TABLE telegram_user_data (
            user_id INTEGER PRIMARY KEY,
            data TEXT NOT NULL
        );
        """
    )
