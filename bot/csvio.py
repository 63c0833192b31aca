"""Reading CSV files people actually send: UTF-8 (with or without BOM) or Big5/CP950 from
Taiwanese Excel. Anything else is refused with a clear message, never guessed."""

from __future__ import annotations

import csv
import io

from bot.errors import UserError

MAX_CSV_BYTES = 20_000_000


def decode_csv(data: bytes, *, what: str = "CSV") -> tuple[str, str]:
    """Bytes → (text, encoding name). Tries UTF-8 (BOM or not), then CP950 (Big5 + MS extras)."""
    if len(data) > MAX_CSV_BYTES:
        raise UserError(
            f"{what} 檔案過大（{len(data) // 1_000_000} MB，上限 {MAX_CSV_BYTES // 1_000_000} MB）",
            f"{what} file too large ({len(data) // 1_000_000} MB, limit {MAX_CSV_BYTES // 1_000_000} MB)",
        )
    if b"\x00" in data[:4096]:
        raise UserError(
            f"{what} 看起來不是文字檔（可能是 Excel .xlsx 或 UTF-16），請另存為「CSV UTF-8」",
            f"{what} does not look like a text file (Excel .xlsx or UTF-16?); save it as 'CSV UTF-8'",
        )
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return data.decode(encoding), "big5" if encoding == "cp950" else "utf-8"
        except UnicodeDecodeError:
            continue
    raise UserError(
        f"無法辨識 {what} 的編碼：請以 UTF-8 或 Big5 儲存",
        f"cannot tell the encoding of the {what}: save it as UTF-8 or Big5",
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
