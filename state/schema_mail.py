"""Migrations for e-mail digests, associations and calendar feeds (4xx)."""

from __future__ import annotations

import secrets

from sqlite_utils import Database

from state.schema import migrations


@migrations(name="401_digests_tokens_associations")
def _mail(db: Database) -> None:
    db.executescript(
        """
        ALTER TABLE subscribers ADD COLUMN token TEXT;
        -- 'immediate': queued at match time; 'digest': waits for the subscriber's next digest.
        ALTER TABLE alerts ADD COLUMN delivery TEXT NOT NULL DEFAULT 'immediate';
        ALTER TABLE alerts ADD COLUMN digested_at TEXT;
        CREATE INDEX alerts_digest_pending ON alerts(subscriber_id)
            WHERE delivery = 'digest' AND digested_at IS NULL;

        CREATE TABLE associations (
            id INTEGER PRIMARY KEY,
            subscriber_id INTEGER NOT NULL UNIQUE REFERENCES subscribers(id) ON DELETE CASCADE,
            name TEXT NOT NULL UNIQUE,
            letterhead TEXT NOT NULL DEFAULT '',
            ref_prefix TEXT NOT NULL,
            ref_seq INTEGER NOT NULL DEFAULT 0,
            mode TEXT NOT NULL DEFAULT 'approval',
            created_at TEXT NOT NULL
        );
        CREATE TABLE association_admins (
            id INTEGER PRIMARY KEY,
            association_id INTEGER NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            address TEXT NOT NULL,
            UNIQUE (association_id, channel, address)
        );
        CREATE TABLE members (
            id INTEGER PRIMARY KEY,
            association_id INTEGER NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
            firm TEXT NOT NULL,
            opted_out_at TEXT,
            token TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            UNIQUE (association_id, firm)
        );
        CREATE TABLE member_contacts (
            id INTEGER PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
            UNIQUE (member_id, subscriber_id)
        );
        CREATE TABLE forwards (
            id INTEGER PRIMARY KEY,
            association_id INTEGER NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
            announcement_key TEXT NOT NULL,
            ref_no TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL,            -- awaiting_approval | approved | skipped
            decided_by TEXT,
            decided_at TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (association_id, announcement_key)
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            association_id INTEGER NOT NULL REFERENCES associations(id) ON DELETE CASCADE,
            forward_id INTEGER,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE calendar_items (
            subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
            uid TEXT NOT NULL,
            digest TEXT NOT NULL,
            sequence INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (subscriber_id, uid)
        );
        """
    )
    for row in list(db.query("SELECT id FROM subscribers")):
        db.execute("UPDATE subscribers SET token = ? WHERE id = ?", [new_token(), row["id"]])
    db.execute("CREATE UNIQUE INDEX subscribers_token ON subscribers(token)")


def new_token() -> str:
    """An unguessable URL token (256 bits from ``secrets``)."""
    return secrets.token_urlsafe(32)
