"""Building blocks of the scale benchmarks: many subscribers and subscriptions written with
``executemany`` (the same tables the CLI writes), a CAPE announcement, a sink channel.

Subscriptions are drawn so that about a third of the subscribers match a CAPE / IEEPA
announcement: each picks one or two topics (``ieepa_cape`` among them for ~27 %), one in ten
adds keywords (some matching), one in twenty an HTS prefix, one in fifty mutes the topic.
Languages (80 % zh-TW), zones (Taipei, New York, Los Angeles) and quiet hours vary, so the
fan-out stores several renderings, not one.
"""

from __future__ import annotations

import json
import random
import resource
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.delivery.channels.base import Sent  # noqa: E402
from feeds.model import Announcement  # noqa: E402
from state.db import iso  # noqa: E402
from state.outbox import OutboxMessage  # noqa: E402
from state.schema_mail import new_token  # noqa: E402

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
OTHER_TOPICS = ["section_232", "section_301", "de_minimis", "tw_customs", "adcvd", "quota"]
KEYWORDS = ["CAPE", "退稅", "steel", "鋼鐵", "de minimis", "IEEPA", "海關", "tariff", "關稅", "quota"]
ZONES = ["Asia/Taipei"] * 8 + ["America/New_York", "America/Los_Angeles"]


def fresh_db_path(path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(p) + suffix).unlink(missing_ok=True)
    return p


def add_subscribers(conn: sqlite3.Connection, n: int, *, seed: int = 1, start: int = 1,
                    channel: str = "telegram") -> int:  # fmt: skip
    """n subscribers and their subscriptions; returns how many subscriptions."""
    rng = random.Random(seed)
    now = iso(NOW)
    people, subs = [], []
    for i in range(start, start + n):
        quiet = "22:00-07:00" if rng.random() < 0.1 else None
        people.append((i, f"firm {i}", channel, str(1_000_000 + i), "en" if rng.random() < 0.2 else "zh-TW",
                       rng.choice(ZONES), quiet, now, new_token(), new_token()))  # fmt: skip
        topics = set(rng.sample(OTHER_TOPICS, rng.choice((1, 2))))
        if rng.random() < 0.27:
            topics.add("ieepa_cape")
        subs += [(i, "topic", t, now) for t in topics]
        if rng.random() < 0.1:
            subs += [(i, "keyword", k, now) for k in rng.sample(KEYWORDS, 2)]
        if rng.random() < 0.05:
            subs.append((i, "hts", rng.choice(["9903.01", "7326", "8471.30"]), now))
        if rng.random() < 0.02:
            subs.append((i, "mute", "ieepa_cape", now))
    with conn:
        conn.executemany(
            "INSERT INTO subscribers (id, name, channel, address, language, timezone, quiet_hours,"
            " created_at, token, action_token) VALUES (?,?,?,?,?,?,?,?,?,?)",
            people,
        )
        conn.executemany("INSERT INTO subscriptions (subscriber_id, kind, value, created_at) VALUES (?,?,?,?)", subs)
    return len(subs)


def cape_announcement(n: int = 0, published: datetime = NOW) -> Announcement:
    """A CSMS-shaped CAPE message (≈2 KB): the ieepa_cape topic, an HTS number, a webinar."""
    number = 68396594 + n
    body = (
        "<p>CBP is deploying Phase 1 of the Consolidated Administration and Processing of Entries "
        "(CAPE) functionality in ACE for IEEPA duty refunds. Importers of record may file CAPE "
        "declarations for unliquidated entries with HTS 9903.01.25 duties.</p>"
        "<p>A webinar will be held on April 22, 2026 at 1:00 PM ET.</p>" + "<p>Details follow. " * 60 + "</p>"
    )
    return Announcement(key=f"csms:{number}", source="cbp-csms-rss", kind="csms_rss", ext_id=str(number),
                        title=f"CSMS # {number} - GUIDANCE: CAPE Phase 1 for IEEPA refunds",
                        url=f"https://content.govdelivery.com/accounts/USDHSCBP/bulletins/{number:x}",
                        published=published, body=body)  # fmt: skip


class SinkChannel:
    """Accepts every message at once (what a perfect relay would do): delivery bookkeeping
    (attempt rows, status) is real, the network is not."""

    name = "telegram"

    async def send(self, msg: OutboxMessage) -> Sent:
        assert msg.text and msg.html and msg.payload.get("announcement") or msg.kind != "alert"
        return Sent("ok")

    async def close(self) -> None:
        return None


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def db_bytes(conn: sqlite3.Connection, names: tuple[str, ...] | None = None) -> dict[str, int]:
    """Bytes per table/index (SQLite dbstat); only ``names`` and their indexes when given."""
    rows = conn.execute(
        "SELECT d.name, coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d"
        " LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY d.name"
    ).fetchall()
    return {name: size for name, table, size in rows if names is None or table in names}


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)
