"""Configuration: one TOML file (stdlib ``tomllib``) loaded once into a validated object.

Every setting has a working default, so an absent file means "run the demo on the bundled
sample feeds". Secrets may come from the environment (``TRADEALERT_TELEGRAM_TOKEN``,
``TRADEALERT_TELEGRAM_WEBHOOK_SECRET``, ``TRADEALERT_SMTP_PASSWORD``, ``TRADEALERT_LLM_API_KEY``,
``TRADEALERT_LINE_TOKEN``, ``TRADEALERT_LINE_SECRET``) and are held as ``SecretStr`` so
they never print.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from feeds.errors import ConfigError
from feeds.model import SOURCE_KINDS

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "feeds" / "samples"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: Any) -> float:
    """Seconds from ``90``, ``"90s"``, ``"15m"``, ``"1h"``, ``"2d"``."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 900, '15m' or '1h'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
    else:
        raise ValueError(f"expected a duration such as 900, '15m' or '1h', got {value!r}")
    if seconds <= 0:
        raise ValueError("a duration must be greater than zero")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


TimeZone = Annotated[str, BeforeValidator(_check_timezone)]


def _check_url(value: str, schemes: tuple[str, ...] = ("http", "https", "file")) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        raise ValueError(f"URL must start with one of {', '.join(s + '://' for s in schemes)}")
    if parsed.scheme in ("http", "https") and not parsed.netloc:
        raise ValueError("URL has no host")
    if parsed.scheme == "file" and not parsed.path:
        raise ValueError("file:// URL has no path")
    return value


FeedUrl = Annotated[str, BeforeValidator(_check_url)]
HttpUrl = Annotated[str, BeforeValidator(lambda v: _check_url(v, ("http", "https")))]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceConfig(_Section):
    database: str = "var/tradealert.db"
    timezone: TimeZone = "Asia/Taipei"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # How often the scheduler wakes each sweep; each source still has its own interval.
    poll_tick: Duration = 20
    match_tick: Duration = 30
    drain_tick: Duration = 5
    remind_tick: Duration = 60
    misfire_grace: Duration = 300
    # Items published longer ago than this are stored but not alerted (first poll of a feed).
    alert_max_age: Duration = 14 * 86400
    # One service per database: the lease is renewed every third of this; a holder silent for
    # this long (killed elsewhere) may be taken over. Same host: taken over once its pid is gone.
    lease_ttl: Duration = 60


class FetchConfig(_Section):
    user_agent: str = "tradealert/0.1 (+https://github.com/tradealert; customs alerts for Taiwan)"
    connect_timeout: Duration = 10
    read_timeout: Duration = 30
    max_bytes: int = Field(default=5_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=20)
    backoff_base: Duration = 60
    backoff_max: Duration = 6 * 3600
    # Each next poll is the source's interval ± this fraction (random), so sources polled
    # at the same interval drift apart instead of hitting their servers in step.
    jitter: float = Field(default=0.1, ge=0, lt=1)


# How often a source is polled unless it says otherwise (README, "How often sources are
# polled"): CBP's CSMS every 2 minutes — the promise is "in Telegram within 5 minutes of CBP
# publishing", and a conditional GET that finds nothing new is one small 304 — the Federal
# Register (one issue a working day) every 15 minutes, other RSS every 10 minutes.
DEFAULT_INTERVALS = {"csms_rss": 120.0, "csms_widget": 120.0, "federal_register": 900.0, "rss": 600.0}


class SourceConfig(_Section):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: str
    url: FeedUrl
    interval: Duration = 900

    @model_validator(mode="before")
    @classmethod
    def _interval_by_kind(cls, data: Any) -> Any:
        if isinstance(data, dict) and "interval" not in data and data.get("kind") in DEFAULT_INTERVALS:
            return {**data, "interval": DEFAULT_INTERVALS[data["kind"]]}
        return data
    enabled: bool = True
    language: Literal["en", "zh-TW"] = "en"
    label: str = ""

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {value!r}; use one of {', '.join(SOURCE_KINDS)}")
        return value


class ConsoleChannelConfig(_Section):
    enabled: bool = True


class FileChannelConfig(_Section):
    enabled: bool = True
    directory: str = "var/outbox"


class DeliveryConfig(_Section):
    max_attempts: int = Field(default=8, ge=1)
    retry_base: Duration = 30
    retry_max: Duration = 3600
    batch: int = Field(default=200, ge=1)
    # `run.py once` delivers everything due, for at most this long (then says what is left).
    once_time_limit: Duration = 600


def _topic_id(value: str) -> str:
    from feeds.topics import TOPICS

    if value != "all" and value not in TOPICS:
        raise ValueError(f"unknown topic {value!r}; use one of all, {', '.join(sorted(TOPICS))}")
    return value


def _chat_id(value: Any) -> str:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not re.fullmatch(r"-\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}", text):
        raise ValueError("a channel is its numeric id (-100…) or @channelname")
    return text


class TelegramChannelPost(_Section):
    """One topic posted to a Telegram channel: one post per announcement reaches every member."""

    topic: Annotated[str, BeforeValidator(_topic_id)]
    chat_id: Annotated[str, BeforeValidator(_chat_id)]
    language: Literal["zh-TW", "en"] = "zh-TW"


class TelegramConfig(_Section):
    enabled: bool = False
    token: SecretStr | None = None
    base_url: HttpUrl = "https://api.telegram.org/bot"
    base_file_url: HttpUrl = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, gt=0, lt=65536)
    messages_per_second: float = Field(default=30, gt=0)
    per_chat_interval: Duration = 1.0
    per_group_per_minute: int = Field(default=20, gt=0)
    # Sends in flight at once. 1 keeps kill -9 to one repeated message; a Bot API 200 ms away
    # caps one-at-a-time sending near 5 msg/s, 8 reaches the 30/s limit (docs/RELIABILITY.md).
    max_in_flight: int = Field(default=1, ge=1, le=32)
    # X-Telegram-Bot-Api-Secret-Token of webhook mode; unset = a random one per start.
    webhook_secret: SecretStr | None = None
    import_max_bytes: int = Field(default=1_048_576, gt=0)  # a CSV sent to the bot
    imports_per_hour: int = Field(default=5, gt=0)  # per user (or channel)
    channel_posts: tuple[TelegramChannelPost, ...] = ()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("must be 1–256 characters of A-Z a-z 0-9 _ - (Telegram's rule)")
        return value


class EmailConfig(_Section):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=587, gt=0, lt=65536)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str = ""
    password: SecretStr | None = None
    sender: str = "tradealert <alerts@example.org>"
    timeout: Duration = 30
    ca_file: str = ""  # PEM bundle to trust besides the system's (e.g. an internal relay's CA)

    @model_validator(mode="after")
    def _no_clear_text_login_off_this_machine(self) -> EmailConfig:
        """A login over an unencrypted connection would send the password in clear text."""
        has_login = bool(self.username) or bool(self.password and self.password.get_secret_value())
        if self.security == "none" and has_login and not _is_loopback(self.host):
            raise ValueError(
                'email.security: "none" with a username/password sends the password unencrypted '
                f"to {self.host}; use security = \"starttls\" or \"tls\" (\"none\" with a login is "
                "allowed only for a relay on this machine: localhost, 127.0.0.1, ::1)"
            )
        return self


def _is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class HttpConfig(_Section):
    listen: str = Field(default="", pattern=r"^$|^[A-Za-z0-9.\-\[\]:]*:\d{1,5}$")  # "127.0.0.1:8080"; empty = off
    public_url: HttpUrl = "http://127.0.0.1:8080"  # how recipients reach it (links in mail, ICS)
    header_timeout: Duration = 10  # a request's head must arrive within this (slow clients are cut off)
    body_timeout: Duration = 60  # and its body (if any) within this once the head is in (408, closed)
    max_connections: int = Field(default=100, ge=1, le=100_000)  # beyond: 503 and closed
    # Association web console (/console/): one-time login links and the session they open.
    console_login_ttl: Duration = 3 * 86400
    console_session_ttl: Duration = 8 * 3600


class LineConfig(_Section):
    """LINE Messaging API (a LINE Official Account's channel)."""

    enabled: bool = False
    api_base: HttpUrl = "https://api.line.me"
    channel_access_token: SecretStr | None = None
    channel_secret: SecretStr | None = None  # checks X-Line-Signature on /line/webhook
    requests_per_second: float = Field(default=100, gt=0)  # push requests, across all users
    quota_warn_below: float = Field(default=0.1, ge=0, lt=1)  # warn when less than this share is left
    timeout: Duration = 20


class SummaryConfig(_Section):
    llm_url: str = ""  # OpenAI-compatible chat-completions endpoint; empty = offline only
    llm_model: str = ""
    llm_api_key: SecretStr | None = None
    llm_timeout: Duration = 15


class RemindersConfig(_Section):
    offsets_days: tuple[int, ...] = (30, 14, 7, 3, 1, 0)
    time_of_day: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    us_government_closures: bool = False
    # Calendar data that changes yearly (deadlines capability): ad-hoc U.S. federal closures,
    # Taiwanese 補班 workdays and national 停班 days announced by 行政院人事行政總處.
    us_closure_dates: tuple[date, ...] = ()
    tw_makeup_workdays: tuple[date, ...] = ()
    tw_closure_dates: tuple[date, ...] = ()


class RetentionConfig(_Section):
    """How long delivered messages, their delivery attempts and alerts are kept."""

    days: int = Field(default=90, ge=1)
    # Forwards to association members and admin previews: the rows `association audit`
    # exports with each delivery's result. 0 keeps them for ever.
    audit_days: int = Field(default=730, ge=0)
    interval: Duration = 3600  # how often the prune sweep runs


def _default_sources() -> tuple[SourceConfig, ...]:
    """The bundled sample feeds: the embedded default, used by the demo and a bare run."""
    return tuple(
        SourceConfig(name=name, kind=kind, url=(SAMPLES_DIR / file).as_uri(), language=lang)  # type: ignore[arg-type]
        for name, kind, file, lang in (
            ("cbp-csms-rss", "csms_rss", "csms_rss.xml", "en"),
            ("cbp-csms-widget", "csms_widget", "csms_widget.js", "en"),
            ("federal-register-cbp", "federal_register", "federal_register.json", "en"),
            ("customs-tw", "rss", "customs_tw.xml", "zh-TW"),
        )
    )


class Config(_Section):
    service: ServiceConfig = ServiceConfig()
    fetch: FetchConfig = FetchConfig()
    sources: tuple[SourceConfig, ...] = Field(default_factory=_default_sources)
    delivery: DeliveryConfig = DeliveryConfig()
    console: ConsoleChannelConfig = ConsoleChannelConfig()
    file: FileChannelConfig = FileChannelConfig()
    telegram: TelegramConfig = TelegramConfig()
    email: EmailConfig = EmailConfig()
    http: HttpConfig = HttpConfig()
    line: LineConfig = LineConfig()
    summary: SummaryConfig = SummaryConfig()
    reminders: RemindersConfig = RemindersConfig()
    retention: RetentionConfig = RetentionConfig()

    @model_validator(mode="after")
    def _cross_checks(self) -> Config:
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"sources: duplicate name(s) {', '.join(dupes)}")
        if self.telegram.enabled and not (
            self.telegram.token and self.telegram.token.get_secret_value()
        ):
            raise ValueError(
                "telegram.token: missing while telegram.enabled = true "
                "(set it in the file or in TRADEALERT_TELEGRAM_TOKEN)"
            )
        if self.line.enabled and not (
            self.line.channel_access_token and self.line.channel_access_token.get_secret_value()
        ):
            raise ValueError(
                "line.channel_access_token: missing while line.enabled = true "
                "(set it in the file or in TRADEALERT_LINE_TOKEN)"
            )
        return self

    def secrets(self) -> list[str]:
        """Every secret value, for the log redaction filter."""
        found = []
        for secret in (self.telegram.token, self.email.password, self.summary.llm_api_key,
                       self.line.channel_access_token, self.line.channel_secret,
                       self.telegram.webhook_secret):  # fmt: skip
            if secret is not None and secret.get_secret_value():
                found.append(secret.get_secret_value())
        return found


ENV_SECRETS = {
    "TRADEALERT_TELEGRAM_TOKEN": ("telegram", "token"),
    "TRADEALERT_TELEGRAM_WEBHOOK_SECRET": ("telegram", "webhook_secret"),
    "TRADEALERT_SMTP_PASSWORD": ("email", "password"),
    "TRADEALERT_LLM_API_KEY": ("summary", "llm_api_key"),
    "TRADEALERT_LINE_TOKEN": ("line", "channel_access_token"),
    "TRADEALERT_LINE_SECRET": ("line", "channel_secret"),
}


def _format_error(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = ""
        for part in e["loc"]:
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        named = loc and msg.startswith(f"{loc}.")  # the message names its key itself
        lines.append(msg if named else f"{loc or 'config'}: {msg}")
    return "; ".join(lines)


def load_config(
    path: str | Path | None = None, env: Mapping[str, str] | None = None
) -> Config:
    """Read, merge environment secrets, validate. Raises ``ConfigError`` naming the key."""
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    if path is not None:
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ConfigError(f"找不到設定檔 {path}", f"config file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"設定檔 {path} 格式錯誤：{exc}", f"{path}: invalid TOML: {exc}") from exc
        except OSError as exc:
            raise ConfigError(f"無法讀取設定檔 {path}", f"cannot read {path}: {exc.strerror}") from exc
    for var, (section, key) in ENV_SECRETS.items():
        if env.get(var):
            sect = data.setdefault(section, {})
            if isinstance(sect, dict):
                sect[key] = env[var]
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        detail = _format_error(exc)
        raise ConfigError(f"設定錯誤：{detail}", f"invalid configuration: {detail}") from None
