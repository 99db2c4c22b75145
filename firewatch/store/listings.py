"""Listings in SQLite, keyed by (platform, listing_id); their change snapshots; crawl runs;
the search pages a blocked crawl resumes at.

An upsert writes a Snapshot only when price, title, stock or status changed, and queues the
listing for 'score' when its content changed, all in one transaction. Money is integer fen.
An upsert may carry the sighting's `Source` (provenance, `firewatch.store.sources`), recorded
in the same transaction. Each listing may also keep `search_price`, an opaque signature of the price its search
result showed (written by the crawler, compared by its skip-if-unchanged check), which is
not part of the listing's content. `record_removal` stores a listing seen removed when its page was
fetched again, by the 'fetch' stage or a crawl, with what showed it (table `listing_removals`, migrations 28-30);
`suspected_removals` lists the listings a crawl re-visits to confirm or clear a suspected removal. A crawl run records the process that runs it (pid,
host, heartbeat), so the next run can tell a killed run from a running one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Iterable, Iterator

from firewatch.core.models import Listing, PriceTier, Removal, Snapshot, Source, to_jsonable, utcnow
from firewatch.store.protocols import UpsertResult
from firewatch.store.queue import complete_in, enqueue_in
from firewatch.core.money import from_fen, to_fen
from firewatch.store.db import SQLiteDatabase, _parse_ts, _ts, lock_listing_in


def content_hash(listing: Listing) -> str:
    """SHA-256 over the listing's observable content (not its timestamps)."""
    data = to_jsonable(listing)
    for key in ("first_seen", "last_seen"):
        data.pop(key, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def listing_from_row(r: sqlite3.Row) -> Listing:
    """A Listing from a row with the listings table's columns (also from joins)."""
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


def record_source_in(db: sqlite3.Connection, key: tuple[str, str], source: Source, now: datetime) -> None:
    """Record one sighting of a listing in `source`, inside the caller's transaction."""
    seen = _ts(source.last_seen or now)
    db.execute(
        "INSERT INTO listing_sources (platform, listing_id, kind, name, ref, detail, first_seen, last_seen) "
        "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (platform, listing_id, kind, name, ref) "
        "DO UPDATE SET detail=excluded.detail, last_seen=CASE WHEN excluded.last_seen > listing_sources.last_seen "
        "THEN excluded.last_seen ELSE listing_sources.last_seen END",
        (key[0], key[1], source.kind, source.name, source.ref,
         json.dumps(source.detail, ensure_ascii=False, sort_keys=True), _ts(source.first_seen or now), seen),
    )


def upsert_in(db: sqlite3.Connection, listing: Listing, now: datetime, search_price: str | None = None,
              source: Source | None = None, observed: bool = True, queue_score: bool = True,
              complete: str | None = None, worker: str | None = None) -> UpsertResult:
    """`SQLiteListings.upsert_listing` inside the caller's transaction (an import writes a whole file in one).

    `observed=False`: the listing's page was not seen (a report row filling gaps), so a known
    listing keeps its last_seen and gets no snapshot. `queue_score=False`: not queued for
    scoring (a stub whose page is still to be fetched). `complete`: a queue stage of the
    listing completed in the same transaction (with `worker`, only while it holds that stage's
    claim: else `ClaimLost`, raised inside the transaction)."""
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
    if search_price is not None:
        row["search_price"] = search_price
    lock_listing_in(db, listing.key)
    old = db.execute(
        "SELECT price_fen, price_low_fen, title, stock, status, content_hash FROM listings WHERE platform=? AND listing_id=?",
        (listing.platform, listing.listing_id),
    ).fetchone()
    if old is not None and not observed:
        del row["last_seen"]
    if old is None:
        row["first_seen"] = _ts(now)
        cols = ", ".join(row)
        db.execute(f"INSERT INTO listings ({cols}) VALUES ({', '.join(':' + c for c in row)})", row)
    else:
        sets = ", ".join(f"{c}=:{c}" for c in row if c not in ("platform", "listing_id"))
        db.execute(f"UPDATE listings SET {sets} WHERE platform=:platform AND listing_id=:listing_id", row)
    observed_price = row["price_fen"] if row["price_fen"] is not None else row["price_low_fen"]
    snapshot = old is None or observed and (
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
    if changed and old is not None:  # the review queue filters on the shop (firewatch.store.triage)
        db.execute("UPDATE triage SET shop_name_lc=?, shop_id_lc=? WHERE platform=? AND listing_id=?",
                   (listing.shop_name.lower(), listing.shop_id.lower(), listing.platform, listing.listing_id))
    if changed and queue_score:
        enqueue_in(db, listing.key, "score", now)
    if source is not None:
        record_source_in(db, listing.key, source, now)
    if complete is not None:
        complete_in(db, listing.key, complete, (), worker)
    return UpsertResult(created=old is None, snapshot=snapshot, changed=changed)


def rows_by_keys(db, table: str, keys: Iterable[tuple[str, str]], chunk: int = 500) -> list:
    """The rows of `table` (keyed by platform and listing_id) for these keys: one query per
    platform and chunk, never a scan."""
    by_platform: dict[str, list[str]] = {}
    for platform, listing_id in dict.fromkeys(tuple(k) for k in keys):
        by_platform.setdefault(platform, []).append(listing_id)
    rows: list = []
    for platform, ids in by_platform.items():
        for i in range(0, len(ids), chunk):
            part = ids[i:i + chunk]
            rows.extend(db.execute(f"SELECT * FROM {table} WHERE platform=? AND listing_id IN ({', '.join('?' * len(part))})",
                                   (platform, *part)).fetchall())
    return rows


class SQLiteListings:
    """`protocols.ListingRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    # -- listings ---------------------------------------------------------------
    def upsert_listing(self, listing: Listing, observed_at: datetime | None = None,
                       search_price: str | None = None, source: Source | None = None,
                       complete: str | None = None, worker: str | None = None) -> UpsertResult:
        """Insert or update one listing; snapshot and enqueue it when it changed.

        `search_price` (when not None) replaces the kept signature of what the listing's
        search result showed; None leaves the kept one as it was. It changes no content hash.
        `source` (when given) records where this sighting came from, and `complete` (a queue
        stage of the listing) is completed, in the same transaction (with `worker`, only while
        it holds that stage's claim: else `ClaimLost` and nothing is written).
        """
        # Writers of other listings need not wait (PostgreSQL: upsert_in locks just this listing).
        with self._db.transaction(exclusive=False) as db:
            return upsert_in(db, listing, observed_at or utcnow(), search_price, source, complete=complete,
                             worker=worker)

    def record_removal(self, listing: Listing, removal: Removal, confirm_after: timedelta = timedelta(0),
                       complete: str | None = None, worker: str | None = None, source: Source | None = None) -> Removal:
        """Keep a sighting of the listing removed (`removal`: its page fetched again showed the item gone) and,
        when it counts, store the listing with status "removed" as observed at `removal.observed_at`, in one
        transaction (with `complete`/`worker`/`source` as in `upsert_listing`; the stage completes either way).
        A listing not stored yet (a crawl met its page gone on its first visit) is stored as it is given, status
        "unknown", when the sighting does not count.

        A sighting counts at once unless `removal.recheck`; then only when an earlier uncounted sighting on
        the same basis, at least `confirm_after` before it and no earlier than the listing was last seen (not
        removed: on sale, or stored from its search result), is on record (one sighting of a home or error page
        is only suspected). Every fetch path records here: the 'fetch' stage and the crawl. Returns the sighting
        as stored."""
        with self._db.transaction(exclusive=False) as db:
            first = None
            seen = db.execute("SELECT last_seen, status FROM listings WHERE platform=? AND listing_id=?",
                              removal.key).fetchone()
            if removal.recheck:
                alive = seen["last_seen"] if seen is not None and seen["status"] != "removed" else ""
                row = db.execute("SELECT MIN(observed_at) FROM listing_removals WHERE platform=? AND listing_id=? "
                                 "AND basis=? AND counted=0 AND observed_at >= ? AND observed_at <= ?",
                                 (*removal.key, removal.basis, alive or "",
                                  _ts(removal.observed_at - confirm_after))).fetchone()
                first = _parse_ts(row[0]) if row and row[0] else None
            stored = dataclasses.replace(removal, counted=not removal.recheck or first is not None, first_seen_at=first)
            if stored.counted:
                upsert_in(db, dataclasses.replace(listing, status="removed"), removal.observed_at, source=source,
                          complete=complete, worker=worker)
            elif seen is None:  # first met gone: kept as what its search result showed, not yet judged removed
                upsert_in(db, dataclasses.replace(listing, status="unknown"), removal.observed_at, source=source,
                          complete=complete, worker=worker)
            elif complete is not None:
                complete_in(db, removal.key, complete, (), worker)
            db.execute("INSERT INTO listing_removals (platform, listing_id, observed_at, url, final_url, http_status, "
                       "page_text, basis, counted, first_seen_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (removal.platform, removal.listing_id, _ts(removal.observed_at), removal.url, removal.final_url,
                        removal.http_status, removal.text, removal.basis, int(stored.counted),
                        _ts(first) if first else None))
            return stored

    def suspected_removals(self, platforms: Iterable[str], before: datetime, limit: int = 500) -> list[Listing]:
        """Listings of `platforms` not stored as removed that have a suspected (uncounted) removal sighting at or
        before `before` and not seen since (no on-sale sighting after it), oldest sighting first: the item pages a
        crawl fetches again so that a second sighting can confirm the removal or the item be seen on sale."""
        platforms = list(dict.fromkeys(platforms))
        if not platforms:
            return []
        marks = ", ".join("?" * len(platforms))
        rows = self._db.execute(
            "SELECT l.* FROM listings l JOIN (SELECT platform, listing_id, MAX(observed_at) AS sighted "
            "FROM listing_removals WHERE counted = 0 AND observed_at <= ? GROUP BY platform, listing_id) r "
            f"ON r.platform = l.platform AND r.listing_id = l.listing_id WHERE l.platform IN ({marks}) "
            "AND l.status <> 'removed' AND r.sighted >= l.last_seen ORDER BY r.sighted, l.platform, l.listing_id LIMIT ?",
            (_ts(before), *platforms, limit)).fetchall()
        return [listing_from_row(r) for r in rows]

    def latest_removal(self, key: tuple[str, str], since: datetime | None = None,
                       counted: bool | None = True) -> Removal | None:
        """The newest removal sighting of the listing (at or after `since` when given) that counts (`counted`
        True), only suspected (False) or either (None); None if none."""
        sql, args = "SELECT * FROM listing_removals WHERE platform=? AND listing_id=?", [key[0], key[1]]
        if since is not None:
            sql, args = sql + " AND observed_at >= ?", [*args, _ts(since)]
        if counted is not None:
            sql, args = sql + " AND counted = ?", [*args, int(counted)]
        r = self._db.execute(sql + " ORDER BY observed_at DESC, id DESC LIMIT 1", tuple(args)).fetchone()
        if r is None:
            return None
        return Removal(r["platform"], r["listing_id"], _parse_ts(r["observed_at"]), r["url"], r["final_url"],
                       r["http_status"], r["page_text"], r["basis"], recheck=r["first_seen_at"] is not None or
                       not r["counted"], counted=bool(r["counted"]), first_seen_at=_parse_ts(r["first_seen_at"]))

    def get_listing(self, key: tuple[str, str]) -> Listing | None:
        r = self._db.execute("SELECT * FROM listings WHERE platform=? AND listing_id=?", key).fetchone()
        return None if r is None else listing_from_row(r)

    def get_listings(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Listing]:
        """These listings (missing ones left out), a query per platform."""
        return {(r["platform"], r["listing_id"]): listing_from_row(r) for r in rows_by_keys(self._db, "listings", keys)}

    def iter_listings(self, platform: str | None = None) -> Iterator[Listing]:
        sql, args = "SELECT * FROM listings", ()
        if platform:
            sql, args = sql + " WHERE platform=?", (platform,)
        for r in self._db.execute(sql + " ORDER BY platform, listing_id", args).fetchall():
            yield listing_from_row(r)

    def count_listings(self) -> dict[str, int]:
        """Listing counts per platform."""
        return {r[0]: r[1] for r in self._db.execute("SELECT platform, COUNT(*) FROM listings GROUP BY platform")}

    def shop_listing_keys(self, platform: str, shop_id: str, shop_name: str = "", limit: int = 50) -> list[tuple[str, str]]:
        """Keys of one shop's listings on one platform (by shop id, or by name when there is no id)."""
        if shop_id:
            rows = self._db.execute("SELECT platform, listing_id FROM listings WHERE platform=? AND shop_id=? "
                                    "ORDER BY last_seen DESC LIMIT ?", (platform, shop_id, limit))
        elif shop_name:
            # the index holds the name's first 200 characters (a long name fits a PostgreSQL btree row)
            rows = self._db.execute("SELECT platform, listing_id FROM listings WHERE platform=? "
                                    "AND substr(shop_name, 1, 200)=substr(?, 1, 200) AND shop_name=? "
                                    "ORDER BY last_seen DESC LIMIT ?", (platform, shop_name, shop_name, limit))
        else:
            return []
        return [(r[0], r[1]) for r in rows]

    def listing_titles(self) -> list[tuple[str, str, str, str, str]]:
        """(platform, listing_id, title, status, first_seen) of every listing, for similarity checks."""
        return [tuple(r) for r in self._db.execute("SELECT platform, listing_id, title, status, first_seen FROM listings")]

    # -- snapshots --------------------------------------------------------------
    def snapshots(self, key: tuple[str, str]) -> list[Snapshot]:
        rows = self._db.execute(
            "SELECT * FROM snapshots WHERE platform=? AND listing_id=? ORDER BY observed_at, id", key
        ).fetchall()
        return [
            Snapshot(r["platform"], r["listing_id"], _parse_ts(r["observed_at"]), from_fen(r["price_fen"]), r["title"], r["stock"], r["status"], r["content_hash"])
            for r in rows
        ]

    def iter_recently_seen(self, since: datetime, status: str = "active") -> Iterator[tuple[Listing, str | None]]:
        """Listings with `status` last seen at or after `since`, each with its kept search-page
        price signature (None when none was kept), in key order."""
        rows = self._db.execute("SELECT * FROM listings WHERE status=? AND last_seen>=? ORDER BY platform, listing_id",
                                (status, _ts(since))).fetchall()
        for r in rows:
            yield listing_from_row(r), r["search_price"]

    # -- crawl runs -------------------------------------------------------------
    def start_crawl_run(self, platform: str, pid: int | None = None, host: str = "",
                        conditions: dict[str, Any] | None = None) -> int:
        """Record a run that starts now in process `pid` on `host`; its heartbeat is now.
        `conditions` (JSON) says what it ran under: host map, robots.txt policy, legal basis, session."""
        now = _ts(utcnow())
        with self._db.transaction() as db:
            return db.execute("INSERT INTO crawl_runs (platform, started_at, pid, host, heartbeat_at, conditions) "
                              "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                              (platform, now, pid, host, now,
                               json.dumps(conditions or {}, ensure_ascii=False, sort_keys=True))).fetchone()[0]

    def heartbeat_crawl_runs(self, run_ids: list[int]) -> None:
        """The runs' process is alive now (runs already finished are left alone)."""
        if not run_ids:
            return
        with self._db.transaction() as db:
            db.execute(f"UPDATE crawl_runs SET heartbeat_at=? WHERE ended_at IS NULL AND id IN ({', '.join('?' * len(run_ids))})",
                       (_ts(utcnow()), *run_ids))

    def open_crawl_runs(self, platform: str) -> list[dict[str, Any]]:
        """Runs of `platform` never finished (running, or killed before they could say so), oldest first."""
        return [dict(r) for r in self._db.execute(
            "SELECT * FROM crawl_runs WHERE platform=? AND ended_at IS NULL ORDER BY id", (platform,))]

    def mark_crawl_run_killed(self, run_id: int) -> bool:
        """End a still-open run with outcome "killed" (now); False when it had ended meanwhile."""
        with self._db.transaction() as db:
            return db.execute("UPDATE crawl_runs SET ended_at=?, outcome='killed' WHERE id=? AND ended_at IS NULL",
                              (_ts(utcnow()), run_id)).rowcount == 1

    def finish_crawl_run(self, run_id: int, outcome: str, **counts: int) -> None:
        cols = ("pages", "items", "errors", "blocks", "throttled")
        with self._db.transaction() as db:
            db.execute(
                f"UPDATE crawl_runs SET ended_at=?, outcome=?, {', '.join(c + '=?' for c in cols)} WHERE id=?",
                (_ts(utcnow()), outcome, *(int(counts.get(c, 0)) for c in cols), run_id),
            )

    def crawl_runs(self, limit: int = 50) -> list[dict]:
        return [dict(r) for r in self._db.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT ?", (limit,))]

    def crawl_runs_since(self, platform: str, since: datetime) -> list[dict[str, Any]]:
        """Ended crawl runs of `platform` that started at or after `since`, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM crawl_runs WHERE platform=? AND started_at>=? AND ended_at IS NOT NULL ORDER BY started_at",
            (platform, _ts(since))).fetchall()
        return [dict(r) for r in rows]

    # -- blocked search pages to resume at ---------------------------------------
    def set_resume_page(self, platform: str, keyword: str, page: int) -> None:
        """Remember that the search of `keyword` on `platform` was blocked at `page` (1-based);
        the latest call wins."""
        if int(page) < 1:
            raise ValueError(f"search page must be 1 or more, not {page!r}")
        with self._db.transaction() as db:
            db.execute("INSERT INTO search_resume (platform, keyword, page, blocked_at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (platform, keyword) DO UPDATE SET page=excluded.page, blocked_at=excluded.blocked_at",
                       (platform, keyword, int(page), _ts(utcnow())))

    def resume_page(self, platform: str, keyword: str) -> int:
        """The search page to start `keyword` at: where it was last blocked, else 1."""
        r = self._db.execute("SELECT page FROM search_resume WHERE platform=? AND keyword=?", (platform, keyword)).fetchone()
        return 1 if r is None else int(r[0])

    def resume_pages(self, platform: str) -> dict[str, int]:
        """Every remembered blocked page of `platform`: keyword -> page."""
        return {r[0]: int(r[1]) for r in self._db.execute(
            "SELECT keyword, page FROM search_resume WHERE platform=? ORDER BY keyword", (platform,))}

    def clear_resume_page(self, platform: str, keyword: str) -> None:
        """The search of `keyword` completed: the next run starts it at page 1."""
        with self._db.transaction() as db:
            db.execute("DELETE FROM search_resume WHERE platform=? AND keyword=?", (platform, keyword))
