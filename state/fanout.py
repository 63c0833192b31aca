"""What matching and fan-out read, set-wise: every subscription once (to build the match
index), the version that says when to rebuild it, and the delivery attributes of just the
subscribers an announcement matched.

Ids travel to SQLite as one JSON array (``json_each``), so a chunk of 5,000 recipients is one
statement, not 5,000.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from sqlite_utils import Database


def subscriptions_version(db: Database) -> int:
    """Bumped by triggers on every insert, update or delete in ``subscriptions``."""
    row = db.execute("SELECT subscriptions_version FROM scale_state WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def subscription_rows(db: Database) -> Iterator[tuple[int, str, str]]:
    """(subscriber id, kind, value) of every subscription, streamed in (subscriber, kind,
    value) order — the order a subscriber's reasons are listed in. Paused subscribers are
    included: who is active is decided at fan-out, so a pause does not rebuild the index."""
    yield from db.conn.execute(
        "SELECT subscriber_id, kind, value FROM subscriptions ORDER BY subscriber_id, kind, value"
    )


class Recipient(NamedTuple):
    """What fan-out needs of a matched subscriber: how to render and when to queue.
    (A named tuple: 30,000 of them are made per announcement, straight from the cursor.)"""

    id: int
    channel: str
    language: str
    timezone: str
    quiet_hours: str | None
    digest: str


def recipients(db: Database, ids: Sequence[int]) -> list[Recipient]:
    """The active subscribers among ``ids``, in id order."""
    return list(
        map(
            Recipient._make,
            db.conn.execute(
                "SELECT id, channel, language, timezone, quiet_hours, digest FROM subscribers"
                " WHERE id IN (SELECT value FROM json_each(?)) AND status = 'active' ORDER BY id",
                [json.dumps(list(ids))],
            ),
        )
    )
