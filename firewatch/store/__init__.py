"""The store of record, one repository per concern: `store.listings`, `store.queue`,
`store.assessments`, `store.evidence`, `store.reviews`, `store.notices`, `store.alerts`,
`store.users`, `store.references`, `store.sources`, `store.tips` and `store.assist` (the contracts:
`firewatch.store.protocols`).

`open_store(url)` picks the backend from a URL; only `sqlite:///PATH` exists today.
"""

from __future__ import annotations

from pathlib import Path

from firewatch.core.exceptions import StoreError
from firewatch.store.protocols import AlertRecord, DeadLetter, Store, TipRecord, UpsertResult
from firewatch.store.sqlite import SQLiteStore

__all__ = ["Store", "SQLiteStore", "UpsertResult", "AlertRecord", "DeadLetter", "TipRecord", "open_store"]


def open_store(url_or_path: str | Path) -> Store:
    """Open (and migrate) the store named by `sqlite:///PATH` or a plain file path; use it
    as a context manager to close it."""
    text = str(url_or_path)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    elif "://" in text:
        raise StoreError(f"unsupported store URL {text!r}: use sqlite:///PATH")
    return SQLiteStore(Path(text))
