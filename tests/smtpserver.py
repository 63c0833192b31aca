"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives.

Knobs: refuse recipients permanently (5xx) or temporarily (4xx), require a login.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse_permanent: set[str] = field(default_factory=set)
    refuse_temporary: set[str] = field(default_factory=set)
    logins: list[str] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.box.refuse_permanent:
            return "550 5.1.1 mailbox unavailable"
        if address in self.box.refuse_temporary:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.box.messages.append(msg)  # type: ignore[arg-type]
        self.box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


DATA = Path(__file__).resolve().parent / "data"
TEST_CA = DATA / "smtp-test.crt"  # self-signed for 127.0.0.1, test use only


def _server_tls() -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(DATA / "smtp-test.crt", DATA / "smtp-test.key")
    return ctx


class SmtpServer:
    """``tls="starttls"`` offers (and requires) STARTTLS; ``tls="implicit"`` is TLS from the
    first byte (port 465 style). Both use the test certificate in ``tests/data``."""

    def __init__(self, *, password: str | None = None, tls: str = "none") -> None:
        self.box = Mailbox()
        self.port = free_port()
        kwargs: dict = {}
        if password is not None:

            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = isinstance(auth_data, LoginPassword) and auth_data.password == password.encode()
                if ok:
                    self.box.logins.append(auth_data.login.decode())
                return AuthResult(success=ok)

            kwargs = {"authenticator": authenticator, "auth_require_tls": False}
        if tls == "starttls":
            kwargs.update(tls_context=_server_tls(), require_starttls=True)
        elif tls == "implicit":
            kwargs.update(ssl_context=_server_tls())
        self.controller = Controller(_Handler(self.box), hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def mail_config_toml(
    port: int, *, http_port: int = 8080, username: str = "", batch: int = 200, security: str = "none",
    ca_file: str = "",
) -> str:
    """The [email] / [http] / [delivery] TOML a test appends to its config for this server."""
    return f"""
[email]
enabled = true
host = "127.0.0.1"
port = {port}
security = "{security}"
ca_file = "{ca_file}"
sender = "關務快訊 <alerts@tradealert.test>"
timeout = 5
username = "{username}"
[http]
public_url = "http://127.0.0.1:{http_port}"
[delivery]
batch = {batch}
"""
