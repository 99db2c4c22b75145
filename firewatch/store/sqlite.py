"""The SQLite store of record (WAL mode): migrations, then the repositories over one connection.

`SQLiteStore` implements `protocols.Store`; its repositories share one `db.SQLiteDatabase`,
so a write spanning two concerns is still one transaction.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

from firewatch.core.exceptions import StoreError
from firewatch.core.models import utcnow
from firewatch.store.alerts import SQLiteAlerts
from firewatch.store.assessments import SQLiteAssessments
from firewatch.store.assist import SQLiteAssist
from firewatch.store.db import SQLiteDatabase, _ts
from firewatch.store.evidence import SQLiteEvidence
from firewatch.store.listings import SQLiteListings
from firewatch.store.migrations import MIGRATIONS
from firewatch.store.notices import SQLiteNotices
from firewatch.store.queue import SQLiteQueue
from firewatch.store.references import SQLiteReferences
from firewatch.store.reviews import SQLiteReviews
from firewatch.store.sources import SQLiteSources
from firewatch.store.tips import SQLiteTips
from firewatch.store.users import SQLiteUsers

log = logging.getLogger(__name__)


class SQLiteStore:
    """The store of record in one SQLite file: the repositories over one `SQLiteDatabase`."""

    def __init__(self, path: Path):
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
        self.sources = SQLiteSources(self._db)
        self.tips = SQLiteTips(self._db)
        self.assist = SQLiteAssist(self._db)

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
