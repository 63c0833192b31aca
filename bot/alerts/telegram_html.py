"""The one Telegram HTML pipeline (pure): escape, measure, and split into sendable messages.

Telegram counts a message's length after entity parsing, in UTF-16 code units, against
``MessageLimit.MAX_TEXT_LENGTH`` (4096). ``split_html`` cuts at paragraph boundaries first,
then line breaks, then spaces, and only then inside a word — never inside a tag or an
entity — and closes any tag open at a cut, reopening it at the start of the next part, so
every part is valid Telegram HTML on its own. Render, digest, association forwards and the
delivery channel all go through here; nothing slices HTML by hand.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram.constants import MessageLimit

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)

_TAG = re.compile(r"<[^<>]*>")
_TOKEN = re.compile(
    r"<[^<>]*>|&#?[A-Za-z0-9]+;|\n\n+|\n|[ \t]+|[^<&\s。！？；]+[。！？；]*|[。！？；]+|[<&\s]"
)  # a CJK sentence ends a word, so an unspaced Chinese paragraph can be cut after 。
_OPEN = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>")
_CLOSE = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")

# Where a cut may fall, best first: between paragraphs, lines, words.
_BREAKS = ("para", "line", "space")


def esc(value: object) -> str:
    """Escape any inserted value for Telegram HTML (only &, <, > and quotes matter)."""
    return html.escape(str(value), quote=True)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: an emoji outside the BMP is two units."""
    return len(text.encode("utf-16-le")) // 2


def visible_text(fragment: str) -> str:
    """The text a reader sees: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", fragment))


def visible_len(fragment: str) -> int:
    """Telegram's measure of a message: UTF-16 units of the visible text."""
    return utf16_len(visible_text(fragment))


@dataclass(frozen=True, slots=True)
class _Atom:
    raw: str
    kind: str  # "open", "close", "text", "para", "line", "space"
    size: int  # visible UTF-16 units
    name: str = ""


def _atoms(fragment: str) -> list[_Atom]:
    out: list[_Atom] = []
    for tok in _TOKEN.findall(fragment):
        if tok.startswith("<") and len(tok) > 1:
            if m := _CLOSE.fullmatch(tok):
                out.append(_Atom(tok, "close", 0, m.group(1).lower()))
            elif m := _OPEN.fullmatch(tok):
                out.append(_Atom(tok, "open", 0, m.group(1).lower()))
            else:  # not a tag Telegram knows: keep it visible, escaped
                out.append(_Atom(esc(tok), "text", utf16_len(tok)))
        elif tok.startswith("\n\n"):
            out.append(_Atom(tok, "para", len(tok)))
        elif tok == "\n":
            out.append(_Atom(tok, "line", 1))
        elif tok.isspace():
            out.append(_Atom(tok, "space", utf16_len(tok)))
        elif tok == "<":
            out.append(_Atom("&lt;", "text", 1))
        else:
            out.append(_Atom(tok, "text", utf16_len(html.unescape(tok))))
    return out


def _cut_word(atom: _Atom, room: int) -> tuple[_Atom, _Atom]:
    """Split an over-long word so the head fits ``room`` units (entities stay whole)."""
    pieces = re.findall(r"&#?[A-Za-z0-9]+;|.", atom.raw, re.S)
    used, i = 0, 0
    while i < len(pieces):
        size = utf16_len(html.unescape(pieces[i]))
        if used + size > room and i > 0:
            break
        used += size
        i += 1
    head, tail = "".join(pieces[:i]), "".join(pieces[i:])
    return _Atom(head, "text", used), _Atom(tail, "text", atom.size - used)


class _Packer:
    """Greedy packing of atoms into parts, remembering which tags are open."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.start_stack: list[_Atom] = []  # tags open when the current part began
        self.atoms: list[_Atom] = []
        self.size = 0

    def _stack_after(self, atoms: list[_Atom]) -> list[_Atom]:
        stack = list(self.start_stack)
        for a in atoms:
            if a.kind == "open":
                stack.append(a)
            elif a.kind == "close" and stack and stack[-1].name == a.name:
                stack.pop()
        return stack

    def _emit(self, atoms: list[_Atom], rest: list[_Atom]) -> None:
        """Close the part made of ``atoms``; ``rest`` starts the next one."""
        while atoms and atoms[-1].kind in _BREAKS:
            atoms = atoms[:-1]
        while rest and rest[0].kind in _BREAKS:
            rest = rest[1:]
        stack = self._stack_after(atoms)
        body = "".join(a.raw for a in self.start_stack) + "".join(a.raw for a in atoms)
        body += "".join(f"</{a.name}>" for a in reversed(stack))
        if visible_text(body).strip():
            self.parts.append(body)
        self.start_stack = stack
        self.atoms = list(rest)
        self.size = sum(a.size for a in self.atoms)

    def _best_break(self, worse_than: int) -> int | None:
        """Index of the last break of the best kind ranked before ``worse_than`` that has
        something visible before it."""
        first = next((i for i, a in enumerate(self.atoms) if a.size and a.kind not in _BREAKS), None)
        if first is None:
            return None
        for kind in _BREAKS[:worse_than]:
            for i in range(len(self.atoms) - 1, first, -1):
                if self.atoms[i].kind == kind:
                    return i
        return None

    def add(self, atom: _Atom) -> None:
        while self.size + atom.size > self.limit:
            rank = _BREAKS.index(atom.kind) if atom.kind in _BREAKS else len(_BREAKS)
            cut = self._best_break(rank)
            if cut is not None:  # the break itself is dropped: it was whitespace
                self._emit(self.atoms[:cut], self.atoms[cut + 1 :])
                continue
            if atom.kind in _BREAKS:  # the overflowing break is the best cut: drop it
                self._emit(self.atoms, [])
                return
            if any(a.size for a in self.atoms):  # no break at all: cut before this word
                self._emit(self.atoms, [])
                continue
            head, atom = _cut_word(atom, max(1, self.limit - self.size))  # a word over a part
            self.atoms.append(head)
            self._emit(self.atoms, [])
        if atom.kind in _BREAKS and not any(a.size for a in self.atoms):
            return  # no part starts with whitespace
        self.atoms.append(atom)
        self.size += atom.size

    def finish(self) -> list[str]:
        if self.atoms:
            self._emit(self.atoms, [])
        return self.parts


def split_html(fragment: str, limit: int = MAX_TEXT) -> list[str]:
    """``fragment`` as messages of at most ``limit`` visible UTF-16 units, each valid alone.

    Cuts fall at paragraph boundaries where possible, then at line breaks, then between
    words; a cut drops only the whitespace it falls on. Nothing visible gives no parts.
    """
    fragment = fragment.strip()
    if not visible_text(fragment).strip():
        return []  # Telegram refuses a message with nothing to read
    if visible_len(fragment) <= limit:
        return [fragment]
    packer = _Packer(limit)
    for atom in _atoms(fragment):
        packer.add(atom)
    return packer.finish()


def split_plain(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Plain text (no parse mode) in messages of at most ``limit`` UTF-16 units."""
    return [html.unescape(part) for part in split_html(esc(text), limit)]
