"""One story, not three alerts: which announcements a ref (``csms:68396594``, ``doc:1157012471``)
names, and when each subscriber was first told about them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlite_utils import Database

from state.db import from_iso


def record(db: Database, announcement_key: str, refs: Iterable[str]) -> None:
    """Remember what identifies an announcement. Idempotent; call inside ``db.atomic()``."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO story_refs (ref, announcement_key) VALUES (?, ?)",
        [(r, announcement_key) for r in dict.fromkeys(refs)],
    )


def keys_for(db: Database, refs: Sequence[str]) -> dict[str, list[str]]:
    """ref → the announcements it identifies (already stored and matched)."""
    out: dict[str, list[str]] = {}
    if not refs:
        return out
    marks = ",".join("?" * len(refs))
    for ref, key in db.conn.execute(
        f"SELECT ref, announcement_key FROM story_refs WHERE ref IN ({marks})", list(refs)
    ):
        out.setdefault(ref, []).append(key)
    return out


def first_alerted(db: Database, keys: Sequence[str]) -> dict[tuple[int, str], object]:
    """(subscriber, announcement) → when that subscriber was alerted about it."""
    if not keys:
        return {}
    marks = ",".join("?" * len(keys))
    return {
        (sid, key): from_iso(at)
        for sid, key, at in db.conn.execute(
            f"SELECT subscriber_id, announcement_key, created_at FROM alerts WHERE announcement_key IN ({marks})",
            list(keys),
        )
    }
