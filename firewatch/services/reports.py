"""Importing platforms' data reports as leads: every row a listing with its provenance, the
whole file or nothing.

`import_listings(store, path, source)` reads the file (`firewatch.imports.listings`), refuses
one already imported (by SHA-256: importing it again adds nothing) and, unless a row is bad,
writes every row in one transaction: a new listing from the row's fields, queued for 'fetch'
(its page is captured in the browser and read when reachable, then scored); a listing already
seen on its page keeps all it showed and gains only the fields it lacked (no snapshot, no new
last_seen: a report is not a sighting of the page). Each row is recorded
as a `Source("report", source, "<sha256>:<row>")` with the file name, row, seller and lead
fields in its detail. With bad rows nothing is written unless `skip_bad` (then only the good).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from firewatch.core.models import Source
from firewatch.imports.listings import ListingFile, RowError, read_listings_file
from firewatch.services.leads import fill, merge
from firewatch.store import Store
from firewatch.store.sources import FileImport, ImportedFile, Lead

FILE_KIND = "report"


@dataclass
class ReportImport:
    """What an import did (or, with bad rows and no `skip_bad`, refused to do)."""

    file: ListingFile
    written: FileImport | None = None  # None: nothing written
    already: dict | None = None  # the earlier import of the same file, when it was one
    fetch: int = 0  # listings queued for their page to be fetched and captured
    errors: list[RowError] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.written is None and self.already is None


def import_listings(store: Store, path: str | Path, source: str, skip_bad: bool = False,
                    imported_by: str = "", at: datetime | None = None, progress: Any = None) -> ReportImport:
    """Import a report file (see the module docstring); `source` names who sent it (e.g. "京东合规报送");
    `progress` (a rich `Progress`, or None) shows the file read, then the rows merged and written."""
    reading = progress.add_task("读取并检查每一行", total=None) if progress is not None else None
    read = read_listings_file(path)
    if reading is not None:
        progress.update(reading, total=1, completed=1)
    outcome = ReportImport(read, errors=list(read.errors))
    earlier = store.sources.imported_file(FILE_KIND, read.sha256)
    if earlier is not None:
        outcome.already = earlier
        return outcome
    if read.errors and not skip_bad:
        return outcome
    merging = progress.add_task("合并已有商品", total=len(read.rows)) if progress is not None else None
    leads: list[Lead] = []
    merged: dict = {}  # a listing named by several rows: each row adds to what the earlier ones gave
    fetching: set = set()
    for row in read.rows:
        key = row.listing.key
        stored = merged.get(key) or store.listings.get_listing(key)
        seen = stored is not None and stored.status != "unknown"  # its page was read: rows only fill gaps
        listing = fill(stored, row.listing) if seen else merge(stored, row.listing)
        merged[key] = listing
        fetch = key not in fetching and not seen
        if fetch:
            fetching.add(key)
        detail = {"file": read.path.name, "row": row.row, **({"seller": row.seller} if row.seller else {}),
                  **({"lead": row.lead} if row.lead else {})}
        leads.append(Lead(listing, Source("report", source, f"{read.sha256}:{row.row}", detail), fetch, observed=False))
        if merging is not None:
            progress.advance(merging)
    outcome.fetch = len(fetching)
    writing = progress.add_task("写入", total=len(leads)) if progress is not None else None
    outcome.written = store.sources.add_leads(
        leads, ImportedFile(read.sha256, FILE_KIND, read.path.name, source, read.data_rows, imported_by), at=at,
        on_written=(lambda n: progress.advance(writing, n)) if writing is not None else None)
    if writing is not None:
        progress.update(writing, completed=len(leads))
    return outcome
