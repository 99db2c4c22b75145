"""One SQLite connection (WAL, foreign keys on) and its transactions, shared by a store's repositories.

Every write is one transaction (`BEGIN IMMEDIATE` ... `COMMIT`), so a process killed at any
moment leaves the whole write or none of it. Times are stored as ISO text (`_ts`, `_parse_ts`).
`Database` is what the repositories need of a connection; `pgdb.PostgresDatabase` is the other one.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import sqlite3
import time
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Protocol

from firewatch.core.exceptions import StoreError

log = logging.getLogger(__name__)


def _ts(value: datetime) -> str:
    return value.isoformat()


def _parse_ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Database(Protocol):
    """A store's one connection: statements outside a transaction commit by themselves;
    `transaction()` yields something with `execute` and `executemany` (SQLite-style `?` SQL)."""

    dialect: str
    integrity_errors: tuple[type[BaseException], ...]
    statement_errors: tuple[type[BaseException], ...]

    def execute(self, sql: str, args: Any = ()) -> Any: ...
    def transaction(self, exclusive: bool = True) -> AbstractContextManager[Any]: ...
    def try_lock(self, name: str) -> AbstractContextManager[bool]: ...
    def stream(self, sql: str, batch: int = 5000) -> Iterator[Any]: ...
    def close(self) -> None: ...


def lock_listing_in(db: Any, key: tuple[str, str]) -> None:
    """Hold the listing's lock until the caller's transaction ends. Every write of a listing's own
    rows (listing, snapshots, queue, triage) takes it first, so a re-crawl and a worker's batch
    touch one listing's rows in turn and never in opposite orders (which would deadlock on
    PostgreSQL), while writers of other listings go on (`transaction(exclusive=False)`). Taking it
    twice in one transaction is free. SQLite's single writer lock already serialises every write:
    nothing to do there."""
    lock = getattr(db, "lock", None)  # only a PgConnection has one
    if lock is not None:
        lock(f"listing:{key[0]}:{key[1]}")


class SQLiteDatabase:
    """One SQLite connection (WAL, foreign keys on) and its transactions, shared by the
    repositories of a store. Outside a transaction each statement commits by itself."""

    dialect = "sqlite"
    integrity_errors: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
    statement_errors: tuple[type[BaseException], ...] = (sqlite3.OperationalError,)

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
    def transaction(self, exclusive: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; SQLite has one writer at a time whatever `exclusive` says."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")

    def stream(self, sql: str, batch: int = 5000) -> Iterator[sqlite3.Row]:
        """Every row of a query, read as it goes (SQLite's cursor steps through the table)."""
        cur = self._conn.execute(sql)
        while chunk := cur.fetchmany(batch):
            yield from chunk

    @contextmanager
    def try_lock(self, name: str) -> Iterator[bool]:
        """An advisory lock on a file beside the store: yields True while held, False at once
        when another process or thread holds it; the OS releases it if the holder dies."""
        if str(self.path) == ":memory:":
            yield True
            return
        fd = os.open(f"{self.path}.{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def close(self) -> None:
        self._conn.close()
