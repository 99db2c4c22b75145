"""Reviewers' decisions on flags: record a verdict, read a listing's history, list the
listings whose latest verdict is a confirmation (the input of takedown lists and notices).

A mixin of `SQLiteStore`; decisions are append-only, so the full history of a listing's
review stays on record and the latest row is the one that counts.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from firewatch.core.models import Assessment, Decision, Listing

VERDICTS = ("confirm", "dismiss", "escalate")


class ReviewsMixin:
    """Decisions table access. Needs `_db`, `transaction`, `_row_to_listing`, `_row_to_assessment`."""

    _db: sqlite3.Connection

    def record_decision(self, d: Decision) -> int:
        """Append one decision; returns its id. Raises ValueError for an unknown verdict or listing."""
        if d.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {d.verdict!r}; choose one of {', '.join(VERDICTS)}")
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM listings WHERE platform=? AND listing_id=?",
                          (d.platform, d.listing_id)).fetchone() is None:
                raise ValueError(f"no listing {d.platform}:{d.listing_id} in the store")
            cur = db.execute(
                "INSERT INTO decisions (platform, listing_id, reviewer, verdict, note, at) VALUES (?,?,?,?,?,?)",
                (d.platform, d.listing_id, d.reviewer, d.verdict, d.note, d.at.isoformat()),
            )
            return int(cur.lastrowid)

    @staticmethod
    def _row_to_decision(r: sqlite3.Row) -> Decision:
        return Decision(platform=r["platform"], listing_id=r["listing_id"], reviewer=r["reviewer"],
                        verdict=r["verdict"], note=r["note"], at=datetime.fromisoformat(r["at"]))

    def decisions(self, key: tuple[str, str]) -> list[Decision]:
        """Every decision on one listing, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM decisions WHERE platform=? AND listing_id=? ORDER BY at, id", key).fetchall()
        return [self._row_to_decision(r) for r in rows]

    def latest_decision(self, key: tuple[str, str]) -> Decision | None:
        r = self._db.execute(
            "SELECT * FROM decisions WHERE platform=? AND listing_id=? ORDER BY at DESC, id DESC LIMIT 1",
            key).fetchone()
        return None if r is None else self._row_to_decision(r)

    def confirmed(self, platform: str | None = None) -> list[tuple[Listing, Assessment, Decision]]:
        """Listings whose latest decision is 'confirm', with assessment and that decision, highest risk first."""
        sql = (
            "SELECT l.*, a.*, d.reviewer, d.verdict, d.note, d.at FROM decisions d "
            "JOIN listings l USING (platform, listing_id) JOIN assessments a USING (platform, listing_id) "
            "WHERE d.id = (SELECT d2.id FROM decisions d2 WHERE d2.platform=d.platform AND d2.listing_id=d.listing_id "
            "ORDER BY d2.at DESC, d2.id DESC LIMIT 1) AND d.verdict='confirm'"
        )
        args: tuple = ()
        if platform:
            sql, args = sql + " AND d.platform=?", (platform,)
        rows = self._db.execute(sql + " ORDER BY a.risk_score DESC, d.platform, d.listing_id", args).fetchall()
        return [(self._row_to_listing(r), self._row_to_assessment(r), self._row_to_decision(r)) for r in rows]
