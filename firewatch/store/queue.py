"""The process queue in SQLite: one row per (listing, stage) still to do.

Stages complete by deleting their own row in the same transaction that saves their result
(`complete_in`, used by the listings, assessments and evidence repositories), so a crash
between stages loses nothing. A failed attempt is counted and the row stays for a later run.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from firewatch.core.models import utcnow
from firewatch.store.db import SQLiteDatabase, _ts


def enqueue_in(db: sqlite3.Connection, key: tuple[str, str], stage: str, now: datetime) -> None:
    """Queue `stage` of a listing inside the caller's transaction (a re-queue resets its attempts)."""
    db.execute(
        "INSERT INTO queue (platform, listing_id, stage, enqueued_at) VALUES (?,?,?,?) "
        "ON CONFLICT (platform, listing_id, stage) DO UPDATE SET attempts=0, last_error=''",
        (key[0], key[1], stage, _ts(now)),
    )


def complete_in(db: sqlite3.Connection, key: tuple[str, str], stage: str, next_stages: tuple[str, ...]) -> None:
    """Delete a listing's `stage` row and queue `next_stages`, inside the caller's transaction."""
    db.execute("DELETE FROM queue WHERE platform=? AND listing_id=? AND stage=?", (*key, stage))
    now = utcnow()
    for nxt in next_stages:
        enqueue_in(db, key, nxt, now)


class SQLiteQueue:
    """`protocols.QueueRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    def enqueue(self, key: tuple[str, str], stage: str) -> None:
        with self._db.transaction() as db:
            enqueue_in(db, key, stage, utcnow())

    def pending(self, stage: str, limit: int | None = None, max_attempts: int = 3) -> list[tuple[str, str]]:
        """Queued keys of `stage`, oldest first; with a `limit`, the platforms take turns (the first
        of each platform, then the second of each...), so one platform's backlog does not keep
        the others' evidence waiting."""
        sql = "SELECT platform, listing_id FROM queue WHERE stage=? AND attempts<? ORDER BY enqueued_at, platform, listing_id"
        if not limit:
            return [(r[0], r[1]) for r in self._db.execute(sql, (stage, max_attempts))]
        # the oldest `limit` of each platform (a top-N each, cheap at a million queued rows), in turns
        platforms = [r[0] for r in self._db.execute("SELECT DISTINCT platform FROM queue WHERE stage=?", (stage,))]
        oldest = [self._db.execute(
            "SELECT enqueued_at, platform, listing_id FROM queue WHERE stage=? AND attempts<? AND platform=? "
            f"ORDER BY enqueued_at, listing_id LIMIT {int(limit)}", (stage, max_attempts, p)).fetchall()
            for p in platforms]
        turns = sorted((turn, tuple(row)) for rows in oldest for turn, row in enumerate(rows))
        return [(row[1], row[2]) for _, row in turns[:int(limit)]]

    def queue_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self._db.execute("SELECT stage, COUNT(*) FROM queue GROUP BY stage")}

    def complete_stage(self, key: tuple[str, str], stage: str, next_stages: tuple[str, ...] = ()) -> None:
        with self._db.transaction() as db:
            complete_in(db, key, stage, next_stages)

    def fail_stage(self, key: tuple[str, str], stage: str, error: str) -> None:
        """Count a failed attempt; the row stays for a later run (up to max_attempts)."""
        with self._db.transaction() as db:
            db.execute(
                "UPDATE queue SET attempts=attempts+1, last_error=? WHERE platform=? AND listing_id=? AND stage=?",
                (error[:2000], *key, stage),
            )
