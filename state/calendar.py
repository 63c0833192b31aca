"""Calendar (ICS) entries already served, so SEQUENCE can be bumped when one changes (RFC 5545)."""

from __future__ import annotations

from sqlite_utils import Database


def sequence_for(db: Database, subscriber_id: int, uid: str, digest: str) -> int:
    """The entry's SEQUENCE: 0 when first served, one more each time its content digest changes."""
    row = next(
        db.query("SELECT digest, sequence FROM calendar_items WHERE subscriber_id = ? AND uid = ?", [subscriber_id, uid]),
        None,
    )
    if row is None:
        db.execute(
            "INSERT INTO calendar_items (subscriber_id, uid, digest, sequence) VALUES (?,?,?,0)",
            [subscriber_id, uid, digest],
        )
        return 0
    if row["digest"] == digest:
        return row["sequence"]
    db.execute(
        "UPDATE calendar_items SET digest = ?, sequence = sequence + 1 WHERE subscriber_id = ? AND uid = ?",
        [digest, subscriber_id, uid],
    )
    return row["sequence"] + 1
