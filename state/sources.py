"""Per-source fetch state and health: validators, schedule, failures, last error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from state.db import from_iso, iso


@dataclass(frozen=True, slots=True)
class SourceState:
    name: str
    kind: str
    url: str
    etag: str | None
    last_modified: str | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    last_status: str | None
    items_total: int
    baselined_at: datetime | None = None  # first successful poll: its items stored, not alerted


def _row_to_state(row: dict) -> SourceState:
    return SourceState(
        name=row["name"],
        kind=row["kind"],
        url=row["url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_attempt_at=from_iso(row["last_attempt_at"]),
        last_success_at=from_iso(row["last_success_at"]),
        next_poll_at=from_iso(row["next_poll_at"]),
        consecutive_failures=row["consecutive_failures"],
        last_error=row["last_error"],
        last_status=row["last_status"],
        items_total=row["items_total"],
        baselined_at=from_iso(row.get("baselined_at")),
    )


def sync_sources(db: Database, configured: list[tuple[str, str, str]]) -> None:
    """Make the table know every configured (name, kind, url); a changed URL resets validators
    and the baseline (another URL is another feed, whose history is not news)."""
    with db.atomic():
        for name, kind, url in configured:
            row = next(db.query("SELECT url FROM sources WHERE name = ?", [name]), None)
            if row is None:
                db.execute("INSERT INTO sources (name, kind, url) VALUES (?, ?, ?)", [name, kind, url])
            elif row["url"] != url:
                db.execute(
                    "UPDATE sources SET kind = ?, url = ?, etag = NULL, last_modified = NULL,"
                    " next_poll_at = NULL, baselined_at = NULL WHERE name = ?",
                    [kind, url, name],
                )


def get_source(db: Database, name: str) -> SourceState | None:
    row = next(db.query("SELECT * FROM sources WHERE name = ?", [name]), None)
    return _row_to_state(row) if row else None


def all_sources(db: Database) -> list[SourceState]:
    return [_row_to_state(r) for r in db.query("SELECT * FROM sources ORDER BY name")]


def is_due(state: SourceState, now: datetime) -> bool:
    return state.next_poll_at is None or state.next_poll_at <= now


def record_success(
    db: Database,
    name: str,
    *,
    now: datetime,
    next_poll_at: datetime,
    not_modified: bool,
    etag: str | None,
    last_modified: str | None,
    new_items: int,
) -> None:
    """Must run inside the same ``db.atomic()`` as the item writes it describes."""
    db.execute(
        "UPDATE sources SET etag = ?, last_modified = ?, last_attempt_at = ?, last_success_at = ?,"
        " next_poll_at = ?, consecutive_failures = 0, last_error = NULL, last_status = ?,"
        " items_total = items_total + ? WHERE name = ?",
        [
            etag,
            last_modified,
            iso(now),
            iso(now),
            iso(next_poll_at),
            "not_modified" if not_modified else "ok",
            new_items,
            name,
        ],
    )


def record_failure(db: Database, name: str, *, now: datetime, next_poll_at: datetime, error: str) -> int:
    """Count one more consecutive failure; returns the new count."""
    with db.atomic():
        db.execute(
            "UPDATE sources SET last_attempt_at = ?, next_poll_at = ?, last_status = 'error',"
            " consecutive_failures = consecutive_failures + 1, last_error = ? WHERE name = ?",
            [iso(now), iso(next_poll_at), error[:500], name],
        )
    row = next(db.query("SELECT consecutive_failures FROM sources WHERE name = ?", [name]))
    return int(row["consecutive_failures"])


def mark_baselined(db: Database, name: str, now: datetime) -> None:
    """The source's current items are known: from now on what it brings is news. Call inside
    the ``db.atomic()`` that stores the baseline items (or to seed a source as watched)."""
    db.execute(
        "UPDATE sources SET baselined_at = ? WHERE name = ? AND baselined_at IS NULL", [iso(now), name]
    )
