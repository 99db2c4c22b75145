"""Evidence-pack exports of a case, run in the background: one row per export with its state.

An export is 'running' (with progress: `done` of `total` steps and the current `stage`), then 'done'
(the pack's path relative to the data folder, SHA-256, size) or 'failed' (a Chinese reason). `start`
reuses a finished export of the same inputs (`inputs_sha256`: the case's listings as they would be
packed) or one still running instead of starting a second, in one transaction. Whether a running
export's process is still alive is for the caller to judge (`worker`, `updated_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from firewatch.core.clock import iso, parse_iso, utcnow
from firewatch.store.db import SQLiteDatabase


@dataclass
class PackExport:
    id: int
    case_id: int
    inputs_sha256: str
    requested_by: str
    requested_at: datetime
    state: str  # running, done, failed
    worker: str
    done: int
    total: int
    stage: str
    updated_at: datetime
    finished_at: datetime | None
    path: str
    sha256: str
    size: int
    listings: int
    error: str


def _export(r: Any) -> PackExport:
    return PackExport(id=int(r["id"]), case_id=int(r["case_id"]), inputs_sha256=r["inputs_sha256"],
                      requested_by=r["requested_by"], requested_at=parse_iso(r["requested_at"]), state=r["state"],
                      worker=r["worker"], done=int(r["done"]), total=int(r["total"]), stage=r["stage"],
                      updated_at=parse_iso(r["updated_at"]), finished_at=parse_iso(r["finished_at"]), path=r["path"],
                      sha256=r["sha256"], size=int(r["size"]), listings=int(r["listings"]), error=r["error"])


class SQLitePackExports:
    """`protocols.PackExportRepository` in SQL (both engines)."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    def start(self, case_id: int, inputs_sha256: str, requested_by: str, worker: str, total: int,
              reusable=lambda e: True) -> tuple[PackExport, bool]:
        """(export, started): the newest done or running export of the same inputs that `reusable`
        accepts, else a new running one (started=True)."""
        with self._db.transaction() as db:
            rows = db.execute("SELECT * FROM pack_exports WHERE case_id=? AND inputs_sha256=? AND state IN ('done','running') "
                              "ORDER BY id DESC LIMIT 5", (int(case_id), inputs_sha256)).fetchall()
            for r in rows:
                if reusable(_export(r)):
                    return _export(r), False
            now = iso(utcnow())
            new_id = db.execute(
                "INSERT INTO pack_exports (case_id, inputs_sha256, requested_by, requested_at, state, worker, total, "
                "updated_at) VALUES (?,?,?,?, 'running', ?,?,?) RETURNING id",
                (int(case_id), inputs_sha256, requested_by, now, worker, int(total), now)).fetchone()[0]
            row = db.execute("SELECT * FROM pack_exports WHERE id=?", (int(new_id),)).fetchone()
        return _export(row), True

    def progress(self, export_id: int, done: int, total: int, stage: str) -> None:
        with self._db.transaction(exclusive=False) as db:
            db.execute("UPDATE pack_exports SET done=?, total=?, stage=?, updated_at=? WHERE id=? AND state='running'",
                       (int(done), int(total), stage, iso(utcnow()), int(export_id)))

    def finish(self, export_id: int, *, path: str, sha256: str, size: int, listings: int) -> None:
        now = iso(utcnow())
        with self._db.transaction() as db:
            db.execute("UPDATE pack_exports SET state='done', done=total, stage='', path=?, sha256=?, size=?, listings=?, "
                       "updated_at=?, finished_at=? WHERE id=? AND state='running'",
                       (path, sha256, int(size), int(listings), now, now, int(export_id)))

    def fail(self, export_id: int, error: str) -> None:
        now = iso(utcnow())
        with self._db.transaction() as db:
            db.execute("UPDATE pack_exports SET state='failed', error=?, updated_at=?, finished_at=? "
                       "WHERE id=? AND state='running'", (error[:1000], now, now, int(export_id)))

    def get(self, export_id: int) -> PackExport | None:
        r = self._db.execute("SELECT * FROM pack_exports WHERE id=?", (int(export_id),)).fetchone()
        return None if r is None else _export(r)

    def of_case(self, case_id: int, limit: int = 20) -> list[PackExport]:
        """The case's exports, newest first (by index)."""
        rows = self._db.execute("SELECT * FROM pack_exports WHERE case_id=? ORDER BY id DESC LIMIT ?",
                                (int(case_id), int(limit))).fetchall()
        return [_export(r) for r in rows]
