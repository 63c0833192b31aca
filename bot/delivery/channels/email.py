"""E-mail channel: one outbox row → one multipart (plain text + HTML) message over SMTP.

SMTP outcomes map onto the outbox: 2xx sent; 4xx (and connection trouble) retry with
backoff; 5xx for the recipient pauses that address (Blocked) so it is never retried in a
loop; an authentication failure is the operator's to fix, so it retries and is logged.

Throughput: messages sent back to back share one SMTP session (connect, STARTTLS and login
once), up to ``MAX_PER_SESSION`` messages; a session idle for ``REUSE_IDLE`` seconds, or one
that saw any error, is closed and the next message opens a fresh one.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

import aiosmtplib
from markupsafe import Markup

from bot.alerts.render import environment
from bot.config import EmailConfig, HttpConfig
from bot.delivery.channels.base import Blocked, Failed, Outcome, Retry, Sent
from bot.web.urls import unsubscribe_url
from feeds.links import safe_link
from state.outbox import OutboxMessage

log = logging.getLogger(__name__)


def one_line(text: str, limit: int = 200) -> str:
    """Header-safe: no CR/LF (header injection), no runaway length."""
    return re.sub(r"[\r\n\t]+", " ", text or "").strip()[:limit]


def build_message(msg: OutboxMessage, *, sender: str, http: HttpConfig, now: datetime) -> EmailMessage:
    """The MIME message for an outbox row. Pure, so tests can read exactly what is sent."""
    # A member's forward unsubscribes from that association only; anything else, from us.
    unsub = msg.payload.get("unsubscribe_url") or unsubscribe_url(http.public_url, msg.token)
    env = environment()
    ctx = {
        "subject": one_line(msg.subject, 300),
        "body_html": Markup(msg.payload["email_html"]) if msg.payload.get("email_html") else None,
        "text": msg.text,
        "url": safe_link(msg.payload.get("url")),  # a feed's link: http(s) or none
        "unsubscribe": unsub,
        "lang": msg.language,
    }
    plain = env.get_template("email.txt.j2").render(ctx)
    html = env.get_template("email.html.j2").render(ctx)
    name, addr = parseaddr(sender)
    domain = addr.rpartition("@")[2] or "tradealert.invalid"
    m = EmailMessage()
    m["From"] = formataddr((one_line(name), addr))
    m["To"] = msg.address
    brand = "[Trade alert] " if (msg.language or "").startswith("en") else "【關務快訊】"
    m["Subject"] = one_line(f"{brand}{msg.subject}", 300)
    m["Date"] = format_datetime(now.astimezone(UTC))
    # Stable per outbox row: a resend after a crash carries the same Message-ID.
    stamp = hashlib.sha1(f"{msg.subscriber_id}|{msg.message_key}".encode()).hexdigest()[:20]
    m["Message-ID"] = f"<tradealert.{msg.id}.{stamp}@{domain}>"
    m["Auto-Submitted"] = "auto-generated"
    if unsub:
        m["List-Unsubscribe"] = f"<{unsub}>"
        m["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    m.set_content(plain, charset="utf-8")
    m.add_alternative(html, subtype="html", charset="utf-8")
    return m


MAX_PER_SESSION = 100  # many relays cap messages per connection; stay well under
REUSE_IDLE = 10.0  # seconds; relays drop idle sessions after a minute or more (RFC 5321: 5 min)


class EmailChannel:
    name = "email"

    def __init__(self, config: EmailConfig, http: HttpConfig, *, clock=lambda: datetime.now(UTC)) -> None:
        self.config = config
        self.http = http
        self.clock = clock
        self.send_timeout = config.timeout  # one message at most (shutdown waits this long)
        self._session: aiosmtplib.SMTP | None = None
        self._session_sent = 0
        self._session_used = 0.0

    async def _smtp(self) -> aiosmtplib.SMTP:
        """The open session if it may carry one more message, else a new one (connect, TLS, login)."""
        s = self._session
        fresh = time.monotonic() - self._session_used < REUSE_IDLE
        if s is not None and s.is_connected and fresh and self._session_sent < MAX_PER_SESSION:
            return s
        await self._close_session()
        c = self.config
        s = aiosmtplib.SMTP(
            hostname=c.host,
            port=c.port,
            username=c.username or None,
            password=c.password.get_secret_value() if c.password else None,
            use_tls=c.security == "tls",
            start_tls=c.security == "starttls",
            cert_bundle=c.ca_file or None,
            timeout=c.timeout,
        )
        try:
            await s.connect()
        except BaseException:
            s.close()
            raise
        self._session, self._session_sent = s, 0
        return s

    async def _close_session(self, *, polite: bool = True) -> None:
        s, self._session = self._session, None
        if s is None or not s.is_connected:
            return
        try:
            if polite:
                await s.quit()
            else:
                s.close()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            s.close()

    async def send(self, msg: OutboxMessage) -> Outcome:
        c = self.config
        try:
            message = build_message(msg, sender=c.sender, http=self.http, now=self.clock())
        except (ValueError, TypeError) as exc:  # e.g. an address the mail library refuses
            return Failed(f"cannot build message: {exc}")
        try:
            try:
                smtp = await self._smtp()
                await smtp.send_message(message)
            except BaseException:  # whatever went wrong, the next message starts a fresh session
                await self._close_session(polite=False)
                raise
            self._session_sent += 1
            self._session_used = time.monotonic()
        except aiosmtplib.SMTPAuthenticationError as exc:
            log.error("SMTP login refused (check [email] username/password): %s", exc.code)
            return Retry(f"SMTP authentication failed ({exc.code})")
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)[:300]
            return Blocked(f"SMTP {detail}") if all(500 <= x < 600 for x in codes) else Retry(f"SMTP {detail}")
        except aiosmtplib.SMTPResponseException as exc:
            text = f"SMTP {exc.code} {exc.message}"[:300]
            if 500 <= exc.code < 600 and not isinstance(exc, aiosmtplib.SMTPSenderRefused):
                return Blocked(text)
            return Retry(text)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return Retry(f"SMTP unavailable: {type(exc).__name__}")
        return Sent(message["Message-ID"])

    async def close(self) -> None:
        await self._close_session()
