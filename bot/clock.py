"""The service's notion of now: every layer takes a ``Clock`` (injected in tests and under
``--now``) and defaults to ``utc_now``. Light on purpose: the CLI imports it at start-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
