"""Split Telegram HTML into messages of at most 4096 UTF-16 code units.

Telegram counts message length in UTF-16 code units (an emoji outside the BMP is two). We cut
at paragraph boundaries first, then lines, then spaces, and only then anywhere — but never
inside a tag or an entity, and any tag open at a cut is closed and reopened in the next part,
so every part is valid Telegram HTML on its own.
"""

from __future__ import annotations

import re

TELEGRAM_LIMIT = 4096
_TOKEN = re.compile(r"<[^<>]*>|&#?[A-Za-z0-9]+;|[^<&]+|[<&]")
_OPEN = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>")
_CLOSE = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _closing(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _opening(stack: list[tuple[str, str]]) -> str:
    return "".join(tag for _, tag in stack)


def _atoms(html: str) -> list[str]:
    """Tags and entities whole; text split after breaks and spaces so cuts can land there."""
    atoms: list[str] = []
    for tok in _TOKEN.findall(html):
        if tok.startswith(("<", "&")) and len(tok) > 1:
            atoms.append(tok)
        else:
            atoms += [p for p in re.split(r"(?<=\n)|(?<= )", tok) if p]
    return atoms


def _hard_split(text: str, room: int) -> tuple[str, str]:
    """The longest prefix of plain text that fits ``room`` code units (no surrogate split)."""
    n = 0
    for i, ch in enumerate(text):
        n += 2 if ord(ch) > 0xFFFF else 1
        if n > room:
            return text[:i], text[i:]
    return text, ""


def split_html(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of ``html``, each ≤ ``limit`` UTF-16 units, preferring paragraph boundaries."""
    html = html.strip()
    if not html:
        return []
    if utf16_len(html) <= limit:
        return [html]
    paragraphs = re.split(r"\n{2,}", html)
    parts: list[str] = []
    current = ""
    for para in paragraphs:
        candidate = f"{current}\n\n{para}" if current else para
        if utf16_len(candidate) <= limit and _balanced(candidate):
            current = candidate
            continue
        if current:
            parts.append(current)
            current = ""
        if utf16_len(para) <= limit:
            current = para
        else:
            pieces = _split_long(para, limit)
            parts += pieces[:-1]
            current = pieces[-1]
    if current:
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _balanced(html: str) -> bool:
    depth = 0
    for tok in _TOKEN.findall(html):
        if _CLOSE.fullmatch(tok):
            depth -= 1
        elif _OPEN.fullmatch(tok):
            depth += 1
    return depth == 0


def _split_long(html: str, limit: int) -> list[str]:
    """Pack atoms greedily, closing open tags at each cut and reopening them after."""
    parts: list[str] = []
    stack: list[tuple[str, str]] = []
    current = ""
    for atom in _atoms(html):
        close_cost = utf16_len(_closing(stack))
        if m := _CLOSE.fullmatch(atom):
            if stack and stack[-1][0] == m.group(1).lower():
                stack.pop()
            current += atom
            continue
        opened = _OPEN.fullmatch(atom)
        extra = utf16_len(f"</{opened.group(1)}>") if opened else 0
        while utf16_len(current) + utf16_len(atom) + close_cost + extra > limit:
            room = limit - utf16_len(current) - close_cost
            if not atom.startswith(("<", "&")) and room > 0 and not current.strip() or not atom.startswith(("<", "&")) and room > 0 and utf16_len(atom) > limit // 2:
                head, atom = _hard_split(atom, room)
                current += head
            parts.append(current + _closing(stack))
            current = _opening(stack)
            close_cost = utf16_len(_closing(stack))
            if utf16_len(current) >= limit:  # pathological nesting: give up on formatting
                stack.clear()
                current = ""
        if opened:
            stack.append((opened.group(1).lower(), atom))
        current += atom
    if current.strip():
        parts.append(current + _closing(stack))
    return parts
