"""``run.py subscriber import FILE.csv``, ``run.py topics``, and the check that refuses a
subscription to a topic or source that does not exist (a typo would otherwise match nothing,
silently, for ever).

The CSV (UTF-8 or Big5/CP950, read by ``bot.csvio``) has a header row naming its columns:
``name, channel, address`` and optionally ``lang, tz, topics, keywords, hts``; list cells are
separated by ``;``. Every row is checked before anything is written; any error refuses the
whole file, each error with its line number; a valid file is one transaction.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlite_utils import Database

from bot.config import Config
from bot.csvio import decode_csv, read_rows
from feeds.errors import UserError
from feeds.topics import TOPICS
from state import sources as source_store
from state.bulk import ImportResult, NewSubscriber, import_subscribers
from state.subscribers import validate_address

COLUMNS = ("name", "channel", "address", "lang", "tz", "topics", "keywords", "hts")
REQUIRED = ("name", "channel", "address")
IMPORT_CHANNELS = ("console", "file", "telegram", "email", "line")  # as `subscriber add` takes
MAX_ERRORS_SHOWN = 20


def add_parsers(sub: argparse._SubParsersAction, subscriber_actions: argparse._SubParsersAction) -> None:
    imp = subscriber_actions.add_parser("import", help="add or update subscribers from a CSV (UTF-8 or Big5)")
    imp.add_argument("file", help="columns: name, channel, address, lang, tz, topics, keywords, hts ('; ' lists)")
    imp.add_argument("--json", action="store_true")
    tp = sub.add_parser("topics", help="the topic ids one can subscribe to")
    tp.add_argument("--json", action="store_true")


def run_topics(as_json: bool) -> None:
    rows = [{"id": t.id, "zh": t.zh, "en": t.en} for t in TOPICS.values()]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        width = max(len(r["id"]) for r in rows)
        print("\n".join(f"{r['id']:<{width}}  {r['zh']}  {r['en']}" for r in rows))


def known_sources(db: Database, config: Config) -> set[str]:
    """Configured sources and any the database has seen (announcements keep their source)."""
    return {s.name for s in config.sources} | {s.name for s in source_store.all_sources(db)}


def check_subscription(kind: str, value: str, sources: set[str]) -> None:
    """Refuse a topic (also for ``mute`` and ``urgent``) or source that does not exist."""
    if kind in ("topic", "mute", "urgent") and value.strip() not in TOPICS:
        raise UserError(
            f"沒有「{value}」這個主題；可用的主題請見 run.py topics",
            f"unknown topic {value!r}; see run.py topics for the topic ids",
        )
    if kind == "source" and value.strip() not in sources:
        listed = ", ".join(sorted(sources)) or "(none)"
        raise UserError(f"沒有「{value}」這個來源；可用：{listed}", f"unknown source {value!r}; known: {listed}")


@cache
def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _items(cell: str) -> list[str]:
    if not cell:
        return []
    return [v for v in (part.strip() for part in cell.split(";")) if v]


def parse_subscribers(data: bytes, *, default_tz: str = "Asia/Taipei") -> list[NewSubscriber]:
    """Every row of the CSV as a subscriber to import, or a ``UserError`` listing each bad
    line (line numbers as a spreadsheet shows them)."""
    rows = read_rows(decode_csv(data, what="訂閱者 CSV")[0])
    if not rows:
        raise UserError("CSV 是空的", "the CSV is empty")
    _, header = rows[0]
    cols = [h.strip().lower() for h in header]
    unknown = [c for c in cols if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in cols]
    if unknown or missing:
        raise UserError(
            f"CSV 第 1 行須為欄位名稱：{', '.join(COLUMNS)}（缺少：{', '.join(missing) or '無'}；不認得：{', '.join(unknown) or '無'}）",
            f"CSV line 1 must name the columns {', '.join(COLUMNS)} (missing: {', '.join(missing) or 'none'};"
            f" unknown: {', '.join(unknown) or 'none'})",
        )
    at = {c: i for i, c in enumerate(cols)}
    people: list[NewSubscriber] = []
    errors: list[tuple[int, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    width = len(cols)
    for line, cells in rows[1:]:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        try:
            people.append(_person(cells, at, line, seen, default_tz))
        except UserError as exc:
            errors.append((line, exc.zh, exc.en))
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        zh = "；".join(f"第 {n} 行：{z}" for n, z, _ in shown) + (f"；另有 {more} 行錯誤" if more else "")
        en = "; ".join(f"line {n}: {e}" for n, _, e in shown) + (f"; {more} more lines with errors" if more else "")
        raise UserError(f"未匯入任何訂閱者（{len(errors)} 行有錯）：{zh}", f"nothing imported ({len(errors)} bad lines): {en}")
    return people


def _person(
    cells: list[str], at: dict[str, int], line: int, seen: dict[tuple[str, str], int], default_tz: str
) -> NewSubscriber:
    def cell(name: str) -> str:
        i = at.get(name)
        return cells[i] if i is not None else ""

    channel = cell("channel").lower()
    if channel not in IMPORT_CHANNELS:
        raise UserError(f"通道須為 {'、'.join(IMPORT_CHANNELS)}", f"channel must be one of {', '.join(IMPORT_CHANNELS)}")
    address = validate_address(channel, cell("address"))
    first = seen.setdefault((channel, address), line)
    if first != line:
        raise UserError(f"與第 {first} 行是同一個地址", f"same address as line {first}")
    lang = cell("lang") or "zh-TW"
    if lang not in ("zh-TW", "en"):
        raise UserError(f"語言須為 zh-TW 或 en，收到「{lang}」", f"lang must be zh-TW or en, got {lang!r}")
    tz = cell("tz") or default_tz
    if not _zone_ok(tz):
        raise UserError(f"不認得的時區「{tz}」", f"unknown time zone {tz!r}")
    subs: list[tuple[str, str]] = []
    for topic in _items(cell("topics")):
        if topic.lower() == "all":
            subs.append(("all", ""))
            continue
        check_subscription("topic", topic, set())
        subs.append(("topic", topic))
    subs += [("keyword", k) for k in _items(cell("keywords"))]
    for prefix in _items(cell("hts")):
        if not re.search(r"\d", prefix):
            raise UserError(f"稅則號列須含數字，收到「{prefix}」", f"an HTS prefix needs digits, got {prefix!r}")
        subs.append(("hts", prefix))
    return NewSubscriber(cell("name") or address, channel, address, lang, tz, tuple(subs))


def run_import(db: Database, config: Config, path: str, *, as_json: bool, now: datetime) -> ImportResult:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"無法讀取 {path}", f"cannot read {path}: {exc.strerror}") from None
    result = import_subscribers(db, parse_subscribers(data, default_tz=config.service.timezone), now=now)
    if as_json:
        print(json.dumps({"added": result.added, "updated": result.updated, "subscriptions": result.subscriptions}))
    else:
        print(f"imported {result.added + result.updated} subscribers ({result.added} added, {result.updated} updated),"
              f" {result.subscriptions} new subscriptions")  # fmt: skip
    return result
