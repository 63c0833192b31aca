"""Migrations for what an alert tells a broker (registered on ``state.schema.migrations``).

901: a reminder item keeps the act-by day beside its legal last day, a note (what to bring,
why CAPE is closed) and a link (registration), so every surface shows the same thing.
"""

from __future__ import annotations

from sqlite_utils import Database

from state.schema import migrations


@migrations(name="901_reminder_act_by_note_link")
def _reminder_details(db: Database) -> None:
    db.executescript(
        """
        ALTER TABLE reminders ADD COLUMN act_by TEXT;
        ALTER TABLE reminders ADD COLUMN note TEXT NOT NULL DEFAULT '';
        ALTER TABLE reminders ADD COLUMN link TEXT NOT NULL DEFAULT '';
        """
    )


@migrations(name="902_story_refs")
def _story_refs(db: Database) -> None:
    """What identifies each announcement in a forwarding chain (``csms:68396594``, a letter's
    ``doc:1157012471``), so a later letter can say which earlier alert it forwards."""
    db.executescript(
        """
        CREATE TABLE story_refs (
            ref TEXT NOT NULL,
            announcement_key TEXT NOT NULL,
            PRIMARY KEY (ref, announcement_key)
        ) WITHOUT ROWID;
        """
    )
