"""The SQLite store of record (WAL mode): one connection, migrations, and the repositories.

`SQLiteDatabase` is the one connection of a store; every repository gets it and makes each
write one transaction (`BEGIN IMMEDIATE` ... `COMMIT`), so a process killed at any moment
leaves either the whole write or none of it. `SQLiteStore` implements `protocols.Store`.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterator

from firewatch.core.exceptions import StoreError
from firewatch.core.models import utcnow
from firewatch.store.migrations import MIGRATIONS
from firewatch.store.protocols import (
    AlertRepository,
    AssessmentRepository,
    EvidenceRepository,
    ListingRepository,
    NoticeRepository,
    QueueRepository,
    ReferenceRepository,
    ReviewRepository,
    UserRepository,
)

log = logging.getLogger(__name__)


def to_fen(value: Decimal | None) -> int | None:
    """Yuan as Decimal to integer fen (half up); None stays None."""
    if value is None:
        return None
    return int((Decimal(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_fen(value: int | None) -> Decimal | None:
    return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


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


class SQLiteStore:
    """The store of record in one SQLite file: the repositories over one `SQLiteDatabase`."""

    listings: ListingRepository
    queue: QueueRepository
    assessments: AssessmentRepository
    evidence: EvidenceRepository
    reviews: ReviewRepository
    notices: NoticeRepository
    alerts: AlertRepository
    users: UserRepository
    references: ReferenceRepository

    def __init__(self, path: Path):
        # imported here: the repositories' modules use the encodings defined above
        from firewatch.store.alerts import SQLiteAlerts
        from firewatch.store.assessments import SQLiteAssessments
        from firewatch.store.evidence import SQLiteEvidence
        from firewatch.store.listings import SQLiteListings
        from firewatch.store.notices import SQLiteNotices
        from firewatch.store.queue import SQLiteQueue
        from firewatch.store.references import SQLiteReferences
        from firewatch.store.reviews import SQLiteReviews
        from firewatch.store.users import SQLiteUsers

        self.path = Path(path)
        self._db = SQLiteDatabase(self.path)
        self._migrate()
        self.listings = SQLiteListings(self._db)
        self.queue = SQLiteQueue(self._db)
        self.assessments = SQLiteAssessments(self._db)
        self.evidence = SQLiteEvidence(self._db)
        self.reviews = SQLiteReviews(self._db)
        self.notices = SQLiteNotices(self._db)
        self.alerts = SQLiteAlerts(self._db)
        self.users = SQLiteUsers(self._db)
        self.references = SQLiteReferences(self._db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """The shared connection's transaction (what each repository write runs in)."""
        return self._db.transaction()

    def _migrate(self) -> None:
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in self._db.execute("SELECT version FROM schema_migrations")}
        known = {v for v, _, _ in MIGRATIONS}
        if applied - known:
            raise StoreError(f"store {self.path} has schema versions {sorted(applied - known)} newer than this firewatch; upgrade firewatch")
        for version, name, sql in MIGRATIONS:
            if version in applied:
                continue
            with self._db.transaction() as db:
                # another process may have applied it since we looked: check under the lock
                if db.execute("SELECT 1 FROM schema_migrations WHERE version=?", (version,)).fetchone():
                    continue
                for statement in sql.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, _ts(utcnow())))
            log.info("applied migration %s: %s", version, name)

    def schema_versions(self) -> list[int]:
        return [row[0] for row in self._db.execute("SELECT version FROM schema_migrations ORDER BY version")]

    def integrity_ok(self) -> bool:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
