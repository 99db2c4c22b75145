"""Reference lists in SQLite: spot-check failure lists (the watchlist) and the certificate registry.

`watchlist_entries` has one row per named company per failure-list row (`role` is `inspected`
for 受检单位, `manufacturer` for 标称生产单位); `certificates` one row per certificate number, a
later import replacing an earlier one. Imports are idempotent. Callers get plain values.
"""

from __future__ import annotations

from typing import Any, Iterable

from firewatch.core.models import utcnow
from firewatch.store.db import SQLiteDatabase

WATCHLIST_FIELDS = ("name", "role", "product_category", "product_name", "model", "batch", "location",
                    "failed_items", "inspector", "platform", "note")
CERTIFICATE_FIELDS = ("number", "status", "status_text", "product_name", "holder", "expires_on")


class SQLiteReferences:
    """`protocols.ReferenceRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    # -- watchlist --------------------------------------------------------------
    def add_watchlist_entries(self, entries: Iterable[dict[str, Any]], source: str = "",
                              source_sha256: str = "") -> int:
        """Insert failure-list entries (dicts with WATCHLIST_FIELDS and `name_key`); returns how many were new."""
        now = utcnow().isoformat()
        added = 0
        with self._db.transaction() as db:
            for e in entries:
                row = {f: str(e.get(f) or "") for f in WATCHLIST_FIELDS}
                row.update(name_key=str(e["name_key"]), source=source, source_sha256=source_sha256, imported_at=now)
                cols = ", ".join(row)
                cur = db.execute(f"INSERT INTO watchlist_entries ({cols}) VALUES ({', '.join(':' + c for c in row)}) "
                                 "ON CONFLICT DO NOTHING", row)
                added += cur.rowcount
        return added

    def watchlist_names(self) -> list[str]:
        """Every watched company name (inspected sellers and nominal manufacturers), first import first."""
        rows = self._db.execute("SELECT w.name FROM watchlist_entries w JOIN (SELECT MIN(id) AS id FROM watchlist_entries "
                                "GROUP BY name_key) earliest ON w.id = earliest.id ORDER BY w.id")
        return [r[0] for r in rows]

    # -- certificate registry ---------------------------------------------------
    def add_certificates(self, records: Iterable[dict[str, Any]], source: str = "", source_sha256: str = "") -> tuple[int, int]:
        """Insert or replace certificate records; returns (new, updated)."""
        now = utcnow().isoformat()
        new = updated = 0
        with self._db.transaction() as db:
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
                updates = ", ".join(f"{c}=excluded.{c}" for c in row if c != "number")
                db.execute(f"INSERT INTO certificates ({cols}) VALUES ({', '.join(':' + c for c in row)}) "
                           f"ON CONFLICT (number) DO UPDATE SET {updates}", row)
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
