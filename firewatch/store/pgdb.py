"""One PostgreSQL connection (psycopg 3) behaving like `db.SQLiteDatabase`, so the repositories run unchanged.

The repositories write portable SQL with SQLite's placeholders (`?` and `:name`); `pg_sql` turns
them into psycopg's (`%s`, `%(name)s`) and escapes `%`, outside string literals, once per statement
text. Rows answer by index and by column name, as `sqlite3.Row` does. Outside a transaction each
statement commits by itself. `transaction()` first takes a transaction-scoped advisory lock on the
schema, so writers take turns as they do under SQLite's `BEGIN IMMEDIATE`: every read-then-write in
the repositories stays correct without a per-site analysis; readers never wait (MVCC). A queue claim
that must not wait for other writers uses `transaction(exclusive=False)` with row locks instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, Sequence

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from firewatch.core.exceptions import StoreError

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|::|:[A-Za-z_]\w*|\?|%")


@lru_cache(maxsize=4096)
def pg_sql(sql: str) -> str:
    """SQLite-style placeholders to psycopg's; `%` escaped; quoted text left alone but its `%` doubled."""

    def swap(m: re.Match) -> str:
        tok = m.group(0)
        if tok == "?":
            return "%s"
        if tok == "%":
            return "%%"
        if tok.startswith(":") and tok != "::":
            return f"%({tok[1:]})s"
        if tok.startswith("'"):
            return tok.replace("%", "%%")
        return tok

    return _TOKEN.sub(swap, sql)


def _plain(value: Any) -> Any:
    # SQLite stores booleans as integers; PostgreSQL would refuse a boolean for a BIGINT column,
    # and it cannot hold NUL in text at all (seller text may carry one): it is dropped.
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "")
    return value


def _args(args: Any) -> Any:
    if isinstance(args, dict):
        return {k: _plain(v) for k, v in args.items()}
    return [_plain(v) for v in args]


class Row(tuple):
    """A result row readable by position and by column name (like `sqlite3.Row`)."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> "Row":
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: psycopg.Cursor):
    names = [c.name for c in cursor.description or ()]
    index = {name: i for i, name in enumerate(names)}

    def make(values: Sequence[Any]) -> Row:
        return Row(values, index)

    return make


class PgConnection:
    """What a transaction yields: `execute` and `executemany` with SQLite-style SQL."""

    def __init__(self, conn: psycopg.Connection):
        self._conn = conn

    def execute(self, sql: str, args: Any = ()) -> psycopg.Cursor:
        return self._conn.execute(pg_sql(sql), _args(args))

    def lock(self, name: str) -> None:
        """A transaction-scoped advisory lock on `name` (see `db.lock_listing_in`)."""
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(name),))

    def executemany(self, sql: str, rows: Any) -> psycopg.Cursor:
        cur = self._conn.cursor()
        cur.executemany(pg_sql(sql), [_args(r) for r in rows])
        return cur


_POOLS: dict[str, ConnectionPool] = {}
_POOL_LOCK = threading.Lock()


def _pool(url: str) -> ConnectionPool:
    """The process's pool of connections to `url` (a web app opens a store per request)."""
    with _POOL_LOCK:
        pool = _POOLS.get(url)
        if pool is None:
            pool = ConnectionPool(url, min_size=1, max_size=16, open=True, timeout=30, name="firewatch-store",
                                  check=ConnectionPool.check_connection,  # a server restart leaves dead ones
                                  kwargs={"autocommit": True, "row_factory": _row_factory, "connect_timeout": 10})
            _POOLS[url] = pool
        return pool


class PostgresDatabase:
    """One PostgreSQL connection (autocommit outside transactions) shared by a store's repositories;
    `pooled` borrows it from the process's pool for the URL and gives it back on `close()`."""

    dialect = "postgresql"
    integrity_errors: tuple[type[BaseException], ...] = (pg_errors.IntegrityError,)
    statement_errors: tuple[type[BaseException], ...] = (pg_errors.UndefinedTable,)

    def __init__(self, url: str, pooled: bool = False):
        self.url = url
        self.path = None  # no file: file-based locks beside the store use advisory locks instead
        self._pool = None
        try:
            if pooled:
                self._pool = _pool(url)
                self._conn = self._pool.getconn()
            else:
                self._conn = psycopg.connect(url, autocommit=True, row_factory=_row_factory, connect_timeout=10)
        except (psycopg.Error, PoolTimeout) as exc:
            raise StoreError(f"无法连接存储库 {redact(url)}：{exc}；请确认 PostgreSQL 已运行（开发环境：make pg）"
                             "且 [store] url 正确 (cannot connect to the store)") from exc
        self._pg = PgConnection(self._conn)
        try:
            schema = self._conn.execute("SELECT current_schema()").fetchone()[0]
            if schema is None:
                raise StoreError(f"存储库 {redact(url)} 没有可写入的 schema：请先创建 URL 中 search_path 指定的 schema "
                                 "(no schema to write to)")
        except BaseException:
            self.close()  # a pooled connection goes back (the pool drops a broken one), never leaks
            raise
        self.schema = schema
        self._lock_key = lock_key(f"firewatch:{schema}")

    def execute(self, sql: str, args: Any = ()) -> psycopg.Cursor:
        return self._pg.execute(sql, args)

    @contextmanager
    def transaction(self, exclusive: bool = True) -> Iterator[PgConnection]:
        with self._conn.transaction():
            if exclusive:
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            yield self._pg

    def stream(self, sql: str, batch: int = 5000) -> Iterator[Row]:
        """Every row of a query without holding them all: a server-side cursor in a transaction."""
        with self._conn.transaction(), self._conn.cursor(name=f"fw_stream_{id(self)}") as cur:
            cur.itersize = batch
            cur.execute(pg_sql(sql))
            yield from cur

    def copy_rows(self, table: str, cols: list[str], rows: list[tuple]) -> None:
        """Bulk-load rows with COPY (inside the caller's transaction, if any)."""
        with self._conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_plain(v) for v in row])

    @contextmanager
    def try_lock(self, name: str) -> Iterator[bool]:
        """A session advisory lock named `name`: yields True while held, False when another holds it.
        Released when the block ends or the connection dies (a crash never leaves it held)."""
        key = lock_key(f"firewatch:{self.schema}:{name}")
        got = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
        try:
            yield bool(got)
        finally:
            if got:
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.putconn(self._conn)
        else:
            self._conn.close()


def lock_key(text: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
