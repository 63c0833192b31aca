"""The service's public addresses, as messages print them (``[http] public_url``).

Light on purpose: the CLI, e-mail, LINE and Telegram print these without loading the web server.
The calendar address grants reading only; unsubscribing and a member's opt-out take their own
action tokens (``state/schema_trust.py``).
"""

from __future__ import annotations


def _url(public_url: str, path: str) -> str:
    return f"{public_url.rstrip('/')}{path}"


def calendar_url(public_url: str, token: str | None) -> str | None:
    return _url(public_url, f"/calendar/{token}.ics") if token else None


def unsubscribe_url(public_url: str, token: str | None) -> str | None:
    return _url(public_url, f"/unsubscribe/{token}") if token else None


def optout_url(public_url: str, token: str) -> str:
    return _url(public_url, f"/optout/{token}")
