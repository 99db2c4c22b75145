"""Copy one store into another, empty one (SQLite to PostgreSQL, or back), verified table by table.

`copy_store(source, target, progress)` copies every table in one target transaction (all or
nothing), parents before the tables that reference them, keeping ids, then moves the target's
id sequences past the copied ids. `verify_copy` compares each table's row count and a checksum
that does not depend on row order or collation: the sum, modulo 2**256, of each row's SHA-256
over its typed values. Evidence files, tips and exports stay where they are (the data folder).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from firewatch.core.exceptions import StoreError

BATCH = 5000
_MOD = 2 ** 256


@dataclass(frozen=True)
class TableCheck:
    """One table's rows and checksum on both sides."""

    table: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sum == self.target_sum


def _rows(store, table: str) -> Iterator[tuple]:
    return (tuple(r) for r in store._db.stream(f"SELECT * FROM {table}", BATCH))


def columns(store, table: str) -> list[str]:
    cur = store._db.execute(f"SELECT * FROM {table} LIMIT 0")
    cur.fetchall()
    return [d[0] for d in cur.description]


def copy_order(store) -> list[str]:
    """The store's data tables, each after the tables it references. Not copied: schema_migrations
    (the target has its own) and the scheduler's job store (`apscheduler_*`, in the same database;
    `firewatch schedule run` writes the jobs again from the settings)."""
    tables = [t for t in store.tables() if t != "schema_migrations" and not t.startswith("apscheduler_")]
    parents = {t: store.references_of(t) & set(tables) - {t} for t in tables}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and parents[t] <= set(ordered)]
        if not ready:
            raise StoreError(f"the store's tables reference each other in a cycle: {sorted(set(tables) - set(ordered))}")
        ordered.extend(ready)
    return ordered


def _value_text(value: Any) -> str:
    if value is None:
        return "n"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, float)):
        return f"{type(value).__name__[0]}{value!r}"
    if isinstance(value, bytes):
        return "b" + value.hex()
    return "s" + str(value)


def table_checksum(store, table: str) -> tuple[int, str]:
    """(rows, checksum) of one table: order- and collation-independent."""
    total = count = 0
    for row in _rows(store, table):
        digest = hashlib.sha256(json.dumps([_value_text(v) for v in row], ensure_ascii=False).encode()).digest()
        total = (total + int.from_bytes(digest, "big")) % _MOD
        count += 1
    return count, f"{total:064x}"


def copy_store(source, target, progress: Callable[[str, int, int], Any] | None = None) -> dict[str, int]:
    """Copy every row of `source` into the empty `target` (same schema version); rows per table.
    `progress(table, done, total)` is called as rows go. Raises StoreError and copies nothing
    when the target is not empty or is at another schema version."""
    if source.schema_versions() != target.schema_versions():
        raise StoreError(f"两库的架构版本不同（源 {source.schema_versions()[-1:]}，目标 {target.schema_versions()[-1:]}）："
                         "请在两边使用同一版本的 firewatch (schema versions differ)")
    order = copy_order(source)
    missing = set(order) - set(target.tables())
    if missing:
        raise StoreError(f"目标库缺少这些表：{sorted(missing)} (the target lacks tables)")
    busy = [t for t in order if target._db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() is not None]
    if busy:
        raise StoreError(f"目标库不是空的（表 {', '.join(busy[:5])} 已有数据），未复制任何行：请复制到新建的空库或空 schema "
                         "(the target store is not empty)")
    copied: dict[str, int] = {}
    with target.transaction() as db:
        for table in order:
            cols = columns(source, table)
            total = source.row_count(table)
            done = 0
            batch: list[tuple] = []
            for row in _rows(source, table):
                batch.append(row)
                if len(batch) >= BATCH:
                    target.write_rows(db, table, cols, batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(table, done, total)
            if batch:
                target.write_rows(db, table, cols, batch)
                done += len(batch)
            if progress:
                progress(table, done, total)
            copied[table] = done
        target.follow_ids(db)
    return copied


def verify_copy(source, target, tables: list[str] | None = None) -> list[TableCheck]:
    """Row counts and checksums of each table on both sides."""
    checks = []
    for table in tables or copy_order(source):
        s_rows, s_sum = table_checksum(source, table)
        t_rows, t_sum = table_checksum(target, table)
        checks.append(TableCheck(table, s_rows, t_rows, s_sum, t_sum))
    return checks
