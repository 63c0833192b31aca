"""Migrations for trust and reliability (5xx): separate read and action secrets, source baselines."""

from __future__ import annotations

from sqlite_utils import Database

from state.schema import migrations
from state.schema_mail import new_token


@migrations(name="501_action_tokens")
def _action_tokens(db: Database) -> None:
    """``subscribers.token`` stays the calendar (read-only) secret, so calendar URLs already in
    people's calendars keep working; unsubscribing takes the new ``action_token``. Links in
    e-mails sent before this migration carried the calendar token and stop unsubscribing."""
    db.execute("ALTER TABLE subscribers ADD COLUMN action_token TEXT")
    for row in list(db.query("SELECT id FROM subscribers")):
        db.execute("UPDATE subscribers SET action_token = ? WHERE id = ?", [new_token(), row["id"]])
    db.execute("CREATE UNIQUE INDEX subscribers_action_token ON subscribers(action_token)")


@migrations(name="502_source_baseline")
def _source_baseline(db: Database) -> None:
    """A source's first successful poll is a baseline: what its feed already holds is stored,
    not alerted. Sources that have been polled before this migration are baselined already;
    ``announcements.baseline`` marks rows only a baseline has seen (see store_new)."""
    db.executescript(
        """
        ALTER TABLE sources ADD COLUMN baselined_at TEXT;
        UPDATE sources SET baselined_at = last_success_at WHERE last_success_at IS NOT NULL;
        ALTER TABLE announcements ADD COLUMN baseline INTEGER NOT NULL DEFAULT 0;
        """
    )
