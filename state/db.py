"""Opening the database: WAL mode, migrations applied, one helper for time columns.

All other modules in ``state/`` take the open ``Database`` and speak in domain terms.
Multi-statement writes use ``db.atomic()`` (sqlite-utils: BEGIN/COMMIT, savepoints when
nested), so a kill at any point leaves either all or none of a step's rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from state.schema import migrations


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) and migrate the database at ``path`` (":memory:" works)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = Database(str(path)) if str(path) != ":memory:" else Database(memory=True)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=5000")
    migrations.apply(db)
    return db


def iso(when: datetime) -> str:
    """Aware datetime → fixed-width UTC text that sorts as time does."""
    if when.tzinfo is None:
        raise ValueError("naive datetime cannot be stored")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
