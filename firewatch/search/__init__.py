"""Search over listings: one interface, backends chosen by URL (`sqlite` today).

The index is a projection of the store: `index_listing` is idempotent by document id,
and `rebuild` recreates it from the store at any time.
"""

from __future__ import annotations

from pathlib import Path

from firewatch.exceptions import SettingsError
from firewatch.search.sqlite_fts import SearchHit, SQLiteIndex

__all__ = ["SQLiteIndex", "SearchHit", "open_index"]


def open_index(url: str, sqlite_path: Path) -> SQLiteIndex:
    if url == "sqlite":
        return SQLiteIndex(sqlite_path)
    raise SettingsError(f"search.url {url!r}: only 'sqlite' is available in this version")
