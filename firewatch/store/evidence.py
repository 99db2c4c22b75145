"""Evidence captures in SQLite: every capture is kept, the newest counts.

Saving a capture completes the listing's 'capture' stage in the same transaction. A capture of the listing's
page fetched again that showed the item gone is kept with role 'removal' (migration 29): it is never the
listing's latest evidence (evidence packs, takedown rows and the listing page show the item's own page);
`latest_removal_evidence` reads it. The capture's
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


ROLES = ("page", "removal")


class SQLiteEvidence:
    """`protocols.EvidenceRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase, data_dir: Path | None = None):
        self._db = db
        self._data_dir = data_dir

    def save_evidence(self, e: Evidence, worker: str | None = None, role: str = "page") -> None:
        """Record a capture and complete the 'capture' stage in one transaction (with `worker`,
        only while it holds the stage's claim: else `ClaimLost` and nothing is recorded). `role`: 'page'
        (the listing's page) or 'removal' (its page fetched again showed the item gone)."""
        if role not in ROLES:
            raise ValueError(f"unknown evidence role {role!r}")
        e = dataclasses.replace(e, directory=stored_path(e.directory, self._data_dir))
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO evidence (platform, listing_id, captured_at, record, role) VALUES (?,?,?,?,?)",
                (e.platform, e.listing_id, _ts(e.captured_at), json.dumps(e.to_dict(), ensure_ascii=False), role),
            )
            complete_in(db, (e.platform, e.listing_id), "capture", (), worker)

    def latest_evidence(self, key: tuple[str, str]) -> Evidence | None:
        """The newest capture of the listing's page (never a removal capture)."""
        return self._latest(key, "page")

    def latest_removal_evidence(self, key: tuple[str, str]) -> Evidence | None:
        """The newest capture of the listing's page fetched again that showed the item gone."""
        return self._latest(key, "removal")

    def _latest(self, key: tuple[str, str], role: str) -> Evidence | None:
        r = self._db.execute(
            "SELECT record FROM evidence WHERE platform=? AND listing_id=? AND role=? ORDER BY captured_at DESC, id DESC "
            "LIMIT 1", (*key, role)).fetchone()
        return None if r is None else _evidence(r[0])

    def latest_evidence_of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Evidence]:
        """The newest capture of each of these listings (uncaptured ones left out), a query per platform."""
        newest = {}
        page_rows = (r for r in rows_by_keys(self._db, "evidence", keys) if r["role"] == "page")
        for r in sorted(page_rows, key=lambda r: (r["captured_at"], r["id"])):
            newest[(r["platform"], r["listing_id"])] = r["record"]  # the newest wins
        return {key: _evidence(record) for key, record in newest.items()}


def _evidence(record: str) -> Evidence:
    d = json.loads(record)
    d["captured_at"] = _parse_ts(d["captured_at"])
    d["artefacts"] = [Artefact(**a) for a in d["artefacts"]]
    return Evidence(**d)
