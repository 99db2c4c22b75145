"""The counts and facets of recent SQLite FTS queries, reused until the index file changes.

A query's total (counted up to TOTAL_CAP + 1), the ids of its first matches and its facet
counts do not depend on the sort order or the page, so the next page, another sort, the
API after the page or another analyst asking the same thing need not count again.
`SUMMARIES.get(path, key)` / `put(path, key, value)` keep a small LRU per process.

Never stale: every lookup first takes the file's generation, its device and inode (an index
file replaced by another is another index) and the `PRAGMA data_version` of one idle
watcher connection per file, which changes whenever any other connection, in this process
or another, commits to the file. Entries are keyed by that generation, so a summary is
never read after a write it does not include; a file whose generation cannot be read is
not cached. Thread-safe (one lock; the SQL of a query runs outside it).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Hashable

MAX_ENTRIES = 256  # a summary holds up to 10,001 ids (40 KB as an array) and the facet lists
MAX_FILES = 8  # watcher connections kept open (tests open many index files)


class Summaries:
    """An LRU of query summaries keyed by (index file, its generation, query key)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_files: int = MAX_FILES):
        self.max_entries, self.max_files = max_entries, max_files
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._watchers: OrderedDict[str, tuple[tuple[int, int], sqlite3.Connection]] = OrderedDict()

    def generation(self, path: Path) -> tuple | None:
        """(path, device, inode, data_version) of the index file now; None when unknown."""
        name = str(path)
        try:
            st = os.stat(name)
        except OSError:
            return None
        ident = (st.st_dev, st.st_ino)
        with self._lock:
            watcher = self._watchers.get(name)
            if watcher is None or watcher[0] != ident:
                self._forget(name)
                try:
                    conn = sqlite3.connect(name, isolation_level=None, check_same_thread=False)
                    now = os.stat(name)
                except (OSError, sqlite3.Error):
                    return None
                if (now.st_dev, now.st_ino) != ident:  # replaced while opening: ask again next time
                    conn.close()
                    return None
                watcher = self._watchers[name] = (ident, conn)
                while len(self._watchers) > self.max_files:
                    self._forget(next(iter(self._watchers)))
            self._watchers.move_to_end(name)
            try:
                version = watcher[1].execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                self._forget(name)
                return None
        return (name, *ident, version)

    def get(self, generation: tuple | None, key: Hashable) -> Any:
        if generation is None:
            return None
        with self._lock:
            value = self._entries.get((generation, key))
            if value is not None:
                self._entries.move_to_end((generation, key))
            return value

    def put(self, generation: tuple | None, key: Hashable, value: Any) -> None:
        if generation is None:
            return
        with self._lock:
            self._entries[(generation, key)] = value
            self._entries.move_to_end((generation, key))
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self, watchers: bool = True) -> None:
        """Drop every summary (and, unless `watchers` is False, close the watcher connections)."""
        with self._lock:
            for name in list(self._watchers) if watchers else ():
                self._forget(name)
            self._entries.clear()

    def _forget(self, name: str) -> None:
        """Close the file's watcher and drop its entries (lock held)."""
        watcher = self._watchers.pop(name, None)
        if watcher is not None:
            watcher[1].close()
        for k in [k for k in self._entries if k[0][0] == name]:
            del self._entries[k]


SUMMARIES = Summaries()
