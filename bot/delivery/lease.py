"""One service per database: the lease ``serve`` and ``once`` hold while they run.

A second instance on the same database refuses to start (exit 2, naming the holder) instead of
resetting the live instance's in-flight rows. A holder killed with -9 leaves its lease behind:
on the same host it is taken over at once when its pid no longer runs, elsewhere when it
expires (``service.lease_ttl`` after its last heartbeat). Only the new holder, right after
taking the lease, puts the rows the old one left ``sending`` back to ``pending``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from feeds.errors import UserError
from state import lease as store

log = logging.getLogger(__name__)


class LeaseHeld(UserError):
    """Another live instance owns the database."""

    def __init__(self, held: store.Lease, database: str) -> None:
        when = f"{held.acquired_at:%Y-%m-%d %H:%M:%S}Z"
        beat = f"{held.heartbeat_at:%H:%M:%S}Z"
        until = f"{held.expires_at:%Y-%m-%d %H:%M:%S}Z"
        super().__init__(
            f"另一個 tradealert 執行個體正在使用資料庫 {database}：{held.command}，pid {held.pid}，"
            f"主機 {held.host}，holder {held.holder}，自 {when} 起（最後心跳 {beat}，租約至 {until}）。"
            "請先停止它（SIGTERM），或等它的租約過期後再啟動。",
            f"another tradealert instance holds the database {database}: {held.command}, pid {held.pid} "
            f"on host {held.host}, holder {held.holder}, since {when} (last heartbeat {beat}, lease "
            f"until {until}). Stop it first (SIGTERM), or start again after its lease expires.",
        )
        self.held = held


def process_gone(pid: int) -> bool:
    """True when no process ``pid`` runs on this host (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


class ServiceLease:
    """This process's claim on the database: acquire, heartbeat, release."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime],
        ttl: float,
        database: str = "",
        host: str | None = None,
        pid: int | None = None,
        gone: Callable[[int], bool] = process_gone,
    ) -> None:
        self.db = db
        self.clock = clock
        self.ttl = ttl
        self.database = database
        self.holder = secrets.token_hex(6)
        self.host = host or socket.gethostname()
        self.pid = pid if pid is not None else os.getpid()
        self._gone = gone
        self.held = False

    def _is_gone(self, lease: store.Lease) -> bool:
        return lease.host == self.host and lease.pid != self.pid and self._gone(lease.pid)

    def acquire(self, command: str) -> store.Lease | None:
        """Take the lease or raise ``LeaseHeld``; returns the lease taken over, if any."""
        who = store.Claimant(holder=self.holder, pid=self.pid, host=self.host, command=command)
        taken, previous = store.acquire(self.db, who, now=self.clock(), ttl=self.ttl, is_gone=self._is_gone)
        if not taken:
            assert previous is not None
            raise LeaseHeld(previous, self.database)
        self.held = True
        if previous is not None and previous.holder != self.holder:
            log.warning(
                "took over the service lease from holder=%s pid=%s host=%s command=%s expired=%s",
                previous.holder, previous.pid, previous.host, previous.command,
                previous.expires_at <= self.clock(),
            )  # fmt: skip
        log.info("service lease taken holder=%s pid=%s command=%s ttl=%gs", self.holder, self.pid, command, self.ttl)
        return previous

    def renew(self) -> bool:
        if not self.held:
            return False
        if store.renew(self.db, self.holder, now=self.clock(), ttl=self.ttl):
            return True
        self.held = False
        now = store.current(self.db)
        log.error(
            "service lease lost holder=%s new_holder=%s pid=%s host=%s",
            self.holder, now.holder if now else "-", now.pid if now else "-", now.host if now else "-",
        )  # fmt: skip
        return False

    async def keep(
        self, on_lost: Callable[[], None], sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        """Heartbeat every third of the ttl until cancelled; ``on_lost()`` if taken over."""
        interval = max(self.ttl / 3, 0.05)
        while True:
            await sleep(interval)
            try:
                if not self.renew():
                    on_lost()
                    return
            except Exception:  # a busy database must not end the heartbeat
                log.exception("lease heartbeat failed")

    def release(self) -> None:
        if self.held:
            self.held = False
            try:
                store.release(self.db, self.holder)
                log.info("service lease released holder=%s", self.holder)
            except Exception:  # closing must not raise
                log.exception("could not release the service lease")
