"""Migrations for the LINE channel and the association web console (8xx)."""

from __future__ import annotations

from sqlite_utils import Database

from state.schema import migrations


@migrations(name="801_line_and_console")
def _reach(db: Database) -> None:
    db.executescript(
        """
        -- Push requests of one outbox row that LINE accepted (a long message is several).
        CREATE TABLE line_requests (
            outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
            request_index INTEGER NOT NULL,
            request_id TEXT,
            at TEXT NOT NULL,
            PRIMARY KEY (outbox_id, request_index)
        );
        -- One-time codes that bind a LINE user to an existing subscriber (stored hashed).
        CREATE TABLE line_link_codes (
            code_hash TEXT PRIMARY KEY,
            subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_by TEXT
        );
        -- The month's message quota as LINE last reported it, plus what we sent since.
        CREATE TABLE line_quota (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            kind TEXT NOT NULL,               -- limited | none
            quota INTEGER,
            used INTEGER NOT NULL DEFAULT 0,
            checked_at TEXT NOT NULL,
            error TEXT
        );
        -- Association console: one-time login links and sessions (both stored hashed).
        CREATE TABLE console_logins (
            token_hash TEXT PRIMARY KEY,
            association_id INTEGER NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
            actor TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        );
        CREATE TABLE console_sessions (
            session_hash TEXT PRIMARY KEY,
            association_id INTEGER NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
            actor TEXT NOT NULL,
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        """
    )
