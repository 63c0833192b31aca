"""CSV in and out. Reading the files people actually send: UTF-8 (with or without BOM) or
Big5/CP950 from Taiwanese Excel; anything else is refused with a clear message, never guessed.
Writing every CSV the project produces through :func:`write_csv`, which neutralises cells a
spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from feeds.errors import UserError

MAX_CSV_BYTES = 64 * 1024 * 1024


def decode_csv(data: bytes, *, what: str = "CSV", max_bytes: int = MAX_CSV_BYTES) -> tuple[str, str]:
    """Bytes → (text, encoding name). Why this order: a BOM is certain; strict UTF-8 almost
    never decodes Big5 by accident; CP950 is Big5 plus Microsoft's extensions (what Excel
    saves). Anything else is refused rather than guessed."""
    if len(data) > max_bytes:
        raise UserError(
            f"{what} 檔案過大（上限 {max_bytes // 1024 // 1024} MB）",
            f"{what} file too large (limit {max_bytes // 1024 // 1024} MB)",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" from Excel
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise UserError(
            f"{what} 不是文字 CSV（含有二進位資料，可能是 .xlsx）；請另存為 CSV UTF-8",
            f"{what} is not a text CSV (binary data found; an .xlsx?); save it as CSV UTF-8",
        )
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    raise UserError(
        f"無法辨識 {what} 的檔案編碼；請另存為 CSV UTF-8 或 Big5（CP950）",
        f"unknown encoding of the {what}; save it as CSV UTF-8 or Big5 (CP950)",
    )


def read_rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) for each non-empty row; line numbers as a spreadsheet shows them."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise UserError(
            f"CSV 第 {reader.line_num} 行格式錯誤：{exc}", f"CSV line {reader.line_num} is malformed: {exc}"
        ) from None
    return rows


# OWASP "CSV injection": Excel, LibreOffice and Google Sheets treat a cell starting with one of
# these as a formula (=HYPERLINK(…), +cmd|…, -2+3, @SUM(…)); tab and CR start one too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text, with a leading ``'`` when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(
    fh: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any] | Mapping[str, Any]]
) -> int:
    """Write ``header`` and ``rows`` (sequences, or mappings keyed by the header) with every
    cell neutralised; returns the number of data rows. The one CSV writer of the project."""
    w = csv.writer(fh)
    w.writerow([safe_cell(h) for h in header])
    n = 0
    for row in rows:
        cells = [row.get(h) for h in header] if isinstance(row, Mapping) else row
        w.writerow([safe_cell(c) for c in cells])
        n += 1
    return n
