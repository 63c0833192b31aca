"""Migrations for the deadlines capability (registered on ``state.schema.migrations``).

``reminders`` holds one row per (subscriber, deadline item) with its whole schedule and the
next ``due_at``; the sweep reads only rows whose ``due_at`` has come, through a partial index,
so a million tracked entries cost nothing until one is due.
"""

from __future__ import annotations

from sqlite_utils import Database

from state.schema import migrations


@migrations(name="201_deadlines")
def _deadlines(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE tracked_entries (
            id INTEGER PRIMARY KEY,
            subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
            entry_number TEXT NOT NULL,
            entry_type TEXT,
            entry_date TEXT,
            release_date TEXT,
            summary_filed INTEGER NOT NULL DEFAULT 0,
            liquidation_date TEXT,
            liquidation_status TEXT NOT NULL DEFAULT 'unliquidated',
            ieepa INTEGER NOT NULL DEFAULT 0,
            hts TEXT NOT NULL DEFAULT '',
            port TEXT,
            label TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (subscriber_id, entry_number)
        );
        CREATE INDEX tracked_entries_ieepa ON tracked_entries(subscriber_id) WHERE ieepa = 1;
        CREATE TABLE tracked_hts (
            entry_id INTEGER NOT NULL REFERENCES tracked_entries(id) ON DELETE CASCADE,
            subscriber_id INTEGER NOT NULL,
            hts TEXT NOT NULL,
            PRIMARY KEY (entry_id, hts)
        );
        CREATE INDEX tracked_hts_code ON tracked_hts(hts);
        CREATE TABLE tw_declarations (
            id INTEGER PRIMARY KEY,
            subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
            declaration_no TEXT NOT NULL,
            kind TEXT NOT NULL,
            base_date TEXT,
            due_date TEXT NOT NULL,
            basis TEXT NOT NULL,
            label TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX tw_declarations_sub ON tw_declarations(subscriber_id);
        CREATE TABLE custom_reminders (
            id INTEGER PRIMARY KEY,
            subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            due_date TEXT NOT NULL,
            due_time TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
            item_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            deadline TEXT NOT NULL,
            past_at TEXT NOT NULL,
            basis TEXT NOT NULL DEFAULT '',
            estimate INTEGER NOT NULL DEFAULT 0,
            schedule TEXT NOT NULL,
            next_index INTEGER NOT NULL DEFAULT 0,
            due_at TEXT,
            status TEXT NOT NULL DEFAULT 'active',
            done_at TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (subscriber_id, item_key)
        );
        CREATE INDEX reminders_due ON reminders(due_at) WHERE due_at IS NOT NULL;
        """
    )


@migrations(name="202_reminder_settings")
def _reminder_settings(db: Database) -> None:
    """Per-subscriber reminder offsets and time of day (NULL = the ``[reminders]`` default)."""
    db.executescript(
        """
        CREATE TABLE reminder_settings (
            subscriber_id INTEGER PRIMARY KEY REFERENCES subscribers(id) ON DELETE CASCADE,
            offsets_days TEXT,
            time_of_day TEXT
        );
        """
    )
