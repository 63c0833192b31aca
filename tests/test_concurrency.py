"""Concurrent admin commands never end in a traceback: they wait their turn, or say clearly
that the database stayed busy. Spawning processes is the point here."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import EXIT_BUSY, main
from state import db as state_db
from state.db import open_db
from state.subscribers import list_subscribers

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_sixteen_parallel_subscriber_adds_on_a_new_database_all_succeed(tmp_path: Path) -> None:
    db = tmp_path / "new.db"  # not created yet: the processes also race to create and migrate it
    procs = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "--db", str(db), "subscriber", "add",
             "--name", f"firm {i}", "--channel", "file", "--address", f"firm-{i}"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for i in range(16)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert "Traceback" not in err, err
        assert code == 0, err
        assert out.startswith("added subscriber #")
    subs = list_subscribers(open_db(db))
    assert sorted(s.address for s in subs) == sorted(f"firm-{i}" for i in range(16))
    assert len({s.id for s in subs}) == 16


def test_a_lock_held_too_long_is_a_clear_bilingual_error_not_a_traceback(tmp_path, monkeypatch, capsys) -> None:
    path = tmp_path / "t.db"
    open_db(path).conn.close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    monkeypatch.setattr(state_db, "BUSY_TIMEOUT_MS", 50)
    try:
        code = main(["--db", str(path), "subscriber", "add", "--name", "x", "--channel", "file", "--address", "x"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert code == EXIT_BUSY
    assert err.startswith("錯誤：資料庫忙碌中") and "\nerror: the database is busy" in err
    assert "Traceback" not in err
    assert list_subscribers(open_db(path)) == []  # nothing half-written
    assert main(["--db", str(path), "subscriber", "add", "--name", "x", "--channel", "file", "--address", "x"]) == 0


def test_read_then_write_waits_for_another_writer_instead_of_failing(tmp_path) -> None:
    """The failure behind the tracebacks: a deferred transaction that read before another
    connection committed cannot upgrade to a write. Ours takes the write lock first."""
    a, b = open_db(tmp_path / "t.db"), open_db(tmp_path / "t.db")
    with a.atomic():
        a.execute("INSERT INTO sources (name, kind, url) VALUES ('x', 'rss', 'file:///x')")
        b_done = False
        try:
            b.conn.execute("PRAGMA busy_timeout=10")
            with b.atomic():  # must not start while a holds the write lock
                b_done = True
        except sqlite3.OperationalError as exc:
            assert state_db.is_busy(exc)
        assert not b_done
    with b.atomic():
        assert b.execute("SELECT count(*) FROM sources").fetchone()[0] == 1
        b.execute("INSERT INTO sources (name, kind, url) VALUES ('y', 'rss', 'file:///y')")
    assert a.execute("SELECT count(*) FROM sources").fetchone()[0] == 2
