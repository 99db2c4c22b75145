"""Store upkeep, run daily (`firewatch store maintain`): snapshot months, retention, statistics.

On PostgreSQL the `snapshots` table is partitioned by month of `observed_at` (migration 13):
`add_snapshot_months` creates the partitions `snapshots_YYYY_MM` for the months ahead, moving any
rows that reached the default partition first, and `drop_snapshot_months` detaches and drops whole
months older than the retention (a month goes in one cheap statement, no table-wide DELETE and no
bloat for VACUUM). On SQLite retention is a DELETE. The process queue's completion log
(`queue_done`) is kept `keep_done_days`. `analyze` refreshes the planner's statistics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

_PART = re.compile(r"^snapshots_(\d{4})_(\d{2})$")


@dataclass
class UpkeepReport:
    """What one run did."""

    added: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    moved_rows: int = 0
    deleted_rows: int = 0
    done_rows: int = 0


def month_start(day: date, shift: int = 0) -> date:
    """The first day of the month `shift` months from `day`'s."""
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def _bound(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def snapshot_months(store) -> list[str]:
    """The monthly partitions of `snapshots` (PostgreSQL), oldest first."""
    rows = store._db.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace "
        "WHERE p.relname = 'snapshots' AND n.nspname = current_schema()")
    return sorted(r[0] for r in rows if _PART.match(r[0]))


def add_snapshot_months(store, today: date, ahead: int, report: UpkeepReport) -> None:
    """Partitions from the month of the oldest row in the default partition (or this month) to
    `ahead` months after this one."""
    have = set(snapshot_months(store))
    oldest = store._db.execute("SELECT MIN(observed_at) FROM snapshots_default").fetchone()[0]
    first = date(int(oldest[:4]), int(oldest[5:7]), 1) if oldest else month_start(today)
    month = min(first, month_start(today))
    last = month_start(today, ahead)
    while month <= last:
        name = f"snapshots_{month.year:04d}_{month.month:02d}"
        if name not in have:
            low, high = _bound(month), _bound(month_start(month, 1))
            with store.transaction() as db:
                # no snapshot of this month may reach the default partition between the move and the attach
                db.execute("LOCK TABLE snapshots_default IN EXCLUSIVE MODE")
                db.execute(f"CREATE TABLE {name} (LIKE snapshots INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                moved = db.execute(
                    f"WITH moved AS (DELETE FROM snapshots_default WHERE observed_at >= ? AND observed_at < ? "
                    f"RETURNING *) INSERT INTO {name} SELECT * FROM moved", (low, high)).rowcount
                db.execute(f"ALTER TABLE snapshots ATTACH PARTITION {name} FOR VALUES FROM ('{low}') TO ('{high}')")
            report.added.append(name)
            report.moved_rows += max(moved, 0)
        month = month_start(month, 1)


def drop_snapshot_months(store, today: date, keep_months: int, report: UpkeepReport) -> None:
    """Drop the months before the last `keep_months` (this month counts as one)."""
    cutoff = _bound(month_start(today, 1 - keep_months))
    for name in snapshot_months(store):
        year, month = _PART.match(name).groups()
        if f"{year}-{month}" < cutoff:
            with store.transaction() as db:
                db.execute(f"ALTER TABLE snapshots DETACH PARTITION {name}")
                db.execute(f"DROP TABLE {name}")
            report.dropped.append(name)
    with store.transaction() as db:
        report.deleted_rows += max(db.execute("DELETE FROM snapshots_default WHERE observed_at < ?",
                                              (cutoff,)).rowcount, 0)


def maintain(store, today: date, months_ahead: int = 3, keep_months: int = 0, analyze: bool = True,
             keep_done_days: int = 0) -> UpkeepReport:
    """One upkeep run; `keep_months` 0 keeps every snapshot, `keep_done_days` 0 the whole completion log."""
    report = UpkeepReport()
    if keep_done_days > 0:
        cutoff = datetime.combine(today - timedelta(days=keep_done_days), time(), timezone.utc).isoformat()
        with store.transaction() as db:
            report.done_rows = max(db.execute("DELETE FROM queue_done WHERE done_at < ?", (cutoff,)).rowcount, 0)
    if store.dialect == "postgresql":
        add_snapshot_months(store, today, months_ahead, report)
        if keep_months > 0:
            drop_snapshot_months(store, today, keep_months, report)
        if analyze:  # the store's own tables, not the whole database's
            for table in store.tables():
                store._db.execute(f"ANALYZE {table}")
    else:
        if keep_months > 0:
            with store.transaction() as db:
                report.deleted_rows = db.execute("DELETE FROM snapshots WHERE observed_at < ?",
                                                 (_bound(month_start(today, 1 - keep_months)),)).rowcount
        if analyze:
            store._db.execute("PRAGMA optimize")
    return report
