"""SQLite store of record (WAL mode): upserts, change snapshots and the process queue.

Every write is one transaction, so a process killed at any moment leaves either the
whole write or none of it. A listing is keyed by (platform, listing_id); a Snapshot is
written only when price, title, stock or status changed; any content change enqueues
the listing for scoring. Stages complete by deleting their own queue row in the same
transaction that saves their result, so a crash between stages loses nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from firewatch.core.exceptions import StoreError
from firewatch.core.money import from_fen, to_fen  # noqa: F401  (to_fen, from_fen: also imported from here)
from firewatch.core.models import (
    Artefact,
    Assessment,
    Evidence,
    Listing,
    PriceTier,
    Reason,
    Snapshot,
    to_jsonable,
    utcnow,
)
from firewatch.store.alerts import AlertsMixin
from firewatch.store.migrations import MIGRATIONS
from firewatch.store.notices import NoticesMixin
from firewatch.store.reviews import ReviewsMixin
from firewatch.store.users import UsersMixin
from firewatch.store.watchlist import ReferenceListsMixin

log = logging.getLogger(__name__)

STAGES = ("score", "capture", "index")


def _ts(value: datetime) -> str:
    return value.isoformat()


def _parse_ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def content_hash(listing: Listing) -> str:
    """SHA-256 over the listing's observable content (not its timestamps)."""
    data = to_jsonable(listing)
    for key in ("first_seen", "last_seen"):
        data.pop(key, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class UpsertResult:
    """What an upsert did: a new listing, a changed one (snapshot written), or neither."""

    created: bool
    snapshot: bool
    changed: bool


class SQLiteStore(ReferenceListsMixin, ReviewsMixin, UsersMixin, NoticesMixin, AlertsMixin):
    """The store of record in one SQLite file (reference lists: `firewatch.store.watchlist`)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}; check the path in store.url") from exc
        self._db.row_factory = sqlite3.Row
        self._enable_wal()
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    # -- plumbing ---------------------------------------------------------------
    def _enable_wal(self, patience: float = 30.0) -> None:
        """Switch a new file to WAL. Changing the journal mode takes an exclusive lock and
        SQLite does not wait for it, so processes opening a new store together retry."""
        deadline = time.monotonic() + patience
        while True:
            try:
                if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise StoreError(f"cannot switch store {self.path} to WAL: {exc}") from exc
                time.sleep(0.05)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in self._db.execute("SELECT version FROM schema_migrations")}
        known = {v for v, _, _ in MIGRATIONS}
        if applied - known:
            raise StoreError(f"store {self.path} has schema versions {sorted(applied - known)} newer than this firewatch; upgrade firewatch")
        for version, name, sql in MIGRATIONS:
            if version in applied:
                continue
            with self.transaction() as db:
                # another process may have applied it since we looked: check under the lock
                if db.execute("SELECT 1 FROM schema_migrations WHERE version=?", (version,)).fetchone():
                    continue
                for statement in sql.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, _ts(utcnow())))
            log.info("applied migration %s: %s", version, name)

    def schema_versions(self) -> list[int]:
        return [row[0] for row in self._db.execute("SELECT version FROM schema_migrations ORDER BY version")]

    def integrity_ok(self) -> bool:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # -- listings ---------------------------------------------------------------
    def upsert_listing(self, listing: Listing, observed_at: datetime | None = None) -> UpsertResult:
        """Insert or update one listing; snapshot and enqueue it when it changed."""
        now = observed_at or utcnow()
        digest = content_hash(listing)
        low, high = listing.price_range or (None, None)
        row = {
            "platform": listing.platform,
            "listing_id": listing.listing_id,
            "url": listing.url,
            "title": listing.title,
            "price_fen": to_fen(listing.price),
            "price_low_fen": to_fen(low),
            "price_high_fen": to_fen(high),
            "price_tiers": json.dumps(to_jsonable(listing.price_tiers)),
            "price_pending": int(listing.price_pending),
            "currency": listing.currency,
            "shop_id": listing.shop_id,
            "shop_name": listing.shop_name,
            "attributes": json.dumps(listing.attributes, ensure_ascii=False, sort_keys=True),
            "description": listing.description,
            "image_urls": json.dumps(listing.image_urls, ensure_ascii=False),
            "sales": listing.sales,
            "stock": listing.stock,
            "status": listing.status,
            "last_seen": _ts(now),
            "content_hash": digest,
        }
        with self.transaction() as db:
            old = db.execute(
                "SELECT price_fen, price_low_fen, title, stock, status, content_hash FROM listings WHERE platform=? AND listing_id=?",
                (listing.platform, listing.listing_id),
            ).fetchone()
            if old is None:
                row["first_seen"] = _ts(now)
                cols = ", ".join(row)
                db.execute(f"INSERT INTO listings ({cols}) VALUES ({', '.join(':' + c for c in row)})", row)
            else:
                sets = ", ".join(f"{c}=:{c}" for c in row if c not in ("platform", "listing_id"))
                db.execute(f"UPDATE listings SET {sets} WHERE platform=:platform AND listing_id=:listing_id", row)
            observed_price = row["price_fen"] if row["price_fen"] is not None else row["price_low_fen"]
            snapshot = old is None or (
                (old["price_fen"] if old["price_fen"] is not None else old["price_low_fen"]) != observed_price
                or old["title"] != listing.title
                or old["stock"] != listing.stock
                or old["status"] != listing.status
            )
            if snapshot:
                db.execute(
                    "INSERT INTO snapshots (platform, listing_id, observed_at, price_fen, title, stock, status, content_hash) VALUES (?,?,?,?,?,?,?,?)",
                    (listing.platform, listing.listing_id, _ts(now), observed_price, listing.title, listing.stock, listing.status, digest),
                )
            changed = old is None or old["content_hash"] != digest
            if changed:
                self._enqueue(db, listing.key, "score", now)
        return UpsertResult(created=old is None, snapshot=snapshot, changed=changed)

    def set_status(self, key: tuple[str, str], status: str) -> None:
        """Record a status seen without a full page (e.g. the platform says removed)."""
        listing = self.get_listing(key)
        if listing is None or listing.status == status:
            return
        listing.status = status
        self.upsert_listing(listing)

    def _row_to_listing(self, r: sqlite3.Row) -> Listing:
        low, high = from_fen(r["price_low_fen"]), from_fen(r["price_high_fen"])
        return Listing(
            platform=r["platform"],
            listing_id=r["listing_id"],
            url=r["url"],
            title=r["title"],
            price=from_fen(r["price_fen"]),
            price_range=(low, high) if low is not None and high is not None else None,
            price_tiers=[PriceTier(int(t["min_quantity"]), Decimal(t["price"])) for t in json.loads(r["price_tiers"])],
            price_pending=bool(r["price_pending"]),
            currency=r["currency"],
            shop_id=r["shop_id"],
            shop_name=r["shop_name"],
            attributes=json.loads(r["attributes"]),
            description=r["description"],
            image_urls=json.loads(r["image_urls"]),
            sales=r["sales"],
            stock=r["stock"],
            status=r["status"],
            first_seen=_parse_ts(r["first_seen"]),
            last_seen=_parse_ts(r["last_seen"]),
        )

    def get_listing(self, key: tuple[str, str]) -> Listing | None:
        r = self._db.execute("SELECT * FROM listings WHERE platform=? AND listing_id=?", key).fetchone()
        return None if r is None else self._row_to_listing(r)

    def iter_listings(self, platform: str | None = None) -> Iterator[Listing]:
        sql, args = "SELECT * FROM listings", ()
        if platform:
            sql, args = sql + " WHERE platform=?", (platform,)
        for r in self._db.execute(sql + " ORDER BY platform, listing_id", args).fetchall():
            yield self._row_to_listing(r)

    def count_listings(self) -> dict[str, int]:
        """Listing counts per platform."""
        return {r[0]: r[1] for r in self._db.execute("SELECT platform, COUNT(*) FROM listings GROUP BY platform")}

    def snapshots(self, key: tuple[str, str]) -> list[Snapshot]:
        rows = self._db.execute(
            "SELECT * FROM snapshots WHERE platform=? AND listing_id=? ORDER BY observed_at, id", key
        ).fetchall()
        return [
            Snapshot(r["platform"], r["listing_id"], _parse_ts(r["observed_at"]), from_fen(r["price_fen"]), r["title"], r["stock"], r["status"], r["content_hash"])
            for r in rows
        ]

    # -- process queue ----------------------------------------------------------
    @staticmethod
    def _enqueue(db: sqlite3.Connection, key: tuple[str, str], stage: str, now: datetime) -> None:
        db.execute(
            "INSERT INTO queue (platform, listing_id, stage, enqueued_at) VALUES (?,?,?,?) "
            "ON CONFLICT (platform, listing_id, stage) DO UPDATE SET attempts=0, last_error=''",
            (key[0], key[1], stage, _ts(now)),
        )

    def enqueue(self, key: tuple[str, str], stage: str) -> None:
        with self.transaction() as db:
            self._enqueue(db, key, stage, utcnow())

    def pending(self, stage: str, limit: int | None = None, max_attempts: int = 3) -> list[tuple[str, str]]:
        sql = "SELECT platform, listing_id FROM queue WHERE stage=? AND attempts<? ORDER BY enqueued_at, platform, listing_id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [(r[0], r[1]) for r in self._db.execute(sql, (stage, max_attempts))]

    def queue_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self._db.execute("SELECT stage, COUNT(*) FROM queue GROUP BY stage")}

    def complete_stage(self, key: tuple[str, str], stage: str, next_stages: tuple[str, ...] = ()) -> None:
        with self.transaction() as db:
            self._complete(db, key, stage, next_stages)

    def _complete(self, db, key, stage, next_stages) -> None:
        db.execute("DELETE FROM queue WHERE platform=? AND listing_id=? AND stage=?", (*key, stage))
        now = utcnow()
        for nxt in next_stages:
            self._enqueue(db, key, nxt, now)

    def fail_stage(self, key: tuple[str, str], stage: str, error: str) -> None:
        """Count a failed attempt; the row stays for a later run (up to max_attempts)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE queue SET attempts=attempts+1, last_error=? WHERE platform=? AND listing_id=? AND stage=?",
                (error[:2000], *key, stage),
            )

    # -- assessments ------------------------------------------------------------
    def save_assessment(self, a: Assessment, next_stages: tuple[str, ...] = ()) -> None:
        """Save the latest assessment and complete the 'score' stage in one transaction."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO assessments VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    a.platform, a.listing_id, _ts(a.assessed_at), a.category, a.category_confidence, a.risk_score,
                    int(a.flagged), json.dumps(to_jsonable(a.reasons), ensure_ascii=False),
                    json.dumps(to_jsonable(a.specs), ensure_ascii=False), json.dumps(a.model_versions),
                ),
            )
            self._complete(db, (a.platform, a.listing_id), "score", next_stages)

    @staticmethod
    def _row_to_assessment(r: sqlite3.Row) -> Assessment:
        return Assessment(
            platform=r["platform"], listing_id=r["listing_id"], category=r["category"],
            category_confidence=r["category_confidence"], risk_score=r["risk_score"], flagged=bool(r["flagged"]),
            reasons=[Reason(**x) for x in json.loads(r["reasons"])], specs=json.loads(r["specs"]),
            model_versions=json.loads(r["model_versions"]), assessed_at=_parse_ts(r["assessed_at"]),
        )

    def get_assessment(self, key: tuple[str, str]) -> Assessment | None:
        r = self._db.execute("SELECT * FROM assessments WHERE platform=? AND listing_id=?", key).fetchone()
        return None if r is None else self._row_to_assessment(r)

    def flagged(self, platform: str | None = None) -> list[tuple[Listing, Assessment]]:
        """Flagged listings with their assessments, highest risk first."""
        sql = "SELECT l.*, a.* FROM assessments a JOIN listings l USING (platform, listing_id) WHERE a.flagged=1"
        args: tuple = ()
        if platform:
            sql, args = sql + " AND a.platform=?", (platform,)
        rows = self._db.execute(sql + " ORDER BY a.risk_score DESC, a.platform, a.listing_id", args).fetchall()
        return [(self._row_to_listing(r), self._row_to_assessment(r)) for r in rows]

    def reason_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for (reasons,) in self._db.execute("SELECT reasons FROM assessments WHERE flagged=1"):
            for code in {x["code"] for x in json.loads(reasons)}:
                counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

    # -- evidence ---------------------------------------------------------------
    def save_evidence(self, e: Evidence) -> None:
        """Record a capture and complete the 'capture' stage in one transaction."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO evidence (platform, listing_id, captured_at, record) VALUES (?,?,?,?)",
                (e.platform, e.listing_id, _ts(e.captured_at), json.dumps(e.to_dict(), ensure_ascii=False)),
            )
            self._complete(db, (e.platform, e.listing_id), "capture", ())

    def latest_evidence(self, key: tuple[str, str]) -> Evidence | None:
        r = self._db.execute(
            "SELECT record FROM evidence WHERE platform=? AND listing_id=? ORDER BY captured_at DESC, id DESC LIMIT 1", key
        ).fetchone()
        if r is None:
            return None
        d = json.loads(r[0])
        d["captured_at"] = _parse_ts(d["captured_at"])
        d["artefacts"] = [Artefact(**a) for a in d["artefacts"]]
        return Evidence(**d)

    def evidence_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]

    # -- crawl runs -------------------------------------------------------------
    def start_crawl_run(self, platform: str) -> int:
        with self.transaction() as db:
            return db.execute("INSERT INTO crawl_runs (platform, started_at) VALUES (?, ?)", (platform, _ts(utcnow()))).lastrowid

    def finish_crawl_run(self, run_id: int, outcome: str, **counts: int) -> None:
        cols = ("pages", "items", "errors", "blocks", "throttled")
        with self.transaction() as db:
            db.execute(
                f"UPDATE crawl_runs SET ended_at=?, outcome=?, {', '.join(c + '=?' for c in cols)} WHERE id=?",
                (_ts(utcnow()), outcome, *(int(counts.get(c, 0)) for c in cols), run_id),
            )

    def crawl_runs(self, limit: int = 50) -> list[dict]:
        return [dict(r) for r in self._db.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT ?", (limit,))]
