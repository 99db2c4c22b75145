"""Streamed spreadsheet exports: rows in, an XLSX or CSV file out, every text cell neutralised.

`write_xlsx(path, title, columns, rows, limit=..., note=...)` writes with openpyxl's write-only
workbook (rows go to disk as they come, so memory stays flat however long the export) and
`write_csv(path, columns, rows, limit=...)` a UTF-8 CSV with a BOM (Excel reads the Chinese). Both
take `columns` as (key, Chinese header[, width]) and rows as dicts from any iterator (a keyset
pager), stop after `limit` rows and return an `ExportResult` saying how many were written and
whether more were left out; the XLSX then ends with a row saying so (the `note`), the CSV too.
Cells go through `firewatch.core.cells`, so seller text never runs as a formula.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from firewatch.core.cells import csv_cell, set_xlsx_text

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class ExportResult:
    rows: int  # data rows written
    truncated: bool  # more rows matched than the limit allowed


def _value(row: dict[str, Any], key: str) -> Any:
    value = row.get(key, "")
    if isinstance(value, (list, tuple)):
        return " ".join(map(str, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def _capped(rows: Iterable[dict[str, Any]], limit: int):
    """(row, None) for up to `limit` rows, then (None, True) once when one more existed."""
    for n, row in enumerate(rows):
        if n >= limit:
            yield None, True
            return
        yield row, False


def write_xlsx(path: str | os.PathLike[str], title: str, columns: Sequence[tuple], rows: Iterable[dict[str, Any]], *,
               limit: int, note: str = "") -> ExportResult:
    """Write the rows to an XLSX at `path` (write-only, streamed); at most `limit` rows, then `note`."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for i, column in enumerate(columns):
        if len(column) > 2:
            ws.column_dimensions[get_column_letter(i + 1)].width = column[2]
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws)
        set_xlsx_text(cell, column[1])
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    written, truncated = 0, False
    for row, more in _capped(rows, limit):
        if more:
            truncated = True
            break
        cells = []
        for column in columns:
            cell = WriteOnlyCell(ws)
            set_xlsx_text(cell, _value(row, column[0]))
            cells.append(cell)
        ws.append(cells)
        written += 1
    if truncated and note:
        cell = WriteOnlyCell(ws)
        set_xlsx_text(cell, note)
        cell.font = Font(bold=True, color="FFB00020")
        ws.append([cell])
    tmp = f"{os.fspath(path)}.part"
    wb.save(tmp)
    os.replace(tmp, path)
    return ExportResult(written, truncated)


def write_csv(path: str | os.PathLike[str], columns: Sequence[tuple], rows: Iterable[dict[str, Any]], *,
              limit: int, note: str = "") -> ExportResult:
    """Write the rows to a CSV at `path` (UTF-8 with BOM); at most `limit` rows, then `note`."""
    tmp = f"{os.fspath(path)}.part"
    written, truncated = 0, False
    with open(tmp, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([column[1] for column in columns])
        for row, more in _capped(rows, limit):
            if more:
                truncated = True
                break
            writer.writerow([csv_cell(_value(row, column[0])) for column in columns])
            written += 1
        if truncated and note:
            writer.writerow([csv_cell(note)])
    os.replace(tmp, path)
    return ExportResult(written, truncated)


def csv_bytes(columns: Sequence[tuple], rows: Iterable[dict[str, Any]]) -> bytes:
    """A small CSV in memory (UTF-8 with BOM), every cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([column[1] for column in columns])
    for row in rows:
        writer.writerow([csv_cell(_value(row, column[0])) for column in columns])
    return buf.getvalue().encode("utf-8-sig")
