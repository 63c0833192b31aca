"""HTS (Harmonized Tariff Schedule) numbers as people type them (pure).

A subscriber follows an HTS *prefix* (``8471``, ``8471.30``, ``9903.01.25``); an announcement
matches when one of its HTS numbers starts with the same digits. Typed input is normalised
(full-width digits, dots and dashes from a Chinese IME become ASCII, ``feeds.normalize``)
before the shape is checked, and stored in one form whatever was typed.
"""

from __future__ import annotations

import re

from feeds.errors import UserError
from feeds.normalize import normalize_typed

_HTS_TYPED = re.compile(r"[0-9]{2,10}|[0-9]{4}(?:[.\s-]?[0-9]{1,2}){1,3}", re.ASCII)


def parse_hts_prefix(text: str) -> str:
    """An HTS number or prefix as typed (``8471``, ``9903.01``, ``８４７１．３０``, ``8471 30``) →
    canonical ``8471.30.00.10`` grouping (4 digits, then pairs). 2 to 10 digits."""
    raw = normalize_typed(text).strip()
    if not _HTS_TYPED.fullmatch(raw):
        raise UserError(
            f"稅則號列格式錯誤：「{text}」；應為 2–10 碼數字，例如 8471 或 9903.01",
            f"invalid HTS number {text!r}: expected 2 to 10 digits, e.g. 8471 or 9903.01",
        )
    digits = re.sub(r"[^0-9]", "", raw)
    if not 2 <= len(digits) <= 10:
        raise UserError(
            f"稅則號列「{text}」應為 2–10 碼數字", f"HTS number {text!r} must have 2 to 10 digits"
        )
    groups = [digits[:4]] + [digits[i : i + 2] for i in range(4, len(digits), 2)]
    return ".".join(groups)
