"""Store methods for the reference lists: spot-check failure lists and the certificate registry.

`ReferenceListsMixin` is mixed into `SQLiteStore` (it uses the store's `transaction()`
and connection) and keeps the tables of migration 2: `watchlist_entries` (one row per
named company per failure-list row; `role` is `inspected` for 受检单位, `manufacturer` for
标称生产单位) and `certificates` (one row per certificate number, a later import
replacing an earlier one). Imports are idempotent: importing the same file twice adds
nothing. Callers get plain values (names, dicts), never SQL rows.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Iterable

from firewatch.core.models import utcnow

WATCHLIST_FIELDS = ("name", "role", "product_category", "product_name", "model", "batch", "location",
                    "failed_items", "inspector", "platform", "note")
CERTIFICATE_FIELDS = ("number", "status", "status_text", "product_name", "holder", "expires_on")


class ReferenceListsMixin:
    """Watchlist entries and certificate records in the store."""

    _db: sqlite3.Connection

    # -- watchlist --------------------------------------------------------------
    def add_watchlist_entries(self, entries: Iterable[dict[str, Any]], source: str = "",
                              source_sha256: str = "") -> int:
        """Insert failure-list entries (dicts with WATCHLIST_FIELDS and `name_key`); returns how many were new."""
        now = utcnow().isoformat()
        added = 0
        with self.transaction() as db:  # type: ignore[attr-defined]
            for e in entries:
                row = {f: str(e.get(f) or "") for f in WATCHLIST_FIELDS}
                row.update(name_key=str(e["name_key"]), source=source, source_sha256=source_sha256, imported_at=now)
                cols = ", ".join(row)
                cur = db.execute(f"INSERT OR IGNORE INTO watchlist_entries ({cols}) VALUES ({', '.join(':' + c for c in row)})", row)
                added += cur.rowcount
        return added

    def watchlist_names(self) -> list[str]:
        """Every watched company name (inspected sellers and nominal manufacturers), first import first."""
        rows = self._db.execute("SELECT name FROM watchlist_entries GROUP BY name_key ORDER BY MIN(id)")
        return [r[0] for r in rows]

    # -- certificate registry ---------------------------------------------------
    def add_certificates(self, records: Iterable[dict[str, Any]], source: str = "", source_sha256: str = "") -> tuple[int, int]:
        """Insert or replace certificate records; returns (new, updated)."""
        now = utcnow().isoformat()
        new = updated = 0
        with self.transaction() as db:  # type: ignore[attr-defined]
            for rec in records:
                row = {f: rec.get(f) for f in CERTIFICATE_FIELDS}
                row = {k: ("" if v is None and k != "expires_on" else v) for k, v in row.items()}
                if row["expires_on"] is not None:
                    row["expires_on"] = str(row["expires_on"])
                row.update(source=source, source_sha256=source_sha256, imported_at=now)
                old = db.execute("SELECT status, status_text, product_name, holder, expires_on FROM certificates WHERE number=?",
                                 (row["number"],)).fetchone()
                if old is not None and tuple(old) == (row["status"], row["status_text"], row["product_name"],
                                                      row["holder"], row["expires_on"]):
                    continue
                cols = ", ".join(row)
                db.execute(f"INSERT OR REPLACE INTO certificates ({cols}) VALUES ({', '.join(':' + c for c in row)})", row)
                if old is None:
                    new += 1
                else:
                    updated += 1
        return new, updated

    def certificates(self) -> dict[str, dict[str, Any]]:
        """Every imported certificate record by number."""
        return {r["number"]: dict(r) for r in self._db.execute("SELECT * FROM certificates")}

    def certificate_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM certificates").fetchone()[0]
