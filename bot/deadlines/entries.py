"""Entry numbers: U.S. CBP entry numbers (check digit) and Taiwanese 報單號碼.

Why: a mistyped entry number means reminders for an entry that does not exist and a CAPE file
CBP rejects whole. We validate on the way in and store one canonical form.
"""

from __future__ import annotations

import re

from feeds.errors import UserError
from feeds.normalize import normalize_typed

# DOMAIN.md §5 (CBP Form 7501 instructions, block 1): letters map to digits A–I → 1–9,
# J–R → 1–9, S–Z → 2–9.
_LETTER_VALUES = {
    **{c: i + 1 for i, c in enumerate("ABCDEFGHI")},
    **{c: i + 1 for i, c in enumerate("JKLMNOPQR")},
    **{c: i + 2 for i, c in enumerate("STUVWXYZ")},
}
# ASCII only: ``\d`` alone would also take full-width and other scripts' digits.
_US_SHAPE = re.compile(r"^([A-Z0-9]{3})([0-9]{7})([0-9])$", re.ASCII)
_TW_SHAPE = re.compile(r"^([A-Z]{2})\s*([A-Z]{2})?\s*([0-9]{10})$", re.ASCII)


_VALUE = {**{str(d): d for d in range(10)}, **_LETTER_VALUES}
# A doubled value above 9 is replaced by the sum of its digits.
_DOUBLED = {ch: (2 * v) // 10 + (2 * v) % 10 for ch, v in _VALUE.items()}


def check_digit(filer_and_number: str) -> int:
    """The check digit of the 10 characters filer code + transaction number (DOMAIN.md §5).

    Characters in positions 2, 4, 6, 8, 10 are doubled (a product above 9 becomes the sum of
    its digits); check = (10 − sum mod 10) mod 10.
    """
    chars = normalize_typed(filer_and_number).upper()
    if len(chars) != 10 or any(c not in _VALUE for c in chars):
        raise ValueError("need 10 characters: letters A-Z or digits 0-9")
    total = sum(_VALUE[c] for c in chars[0::2]) + sum(_DOUBLED[c] for c in chars[1::2])
    return (10 - total % 10) % 10


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_.]", "", normalize_typed(text)).upper()


def parse_entry_number(text: str) -> str:
    """Validate a U.S. entry number (dashes and spaces optional) → ``FFF-NNNNNNN-C``.

    Raises ``UserError`` naming the expected check digit when the last digit is wrong.
    """
    raw = _compact(text)
    m = _US_SHAPE.match(raw)
    if not m:
        raise UserError(
            f"報關單號（entry number）格式錯誤：「{text}」；應為 3 碼申報人代碼＋7 碼數字＋1 碼檢查碼，"
            "例如 ABC-1234567-6",
            f"invalid entry number {text!r}: expected 3-character filer code, 7 digits and a "
            "check digit, e.g. ABC-1234567-6",
        )
    filer, number, given = m.groups()
    expected = check_digit(filer + number)
    if int(given) != expected:
        raise UserError(
            f"報關單號 {filer}-{number}-{given} 檢查碼錯誤：最後一碼應為 {expected}，收到 {given}",
            f"entry number {filer}-{number}-{given}: wrong check digit, expected {expected}, "
            f"got {given}",
        )
    return f"{filer}-{number}-{given}"


def cape_form(canonical: str) -> str:
    """The 11-character form used in the CAPE upload file (dashes removed, ASCII only)."""
    compact = _compact(canonical)
    if not _US_SHAPE.match(compact):
        raise ValueError(f"not a canonical entry number: {canonical!r}")
    return compact


def parse_tw_declaration(text: str) -> str:
    """Validate a Taiwanese 報單號碼 → canonical ``AA 9032006017`` (or ``AABB 9032006017``).

    Shape: 2-letter 收單關別, an optional 2-letter 轉自關別, then 10 digits (年度, 船/機代碼,
    流水號). There is no public check digit, so only the shape is checked.
    """
    raw = re.sub(r"[\s\-/]+", " ", normalize_typed(text).strip().upper())
    m = _TW_SHAPE.match(raw)
    if not m:
        raise UserError(
            f"報單號碼格式錯誤：「{text}」；應為 2 碼關別代號＋10 碼數字，例如 AA 9032006017",
            f"invalid Taiwanese declaration number {text!r}: expected 2 letters and 10 digits, "
            "e.g. AA 9032006017",
        )
    first, second, digits = m.groups()
    return f"{first}{second or ''} {digits}"
