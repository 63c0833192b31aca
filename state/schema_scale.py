"""Migrations for scale (6xx): renderings stored once, indexes for every sweep lookup, the
digest due time, the subscription version that tells the match index when to rebuild.

Why each piece:

* ``renderings``: an alert to 30,000 recipients is a handful of distinct texts (language ×
  zone × reasons); outbox rows point at one instead of carrying 4–5 KB each. Likewise
  ``reason_sets``: alert rows point at their list of reasons.
* ``subscriptions_version``: bumped by triggers on every change to ``subscriptions`` (from the
  CLI, Telegram, the web, another process), so the service rebuilds its in-memory match index
  only when something changed — an idle match sweep reads one row.
* ``digest_due_at``: the digest sweep reads the subscribers whose digest time has come through
  a partial index, instead of every subscriber every minute. A trigger clears it ('' sorts
  before any time) when the digest mode, time or zone changes, so the next sweep recomputes it.
"""

from __future__ import annotations

from sqlite_utils import Database

from state.schema import migrations


@migrations(name="601_scale_renderings_indexes")
def _scale(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE renderings (
            id INTEGER PRIMARY KEY,
            digest BLOB NOT NULL UNIQUE,        -- sha256 of what a recipient sees
            subject TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            html TEXT NOT NULL DEFAULT '[]',
            payload TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        CREATE INDEX renderings_created ON renderings(created_at);
        ALTER TABLE outbox ADD COLUMN rendering_id INTEGER REFERENCES renderings(id);
        CREATE INDEX outbox_rendering ON outbox(rendering_id) WHERE rendering_id IS NOT NULL;

        -- The reasons of an alert, one row per distinct list per announcement (an alert row
        -- carries its id, not 100 bytes of JSON); pruned with the announcement's alerts.
        CREATE TABLE reason_sets (
            id INTEGER PRIMARY KEY,
            announcement_key TEXT NOT NULL,
            reasons TEXT NOT NULL,
            UNIQUE (announcement_key, reasons)
        );
        ALTER TABLE alerts ADD COLUMN reasons_id INTEGER;  -- reason_sets.id; reasons = '' then

        -- recipients_of_announcement (event reminders) and the association audit export
        CREATE INDEX alerts_announcement ON alerts(announcement_key);
        CREATE INDEX outbox_entries_key ON outbox(message_key) WHERE kind = 'entry_match';
        CREATE INDEX outbox_forward_key ON outbox(message_key) WHERE kind = 'forward';
        -- retention: announcements by the time they were matched; spent reminder items
        CREATE INDEX announcements_matched ON announcements(matched_at, key) WHERE matched_at IS NOT NULL;
        CREATE INDEX reminders_spent ON reminders(past_at)
            WHERE status IN ('finished', 'expired', 'retired');

        ALTER TABLE subscribers ADD COLUMN digest_due_at TEXT NOT NULL DEFAULT '';
        CREATE INDEX subscribers_digest_due ON subscribers(digest_due_at)
            WHERE digest != 'off' AND status = 'active';
        CREATE TRIGGER subscribers_digest_changed AFTER UPDATE OF digest, digest_time, timezone
            ON subscribers BEGIN
            UPDATE subscribers SET digest_due_at = '' WHERE id = NEW.id;
        END;

        CREATE TABLE scale_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            subscriptions_version INTEGER NOT NULL DEFAULT 0,
            alerts_pruned_through TEXT NOT NULL DEFAULT '',  -- matched_at of the last pruned
            alerts_pruned_key TEXT NOT NULL DEFAULT ''       -- and its key (keyset order)
        );
        INSERT INTO scale_state (id) VALUES (1);
        CREATE TRIGGER subscriptions_added AFTER INSERT ON subscriptions BEGIN
            UPDATE scale_state SET subscriptions_version = subscriptions_version + 1 WHERE id = 1;
        END;
        CREATE TRIGGER subscriptions_removed AFTER DELETE ON subscriptions BEGIN
            UPDATE scale_state SET subscriptions_version = subscriptions_version + 1 WHERE id = 1;
        END;
        CREATE TRIGGER subscriptions_changed AFTER UPDATE ON subscriptions BEGIN
            UPDATE scale_state SET subscriptions_version = subscriptions_version + 1 WHERE id = 1;
        END;
        """
    )
