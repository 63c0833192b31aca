"""Numbered schema migrations (sqlite-utils ``Migrations``), applied at every start.

A new database and one from an older version both end at the latest schema. Each capability
registers its own migrations in its own module, imported at the bottom of this file; names
are numbered by capability (0xx foundation, 1xx understanding, 2xx deadlines, 3xx Telegram,
4xx e-mail and associations, 5xx trust and reliability, 6xx scale, 8xx LINE and the
association console, 9xx advice) so they never collide.
"""

from __future__ import annotations

import importlib

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("tradealert")


@migrations(name="001_foundation")
def _foundation(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE sources (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            url TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            last_attempt_at TEXT,
            last_success_at TEXT,
            next_poll_at TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_status TEXT,
            items_total INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE announcements (
            key TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            ext_id TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT NOT NULL,
            published TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT 'en',
            meta TEXT NOT NULL DEFAULT '{}',
            first_seen_at TEXT NOT NULL,
            matched_at TEXT,
            alertable INTEGER NOT NULL DEFAULT 1,
            topics TEXT,
            facts TEXT,
            summary_zh TEXT
        );
        CREATE INDEX announcements_unmatched ON announcements(matched_at) WHERE matched_at IS NULL;
        CREATE TABLE subscribers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            channel TEXT NOT NULL,
            address TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT 'zh-TW',
            timezone TEXT NOT NULL DEFAULT 'Asia/Taipei',
            quiet_hours TEXT,
            digest TEXT NOT NULL DEFAULT 'off',
            digest_time TEXT NOT NULL DEFAULT '08:00',
            status TEXT NOT NULL DEFAULT 'active',
            status_reason TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (channel, address)
        );
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            value TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            UNIQUE (subscriber_id, kind, value)
        );
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
            announcement_key TEXT NOT NULL REFERENCES announcements(key),
            reasons TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (subscriber_id, announcement_key)
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
            message_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            html TEXT NOT NULL DEFAULT '[]',
            payload TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            sent_at TEXT,
            UNIQUE (subscriber_id, message_key)
        );
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL,
            at TEXT NOT NULL,
            outcome TEXT NOT NULL,
            detail TEXT
        );
        CREATE INDEX deliveries_outbox ON deliveries(outbox_id);
        """
    )


# Capability migrations register themselves on import, in this order (= numbering order).
for _module in ("schema_understand", "schema_deadlines", "schema_telegram", "schema_mail", "schema_trust",
                "schema_scale", "schema_delivery", "schema_reach", "schema_advice", "schema_security"):
    importlib.import_module(f"state.{_module}")
