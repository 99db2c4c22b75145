"""Public tips in SQLite: what a tipster sent, the listing it names, and the challenges used.

A tip row holds the receipt code (unique), the URL and/or shop name, the text, the contact
(shown to admins only; never copied into `listing_sources`, takedown lists, notices or
packs), the sender's address as a keyed hash (never the address), and its photos as stored
paths with SHA-256 and media type. `add_tip` counts the address's recent tips in the same
transaction that inserts, so the rate limit holds under concurrent posts; `use_challenge`
records a proof-of-work challenge once (a replay is refused) and forgets expired ones.
A tip's status is not stored: the service derives it from the listing's assessment and
latest decision.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any, Iterable

from firewatch.core.models import utcnow
from firewatch.store.db import SQLiteDatabase, _parse_ts, _ts
from firewatch.store.protocols import TipRecord

_COLUMNS = ("receipt, created_at, url, platform, listing_id, on_platform, shop_name, text, contact, ip_hash, photos")


def tip_from_row(r: sqlite3.Row) -> TipRecord:
    return TipRecord(id=r["id"], receipt=r["receipt"], created_at=_parse_ts(r["created_at"]), url=r["url"],
                     platform=r["platform"], listing_id=r["listing_id"], on_platform=bool(r["on_platform"]),
                     shop_name=r["shop_name"], text=r["text"], contact=r["contact"],
                     photos=json.loads(r["photos"]), linked_by=r["linked_by"], linked_at=_parse_ts(r["linked_at"]))


class SQLiteTips:
    """`protocols.TipRepository` in SQLite."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    def add_tip(self, tip: TipRecord, ip_hash: str, since: datetime, limit: int) -> int | None:
        """Insert `tip` unless its address already sent `limit` tips since `since` (then None)."""
        with self._db.transaction() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM tips WHERE ip_hash=? AND created_at>=?",
                                  (ip_hash, _ts(since))).fetchone()
            if count >= limit:
                return None
            cur = db.execute(
                f"INSERT INTO tips ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                (tip.receipt, _ts(tip.created_at or utcnow()), tip.url, tip.platform, tip.listing_id,
                 int(tip.on_platform), tip.shop_name, tip.text, tip.contact, ip_hash,
                 json.dumps(tip.photos, ensure_ascii=False)))
            return int(cur.fetchone()[0])

    def recent_tips(self, ip_hash: str, since: datetime) -> int:
        """How many tips this address sent since `since`."""
        return self._db.execute("SELECT COUNT(*) FROM tips WHERE ip_hash=? AND created_at>=?",
                                (ip_hash, _ts(since))).fetchone()[0]

    def use_challenge(self, challenge_id: str, expires_at: datetime, now: datetime | None = None) -> bool:
        """Record a challenge as used; False when it was used before. Expired ones are forgotten
        (their signature's time already refuses them)."""
        now = now or utcnow()
        with self._db.transaction() as db:
            db.execute("DELETE FROM tip_challenges WHERE expires_at<?", (_ts(now),))
            cur = db.execute("INSERT INTO tip_challenges (id, used_at, expires_at) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                             (challenge_id, _ts(now), _ts(expires_at)))
            return cur.rowcount > 0

    def get_tip(self, receipt: str) -> TipRecord | None:
        r = self._db.execute("SELECT * FROM tips WHERE receipt=?", (receipt,)).fetchone()
        return None if r is None else tip_from_row(r)

    def tips(self, limit: int | None = None) -> list[TipRecord]:
        """Every tip, newest first."""
        sql = "SELECT * FROM tips ORDER BY created_at DESC, id DESC"
        args: tuple[Any, ...] = ()
        if limit is not None:
            sql, args = sql + " LIMIT ?", (int(limit),)
        return [tip_from_row(r) for r in self._db.execute(sql, args)]

    def tips_of(self, key: tuple[str, str]) -> list[TipRecord]:
        """The tips naming one listing, oldest first."""
        rows = self._db.execute("SELECT * FROM tips WHERE platform=? AND listing_id=? ORDER BY created_at, id", key)
        return [tip_from_row(r) for r in rows]

    def tipped(self, keys: Iterable[tuple[str, str]] | None = None) -> dict[tuple[str, str], list[TipRecord]]:
        """The tips of every tipped listing (or of these keys), oldest first per listing."""
        found: dict[tuple[str, str], list[TipRecord]] = {}
        wanted = None if keys is None else set(keys)
        for r in self._db.execute("SELECT * FROM tips WHERE platform IS NOT NULL ORDER BY created_at, id"):
            key = (r["platform"], r["listing_id"])
            if wanted is None or key in wanted:
                found.setdefault(key, []).append(tip_from_row(r))
        return found

    def link_tip(self, receipt: str, key: tuple[str, str], by: str, at: datetime | None = None) -> bool:
        """Point a tip at a listing (an admin's link for a tip that named a shop or another page)."""
        with self._db.transaction() as db:
            cur = db.execute("UPDATE tips SET platform=?, listing_id=?, on_platform=1, linked_by=?, linked_at=? "
                             "WHERE receipt=?", (key[0], key[1], by, _ts(at or utcnow()), receipt))
            return cur.rowcount == 1
