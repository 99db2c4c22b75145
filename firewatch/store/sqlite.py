"""The SQLite store of record (WAL mode): one file, the embedded default on one machine."""

from __future__ import annotations

from pathlib import Path

from firewatch.store.db import SQLiteDatabase
from firewatch.store.sqlstore import SQLStore


class SQLiteStore(SQLStore):
    """The store of record in one SQLite file: the repositories over one `SQLiteDatabase`."""

    def __init__(self, path: Path, data_dir: Path | None = None):
        """`data_dir`: the data folder (default: the file's folder, where the store lives by default)."""
        self.path = Path(path)
        super().__init__(SQLiteDatabase(self.path), str(self.path),
                         data_dir if data_dir is not None else self.path.resolve().parent)

    def tables(self) -> list[str]:
        return [r[0] for r in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]

    def references_of(self, table: str) -> set[str]:
        return {r["table"] for r in self._db.execute(f"PRAGMA foreign_key_list({table})")}

    def integrity_ok(self) -> bool:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
