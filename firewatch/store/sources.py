"""Listing provenance in SQLite: where each listing came from, and the report files imported.

A listing has one `listing_sources` row per (kind, name, ref): one per crawled platform (its
last run in `detail`), one per report file row, assistance reply or tip. Recording a source
again moves its `last_seen` and replaces its detail; `first_seen` stays. `add_leads` writes a
whole report file in one transaction, listings and sources and the file's record together,
so a file is imported entirely or not at all, and a file already recorded (same SHA-256 and
kind) is refused by the caller before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable

from firewatch.core.models import Listing, Source, utcnow
from firewatch.store.db import SQLiteDatabase, _parse_ts, _ts
from firewatch.store.listings import record_source_in, rows_by_keys, upsert_in
from firewatch.store.queue import enqueue_in


@dataclass
class Lead:
    """One listing a source names: `fetch` queues its page to be fetched and captured (scoring
    waits for the page when the lead has no title); `observed` False when the lead did not see
    the page (a report row): a known listing then keeps its last_seen and gets no snapshot."""

    listing: Listing
    source: Source
    fetch: bool = False
    observed: bool = True


@dataclass(frozen=True)
class ImportedFile:
    """A file whose rows became leads: its content hash, what kind of file, its name, the source
    it came from, how many data rows it had and who imported it."""

    sha256: str
    kind: str
    name: str
    source: str
    rows: int
    imported_by: str = ""


@dataclass(frozen=True)
class FileImport:
    """What `add_leads` wrote: listings created, updated (content changed) and unchanged."""

    created: int
    updated: int
    unchanged: int


class SQLiteSources:
    """`protocols.SourceRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    def record(self, key: tuple[str, str], source: Source, at: datetime | None = None) -> None:
        with self._db.transaction() as db:
            record_source_in(db, key, source, at or utcnow())

    def sources_of(self, key: tuple[str, str]) -> list[Source]:
        """The listing's sources, first seen first."""
        rows = self._db.execute(
            "SELECT kind, name, ref, detail, first_seen, last_seen FROM listing_sources "
            "WHERE platform=? AND listing_id=? ORDER BY first_seen, kind, name, ref", key).fetchall()
        return [Source(r["kind"], r["name"], r["ref"], json.loads(r["detail"]), _parse_ts(r["first_seen"]),
                       _parse_ts(r["last_seen"])) for r in rows]

    def sources_of_keys(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Source]]:
        """`sources_of` for many listings in a few queries (keys without a source are absent)."""
        found: dict[tuple[str, str], list[Source]] = {}
        rows = sorted(rows_by_keys(self._db, "listing_sources", keys),
                      key=lambda r: (r["first_seen"], r["kind"], r["name"], r["ref"]))
        for r in rows:
            found.setdefault((r["platform"], r["listing_id"]), []).append(
                Source(r["kind"], r["name"], r["ref"], json.loads(r["detail"]), _parse_ts(r["first_seen"]),
                       _parse_ts(r["last_seen"])))
        return found

    def kinds_of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
        """For each key, the kinds of source it has (keys without a source are absent)."""
        found: dict[tuple[str, str], set[str]] = {}
        keys = list(keys)
        for lo in range(0, len(keys), 400):  # SQLite's bound-parameter limit, with room
            chunk = keys[lo:lo + 400]
            where = " OR ".join("(platform=? AND listing_id=?)" for _ in chunk)
            args = [v for k in chunk for v in k]
            for r in self._db.execute(f"SELECT DISTINCT platform, listing_id, kind FROM listing_sources WHERE {where}", args):
                found.setdefault((r[0], r[1]), set()).add(r[2])
        return found

    def imported_file(self, kind: str, sha256: str) -> dict[str, Any] | None:
        """The record of a file already imported as `kind` (by content), or None."""
        r = self._db.execute("SELECT * FROM import_files WHERE kind=? AND sha256=?", (kind, sha256)).fetchone()
        if r is None:
            return None
        record = dict(r)
        record["imported_at"] = _parse_ts(record["imported_at"])
        return record

    def add_leads(self, leads: list[Lead], file: ImportedFile | None = None,
                  at: datetime | None = None, on_written: Callable[[int], None] | None = None) -> FileImport:
        """Write leads (listings with their sources) and the file they came from in one transaction.

        `on_written(n)` is told every 1,000 leads written (for a progress bar; the transaction
        is not committed yet).
        """
        now = at or utcnow()
        created = updated = unchanged = 0
        with self._db.transaction() as db:
            for n, lead in enumerate(leads, start=1):
                if on_written is not None and n % 1000 == 0:
                    on_written(1000)
                listing = lead.listing
                result = upsert_in(db, listing, now, source=lead.source, observed=lead.observed,
                                   queue_score=not (lead.fetch and not listing.title))
                created += result.created
                updated += result.changed and not result.created
                unchanged += not result.changed
                if lead.fetch:
                    enqueue_in(db, listing.key, "fetch", now)
            if file is not None:
                db.execute("INSERT INTO import_files (sha256, kind, name, source, rows, listings, imported_at, imported_by) "
                           "VALUES (?,?,?,?,?,?,?,?)",
                           (file.sha256, file.kind, file.name, file.source, file.rows,
                            len({lead.listing.key for lead in leads}), _ts(now), file.imported_by))
        return FileImport(created, updated, unchanged)
