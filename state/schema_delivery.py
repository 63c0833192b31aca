"""Migrations for delivery and the service lifecycle (7xx; registered on ``state.schema.migrations``)."""

from __future__ import annotations

from sqlite_utils import Database

from state.schema import migrations


@migrations(name="701_service_lease")
def _service_lease(db: Database) -> None:
    """One row while a service (``serve`` or ``once``) owns the database: who, where, until when."""
    db.executescript(
        """
        CREATE TABLE service_lease (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            command TEXT NOT NULL,
            acquired_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        """
    )
