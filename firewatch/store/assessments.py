"""Assessments in SQLite: the latest one per listing (a new one replaces the old).

Saving an assessment completes the listing's 'score' stage in the same transaction; a worker
saves a batch of them in one transaction (`save_assessments`), each only while it holds its row.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable

from firewatch.core.models import Assessment, Listing, Reason, to_jsonable, utcnow
from firewatch.store.listings import listing_from_row, rows_by_keys
from firewatch.store.queue import complete_in, enqueue_in, take_in
from firewatch.store.db import SQLiteDatabase, _parse_ts, _ts, lock_listing_in
from firewatch.store import triage


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


def _upsert_in(db: Any, a: Assessment) -> None:
    """Insert or replace a listing's assessment (and its review-queue row) inside the caller's transaction."""
    lock_listing_in(db, (a.platform, a.listing_id))
    db.execute(
        f"INSERT INTO assessments ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
        f"ON CONFLICT (platform, listing_id) DO UPDATE SET {_UPDATES}",
        (
            a.platform, a.listing_id, _ts(a.assessed_at), a.category, a.category_confidence, a.risk_score,
            int(a.flagged), json.dumps(to_jsonable(a.reasons), ensure_ascii=False),
            json.dumps(to_jsonable(a.specs), ensure_ascii=False), json.dumps(a.model_versions),
        ),
    )
    triage.refresh_in(db, (a.platform, a.listing_id))  # the review queue's keys follow the assessment


class SQLiteAssessments:
    """`protocols.AssessmentRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    def save_assessment(self, a: Assessment, next_stages: tuple[str, ...] = (), worker: str | None = None) -> None:
        """Save the latest assessment and complete the 'score' stage in one transaction (with
        `worker`, only while it holds the stage's claim: else `ClaimLost` and nothing is saved)."""
        with self._db.transaction() as db:
            _upsert_in(db, a)
            complete_in(db, (a.platform, a.listing_id), "score", next_stages, worker)

    def save_assessments(self, items: list[tuple[Assessment, tuple[str, ...]]], worker: str) -> list[tuple[str, str]]:
        """Save many (assessment, next stages) in one transaction, each only while `worker` holds its
        'score' row (completed with it); returns the keys it no longer held, whose assessments were
        not saved."""
        lost = []
        with self._db.transaction() as db:
            for a, next_stages in items:
                key = (a.platform, a.listing_id)
                if not take_in(db, key, "score", worker):
                    lost.append(key)
                    continue
                _upsert_in(db, a)
                now = utcnow()
                for stage in next_stages:
                    enqueue_in(db, key, stage, now)
        return lost

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

    def get_assessments(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Assessment]:
        """The assessments of these listings (missing ones left out), a query per platform."""
        return {(r["platform"], r["listing_id"]): assessment_from_row(r)
                for r in rows_by_keys(self._db, "assessments", keys)}

    def flag_counts(self) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
        """Flagged listings per (ISO week of first sight, category) and per (week, platform), counted in SQL."""
        triage.ensure_built(self._db)
        return triage.flag_counts(self._db)
