"""The service lease: one row naming the process that owns this database right now.

``serve`` and ``once`` take it at start and give it back when they stop; while they run they
renew it (heartbeat). Another process may take it over only when it is free, expired, or held
by a process that is gone (same host, pid not running). The outbox fences every send on it:
``outbox.begin_attempt(..., holder=…)`` marks a row ``sending`` only while its caller still
holds the lease, so a process that lost the lease cannot start another send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from state.db import from_iso, iso

NAME = "service"


@dataclass(frozen=True, slots=True)
class Lease:
    holder: str
    pid: int
    host: str
    command: str
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Claimant:
    """Who asks for the lease: a fresh random ``holder`` id per process run."""

    holder: str
    pid: int
    host: str
    command: str


def _lease(row: dict) -> Lease:
    return Lease(
        holder=row["holder"],
        pid=row["pid"],
        host=row["host"],
        command=row["command"],
        acquired_at=from_iso(row["acquired_at"]),  # type: ignore[arg-type]
        heartbeat_at=from_iso(row["heartbeat_at"]),  # type: ignore[arg-type]
        expires_at=from_iso(row["expires_at"]),  # type: ignore[arg-type]
    )


def current(db: Database) -> Lease | None:
    row = next(db.query("SELECT * FROM service_lease WHERE name = ?", [NAME]), None)
    return _lease(row) if row else None


def acquire(
    db: Database, who: Claimant, *, now: datetime, ttl: float, is_gone: Callable[[Lease], bool]
) -> tuple[bool, Lease | None]:
    """Take the lease unless someone else holds it. Returns (taken, the previous lease).

    Taken when there is no lease, it is ours, it expired, or ``is_gone(lease)`` says its holder
    no longer runs. ``BEGIN IMMEDIATE`` serialises two processes starting at the same moment:
    the second waits for the first's commit and then sees its lease.
    """
    if db.conn.in_transaction:
        raise RuntimeError("acquire must not run inside a transaction")
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        previous = current(db)
        free = previous is None or previous.holder == who.holder or previous.expires_at <= now
        if not free and not is_gone(previous):  # type: ignore[arg-type]
            db.conn.execute("ROLLBACK")
            return False, previous
        db.conn.execute(
            "INSERT INTO service_lease (name, holder, pid, host, command, acquired_at, heartbeat_at,"
            " expires_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET"
            " holder = excluded.holder, pid = excluded.pid, host = excluded.host,"
            " command = excluded.command, acquired_at = excluded.acquired_at,"
            " heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at",
            [NAME, who.holder, who.pid, who.host, who.command, iso(now), iso(now),
             iso(now + timedelta(seconds=ttl))],
        )  # fmt: skip
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    return True, previous


def renew(db: Database, holder: str, *, now: datetime, ttl: float) -> bool:
    """Heartbeat. False when the lease is no longer ours (taken over): stop at once."""
    cur = db.execute(
        "UPDATE service_lease SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND holder = ?",
        [iso(now), iso(now + timedelta(seconds=ttl)), NAME, holder],
    )
    return bool(cur.rowcount)


def release(db: Database, holder: str) -> bool:
    """Give the lease back (only if still ours)."""
    cur = db.execute("DELETE FROM service_lease WHERE name = ? AND holder = ?", [NAME, holder])
    return bool(cur.rowcount)
