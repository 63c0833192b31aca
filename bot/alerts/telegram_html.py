"""Telegram HTML helpers (pure): escaping, visible length, splitting at paragraph boundaries.

Telegram counts the 4096-character limit after entity parsing, i.e. on the visible text.
"""

from __future__ import annotations

import html
import re

MAX_MESSAGE = 4096

_TAG = re.compile(r"<[^>]*>")


def esc(value: object) -> str:
    """Escape any inserted value for Telegram HTML (only &, <, > and quotes matter)."""
    return html.escape(str(value), quote=True)


def visible_text(fragment: str) -> str:
    """The text a reader sees: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", fragment))


def visible_len(fragment: str) -> int:
    return len(visible_text(fragment))


def _hard_split(text: str, limit: int) -> list[str]:
    return [text[i : i + limit] for i in range(0, len(text), limit)] or [""]


def split_plain(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Plain text in chunks of at most ``limit`` characters, cut at blank lines where possible."""
    return _pack(text.split("\n\n"), "\n\n", limit, len, lambda p: _split_lines_plain(p, limit))


def _split_lines_plain(paragraph: str, limit: int) -> list[str]:
    return _pack(paragraph.split("\n"), "\n", limit, len, lambda p: _hard_split(p, limit))


def split_html(fragment: str, limit: int = MAX_MESSAGE) -> list[str]:
    """HTML in chunks whose visible length is at most ``limit``, cut at paragraph boundaries.

    A paragraph that alone is too long is cut at line breaks; a line still too long is sent
    as escaped plain text (its markup dropped) so no chunk ever carries an unbalanced tag.
    """
    if visible_len(fragment) <= limit:
        return [fragment]
    chunks = _pack(fragment.split("\n\n"), "\n\n", limit, visible_len, lambda p: _split_lines_html(p, limit))
    # A tag spanning a cut (e.g. <i> around a blank line) would be rejected: send such a
    # chunk as escaped plain text instead.
    return [c if balanced(c) else esc(visible_text(c)) for c in chunks]


_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")


def balanced(fragment: str) -> bool:
    """True when every opened tag is closed in order within ``fragment``."""
    stack: list[str] = []
    for m in _TAG_NAME.finditer(fragment):
        closing, name = m.group(1), m.group(2).lower()
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def _split_lines_html(paragraph: str, limit: int) -> list[str]:
    def too_long(line: str) -> list[str]:
        return [esc(c) for c in _hard_split(visible_text(line), limit)]

    chunks = _pack(paragraph.split("\n"), "\n", limit, visible_len, too_long)
    return [c if balanced(c) else esc(visible_text(c)) for c in chunks]


def _pack(pieces, joiner, limit, measure, oversize) -> list[str]:  # type: ignore[no-untyped-def]
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if measure(piece) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.extend(oversize(piece))
            continue
        candidate = f"{current}{joiner}{piece}" if current else piece
        if measure(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current or not chunks:
        chunks.append(current)
    return chunks
