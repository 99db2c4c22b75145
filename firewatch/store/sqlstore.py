"""The store of record over one SQL connection: migrations, then the repositories sharing it.

`SQLStore` implements `protocols.Store` for any `db.Database`; `sqlite.SQLiteStore` (one file, WAL)
and `postgres.PostgresStore` (a PostgreSQL schema) differ only in the connection, the dialect of
their migrations' DDL and their integrity check. The repositories share the one connection, so a
write spanning two concerns is still one transaction.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from firewatch.core.exceptions import StoreError
from firewatch.core.models import utcnow
from firewatch.store.alerts import SQLiteAlerts
from firewatch.store.assessments import SQLiteAssessments
from firewatch.store.assist import SQLiteAssist
from firewatch.store.campaign import SQLiteCampaign
from firewatch.store.db import Database, _ts
from firewatch.store.evidence import SQLiteEvidence
from firewatch.store.feedback import SQLiteFeedback
from firewatch.store.listings import SQLiteListings
from firewatch.store.migrations import MIGRATIONS, DataStep
from firewatch.store.notices import SQLiteNotices
from firewatch.store.ocr import SQLiteOcr
from firewatch.store.packs import SQLitePackExports
from firewatch.store.penalties import SQLitePenalties
from firewatch.store.queue import SQLiteQueue
from firewatch.store.references import SQLiteReferences
from firewatch.store.review_stats import SQLiteReviewStats
from firewatch.store.reviews import SQLiteReviews
from firewatch.store.sellers import SQLiteSellers
from firewatch.store.sources import SQLiteSources
from firewatch.store.tips import SQLiteTips
from firewatch.store.users import SQLiteUsers

log = logging.getLogger(__name__)


class SQLStore:
    """The repositories over one `Database`, migrated on opening."""

    def __init__(self, db: Database, name: str, data_dir: Path | None = None):
        self._db = db
        self.name = name  # for messages: the file or the redacted URL
        # the data folder: paths inside it are stored relative to it (None: not known, kept as given)
        self.data_dir = Path(data_dir).resolve() if data_dir is not None else None
        try:
            self._migrate()
        except BaseException:
            db.close()
            raise
        self.listings = SQLiteListings(db)
        self.queue = SQLiteQueue(db)
        self.assessments = SQLiteAssessments(db)
        self.evidence = SQLiteEvidence(db, self.data_dir)
        self.reviews = SQLiteReviews(db)
        self.notices = SQLiteNotices(db, self.data_dir)
        self.alerts = SQLiteAlerts(db)
        self.users = SQLiteUsers(db)
        self.references = SQLiteReferences(db)
        self.sources = SQLiteSources(db)
        self.tips = SQLiteTips(db)
        self.assist = SQLiteAssist(db)
        self.packs = SQLitePackExports(db)
        self.penalties = SQLitePenalties(db)
        self.ocr = SQLiteOcr(db)  # text read in listing images (firewatch.store.ocr)
        self.sellers = SQLiteSellers(db)
        self.campaign = SQLiteCampaign(db)  # the campaign report's counts
        self.feedback = SQLiteFeedback(db)  # reviewers' decisions as training data
        self.review_stats = SQLiteReviewStats(db)  # review precision, flag rate and reason mix by week

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._db.dialect

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self, exclusive: bool = True) -> AbstractContextManager[Any]:
        """The shared connection's transaction (what each repository write runs in); it yields
        something with `execute` and `executemany` taking SQLite-style `?` SQL on either backend."""
        return self._db.transaction(exclusive)

    def ddl(self, sql: str) -> str:
        """A migration statement in this backend's dialect (written for SQLite)."""
        return sql

    def _migrate(self) -> None:
        latest = max(v for v, _, _ in MIGRATIONS)
        try:  # the common case, one read: the store has every migration (numbers given out of order
            # by parallel work, a store may hold a later one without an earlier: then it is applied)
            count, top = self._db.execute("SELECT COUNT(*), MAX(version) FROM schema_migrations").fetchone()
            if top == latest and count == len(MIGRATIONS):
                return
        except self._db.statement_errors:
            pass  # a new store: no table yet
        with self._db.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                       "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        applied = {row[0] for row in self._db.execute("SELECT version FROM schema_migrations")}
        known = {v for v, _, _ in MIGRATIONS}
        if applied - known:
            raise StoreError(f"store {self.name} has schema versions {sorted(applied - known)} newer than this "
                             "firewatch; upgrade firewatch")
        for version, name, sql in MIGRATIONS:
            if version in applied:
                continue
            with self._db.transaction() as db:
                # another process may have applied it since we looked: check under the lock
                if db.execute("SELECT 1 FROM schema_migrations WHERE version=?", (version,)).fetchone():
                    continue
                step = sql if isinstance(sql, DataStep) else None
                if step is not None:
                    sql = step.sql
                if isinstance(sql, dict):  # a migration for one backend only
                    sql = sql.get(self.dialect, "")
                for statement in sql.split(";"):
                    if statement.strip():
                        db.execute(self.ddl(statement))
                if step is not None:
                    step.rewrite(db, self.data_dir)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, _ts(utcnow())))
            log.info("applied migration %s: %s", version, name)

    def schema_versions(self) -> list[int]:
        return [row[0] for row in self._db.execute("SELECT version FROM schema_migrations ORDER BY version")]

    def tables(self) -> list[str]:
        """The store's own tables (schema_migrations included), by name."""
        raise NotImplementedError

    def row_count(self, table: str) -> int:
        """How many rows one of `tables()` holds."""
        return self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def references_of(self, table: str) -> set[str]:
        """The tables `table`'s foreign keys point to."""
        raise NotImplementedError

    def write_rows(self, db: Any, table: str, cols: list[str], rows: list[tuple]) -> None:
        """Insert rows as they are (ids included) inside the transaction `db` (`store.copy`)."""
        db.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)

    def follow_ids(self, db: Any) -> None:
        """After rows were written with their ids, make new ids follow them (nothing to do in SQLite)."""

    def integrity_ok(self) -> bool:
        raise NotImplementedError
