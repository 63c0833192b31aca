"""Text from strangers, without the characters that change how text *looks* rather than what it says.

Why: a feed title, a member's name from a roster CSV or a Telegram chat title reaches Telegram,
e-mail, LINE, the calendar, the console, CSV files and the operator's terminal. Bidi controls
(U+202E RIGHT-TO-LEFT OVERRIDE and friends) reorder what follows them, so ``invoice\u202egpj.exe``
shows as ``invoiceexe.jpg``; C0/C1 control characters (ESC starts ANSI sequences that rewrite a
terminal, NUL or BEL confuse mail and calendar parsers) have no place in any of them. Tabs and
line breaks stay: they are layout, not tricks.
"""

from __future__ import annotations

import re

# C0 controls except TAB, LF and CR; DEL and the C1 controls; bidi embeddings, overrides and isolates, the directional marks, and the
# interlinear annotation / object replacement characters that some renderers hide text in.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb]"
)


def visible(text: str) -> str:
    """``text`` without control and bidi formatting characters (tabs and line breaks kept)."""
    if not text or text.isascii() and text.isprintable():
        return text
    return _INVISIBLE.sub("", text)
