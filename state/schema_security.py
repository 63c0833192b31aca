"""Migrations for security hardening (55x): LINE webhook events seen, binding-code guesses."""

from __future__ import annotations

from sqlite_utils import Database

from state.schema import migrations


@migrations(name="951_line_events_and_code_attempts")
def _line_events_and_code_attempts(db: Database) -> None:
    """``line_webhook_events``: each LINE ``webhookEventId`` applied, so a redelivered or
    replayed event changes nothing the second time. ``line_code_failures``: wrong binding codes
    per LINE user, so codes cannot be guessed at speed."""
    db.executescript(
        """
        CREATE TABLE line_webhook_events (
            event_id TEXT PRIMARY KEY,
            at TEXT NOT NULL
        );
        CREATE INDEX line_webhook_events_at ON line_webhook_events(at);
        CREATE TABLE line_code_failures (
            line_user TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX line_code_failures_user ON line_code_failures(line_user, at);
        """
    )
