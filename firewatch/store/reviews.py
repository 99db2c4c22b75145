"""Reviewers' decisions and investigators' cases in SQLite.

Decisions are append-only, so the full history of a listing's review stays on record and
the latest row is the one that counts; `confirmed()` (latest verdict 'confirm') is the input
of takedown lists and notices. A case is a named set of listings an investigator collects.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from firewatch.core.models import Assessment, Decision, Listing, utcnow
from firewatch.store.assessments import assessment_from_row
from firewatch.store.listings import listing_from_row
from firewatch.store.db import SQLiteDatabase

VERDICTS = ("confirm", "dismiss", "escalate")


def decision_from_row(r: sqlite3.Row) -> Decision:
    return Decision(platform=r["platform"], listing_id=r["listing_id"], reviewer=r["reviewer"],
                    verdict=r["verdict"], note=r["note"], at=datetime.fromisoformat(r["at"]))


class SQLiteReviews:
    """`protocols.ReviewRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    # -- decisions --------------------------------------------------------------
    def record_decision(self, d: Decision) -> int:
        """Append one decision; returns its id. Raises ValueError for an unknown verdict or listing."""
        if d.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {d.verdict!r}; choose one of {', '.join(VERDICTS)}")
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM listings WHERE platform=? AND listing_id=?",
                          (d.platform, d.listing_id)).fetchone() is None:
                raise ValueError(f"no listing {d.platform}:{d.listing_id} in the store")
            cur = db.execute(
                "INSERT INTO decisions (platform, listing_id, reviewer, verdict, note, at) VALUES (?,?,?,?,?,?) RETURNING id",
                (d.platform, d.listing_id, d.reviewer, d.verdict, d.note, d.at.isoformat()),
            )
            return int(cur.fetchone()[0])

    def decisions(self, key: tuple[str, str]) -> list[Decision]:
        """Every decision on one listing, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM decisions WHERE platform=? AND listing_id=? ORDER BY at, id", key).fetchall()
        return [decision_from_row(r) for r in rows]

    def latest_decision(self, key: tuple[str, str]) -> Decision | None:
        r = self._db.execute(
            "SELECT * FROM decisions WHERE platform=? AND listing_id=? ORDER BY at DESC, id DESC LIMIT 1",
            key).fetchone()
        return None if r is None else decision_from_row(r)

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
        return [(listing_from_row(r), assessment_from_row(r), decision_from_row(r)) for r in rows]

    def latest_verdicts(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Each decided listing's latest decision (verdict, reviewer, note, at) in one query."""
        rows = self._db.execute(
            "SELECT d.platform, d.listing_id, d.verdict, d.reviewer, d.note, d.at FROM decisions d "
            "WHERE d.id = (SELECT d2.id FROM decisions d2 WHERE d2.platform=d.platform AND d2.listing_id=d.listing_id "
            "ORDER BY d2.at DESC, d2.id DESC LIMIT 1)").fetchall()
        return {(r["platform"], r["listing_id"]): dict(r) for r in rows}

    # -- cases ------------------------------------------------------------------
    def create_case(self, title: str, created_by: str, note: str = "") -> int:
        with self._db.transaction() as db:
            cur = db.execute("INSERT INTO cases (title, note, created_by, created_at) VALUES (?,?,?,?) RETURNING id",
                             (title, note, created_by, utcnow().isoformat()))
            return int(cur.fetchone()[0])

    def cases(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute(
            "SELECT c.*, (SELECT COUNT(*) FROM case_items i WHERE i.case_id=c.id) AS items FROM cases c ORDER BY c.id DESC")]

    def get_case(self, case_id: int) -> dict[str, Any] | None:
        r = self._db.execute("SELECT * FROM cases WHERE id=?", (case_id,)).fetchone()
        return None if r is None else dict(r)

    def add_case_item(self, case_id: int, key: tuple[str, str], added_by: str) -> bool:
        """Add a listing to a case; False when it was there already. ValueError for an unknown case or listing."""
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM cases WHERE id=?", (case_id,)).fetchone() is None:
                raise ValueError(f"no case {case_id}")
            if db.execute("SELECT 1 FROM listings WHERE platform=? AND listing_id=?", key).fetchone() is None:
                raise ValueError(f"no listing {key[0]}:{key[1]} in the store")
            cur = db.execute("INSERT INTO case_items (case_id, platform, listing_id, added_by, added_at) VALUES (?,?,?,?,?) "
                             "ON CONFLICT DO NOTHING",
                             (case_id, *key, added_by, utcnow().isoformat()))
            return cur.rowcount > 0

    def remove_case_item(self, case_id: int, key: tuple[str, str]) -> bool:
        with self._db.transaction() as db:
            cur = db.execute("DELETE FROM case_items WHERE case_id=? AND platform=? AND listing_id=?", (case_id, *key))
            return cur.rowcount > 0

    def case_items(self, case_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute(
            "SELECT platform, listing_id, added_by, added_at FROM case_items WHERE case_id=? ORDER BY added_at, platform, listing_id",
            (case_id,))]
