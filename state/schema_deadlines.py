"""Migrations for the deadlines capability (registered on ``state.schema.migrations``)."""

from __future__ import annotations

from state.schema import migrations  # noqa: F401
