"""What people type, in one form: full-width IME digits and dashes → ASCII.

Why: a Chinese IME gives ``ＡＢＣ－１２３４５６７－６`` or ``115／03／02`` as readily as the
ASCII forms; entry numbers, HTS numbers and dates must mean the same whichever was typed, and
nothing but ASCII may reach a CAPE upload file. Every parser of typed numbers (CLI, CSV,
Telegram) calls :func:`normalize_typed` first, so all three surfaces get it at once.
"""

from __future__ import annotations

import re
import unicodedata

# The dash family an IME or a word processor produces for "-": hyphen, non-breaking hyphen,
# figure dash, en dash, em dash, horizontal bar, minus sign, small and full-width hyphen-minus
# (NFKC already folds the last two), and the katakana long vowel mark some IMEs give for "－".
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u30fc"
_DASH_TABLE = {ord(c): "-" for c in _DASHES}
# 。 (ideographic full stop) typed for "." in 9903。01; NFKC leaves it as it is.
_DASH_TABLE[0x3002] = "."


def _ascii_digit(ch: str) -> str:
    """Any Unicode decimal digit (full-width, Arabic-Indic, …) → its ASCII digit."""
    value = unicodedata.decimal(ch, None)
    return str(value) if value is not None else ch


def normalize_typed(text: str) -> str:
    """NFKC (full-width letters, digits, ／ and ．), every decimal digit as ASCII, the dash
    family as ``-``. Surrounding whitespace is kept for the caller to strip."""
    folded = unicodedata.normalize("NFKC", text or "").translate(_DASH_TABLE)
    if folded.isascii():
        return folded
    return "".join(_ascii_digit(c) if not c.isascii() else c for c in folded)


def ascii_digits(text: str) -> str:
    """Only the digits of ``text``, as ASCII (``９９０３.０１`` → ``990301``)."""
    return re.sub(r"[^0-9]", "", normalize_typed(text))


_ROW_ID = re.compile(r"[0-9]{1,18}")


def row_id(text: str | None) -> int | None:
    """A database id written in a URL or in button data: ASCII digits only, small enough for
    SQLite. Why not ``str.isdigit``: it says yes to ``²`` (which ``int`` refuses) and to
    30-digit numbers (which SQLite refuses) — both ended as errors instead of "not found"."""
    return int(text) if text and _ROW_ID.fullmatch(text) else None
