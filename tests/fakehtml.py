"""Telegram's HTML parse mode, as the fake Bot API enforces it: allowed tags, balanced, entities."""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*(/?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")


class HtmlError(ValueError):
    pass


def parse_telegram_html(text: str) -> str:
    """Validate like Telegram's HTML parse mode; return the visible text. Raises HtmlError."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            if not m:
                raise HtmlError(f"Unsupported start tag at byte offset {i}")
            closing, name, attrs, selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
            if name not in ALLOWED_TAGS:
                raise HtmlError(f'Unsupported start tag "{name}" at byte offset {i}')
            if selfclose:
                raise HtmlError(f"Unsupported self-closing tag at byte offset {i}")
            if closing:
                if not stack or stack[-1] != name:
                    raise HtmlError(f'Unmatched end tag at byte offset {i}, expected "</{stack[-1] if stack else ""}>", found "</{name}>"')
                stack.pop()
            else:
                if name == "a" and "href" not in attrs:
                    raise HtmlError(f"Can't find end of href at byte offset {i}")
                stack.append(name)
            i = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, i)
            if not m:
                if re.match(r"&[a-zA-Z]+;", text[i:]):
                    raise HtmlError(f"Unsupported HTML entity at byte offset {i}")
                out.append("&")  # Telegram tolerates a bare ampersand
                i += 1
                continue
            out.append(html.unescape(m.group(0)))
            i = m.end()
        elif ch == ">":
            out.append(">")
            i += 1
        else:
            out.append(ch)
            i += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)
