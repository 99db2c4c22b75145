"""The store of record: listings, snapshots, assessments, evidence, decisions, notices
and the process queue.

`open_store(url)` picks the backend from a URL; only `sqlite:///PATH` exists today.
Callers use the `Store` methods and never see SQL, so another backend can follow.
"""

from __future__ import annotations

from pathlib import Path

from firewatch.core.exceptions import StoreError
from firewatch.store.sqlite import SQLiteStore, UpsertResult

Store = SQLiteStore

__all__ = ["Store", "SQLiteStore", "UpsertResult", "open_store"]


def open_store(url_or_path: str | Path) -> SQLiteStore:
    """Open (and migrate) the store named by `sqlite:///PATH` or a plain file path."""
    text = str(url_or_path)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    elif "://" in text:
        raise StoreError(f"unsupported store URL {text!r}: use sqlite:///PATH")
    return SQLiteStore(Path(text))
