"""Opening the database: WAL mode, migrations applied, one helper for time columns.

All other modules in ``state/`` take the open ``Database`` and speak in domain terms.
Multi-statement writes use ``db.atomic()``, so a kill at any point leaves either all or none
of a step's rows. Our ``atomic()`` starts with ``BEGIN IMMEDIATE`` (sqlite-utils' starts a
deferred ``BEGIN``): a transaction that reads and then writes would otherwise fail at once
with "database is locked" when another process wrote in between — SQLite cannot wait for a
lock when the reader's snapshot is already stale, so ``busy_timeout`` never applies. Taking
the write lock first makes every writer wait its turn instead (up to ``busy_timeout``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from state.schema import migrations

BUSY_TIMEOUT_MS = 5000


class _Database(Database):
    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:  # type: ignore[override]
        """Outermost: ``BEGIN IMMEDIATE`` … ``COMMIT``; nested: a savepoint (sqlite-utils)."""
        if self.conn.in_transaction:
            with super().atomic() as db:
                yield db
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) and migrate the database at ``path`` (":memory:" works)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = _Database(str(path)) if str(path) != ":memory:" else _Database(memory=True)
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # before anything that may wait
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    if migrations.pending(db):
        # Several processes may open a new or older database at once: the first to take the
        # write lock migrates; the others wait, then find nothing pending (checked again
        # under the lock, inside the same transaction).
        with db.atomic():
            migrations.apply(db)
    return db


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked/busy" after ``busy_timeout`` ran out."""
    return isinstance(exc, sqlite3.OperationalError) and any(
        word in str(exc).lower() for word in ("database is locked", "database is busy", "database table is locked")
    )


def iso(when: datetime) -> str:
    """Aware datetime → fixed-width UTC text that sorts as time does."""
    if when.tzinfo is None:
        raise ValueError("naive datetime cannot be stored")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
