"""Retention: what was delivered long enough ago is deleted, in small batches, by index.

Kept: every row still pending (a paused recipient's messages, retries), digest alerts not yet
digested, announcements (the archive and the dedupe key), the association audit log, reminder
items marked done. Deleted after ``before``: sent and failed outbox rows (their delivery
attempts, Telegram parts and acks go with them by cascade), alerts of announcements matched
before then (and their reason lists), renderings no row points at, reminder items whose deadline is that long past.
Forwards to association members and admin previews — the rows behind the audit export — have
their own, usually longer, horizon.

Each function deletes at most ``batch`` rows (or one announcement's alerts) in one
transaction and returns how many, so the sweep can yield between batches.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from state.db import iso

AUDIT_KINDS = ("forward", "preview")
_AUDIT = ",".join(f"'{k}'" for k in AUDIT_KINDS)


def prune_outbox(db: Database, *, before: datetime, audit_before: datetime | None, batch: int = 5000) -> int:
    """Sent / failed rows older than ``before`` (audit rows: older than ``audit_before``;
    None keeps them). Reads the ``outbox_due`` index (status, next_attempt_at)."""
    cutoff = iso(before)
    audit = f" OR (kind IN ({_AUDIT}) AND next_attempt_at < ?)" if audit_before else ""
    with db.atomic():
        cur = db.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status IN ('sent', 'failed')"
            " AND next_attempt_at < ? AND coalesce(sent_at, next_attempt_at) < ?"
            f" AND (kind NOT IN ({_AUDIT}){audit}) LIMIT ?)",
            [cutoff, cutoff, *([iso(audit_before)] if audit_before else []), batch],
        )
    return cur.rowcount


def prune_alerts(db: Database, *, before: datetime) -> int:
    """The alerts of the next announcement matched before ``before`` (in matched order, from
    where the last call stopped), except digest alerts still waiting for their digest.
    Returns -1 when no announcement is left to prune."""
    through, last_key = db.execute(
        "SELECT alerts_pruned_through, alerts_pruned_key FROM scale_state WHERE id = 1"
    ).fetchone()
    row = db.execute(
        "SELECT matched_at, key FROM announcements WHERE matched_at IS NOT NULL AND matched_at < ?"
        " AND (matched_at > ? OR (matched_at = ? AND key > ?)) ORDER BY matched_at, key LIMIT 1",
        [iso(before), through, through, last_key],
    ).fetchone()
    if row is None:
        return -1
    with db.atomic():
        cur = db.execute(
            "DELETE FROM alerts WHERE announcement_key = ? AND (delivery = 'immediate' OR digested_at IS NOT NULL)",
            [row[1]],
        )
        db.execute(  # the reason lists no remaining alert points at
            "DELETE FROM reason_sets WHERE announcement_key = ? AND id NOT IN"
            " (SELECT reasons_id FROM alerts WHERE announcement_key = ? AND reasons_id IS NOT NULL)",
            [row[1], row[1]],
        )
        db.execute(
            "UPDATE scale_state SET alerts_pruned_through = ?, alerts_pruned_key = ? WHERE id = 1", list(row)
        )
    return cur.rowcount


def prune_renderings(db: Database, *, before: datetime, batch: int = 5000) -> int:
    """Renderings stored before ``before`` that no outbox row points at any more."""
    with db.atomic():
        cur = db.execute(
            "DELETE FROM renderings WHERE id IN (SELECT r.id FROM renderings r WHERE r.created_at < ?"
            " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.rendering_id = r.id) LIMIT ?)",
            [iso(before), batch],
        )
    return cur.rowcount


def prune_reminders(db: Database, *, before: datetime, batch: int = 5000) -> int:
    """Reminder items finished, expired or retired whose deadline passed before ``before``.
    Re-planning such an item later plans nothing (a past deadline is never reminded)."""
    with db.atomic():
        cur = db.execute(
            "DELETE FROM reminders WHERE id IN (SELECT id FROM reminders"
            " WHERE status IN ('finished', 'expired', 'retired') AND past_at < ? LIMIT ?)",
            [iso(before), batch],
        )
    return cur.rowcount


def table_bytes(db: Database) -> dict[str, int]:
    """Bytes each table and index takes in the file (SQLite's dbstat), largest first."""
    rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    return {name: int(size) for name, size in rows}
