"""Spreadsheet downloads of the web app: rows from a keyset pager written to a temporary XLSX or CSV
(`firewatch.core.sheets`, every cell through the one neutraliser) and sent as a file.

`sheet_response(config, fmt, name, title, columns, rows, limit=...)` writes at most `limit` rows (a
last row says when more matched: `cap_note`), sends the file with a Beijing-time stamp in its name
and deletes it afterwards; the caller audits the export with `result.rows`. `keyset(fetch)` turns
a page function into a row iterator, so no export loads all rows at once.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from firewatch.core.clock import to_beijing, utcnow
from firewatch.core.sheets import CSV_MEDIA, XLSX_MEDIA, ExportResult, write_csv, write_xlsx
from firewatch.web.exceptions import BadRequest

FORMATS = {"xlsx": XLSX_MEDIA, "csv": CSV_MEDIA}


def cap_note(limit: int) -> str:
    return f"（仅导出前 {limit} 行：符合条件的记录更多，请缩小筛选范围后分批导出）"


def keyset(fetch: Callable[[Any], tuple[list[dict[str, Any]], Any]]) -> Iterator[dict[str, Any]]:
    """Rows page after page: `fetch(position)` returns (rows, next position or None); starts at None."""
    position = None
    while True:
        rows, position = fetch(position)
        yield from rows
        if position is None or not rows:
            return


def sheet_response(config, fmt: str, name: str, title: str, columns: Sequence[tuple], rows: Iterable[dict[str, Any]],
                   *, limit: int) -> tuple[FileResponse, ExportResult]:
    """The rows as an XLSX or CSV download (at most `limit`) and what was written."""
    if fmt not in FORMATS:
        raise BadRequest("导出格式应为 xlsx 或 csv")
    folder = Path(config.export_dir) / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{name}-", suffix=f".{fmt}", dir=folder)
    os.close(fd)
    try:
        if fmt == "xlsx":
            result = write_xlsx(tmp, title, columns, rows, limit=limit, note=cap_note(limit))
        else:
            result = write_csv(tmp, columns, rows, limit=limit, note=cap_note(limit))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    stamp = to_beijing(utcnow()).strftime("%Y%m%d-%H%M%S")
    response = FileResponse(tmp, media_type=FORMATS[fmt], filename=f"{name}-{stamp}.{fmt}",
                            background=BackgroundTask(Path(tmp).unlink, missing_ok=True))
    return response, result
