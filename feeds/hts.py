"""HTS (Harmonized Tariff Schedule) numbers as people type them (pure).

A subscriber follows an HTS *prefix* (``8471``, ``8471.30``, ``9903.01.25``); an announcement
matches when one of its HTS numbers starts with the same digits. Typed input is normalised
(full-width digits and dots from a Chinese IME become ASCII) before the shape is checked.
"""

from __future__ import annotations

import re
import unicodedata

from feeds.errors import UserError

_PREFIX = re.compile(r"[0-9]{2,4}(?:\.?[0-9]{2}){0,3}")


def parse_hts_prefix(text: str) -> str:
    """``８４７１．３０`` or ``8471.30`` → ``8471.30``; 2–10 digits, dots between pairs."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not _PREFIX.fullmatch(value):
        raise UserError(
            f"稅則號列前綴格式錯誤：「{text}」；例如 8471 或 9903.01",
            f"invalid HTS prefix {text!r}: e.g. 8471 or 9903.01",
        )
    return value
