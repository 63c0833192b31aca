"""One service per database: the lease, in-process with an injected clock."""

from __future__ import annotations

import asyncio
import os
import random
import socket
from datetime import timedelta

import pytest

from bot.cli.main import main
from bot.config import Config
from bot.delivery.channels.base import Outcome, Sent
from bot.delivery.lease import LeaseHeld, ServiceLease
from bot.delivery.worker import LeaseLost
from bot.service import Service, utc_now
from state import lease as store
from state import outbox
from state.db import open_db
from state.outbox import OutboxMessage
from state.subscribers import add_subscriber
from tests.tg_helpers import NOW

BARE = Config(sources=(), console={"enabled": False}, file={"enabled": False})  # type: ignore[arg-type]


class _Recorder:
    name = "console"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, msg: OutboxMessage) -> Outcome:
        self.sent.append(msg.address)
        return Sent()

    async def close(self) -> None:
        return None


def _queue(db, n: int) -> None:
    for i in range(n):
        sub = add_subscriber(db, name=f"f{i}", channel="console", address=f"firm-{i}", now=NOW)
        outbox.enqueue(db, subscriber_id=sub.id, message_key="alert:x", kind="alert", text="t", now=NOW)


def _foreign(db, *, pid: int, host: str, expires_in: float = 60, holder: str = "othr", at=NOW) -> None:
    """A lease held by another process (as if it had started first), expiring ``at`` + ``expires_in``."""
    who = store.Claimant(holder=holder, pid=pid, host=host, command="serve")
    taken, _ = store.acquire(db, who, now=at + timedelta(seconds=expires_in - 60), ttl=60, is_gone=lambda _l: False)
    assert taken


def _service(db, channel=None, at=NOW) -> Service:
    return Service(BARE, db, {"console": channel or _Recorder()}, clock=lambda: at, rng=random.Random(1))


async def test_second_instance_refuses_names_the_holder_and_leaves_its_message_in_flight(tmp_path, capsys):
    db = open_db(tmp_path / "t.db")
    _queue(db, 2)
    _foreign(db, pid=os.getpid(), host=socket.gethostname(), at=utc_now())  # alive: this very process
    first = next(db.query("SELECT id FROM outbox ORDER BY id"))["id"]
    assert outbox.begin_attempt(db, first)  # the live instance is sending this one now
    config = tmp_path / "config.toml"
    config.write_text(f'sources = []\n[service]\ndatabase = "{tmp_path / "t.db"}"\n', encoding="utf-8")
    code = await asyncio.to_thread(main, ["--config", str(config), "once"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("錯誤：另一個 tradealert 執行個體正在使用資料庫")
    assert f"error: another tradealert instance holds the database {tmp_path / 't.db'}: serve, pid {os.getpid()}" in err
    assert "holder othr" in err and "Traceback" not in err
    assert outbox.backlog(db) == {"sending": 1, "pending": 1}  # nothing reset, nothing sent


def test_refusal_is_the_same_for_serve(tmp_path):
    db = open_db(tmp_path / "t.db")
    _foreign(db, pid=os.getpid(), host=socket.gethostname())
    with pytest.raises(LeaseHeld) as refused:
        _service(db).start("serve")
    assert refused.value.held.holder == "othr"


async def test_expired_lease_from_another_host_is_taken_over_and_only_then_recovered(tmp_path):
    db = open_db(tmp_path / "t.db")
    _queue(db, 3)
    _foreign(db, pid=4242, host="elsewhere", expires_in=60)
    first = next(db.query("SELECT id FROM outbox ORDER BY id"))["id"]
    assert outbox.begin_attempt(db, first)  # that instance was killed -9 while sending this

    early = _service(db, at=NOW + timedelta(seconds=59))  # cannot see its pid: waits for expiry
    with pytest.raises(LeaseHeld):
        early.start()
    assert outbox.backlog(db) == {"sending": 1, "pending": 2}

    rec = _Recorder()
    late = _service(db, rec, at=NOW + timedelta(seconds=61))
    await late.cycle()
    await late.close()
    assert sorted(rec.sent) == ["firm-0", "firm-1", "firm-2"]
    assert outbox.backlog(db) == {"sent": 3}
    assert store.current(db) is None  # released at close


def test_lease_of_a_process_gone_from_this_host_is_taken_over_at_once(tmp_path):
    db = open_db(tmp_path / "t.db")
    _foreign(db, pid=999_999, host=socket.gethostname(), expires_in=3600)
    svc = _service(db)
    svc.start()
    lease = store.current(db)
    assert lease is not None and lease.holder == svc.lease.holder and lease.pid == os.getpid()


async def test_an_instance_that_lost_the_lease_starts_no_send(tmp_path):
    db = open_db(tmp_path / "t.db")
    _queue(db, 3)
    rec = _Recorder()
    old = _service(db, rec)
    old.start("serve")
    # It stalls past its lease; another host takes over (and recovers nothing: nothing in flight).
    _foreign(db, pid=7, host="elsewhere", holder="newer", expires_in=200)
    with pytest.raises(LeaseLost):
        await old.drain(NOW)
    assert rec.sent == [] and outbox.backlog(db) == {"pending": 3}
    assert not old.lease.renew()  # its heartbeat sees it too


async def test_heartbeat_renews_until_the_lease_is_taken(tmp_path):
    db = open_db(tmp_path / "t.db")
    t = [NOW]
    lease = ServiceLease(db, clock=lambda: t[0], ttl=30)
    lease.acquire("serve")
    beats = []

    async def sleep(seconds: float) -> None:
        beats.append(seconds)
        t[0] += timedelta(seconds=seconds)
        if len(beats) == 3:  # meanwhile another host took it over
            db.execute("UPDATE service_lease SET holder = 'thief'")

    lost = []
    await lease.keep(on_lost=lambda: lost.append(True), sleep=sleep)
    assert beats == [10, 10, 10] and lost == [True]
    current = store.current(db)
    assert current is not None and current.holder == "thief"
    assert current.expires_at == NOW + timedelta(seconds=20 + 30)  # the last renewal it made
