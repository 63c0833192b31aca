"""kill -9 during sends, imports and polls: what is lost, what is sent twice.

Each scenario runs the real ``run.py`` in a child process against a SQLite file, SIGKILLs it
at random moments, restarts it, and at the end counts against what should have happened:

* ``sends``   — rounds of 100 new e-mails (20 subscribers), each drained by ``run.py once``
  to a local SMTP sink (aiosmtpd in this process, answering each DATA after 15 ms, so a kill
  often lands while the server holds a message it has not acknowledged — the worst case).
* ``imports`` — ``run.py import-entries`` of a 30,000-row CAPE CSV into a fresh database,
  killed; the database must hold all rows or none (one transaction); then the same import
  again to completion must store each row exactly once.
* ``polls``   — rounds in which a ``file://`` feed gains 600 new items, 40 of them carrying
  the keyword of 5 e-mail subscribers; ``run.py once --force`` (poll → match → drain) is
  killed, then restarted (as a supervisor would) before the feed moves on.

Kill moments are uniform between 0.5 s and the duration of one uninterrupted run (measured
first), so kills land in start-up, poll, match and drain alike; where each landed is printed.
Lost = expected and never delivered/stored; duplicated = delivered more than once (by the
e-mail's Message-ID, stable per outbox row). The goal: 0 lost, at most the one message in
flight per kill duplicated.

    .venv/bin/python bench/bench_kill.py                   # all three, 12 kills each (~3 min)
    .venv/bin/python bench/bench_kill.py --scenario sends --kills 30 --seed 7
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from bot.deadlines.entries import check_digit  # noqa: E402
from state import outbox, sources  # noqa: E402
from state.db import open_db  # noqa: E402
from state.subscribers import add_subscriber, subscribe  # noqa: E402

NOW = datetime.now(UTC)
MSGID = re.compile(rb"^Message-ID:\s*<tradealert\.(\d+)\.", re.M | re.I)


# ---- the SMTP sink ----------------------------------------------------------------------
class Sink:
    """Counts every message by outbox id; holds each DATA ``delay`` seconds before 250."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.received: Counter[int] = Counter()
        self.in_data = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        m = MSGID.search(envelope.content)
        with self.lock:
            self.in_data += 1
            if m:
                self.received[int(m.group(1))] += 1  # counted as delivered before the 250
        try:
            await asyncio.sleep(self.delay)
        finally:
            with self.lock:
                self.in_data -= 1
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(tmp: Path, smtp_port: int, sources_toml: str = "sources = []", db_name: str = "k.db") -> Path:
    cfg = tmp / "config.toml"
    cfg.write_text(
        f"""{sources_toml if sources_toml.startswith("sources") else ""}
[service]
database = "{tmp / db_name}"
alert_max_age = "3650d"
log_level = "WARNING"
[console]
enabled = false
[file]
enabled = false
[delivery]
batch = 5000
max_attempts = 50
retry_base = "1ms"
retry_max = "1ms"
[email]
enabled = true
host = "127.0.0.1"
port = {smtp_port}
security = "none"
timeout = 5
sender = "bench <bench@tradealert.test>"
{sources_toml if not sources_toml.startswith("sources") else ""}
""",
        encoding="utf-8",
    )
    return cfg


def run_py(cfg: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "run.py"), "--config", str(cfg), *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def kill_at(proc: subprocess.Popen, after: float, probe=lambda: None) -> bool:
    """SIGKILL ``proc`` ``after`` seconds from now (``probe()`` just before); False if it had
    already finished."""
    try:
        proc.wait(timeout=after)
        return False
    except subprocess.TimeoutExpired:
        probe()
        proc.kill()
        proc.wait()
        return True


def finish(proc: subprocess.Popen, what: str) -> None:
    _, err = proc.communicate(timeout=600)
    if proc.returncode != 0 or b"Traceback" in err:
        raise SystemExit(f"{what} failed (exit {proc.returncode}):\n{err.decode(errors='replace')[-2000:]}")


def q(db_path: Path, sql: str) -> int:
    con = sqlite3.connect(db_path, timeout=30)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def dups(sink: Sink) -> int:
    return sum(n - 1 for n in sink.received.values() if n > 1)


def report(name: str, kills: int, landed: Counter, lost: int, dup: int, extra: str = "", worst: int = 0) -> dict:
    print(f"\n== {name}: {kills} kill -9")
    print(f"   kills landed: {dict(landed)}")
    print(f"   lost: {lost}   duplicated: {dup}   most duplicates from one kill: {worst}"
          f"   (≤ 1 per kill: {'yes' if worst <= 1 else 'NO'})")
    if extra:
        print(f"   {extra}")
    return {"scenario": name, "kills": kills, "lost": lost, "duplicated": dup, "worst": worst}


def drain_until_done(cfg: Path, db_path: Path, sink: Sink) -> None:  # noqa: ARG001
    for _ in range(20):
        finish(run_py(cfg, "once"), "run.py once")
        if q(db_path, "SELECT count(*) FROM outbox WHERE status != 'sent'") == 0:
            return
    raise SystemExit("outbox did not empty")


# ---- scenarios --------------------------------------------------------------------------
def timed(cfg: Path, *args: str) -> float:
    """One uninterrupted run: how long a kill window should be."""
    t0 = time.monotonic()
    finish(run_py(cfg, *args), " ".join(args))
    return time.monotonic() - t0


def scenario_sends(tmp: Path, kills: int, rng: random.Random) -> dict:
    """Rounds of 100 new e-mails; each round's ``run.py once`` is killed at a random moment."""
    sink = Sink(delay=0.015)
    ctl = Controller(sink, hostname="127.0.0.1", port=free_port())
    ctl.start()
    path = tmp / "k.db"
    try:
        cfg = write_config(tmp, ctl.port)
        db = open_db(path)
        subs = [add_subscriber(db, name=f"firm {s}", channel="email", address=f"f{s}@firm.test", now=NOW).id
                for s in range(20)]  # fmt: skip

        def queue(round_no: int) -> None:
            with db.atomic():
                for sid in subs:
                    for m in range(5):
                        outbox.enqueue(db, subscriber_id=sid, message_key=f"alert:bench:{round_no}:{m}",
                                       kind="alert", subject=f"公告 {m}", text=f"內文 {m}", now=NOW)  # fmt: skip

        queue(0)
        window = timed(cfg, "once")
        landed: Counter[str] = Counter()
        done = round_no = worst = 0
        while done < kills:
            round_no += 1
            queue(round_no)
            before = sum(sink.received.values())
            seen: dict[str, int] = {}

            def probe(before: int = before, seen: dict[str, int] = seen) -> None:
                seen["in_data"], seen["sent"] = sink.in_data, sum(sink.received.values()) - before

            dup_before = dups(sink)
            if kill_at(run_py(cfg, "once"), rng.uniform(0.5, window), probe):
                done += 1
                landed["mid-DATA (server holds an unacknowledged message)" if seen["in_data"] else
                       "between messages" if seen["sent"] else "before the first send"] += 1
                finish(run_py(cfg, "once"), "once after kill")  # the restart
                worst = max(worst, dups(sink) - dup_before)
        drain_until_done(cfg, path, sink)
        expected = {r["id"] for r in db.query("SELECT id FROM outbox")}
        db.conn.close()
        lost = len(expected - set(sink.received))
        return report("sends", done, landed, lost, dups(sink), f"messages: {len(expected)} queued, "
                      f"{sum(sink.received.values())} received by the SMTP server; one run {window:.1f} s",
                      worst)  # fmt: skip
    finally:
        ctl.stop()


def scenario_imports(tmp: Path, kills: int, rng: random.Random) -> dict:
    """Each trial: a fresh database, an import killed at a random moment (all rows or none
    must be there), then the same import again to completion (each row exactly once)."""
    rows = 30_000
    csv_path = tmp / "entries.csv"
    numbers = []
    for i in range(rows):
        ten = f"K{i // 10_000_000:02d}{i % 10_000_000:07d}"
        numbers.append(f"{ten[:3]}-{ten[3:]}-{check_digit(ten)}")
    csv_path.write_text("Entry Number\n" + "\n".join(numbers) + "\n", encoding="utf-8")
    landed: Counter[str] = Counter()
    lost = dup = done = 0
    window = 0.0
    for trial in range(kills + 1):
        cfg = write_config(tmp, 25, db_name=f"k{trial}.db")
        path = tmp / f"k{trial}.db"
        db = open_db(path)
        add_subscriber(db, name="importer", channel="console", address="imp", now=NOW)
        db.conn.close()
        args = ("import-entries", str(csv_path), "--subscriber", "1")
        if trial == 0:
            window = timed(cfg, *args)
            continue
        if kill_at(run_py(cfg, *args), rng.uniform(0.5, window)):
            done += 1
            n = q(path, "SELECT count(*) FROM tracked_entries")
            landed["all rows" if n == rows else "no rows" if n == 0 else "PARTIAL"] += 1
        finish(run_py(cfg, *args), "import-entries")
        stored = q(path, "SELECT count(*) FROM tracked_entries")
        distinct = q(path, "SELECT count(DISTINCT entry_number) FROM tracked_entries")
        lost += rows - distinct
        dup += stored - distinct
    return report("imports", done, landed, lost, dup, f"{rows:,} rows per import; one import {window:.1f} s; "
                  f"partial states after a kill: {landed['PARTIAL']}", dup)  # fmt: skip


def _feed(start: int, n: int) -> bytes:
    items = []
    for i in range(start, start + n):
        tag = "TARGET notice" if i % 15 == 0 else "routine notice"
        items.append(f"<item><title>關務署 {tag} {i}</title><link>https://web.customs.gov.tw/n/{i}</link>"
                     f"<guid>n-{i}</guid><pubDate>Mon, 20 Apr 2026 08:{i % 60:02d}:00 GMT</pubDate>"
                     f"<description>說明 {tag} {i}：自即日起生效。</description></item>")  # fmt: skip
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>tw</title>'
            + "".join(items) + "</channel></rss>").encode()  # fmt: skip


def scenario_polls(tmp: Path, kills: int, rng: random.Random) -> dict:
    """Rounds: the feed gains 600 new items (40 carry the keyword of 5 e-mail subscribers);
    ``run.py once --force`` (poll → match → drain) is killed at a random moment."""
    per_round, subs = 600, 5
    sink = Sink(delay=0.005)
    ctl = Controller(sink, hostname="127.0.0.1", port=free_port())
    ctl.start()
    path = tmp / "k.db"
    try:
        feed = tmp / "feed.xml"
        cfg = write_config(tmp, ctl.port, f'[[sources]]\nname = "tw"\nkind = "rss"\nurl = "{feed.as_uri()}"\n'
                           'language = "zh-TW"\n')  # fmt: skip
        db = open_db(path)
        for s in range(subs):
            sub = add_subscriber(db, name=f"firm {s}", channel="email", address=f"p{s}@firm.test", now=NOW)
            subscribe(db, sub.id, "keyword", "TARGET", now=NOW)
        sources.sync_sources(db, [("tw", "rss", feed.as_uri())])
        with db.atomic():
            sources.mark_baselined(db, "tw", NOW)  # watched already: the feed's items are news
        db.conn.close()
        feed.write_bytes(_feed(0, per_round))
        window = timed(cfg, "once", "--force")
        landed: Counter[str] = Counter()
        done = round_no = worst = 0
        while done < kills:
            round_no += 1
            dup_before = dups(sink)
            before = q(path, "SELECT count(*) FROM announcements")
            feed.write_bytes(_feed(round_no * per_round, per_round))
            if kill_at(run_py(cfg, "once", "--force"), rng.uniform(0.5, window)):
                done += 1
                stored = q(path, "SELECT count(*) FROM announcements")
                queued = q(path, "SELECT count(*) FROM outbox WHERE status = 'pending'")
                sending = q(path, "SELECT count(*) FROM outbox WHERE status = 'sending'")
                landed["start-up or poll (round not stored yet)" if stored == before else
                       "drain, a message in flight" if sending else
                       "match or drain, between messages" if queued else "match"] += 1
                finish(run_py(cfg, "once", "--force"), "once after kill")  # before the feed moves on
                worst = max(worst, dups(sink) - dup_before)
        drain_until_done(cfg, path, sink)
        total = per_round * (round_no + 1)
        stored = q(path, "SELECT count(*) FROM announcements")
        alerts = q(path, "SELECT count(*) FROM alerts")
        expected = {r[0] for r in sqlite3.connect(path).execute("SELECT id FROM outbox")}
        want_alerts = subs * len([i for i in range(total) if i % 15 == 0])
        lost = len(expected - set(sink.received)) + (total - stored) + (want_alerts - alerts)
        return report("polls", done, landed, lost, dups(sink), f"announcements {stored}/{total}, alerts "
                      f"{alerts}/{want_alerts}, e-mails {len(set(sink.received))}/{len(expected)}; "
                      f"one run {window:.1f} s", worst)  # fmt: skip
    finally:
        ctl.stop()


SCENARIOS = {"sends": scenario_sends, "imports": scenario_imports, "polls": scenario_polls}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    ap.add_argument("--kills", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    results = []
    started = time.monotonic()
    for name, fn in SCENARIOS.items():
        if args.scenario in (name, "all"):
            with tempfile.TemporaryDirectory(prefix=f"kill-{name}-") as tmp:
                results.append(fn(Path(tmp), args.kills, rng))
    print(f"\ntotal {time.monotonic() - started:.0f} s, seed {args.seed}")
    bad = [r for r in results if r["lost"] or r["worst"] > 1]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
