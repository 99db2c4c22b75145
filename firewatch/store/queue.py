"""The process queue: one row per (listing, stage) still to do, claimed by workers in batches.

Stages complete by deleting their own row in the same transaction that saves their result
(`complete_in`, used by the listings, assessments and evidence repositories), so a crash
between stages loses nothing. A failed attempt is counted and the row stays for a later run.

Several `firewatch process` workers (on any machines) share one queue through claims: a worker
`claim`s a batch, marking each row `claimed_by` = its worker id until `claimed_until` (its
lease); nobody else claims a row whose lease is running. On PostgreSQL the claim selects with
`FOR UPDATE SKIP LOCKED` in a transaction that does not wait for the store's writer turn, so
concurrent claimers skip each other's rows instead of waiting (the claim never waits for a lock,
so it cannot deadlock); on SQLite the `BEGIN IMMEDIATE` writer lock makes the select-and-mark one
atomic step. A worker that dies keeps its rows only until its lease runs out; then any worker
claims them. A completion by a worker (`worker=` given) deletes the row only while that worker
still holds it, else raises `ClaimLost` inside the transaction, which rolls back the stage's
result with it (`take_in` and `complete_held` skip such a row instead, for batches): a worker
whose lease expired and was taken over cannot complete the listing a second time. Every
completion that deleted a row is logged in `queue_done` (listing, stage, worker, time) in that
same transaction, so a stage's committed effects per listing can be counted. Queueing a row
again (its content changed) clears its claim: the holder's result, from older content, is refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from firewatch.core.exceptions import ClaimLost
from firewatch.core.models import utcnow
from firewatch.store.db import Database, _ts, lock_listing_in

Key = tuple[str, str]


def _stamp(value: datetime) -> str:
    """A lease time as ISO UTC text with a fixed width, so text order is time order."""
    return value.isoformat(timespec="microseconds")


def enqueue_in(db: Any, key: Key, stage: str, now: datetime) -> None:
    """Queue `stage` of a listing inside the caller's transaction (a re-queue resets its attempts
    and clears its claim)."""
    lock_listing_in(db, key)
    db.execute(
        "INSERT INTO queue (platform, listing_id, stage, enqueued_at) VALUES (?,?,?,?) "
        "ON CONFLICT (platform, listing_id, stage) DO UPDATE SET attempts=0, last_error='', "
        "claimed_by='', claimed_until=''",
        (key[0], key[1], stage, _ts(now)),
    )


def take_in(db: Any, key: Key, stage: str, worker: str | None = None) -> bool:
    """Delete a listing's `stage` row (with `worker`, only while that worker holds its claim) and
    log the completion in `queue_done`, inside the caller's transaction; whether a row was deleted."""
    lock_listing_in(db, key)
    sql, args = "DELETE FROM queue WHERE platform=? AND listing_id=? AND stage=?", (key[0], key[1], stage)
    if worker is not None:
        sql, args = sql + " AND claimed_by=?", (*args, worker)
    if not db.execute(sql, args).rowcount:
        return False
    db.execute("INSERT INTO queue_done (platform, listing_id, stage, worker, done_at) VALUES (?,?,?,?,?)",
               (key[0], key[1], stage, worker or "", _ts(utcnow())))
    return True


def complete_in(db: Any, key: Key, stage: str, next_stages: tuple[str, ...], worker: str | None = None) -> None:
    """Delete a listing's `stage` row and queue `next_stages`, inside the caller's transaction.

    With `worker`, only while that worker holds the row's claim; else `ClaimLost` (raised inside
    the transaction, so the caller's whole write is rolled back). A deleted row is logged in
    `queue_done`."""
    if not take_in(db, key, stage, worker) and worker is not None:
        raise ClaimLost(f"{stage} {key[0]}:{key[1]} is no longer claimed by {worker} (lease expired and "
                        "taken over, done elsewhere, or queued again); its result was not saved")
    now = utcnow()
    for nxt in next_stages:
        enqueue_in(db, key, nxt, now)


class SQLiteQueue:
    """`protocols.QueueRepository` over the store's `db.Database` (SQLite or PostgreSQL: the claim
    adds `FOR UPDATE SKIP LOCKED` when its dialect is "postgresql")."""

    def __init__(self, db: Database):
        self._db = db

    @property
    def _skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED" if self._db.dialect == "postgresql" else ""

    def enqueue(self, key: Key, stage: str) -> None:
        with self._db.transaction() as db:
            enqueue_in(db, key, stage, utcnow())

    def enqueue_missing(self, keys: list[Key], stage: str, max_attempts: int = 3) -> int:
        """Queue `stage` for those of `keys` not queued for it already; a row still being tried keeps its
        attempts and claim, one that used up `max_attempts` (dead) starts again. Returns how many were
        added or started again."""
        added = 0
        now = _ts(utcnow())
        with self._db.transaction() as db:
            for key in keys:
                lock_listing_in(db, key)
                added += db.execute("INSERT INTO queue (platform, listing_id, stage, enqueued_at) VALUES (?,?,?,?) "
                                    "ON CONFLICT (platform, listing_id, stage) DO UPDATE SET attempts=0, "
                                    "last_error='', enqueued_at=excluded.enqueued_at "
                                    "WHERE queue.attempts >= ? AND queue.claimed_by=''",
                                    (key[0], key[1], stage, now, int(max_attempts))).rowcount
        return added

    def pending(self, stage: str, limit: int | None = None, max_attempts: int = 3) -> list[Key]:
        """Queued keys of `stage` (claimed or not), oldest first; with a `limit`, the platforms take
        turns (see `_oldest_in_turns`)."""
        if not limit:
            sql = ("SELECT platform, listing_id FROM queue WHERE stage=? AND attempts<? "
                   "ORDER BY enqueued_at, platform, listing_id")
            return [(r[0], r[1]) for r in self._db.execute(sql, (stage, max_attempts))]
        return self._oldest_in_turns(self._db, stage, int(limit), max_attempts, None)

    def _oldest_in_turns(self, db: Any, stage: str, limit: int, max_attempts: int, now: str | None) -> list[Key]:
        """The oldest `limit` keys of `stage`, the platforms taking turns (the first of each
        platform, then the second of each...), so one platform's backlog does not keep the
        others' evidence waiting. With `now`, only rows unclaimed or whose lease ended before it,
        locked for this transaction on PostgreSQL (others skip them)."""
        platforms = [r[0] for r in db.execute("SELECT DISTINCT platform FROM queue WHERE stage=?", (stage,))]
        where, args = "stage=? AND attempts<? AND platform=?", (stage, max_attempts)
        lock = ""
        if now is not None:
            where, lock = where + " AND (claimed_until='' OR claimed_until<?)", self._skip_locked
        # the oldest `limit` of each platform (a top-N each, cheap at a million queued rows), in turns
        oldest = [db.execute(
            f"SELECT enqueued_at, platform, listing_id FROM queue WHERE {where} "
            f"ORDER BY enqueued_at, listing_id LIMIT {int(limit)}{lock}",
            (*args, p) if now is None else (*args, p, now)).fetchall()
            for p in platforms]
        turns = sorted((turn, tuple(row)) for rows in oldest for turn, row in enumerate(rows))
        return [(row[1], row[2]) for _, row in turns[:int(limit)]]

    def claim(self, stage: str, worker: str, limit: int, lease: float, max_attempts: int = 3) -> list[Key]:
        """Claim up to `limit` claimable rows of `stage` for `worker` for `lease` seconds (in
        turns per platform, oldest first), in one transaction; returns their keys (empty: none
        left that nobody holds)."""
        now = utcnow()
        until = _stamp(now + timedelta(seconds=lease))
        free = self._db.execute(  # a read first: an idle worker's poll takes no write lock
            "SELECT 1 FROM queue WHERE stage=? AND attempts<? AND (claimed_until='' OR claimed_until<?) LIMIT 1",
            (stage, max_attempts, _stamp(now))).fetchone()
        if free is None:
            return []
        # not the store's writer turn (PostgreSQL's advisory lock): row locks, skipping others', suffice
        with self._db.transaction(exclusive=False) as db:
            keys = self._oldest_in_turns(db, stage, max(1, int(limit)), max_attempts, _stamp(now))
            for key in keys:
                db.execute("UPDATE queue SET claimed_by=?, claimed_until=? WHERE platform=? AND listing_id=? AND stage=?",
                           (worker, until, key[0], key[1], stage))
        return keys

    def extend(self, worker: str, lease: float) -> int:
        """Renew every claim `worker` holds for `lease` seconds from now (its heartbeat); returns how many."""
        until = _stamp(utcnow() + timedelta(seconds=lease))
        with self._db.transaction() as db:
            return db.execute("UPDATE queue SET claimed_until=? WHERE claimed_by=?", (until, worker)).rowcount

    def release(self, worker: str) -> int:
        """Give back every claim `worker` holds (rows it did not complete stay queued); returns how many."""
        with self._db.transaction() as db:
            return db.execute("UPDATE queue SET claimed_by='', claimed_until='' WHERE claimed_by=?",
                              (worker,)).rowcount

    def claims(self, stage: str | None = None) -> dict[str, int]:
        """Rows held per worker (leases running or not), for one stage or all."""
        sql, args = "SELECT claimed_by, COUNT(*) FROM queue WHERE claimed_by<>''", ()
        if stage is not None:
            sql, args = sql + " AND stage=?", (stage,)
        return {r[0]: r[1] for r in self._db.execute(sql + " GROUP BY claimed_by", args)}

    def held(self, worker: str, stage: str | None = None) -> list[Key]:
        """The keys `worker` holds (of one stage or all), whether its leases are running or not."""
        sql, args = "SELECT platform, listing_id FROM queue WHERE claimed_by=?", (worker,)
        if stage is not None:
            sql, args = sql + " AND stage=?", (worker, stage)
        return [(r[0], r[1]) for r in self._db.execute(sql + " ORDER BY platform, listing_id", args)]

    def completions(self, stage: str) -> list[tuple[Key, str]]:
        """Every completion of `stage` logged in `queue_done` (each one committed result), as (key,
        worker id; '' for a completion that named no worker), oldest first."""
        rows = self._db.execute(
            "SELECT platform, listing_id, worker FROM queue_done WHERE stage=? ORDER BY id", (stage,))
        return [((r[0], r[1]), r[2]) for r in rows]

    def queue_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self._db.execute("SELECT stage, COUNT(*) FROM queue GROUP BY stage")}

    def complete_stage(self, key: Key, stage: str, next_stages: tuple[str, ...] = (),
                       worker: str | None = None) -> None:
        """Complete `stage` (queueing `next_stages`); with `worker`, only while it holds the claim (else `ClaimLost`)."""
        with self._db.transaction() as db:
            complete_in(db, key, stage, next_stages, worker)

    def complete_held(self, keys: list[Key], stage: str, worker: str) -> list[Key]:
        """Complete `stage` of every key `worker` still holds, in one transaction; returns the
        keys it no longer held (nothing done for them)."""
        with self._db.transaction() as db:
            return [key for key in keys if not take_in(db, key, stage, worker)]

    def fail_stage(self, key: Key, stage: str, error: str, worker: str | None = None) -> bool:
        """Count a failed attempt; the row stays for a later run (up to max_attempts). With
        `worker`, only while it holds the claim, which it keeps (so it does not retry the row in
        this drain) until it releases its claims; False when it no longer held it."""
        sql = "UPDATE queue SET attempts=attempts+1, last_error=? WHERE platform=? AND listing_id=? AND stage=?"
        args: tuple = (error[:2000], key[0], key[1], stage)
        if worker is not None:
            sql, args = sql + " AND claimed_by=?", (*args, worker)
        with self._db.transaction() as db:
            return bool(db.execute(sql, args).rowcount)

    def requeue(self, key: Key, stage: str, error: str, worker: str | None = None) -> bool:
        """Send a row to the back of its stage (attempts untouched: e.g. a blocked capture); with
        `worker`, only while it holds the claim, which it keeps until it releases its claims;
        False when it no longer held it (or the row is gone)."""
        sql = "UPDATE queue SET enqueued_at=?, last_error=? WHERE platform=? AND listing_id=? AND stage=?"
        args: tuple = (_ts(utcnow()), error[:2000], key[0], key[1], stage)
        if worker is not None:
            sql, args = sql + " AND claimed_by=?", (*args, worker)
        with self._db.transaction() as db:
            return bool(db.execute(sql, args).rowcount)
