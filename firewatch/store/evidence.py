"""Evidence captures in SQLite: every capture is kept, the newest counts.

Saving a capture completes the listing's 'capture' stage in the same transaction. The capture's
folder is stored relative to the store's data folder (`firewatch.core.datapaths`), so the folder can
be moved or restored; readers resolve `Evidence.directory` against the current data folder.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Iterable

from firewatch.core.datapaths import stored_path
from firewatch.core.models import Artefact, Evidence
from firewatch.store.listings import rows_by_keys
from firewatch.store.queue import complete_in
from firewatch.store.db import SQLiteDatabase, _parse_ts, _ts


class SQLiteEvidence:
    """`protocols.EvidenceRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase, data_dir: Path | None = None):
        self._db = db
        self._data_dir = data_dir

    def save_evidence(self, e: Evidence, worker: str | None = None) -> None:
        """Record a capture and complete the 'capture' stage in one transaction (with `worker`,
        only while it holds the stage's claim: else `ClaimLost` and nothing is recorded)."""
        e = dataclasses.replace(e, directory=stored_path(e.directory, self._data_dir))
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO evidence (platform, listing_id, captured_at, record) VALUES (?,?,?,?)",
                (e.platform, e.listing_id, _ts(e.captured_at), json.dumps(e.to_dict(), ensure_ascii=False)),
            )
            complete_in(db, (e.platform, e.listing_id), "capture", (), worker)

    def latest_evidence(self, key: tuple[str, str]) -> Evidence | None:
        r = self._db.execute(
            "SELECT record FROM evidence WHERE platform=? AND listing_id=? ORDER BY captured_at DESC, id DESC LIMIT 1", key
        ).fetchone()
        return None if r is None else _evidence(r[0])

    def latest_evidence_of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Evidence]:
        """The newest capture of each of these listings (uncaptured ones left out), a query per platform."""
        newest = {}
        for r in sorted(rows_by_keys(self._db, "evidence", keys), key=lambda r: (r["captured_at"], r["id"])):
            newest[(r["platform"], r["listing_id"])] = r["record"]  # the newest wins
        return {key: _evidence(record) for key, record in newest.items()}


def _evidence(record: str) -> Evidence:
    d = json.loads(record)
    d["captured_at"] = _parse_ts(d["captured_at"])
    d["artefacts"] = [Artefact(**a) for a in d["artefacts"]]
    return Evidence(**d)
