"""Spreadsheet downloads of the web app: rows from a keyset pager written to a temporary XLSX or CSV
(`firewatch.core.sheets`, every cell through the one neutraliser) and sent as a file.

`sheet_response(config, fmt, name, title, columns, rows, limit=...)` writes at most `limit` rows (a
last row says when more matched: `cap_note`), sends the file with a Beijing-time stamp in its name
and deletes it afterwards; the caller audits the export with `result.rows`. `keyset(fetch)` turns
a page function into a row iterator, so no export loads all rows at once. Any other download is a
temporary file filled by `write_download` and sent, then deleted, by `send_download`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from firewatch.core.clock import to_beijing, utcnow
from firewatch.core.sheets import CSV_MEDIA, XLSX_MEDIA, ExportResult, write_csv, write_xlsx
from firewatch.web.exceptions import BadRequest

FORMATS = {"xlsx": XLSX_MEDIA, "csv": CSV_MEDIA}
T = TypeVar("T")


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


def write_download(config, prefix: str, suffix: str, write: Callable[[Path], T]) -> tuple[Path, T]:
    """A temporary file in the exports' downloads folder filled by `write(path)`, and what `write`
    returned; the file is removed again when writing fails."""
    folder = Path(config.export_dir) / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    os.close(fd)
    path = Path(tmp)
    try:
        return path, write(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def send_download(path: Path, media_type: str, filename: str) -> FileResponse:
    """`path` as a download named `filename`, deleted once it has been sent."""
    return FileResponse(path, media_type=media_type, filename=filename,
                        background=BackgroundTask(path.unlink, missing_ok=True))


def sheet_response(config, fmt: str, name: str, title: str, columns: Sequence[tuple], rows: Iterable[dict[str, Any]],
                   *, limit: int) -> tuple[FileResponse, ExportResult]:
    """The rows as an XLSX or CSV download (at most `limit`) and what was written."""
    if fmt not in FORMATS:
        raise BadRequest("导出格式应为 xlsx 或 csv")

    def write(path: Path) -> ExportResult:
        if fmt == "xlsx":
            return write_xlsx(path, title, columns, rows, limit=limit, note=cap_note(limit))
        return write_csv(path, columns, rows, limit=limit, note=cap_note(limit))

    path, result = write_download(config, f"{name}-", f".{fmt}", write)
    stamp = to_beijing(utcnow()).strftime("%Y%m%d-%H%M%S")
    return send_download(path, FORMATS[fmt], f"{name}-{stamp}.{fmt}"), result
