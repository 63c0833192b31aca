"""Which links from a feed may become a link a person clicks: http(s) only.

Why: a feed item's link reaches e-mail ``href``s, Telegram ``<a>`` tags and calendar ``URL``
properties. A ``javascript:``, ``data:`` or ``vbscript:`` link there runs in the reader's
mail client or browser. Every place that turns a feed's URL into a link calls
:func:`safe_link`; anything else shows no link at all.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Browsers drop tabs and newlines inside a URL ("java\tscript:" is javascript:), so any
# control character or whitespace inside the link refuses it rather than being stripped.
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\s]")


def safe_link(url: object) -> str:
    """``url`` stripped, if it is an absolute http(s) URL with a host; otherwise ``""``."""
    if not isinstance(url, str):
        return ""
    text = url.strip()
    if not text or len(text) > 2048 or _UNSAFE_CHARS.search(text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return text
