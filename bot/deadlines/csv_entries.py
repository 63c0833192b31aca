"""CSV import and CAPE export of U.S. entries.

Import accepts CBP's CAPE template (one ``Entry Number`` column) or a richer header-named file
(docs/DEADLINES.md), UTF-8 with or without BOM, UTF-16 with BOM, or Big5/CP950 as saved by
Taiwanese Excel. Parsing is pure (bytes → entries + errors); the caller writes everything in
one transaction or nothing. Export writes CBP's CAPE upload CSV in files of ≤ 9,999 entries.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.csvio import decode_csv, write_csv
from bot.deadlines.calculators import (
    LIQUIDATION_STATUSES,
    CapeRules,
    cape_eligible,
    validate_entry_dates,
)
from bot.deadlines.calendars import parse_date
from bot.deadlines.entries import cape_form, parse_entry_number
from feeds.errors import UserError
from state.tracking import TrackedEntry, UsEntry

MAX_BYTES = 64 * 1024 * 1024
MAX_REPORTED_ERRORS = 20
CAPE_HEADER = "Entry Number"

# Header aliases (lower-cased; spaces, underscores, dashes, brackets, dots, colons and # removed)
# → field: CBP's CAPE template, the English headers of ACE reports and broker software, and
# the Chinese headers Taiwanese brokers and importers write (報單號碼, 核定日 …).
_HEADERS = {
    "entrynumber": "entry_number", "entryno": "entry_number", "entry": "entry_number", "entrynum": "entry_number",
    "報關單號": "entry_number", "進口報單號碼": "entry_number", "報單號碼": "entry_number", "報單號": "entry_number",
    "報關編號": "entry_number", "報關單號碼": "entry_number", "申報編號": "entry_number", "美國報單號碼": "entry_number",
    "entrytype": "entry_type", "type": "entry_type", "報關類型": "entry_type", "報單類別": "entry_type",
    "報單類型": "entry_type",
    "entrydate": "entry_date", "進口日": "entry_date", "進口日期": "entry_date", "入境日": "entry_date",
    "入境日期": "entry_date", "申報日": "entry_date", "申報日期": "entry_date", "報關日": "entry_date",
    "報關日期": "entry_date",
    "releasedate": "release_date", "放行日": "release_date", "放行日期": "release_date",
    "summaryfiled": "summary_filed", "已遞交摘要": "summary_filed", "摘要已申報": "summary_filed",
    "liquidationdate": "liquidation_date", "liqdate": "liquidation_date", "清算日": "liquidation_date",
    "清算日期": "liquidation_date", "核定日": "liquidation_date", "核定日期": "liquidation_date",
    "liquidationstatus": "liquidation_status", "liqstatus": "liquidation_status", "清算狀態": "liquidation_status",
    "核定狀態": "liquidation_status",
    "ieepa": "ieepa", "ieepapaid": "ieepa", "ieepaduties": "ieepa", "ieepa關稅": "ieepa", "已繳ieepa關稅": "ieepa",
    "hts": "hts", "htsnumbers": "hts", "htsnumber": "hts", "htsno": "hts", "htsus": "hts", "稅則號別": "hts",
    "稅則號列": "hts", "稅則": "hts", "稅號": "hts",
    "port": "port", "portofentry": "port", "口岸": "port", "入境口岸": "port",
    "label": "label", "note": "label", "notes": "label", "ior": "label", "importer": "label", "broker": "label",
    "備註": "label", "進口商": "label",
}  # fmt: skip
_ENTRY_TYPE = re.compile(r"\d{1,2}")
_HTS_SPLIT = re.compile(r"[;\s|、，]+")
_TRUE = {"1", "y", "yes", "true", "t", "是", "有", "v", "x"}
_FALSE = {"", "0", "n", "no", "false", "f", "否", "無"}


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    zh: str
    en: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.zh} / line {self.line}: {self.en}"


@dataclass(slots=True)
class ParsedFile:
    encoding: str
    format: str  # "cape" or "rich"
    entries: list[TrackedEntry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding): UTF-8 (BOM or not), UTF-16 with BOM, or Big5/CP950."""
    return decode_csv(data, what="CSV", max_bytes=MAX_BYTES)


def _norm_header(h: str) -> str:
    return re.sub(r"[\s_\-()（）.．:：#＃]", "", h.strip().lower())


def _bool(value: str) -> bool | None:
    v = value.strip().lower()
    return True if v in _TRUE else False if v in _FALSE else None


def parse_csv(data: bytes) -> ParsedFile:
    """Parse and validate every row; never raises for a bad row, only for a bad file."""
    text, encoding = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    header_line = 0
    try:
        for row in reader:
            if any(c.strip() for c in row):
                header, header_line = row, reader.line_num
                break
    except csv.Error as exc:
        raise UserError(f"CSV 格式錯誤：{exc}", f"malformed CSV: {exc}") from None
    if header is None:
        raise UserError("檔案沒有內容", "the file is empty")
    fields = [_HEADERS.get(_norm_header(h)) for h in header]
    if "entry_number" not in fields:
        shown = ", ".join(h[:30] for h in header[:5])[:120]
        raise UserError(
            f"找不到「Entry Number」欄位（第 {header_line} 行為：{shown}）；"
            "請使用 CAPE 範本或 docs/DEADLINES.md 所列欄位",
            f"no 'Entry Number' column (line {header_line} reads: {shown}); use the CAPE "
            "template or the columns in docs/DEADLINES.md",
        )
    known = [f for f in fields if f]
    out = ParsedFile(encoding, "cape" if known == ["entry_number"] else "rich")
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
                out.errors.append(RowError(line, f"欄位數 {len(row)} 多於標題 {len(header)}",
                                           f"{len(row)} fields but {len(header)} headers"))  # fmt: skip
                continue
            values = {f: (row[i].strip() if i < len(row) else "") for i, f in enumerate(fields) if f}
            try:
                item = _row_entry(values, cape=out.format == "cape")
            except UserError as err:
                out.errors.append(RowError(line, err.zh, err.en))
                continue
            number = item.entry.entry_number
            if number in seen:
                out.errors.append(RowError(line, f"{number} 與第 {seen[number]} 行重複",
                                           f"{number} repeats line {seen[number]}"))  # fmt: skip
                continue
            seen[number] = line
            out.entries.append(item)
    except csv.Error as exc:
        out.errors.append(RowError(reader.line_num, f"CSV 格式錯誤：{exc}", f"malformed CSV: {exc}"))
    return out


def _opt_date(values: dict[str, str], key: str) -> date | None:
    v = values.get(key, "")
    return parse_date(v) if v else None


def _row_entry(values: dict[str, str], *, cape: bool) -> TrackedEntry:
    """One row → a validated entry. A CAPE-template row is an IEEPA entry by definition."""
    number = parse_entry_number(values["entry_number"])
    liq = _opt_date(values, "liquidation_date")
    status = (values.get("liquidation_status") or ("liquidated" if liq else "unliquidated")).lower()
    if status not in LIQUIDATION_STATUSES:
        raise UserError(f"清算狀態「{status}」無效", f"invalid liquidation status {status!r}")
    flags = {}
    for key in ("summary_filed", "ieepa"):
        raw = values.get(key, "")
        b = _bool(raw)
        if b is None:
            raise UserError(f"{key} 欄應為 是/否 或 yes/no，收到「{raw}」",
                            f"{key} must be yes/no, got {raw!r}")  # fmt: skip
        flags[key] = b
    entry_type = values.get("entry_type") or None
    if entry_type is not None:
        if not _ENTRY_TYPE.fullmatch(entry_type):
            raise UserError(f"報關類型「{entry_type}」應為兩位數字", f"entry type {entry_type!r} must be 2 digits")
        entry_type = entry_type.zfill(2)
    entry = UsEntry(
        entry_number=number, entry_type=entry_type,
        entry_date=_opt_date(values, "entry_date"), release_date=_opt_date(values, "release_date"),
        summary_filed=flags["summary_filed"], liquidation_date=liq, liquidation_status=status,
        ieepa=True if cape else flags["ieepa"],
    )  # fmt: skip
    validate_entry_dates(entry)
    hts = tuple(h for h in _HTS_SPLIT.split(values.get("hts", "")) if h)
    return TrackedEntry(entry, hts, values.get("port") or None, values.get("label") or None)


def errors_message(errors: Sequence[RowError]) -> UserError:
    shown = list(errors[:MAX_REPORTED_ERRORS])
    more = len(errors) - len(shown)
    zh = f"{len(errors)} 行有誤，未匯入任何資料：\n" + "\n".join(f"第 {e.line} 行：{e.zh}" for e in shown)
    en = f"{len(errors)} bad row(s), nothing imported:\n" + "\n".join(f"line {e.line}: {e.en}" for e in shown)
    if more:
        zh += f"\n……另有 {more} 行"
        en += f"\n… and {more} more"
    return UserError(zh, en)


# ---- export -----------------------------------------------------------------------------
def cape_batches(entries: Iterable[TrackedEntry], rules: CapeRules, today: date) -> list[list[str]]:
    """CAPE-eligible entry numbers (11-character form), de-duplicated, in batches of ≤ 9,999."""
    numbers = sorted({cape_form(t.entry.entry_number) for t in entries
                      if cape_eligible(t.entry, rules, today)})  # fmt: skip
    size = rules.max_entries_per_file
    return [numbers[i : i + size] for i in range(0, len(numbers), size)]


def write_cape_files(batches: Sequence[Sequence[str]], out_dir: Path, *, stem: str = "cape") -> list[Path]:
    """One CSV per batch with the template's single ``Entry Number`` header. Each file is
    written to a temporary name and renamed, so a crash never leaves half a file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, batch in enumerate(batches, start=1):
        path = out_dir / f"{stem}_{i:03d}.csv"
        fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write_csv(fh, [CAPE_HEADER], ([n] for n in batch))
        os.replace(tmp, path)
        paths.append(path)
    return paths
