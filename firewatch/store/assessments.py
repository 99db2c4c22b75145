"""Assessments in SQLite: the latest one per listing (a new one replaces the old).

Saving an assessment completes the listing's 'score' stage in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3

from firewatch.core.models import Assessment, Listing, Reason, to_jsonable
from firewatch.store.listings import listing_from_row
from firewatch.store.queue import complete_in
from firewatch.store.db import SQLiteDatabase, _parse_ts, _ts


_COLUMNS = ("platform", "listing_id", "assessed_at", "category", "category_confidence", "risk_score", "flagged",
            "reasons", "specs", "model_versions")
_UPDATES = ", ".join(f"{c}=excluded.{c}" for c in _COLUMNS[2:])


def assessment_from_row(r: sqlite3.Row) -> Assessment:
    """An Assessment from a row with the assessments table's columns (also from joins)."""
    return Assessment(
        platform=r["platform"], listing_id=r["listing_id"], category=r["category"],
        category_confidence=r["category_confidence"], risk_score=r["risk_score"], flagged=bool(r["flagged"]),
        reasons=[Reason(**x) for x in json.loads(r["reasons"])], specs=json.loads(r["specs"]),
        model_versions=json.loads(r["model_versions"]), assessed_at=_parse_ts(r["assessed_at"]),
    )


class SQLiteAssessments:
    """`protocols.AssessmentRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    def save_assessment(self, a: Assessment, next_stages: tuple[str, ...] = ()) -> None:
        """Save the latest assessment and complete the 'score' stage in one transaction."""
        with self._db.transaction() as db:
            db.execute(
                f"INSERT INTO assessments ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
                f"ON CONFLICT (platform, listing_id) DO UPDATE SET {_UPDATES}",
                (
                    a.platform, a.listing_id, _ts(a.assessed_at), a.category, a.category_confidence, a.risk_score,
                    int(a.flagged), json.dumps(to_jsonable(a.reasons), ensure_ascii=False),
                    json.dumps(to_jsonable(a.specs), ensure_ascii=False), json.dumps(a.model_versions),
                ),
            )
            complete_in(db, (a.platform, a.listing_id), "score", next_stages)

    def get_assessment(self, key: tuple[str, str]) -> Assessment | None:
        r = self._db.execute("SELECT * FROM assessments WHERE platform=? AND listing_id=?", key).fetchone()
        return None if r is None else assessment_from_row(r)

    def flagged(self, platform: str | None = None) -> list[tuple[Listing, Assessment]]:
        """Flagged listings with their assessments, highest risk first."""
        sql = "SELECT l.*, a.* FROM assessments a JOIN listings l USING (platform, listing_id) WHERE a.flagged=1"
        args: tuple = ()
        if platform:
            sql, args = sql + " AND a.platform=?", (platform,)
        rows = self._db.execute(sql + " ORDER BY a.risk_score DESC, a.platform, a.listing_id", args).fetchall()
        return [(listing_from_row(r), assessment_from_row(r)) for r in rows]

    def reason_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for (reasons,) in self._db.execute("SELECT reasons FROM assessments WHERE flagged=1"):
            for code in {x["code"] for x in json.loads(reasons)}:
                counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
