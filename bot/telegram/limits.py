"""How often one person may send the bot a CSV import: a sliding window per user (pure).

Kept in memory: a restart forgets the window, which at worst allows one more hour's quota.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)


@dataclass(slots=True)
class ImportLimiter:
    """At most ``per_hour`` imports in any hour for one key (a user or a channel)."""

    per_hour: int = 5
    _seen: dict[int, deque[datetime]] = field(default_factory=dict)

    def acquire(self, key: int, now: datetime) -> timedelta | None:
        """Take a slot for ``key`` now; None when granted, else how long until one frees up."""
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - WINDOW:
            seen.popleft()
        if len(seen) >= self.per_hour:
            return seen[0] + WINDOW - now
        seen.append(now)
        if len(self._seen) > 10_000:
            self._forget_idle(now)
        return None

    def _forget_idle(self, now: datetime) -> None:
        for key in [k for k, q in self._seen.items() if not q or q[-1] <= now - WINDOW]:
            del self._seen[key]
