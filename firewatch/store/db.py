"""One SQLite connection (WAL, foreign keys on) and its transactions, shared by a store's repositories.

Every write is one transaction (`BEGIN IMMEDIATE` ... `COMMIT`), so a process killed at any
moment leaves the whole write or none of it. Times are stored as ISO text (`_ts`, `_parse_ts`).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from firewatch.core.exceptions import StoreError

log = logging.getLogger(__name__)


def _ts(value: datetime) -> str:
    return value.isoformat()


def _parse_ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class SQLiteDatabase:
    """One SQLite connection (WAL, foreign keys on) and its transactions, shared by the
    repositories of a store. Outside a transaction each statement commits by itself."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}; check the path in store.url") from exc
        self._conn.row_factory = sqlite3.Row
        self._enable_wal()
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")

    def _enable_wal(self, patience: float = 30.0) -> None:
        """Switch a new file to WAL. Changing the journal mode takes an exclusive lock and
        SQLite does not wait for it, so processes opening a new store together retry."""
        deadline = time.monotonic() + patience
        while True:
            try:
                if self._conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self._conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise StoreError(f"cannot switch store {self.path} to WAL: {exc}") from exc
                time.sleep(0.05)

    def execute(self, sql: str, args: Any = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, args)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()
