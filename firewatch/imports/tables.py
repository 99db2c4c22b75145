"""Reading tables people hand over: XLSX workbooks and CSV/TSV files (UTF-8 with or without BOM,
GBK/GB18030), title rows above the header, columns in any order named in Chinese with aliases.

`read_tables(path)` gives every sheet as rows of text (merged cells filled in); `find_header`
finds the header row by its known column names (`header_key` compares them leniently);
`read_mapped(path, columns, required, what)` does both and returns each table's column map,
data rows and the file's SHA-256. Unreadable files raise `ImportFileError` with what to do.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from firewatch.core.exceptions import ImportFileError
from firewatch.core.text import normalize
from openpyxl import load_workbook

HEADER_SCAN_ROWS = 30
SPACE_RE = re.compile(r"\s+")

def decode_text(raw: bytes) -> str:
    """UTF-8 (BOM or not), else GB18030 (a superset of GBK and GB2312)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"无法解码 cannot decode：文本既不是 UTF-8 也不是 GBK（{exc.reason}）；请另存为 UTF-8 或 GBK 编码的 CSV") from exc


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return SPACE_RE.sub(" ", str(value)).strip()


def _read_xlsx(raw: bytes, path: Path) -> list[list[list[str]]]:

    try:
        wb = load_workbook(io.BytesIO(raw), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"{path.name}：无法读取的 XLSX 工作簿（{type(exc).__name__}）；请用 Excel 或 WPS 打开后重新另存为 .xlsx") from exc
    sheets = []
    for ws in wb.worksheets:
        grid = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        for merged in ws.merged_cells.ranges:  # a merged cell's value belongs to every cell it covers
            top = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(grid) else ""
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                    grid[r][c] = top
        sheets.append(grid)
    return sheets


def _read_csv(raw: bytes, path: Path) -> list[list[list[str]]]:
    try:
        text = decode_text(raw)
    except ImportFileError as exc:
        raise ImportFileError(f"{path.name}：{exc}") from exc
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count) if first else ","
    return [[[cell_text(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]]


def read_tables(path: str | Path) -> list[list[list[str]]]:
    """Every sheet of an XLSX file, or the one table of a CSV/TSV file, as rows of text."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"无法读取文件 {path.name}：{exc.strerror or exc}；请检查路径和权限") from exc
    if raw[:4] == b"PK\x03\x04":
        return _read_xlsx(raw, path)
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(f"{path.name}：旧版 Excel .xls 文件；请打开后另存为 .xlsx（或 CSV）再导入 (an old .xls file: save it as .xlsx)")
    if raw.lstrip()[:1] == b"<":
        raise ImportFileError(f"{path.name}：看起来是 HTML 网页而不是表格；请把表格另存为 XLSX 或 CSV 再导入")
    return _read_csv(raw, path)


# -- header detection --------------------------------------------------------------------
def header_key(text: str) -> str:
    """A header cell in comparable form: half-width, lower case, no spaces, colons or stars."""
    key = normalize(text or "")
    key = re.sub(r"[\s:：*＊]", "", key)
    return key.replace("（", "(").replace("）", ")")


def alias_index(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index = {}
    for canonical, aliases in columns.items():
        for alias in aliases:
            index.setdefault(header_key(alias), canonical)
    return index


def map_header(row: list[str], columns: dict[str, tuple[str, ...]]) -> dict[int, str]:
    """Column index -> canonical name for the cells of `row` that name a known column."""
    index = alias_index(columns)
    found: dict[int, str] = {}
    for i, cell in enumerate(row):
        key = header_key(cell)
        canonical = index.get(key) or index.get(re.sub(r"\(.*?\)", "", key))
        if canonical and canonical not in found.values():
            found[i] = canonical
    return found


def find_header(rows: list[list[str]], columns: dict[str, tuple[str, ...]],
                required: tuple[str, ...]) -> tuple[int, dict[int, str]] | None:
    """(row index, column map) of the first row that names a required column."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping = map_header(row, columns)
        if any(c in mapping.values() for c in required):
            return i, mapping
    return None


def read_mapped(path: str | Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...],
                what: str) -> tuple[list[tuple[dict[int, str], list[list[str]], int, list[str]]], str]:
    """Each table with a header: (column map, rows after the header, header row number, header
    cells), and the file's SHA-256; `ImportFileError` when no table has a required column."""
    path = Path(path)
    tables = read_tables(path)
    found = []
    for rows in tables:
        hit = find_header(rows, columns, required)
        if hit is not None:
            idx, mapping = hit
            found.append((mapping, rows[idx + 1:], idx + 1, rows[idx]))
    if not found:
        names = " / ".join(columns[c][0] for c in required)
        raise ImportFileError(f"{path.name}：前 {HEADER_SCAN_ROWS} 行中没有含“{names}”列的表头（{what}）；"
                              f"应有的列如：{'、'.join(a[0] for a in columns.values())}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return [(m, rows, n, header) for m, rows, n, header in found], digest


def row_values(row: list[str], mapping: dict[int, str]) -> dict[str, str]:
    return {name: (row[i] if i < len(row) else "").strip() for i, name in mapping.items()}
