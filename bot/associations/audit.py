"""The association audit trail as CSV (CLI `association audit` and the console's download)."""

from __future__ import annotations

import io
from typing import TextIO

from bot.csvio import write_csv

AUDIT_FIELDS = ("at", "actor", "action", "ref_no", "detail", "recipient", "result", "error")


def write_audit_csv(fh: TextIO, rows: list[dict]) -> int:
    """Details and recipients come from people and feeds: every cell is neutralised (bot.csvio)."""
    return write_csv(fh, AUDIT_FIELDS, rows)


def audit_csv_text(rows: list[dict]) -> str:
    """The same CSV as text with a BOM, so Excel opens it as UTF-8."""
    out = io.StringIO()
    write_audit_csv(out, rows)
    return "\ufeff" + out.getvalue()
