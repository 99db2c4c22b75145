"""The store of record, one repository per concern: `store.listings`, `store.queue`,
`store.assessments`, `store.evidence`, `store.reviews`, `store.notices`, `store.alerts`,
`store.users`, `store.references`, `store.sources`, `store.tips` and `store.assist` (the contracts:
`firewatch.store.protocols`).

`open_store(url)` picks the backend from a URL: `sqlite:///PATH` (or a plain path), the embedded
default, or `postgresql://user@host:port/db`, the store of record beyond one machine.
"""

from __future__ import annotations

from pathlib import Path

from firewatch.core.exceptions import StoreError
from firewatch.core.setting_sections import POSTGRES_SCHEMES
from firewatch.store.protocols import AlertRecord, DeadLetter, Store, TipRecord, UpsertResult
from firewatch.store.postgres import PostgresStore
from firewatch.store.sqlite import SQLiteStore

__all__ = ["Store", "SQLiteStore", "PostgresStore", "UpsertResult", "AlertRecord", "DeadLetter", "TipRecord", "open_store", "is_postgres", "store_exists"]


def open_store(url_or_path: str | Path, pooled: bool = False, data_dir: str | Path | None = None) -> Store:
    """Open (and migrate) the store named by `sqlite:///PATH`, a plain file path or
    `postgresql://...`; use it as a context manager to close it. `pooled`: a PostgreSQL
    connection comes from (and goes back to) the process's pool, for a store opened per request.
    `data_dir`: the data folder, which evidence and notice paths are stored relative to (default for
    SQLite: the file's folder; a PostgreSQL store without one keeps paths as they are given)."""
    text = str(url_or_path)
    folder = Path(data_dir) if data_dir is not None else None
    if is_postgres(text):
        return PostgresStore(text, pooled, folder)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    elif "://" in text:
        raise StoreError(f"unsupported store URL {text.split('://')[0]}://...: use sqlite:///PATH or postgresql://...")
    return SQLiteStore(Path(text), folder)


def is_postgres(url: str | Path) -> bool:
    return str(url).startswith(POSTGRES_SCHEMES)


def store_exists(url_or_path: str | Path) -> bool:
    """Whether there is a store to read: the SQLite file exists (a server-side store always may)."""
    text = str(url_or_path)
    if is_postgres(text):
        return True
    return Path(text.removeprefix("sqlite:///")).exists()
