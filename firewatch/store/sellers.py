"""Sellers behind shops (issue 16, migration 18): keys per shop, links between shops, sellers as
groups of linked shops across platforms, and listings queued because a linked shop was confirmed.

A shop is (platform, shop_id) (a listing without a shop id uses "name:" + its shop name). Every
shop seen by the sellers step has a `seller_shops` row naming its seller; a seller is a group of
shops joined by links (union-find: `seller_id` per shop is the group; merging moves the smaller
group's shops to the larger and records `sellers.merged_into`, so an old seller id still finds its
group). `add_keys_in` stores a shop's keys and links it to every shop sharing a strong key, or
sharing `weak_needed` different weak keys; a key value held by more than `max_shops` shops links
nothing more (a hotline, a stock photo). Each link keeps the key (kind and value) that made it.
All lookups go through indexes: keys by (kind, value), shops by seller, links by shop.

`queue_linked_in(db, key, ...)`: inside the transaction that confirms a listing, the active
listings of the seller's shops on other platforms get a `linked_reviews` row (which link, which
confirmed listing) and their review-queue row (store/triage.py treats it like a tip).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from firewatch.core.models import utcnow
from firewatch.store import triage
from firewatch.store.db import _ts

Shop = tuple[str, str]
LISTING_FIELDS = ("id", "platform", "listing_id", "shop_id", "shop_name", "title", "description", "attributes",
                  "image_urls", "first_seen")  # what keys are read from, and when the shop was first seen
LINKED_LIMIT = 200  # at most this many listings queued for review per confirmation (docs/sellers.md)


@dataclass(frozen=True)
class Key:
    """One key found for a shop: its kind, normalised value, where it was read (listing, source)."""

    kind: str
    value: str
    listing_id: str = ""
    source: str = ""


@dataclass
class LinkRule:
    """Which kinds link on their own, how many weak ones link together, when a value is too common."""

    strong: frozenset[str]
    weak_needed: int = 2
    max_shops: int = 20


def shop_of(platform: str, shop_id: str, shop_name: str) -> Shop:
    """The shop key of a listing."""
    return (platform, shop_id or (NAME_KEY + (shop_name or "")[:200]))


NAME_KEY = "name:"


def _listings_of_shops(where: str) -> str:
    """FROM-clause SQL: the listings (alias `l`: seller_id, platform, listing_id, first_seen, title, status)
    of the shops in seller_shops `s` matching `where`, joined through the index that fits each kind of
    shop key: the shop id (listings_shop), or for a shop known only by name, its name (listings_shop_name).
    `where`'s placeholders are used twice: pass its arguments twice (`_twice`)."""
    cols = "s.seller_id AS seller_id, l.platform AS platform, l.listing_id AS listing_id, l.first_seen AS first_seen, " \
           "l.title AS title, l.status AS status"
    return (f"(SELECT {cols} FROM seller_shops s JOIN listings l ON l.platform=s.platform AND l.shop_id=s.shop_id "
            f"WHERE ({where}) AND s.shop_id NOT LIKE '{NAME_KEY}%' UNION ALL "
            f"SELECT {cols} FROM seller_shops s JOIN listings l ON l.platform=s.platform AND l.shop_id='' "
            f"AND substr(l.shop_name, 1, 200)=substr(s.shop_id, {len(NAME_KEY) + 1}) "
            f"WHERE ({where}) AND s.shop_id LIKE '{NAME_KEY}_%') l")


def _twice(args: tuple) -> tuple:
    return (*args, *args)


def _shop_listings_sql(shop: Shop) -> tuple[str, tuple]:
    """WHERE-clause SQL over `listings l` for one shop's listings, and its arguments."""
    if shop[1].startswith(NAME_KEY):
        return "l.platform=? AND l.shop_id='' AND substr(l.shop_name, 1, 200)=?", (shop[0], shop[1][len(NAME_KEY):])
    return "l.platform=? AND l.shop_id=?", shop


def seller_in(db, shop: Shop) -> int | None:
    r = db.execute("SELECT seller_id FROM seller_shops WHERE platform=? AND shop_id=?", shop).fetchone()
    return int(r[0]) if r else None


def _ensure_shop(db, shop: Shop, name: str, now: str, seen: str | None = None) -> int:
    """The shop's seller (a new one for a shop not met before). The shop's `first_seen` is the earliest
    first sighting of any of its listings (`seen`), not when this step ran."""
    seen = min(seen, now) if seen else now
    found = seller_in(db, shop)
    if found is not None:
        if name:
            db.execute("UPDATE seller_shops SET shop_name=? WHERE platform=? AND shop_id=? AND shop_name<>?",
                       (name[:500], shop[0], shop[1], name[:500]))
        db.execute("UPDATE seller_shops SET first_seen=? WHERE platform=? AND shop_id=? AND first_seen>?",
                   (seen, shop[0], shop[1], seen))
        return found
    new = int(db.execute("INSERT INTO sellers (created_at) VALUES (?) RETURNING id", (now,)).fetchone()[0])
    db.execute("INSERT INTO seller_shops (platform, shop_id, shop_name, seller_id, first_seen) VALUES (?,?,?,?,?)",
               (shop[0], shop[1], (name or "")[:500], new, seen))
    return new


def _union(db, a: int, b: int) -> int:
    """Merge two sellers; the one with more shops stays. Returns the seller id kept."""
    if a == b:
        return a
    na = db.execute("SELECT COUNT(*) FROM seller_shops WHERE seller_id=?", (a,)).fetchone()[0]
    nb = db.execute("SELECT COUNT(*) FROM seller_shops WHERE seller_id=?", (b,)).fetchone()[0]
    keep, gone = (a, b) if (na, -a) >= (nb, -b) else (b, a)
    db.execute("UPDATE seller_shops SET seller_id=? WHERE seller_id=?", (keep, gone))
    db.execute("UPDATE sellers SET merged_into=? WHERE id=? OR merged_into=?", (keep, gone, gone))
    db.execute("UPDATE linked_reviews SET seller_id=? WHERE seller_id=?", (keep, gone))
    return keep


def _link(db, x: Shop, y: Shop, kind: str, value: str, listing_id: str, now: str) -> None:
    a, b = sorted((x, y))
    db.execute("INSERT INTO seller_links (a_platform, a_shop, b_platform, b_shop, kind, value, listing_id, created_at) "
               "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (a_platform, a_shop, b_platform, b_shop, kind) DO NOTHING",
               (a[0], a[1], b[0], b[1], kind, value[:500], listing_id, now))
    sx, sy = seller_in(db, x), seller_in(db, y)
    if sx is not None and sy is not None:
        _union(db, sx, sy)


def add_keys_in(db, shop: Shop, shop_name: str, keys: Iterable[Key], rule: LinkRule,
                now: datetime | None = None, seen: str | None = None) -> int:
    """Record a shop's keys and link it to shops sharing them; returns how many keys were new. `seen`:
    when the listing the keys come from was first seen (ISO UTC, as stored)."""
    stamp = _ts(now or utcnow())
    _ensure_shop(db, shop, shop_name, stamp, seen)
    new = 0
    weak_new: list[Key] = []
    for k in keys:
        if not k.value:
            continue
        value = k.value[:500]
        cur = db.execute("INSERT INTO seller_keys (platform, shop_id, kind, value, listing_id, source, first_seen) "
                         "VALUES (?,?,?,?,?,?,?) ON CONFLICT (platform, shop_id, kind, value) DO NOTHING",
                         (shop[0], shop[1], k.kind, value, k.listing_id, k.source, stamp))
        if cur.rowcount != 1:
            continue
        new += 1
        others = [(r[0], r[1]) for r in db.execute(
            "SELECT platform, shop_id FROM seller_keys WHERE kind=? AND value=? AND NOT (platform=? AND shop_id=?) "
            "ORDER BY platform, shop_id LIMIT ?", (k.kind, value, shop[0], shop[1], rule.max_shops + 1))]
        if not others or len(others) >= rule.max_shops:
            continue  # nobody else, or a value too common to say who is behind a shop
        if k.kind in rule.strong:
            for other in others:
                _link(db, shop, other, k.kind, value, k.listing_id, stamp)
        else:
            weak_new.append(Key(k.kind, value, k.listing_id, k.source))
    if weak_new:
        weak_kinds = sorted({"address", "shop_name", "image", "credit_code", "operator", "phone", "wechat", "qq"}
                            - set(rule.strong))
        marks = ",".join("?" * len(weak_kinds))
        candidates: set[Shop] = set()
        for k in weak_new:
            candidates.update((r[0], r[1]) for r in db.execute(
                "SELECT platform, shop_id FROM seller_keys WHERE kind=? AND value=? AND NOT (platform=? AND shop_id=?) "
                "LIMIT ?", (k.kind, k.value, shop[0], shop[1], rule.max_shops + 1)))
        for other in sorted(candidates):
            shared = db.execute(
                f"SELECT a.kind, a.value FROM seller_keys a JOIN seller_keys b ON b.kind=a.kind AND b.value=a.value "
                f"AND b.platform=? AND b.shop_id=? WHERE a.platform=? AND a.shop_id=? AND a.kind IN ({marks}) "
                "ORDER BY a.kind, a.value", (other[0], other[1], shop[0], shop[1], *weak_kinds)).fetchall()
            kinds = sorted({r[0] for r in shared})
            if len(kinds) >= rule.weak_needed:
                value = "；".join(f"{r[0]}={r[1]}" for r in shared)
                _link(db, shop, other, "+".join(kinds), value, weak_new[0].listing_id, stamp)
    return new


def queue_linked_in(db, key: tuple[str, str], limit: int = 200, now: datetime | None = None) -> int:
    """A listing was confirmed: queue the active listings of its seller's shops on the other platforms
    for review, each with the link that joins its shop to the seller; returns how many were queued."""
    row = db.execute("SELECT shop_id, shop_name FROM listings WHERE platform=? AND listing_id=?", key).fetchone()
    if row is None or limit <= 0:
        return 0
    shop = shop_of(key[0], row[0], row[1])
    seller = seller_in(db, shop)
    if seller is None:
        return 0
    stamp = _ts(now or utcnow())
    shops = [(r[0], r[1]) for r in db.execute(
        "SELECT platform, shop_id FROM seller_shops WHERE seller_id=? AND platform<>? ORDER BY platform, shop_id "
        "LIMIT ?", (seller, key[0], limit))]
    queued = 0
    for other in shops:
        if queued >= limit:
            break
        link = _path_link(db, shop, other)
        where, args = _shop_listings_sql(other)
        listings = db.execute(
            f"SELECT l.listing_id FROM listings l WHERE {where} AND l.status='active' "
            "AND NOT EXISTS (SELECT 1 FROM linked_reviews r WHERE r.platform=l.platform AND r.listing_id=l.listing_id) "
            "AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.platform=l.platform AND d.listing_id=l.listing_id) "
            "ORDER BY l.listing_id LIMIT ?", (*args, limit - queued)).fetchall()
        for (lid,) in listings:
            db.execute("INSERT INTO linked_reviews (platform, listing_id, from_platform, from_listing_id, seller_id, "
                       "kind, value, queued_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (platform, listing_id) DO NOTHING",
                       (other[0], lid, key[0], key[1], seller, link[0], link[1], stamp))
            triage.refresh_in(db, (other[0], lid))
            queued += 1
    return queued


def unqueue_linked_in(db, key: tuple[str, str]) -> int:
    """The confirmation of `key` was undone: the listings it queued on linked shops that nobody has
    decided on leave the review queue (as if it had never been made); returns how many."""
    rows = db.execute("SELECT q.platform, q.listing_id FROM linked_reviews q WHERE q.from_platform=? "
                      "AND q.from_listing_id=? AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.platform=q.platform "
                      "AND d.listing_id=q.listing_id)", key).fetchall()
    for platform, listing_id in rows:
        db.execute("DELETE FROM linked_reviews WHERE platform=? AND listing_id=?", (platform, listing_id))
        triage.refresh_in(db, (platform, listing_id))
    return len(rows)


def _path_link(db, shop: Shop, other: Shop) -> tuple[str, str]:
    """The key that joins `other` to the seller: its direct link with `shop` when there is one, else
    its first link to any shop of the seller (the seller page shows the whole chain)."""
    a, b = sorted((shop, other))
    r = db.execute("SELECT kind, value FROM seller_links WHERE a_platform=? AND a_shop=? AND b_platform=? AND b_shop=? "
                   "ORDER BY id LIMIT 1", (a[0], a[1], b[0], b[1])).fetchone()
    if r is None:
        r = db.execute("SELECT kind, value FROM seller_links WHERE (a_platform=? AND a_shop=?) OR (b_platform=? AND "
                       "b_shop=?) ORDER BY id LIMIT 1", (other[0], other[1], other[0], other[1])).fetchone()
    return (r[0], r[1]) if r else ("", "")


class SQLiteSellers:
    """Reads and writes of the seller tables over the store's connection (either engine)."""

    def __init__(self, db):
        self._db = db

    # -- the sellers step ---------------------------------------------------------------------------
    def cursor(self, name: str) -> int:
        r = self._db.execute("SELECT last_id FROM seller_cursors WHERE name=?", (name,)).fetchone()
        return int(r[0]) if r else 0

    def scored_after(self, last_id: int, limit: int) -> list[dict[str, Any]]:
        """Listings scored (queue_done 'score') after `last_id`, oldest first, with what keys are read from."""
        rows = self._db.execute(
            "SELECT q.id, l.platform, l.listing_id, l.shop_id, l.shop_name, l.title, l.description, l.attributes, "
            "l.image_urls, l.first_seen FROM queue_done q JOIN listings l ON l.platform=q.platform "
            "AND l.listing_id=q.listing_id WHERE q.stage='score' AND q.id>? ORDER BY q.id LIMIT ?",
            (last_id, limit)).fetchall()
        return [dict(zip(LISTING_FIELDS, tuple(r))) for r in rows]

    def last_scored_id(self, last_id: int, limit: int) -> int | None:
        """The queue_done id ending the batch after `last_id` (also when its listings were deleted)."""
        r = self._db.execute("SELECT MAX(id) FROM (SELECT id FROM queue_done WHERE stage='score' AND id>? "
                             "ORDER BY id LIMIT ?) t", (last_id, limit)).fetchone()
        return int(r[0]) if r and r[0] is not None else None

    def listings_after(self, after: tuple[str, str] | None, limit: int) -> list[dict[str, Any]]:
        """Every listing in key order (a full rebuild), a keyset page at a time."""
        where, args = ("WHERE (platform, listing_id) > (?, ?) ", after) if after else ("", ())
        rows = self._db.execute(
            "SELECT 0, platform, listing_id, shop_id, shop_name, title, description, attributes, image_urls, "
            f"first_seen FROM listings {where}ORDER BY platform, listing_id LIMIT ?", (*args, limit)).fetchall()
        return [dict(zip(LISTING_FIELDS, tuple(r))) for r in rows]

    def replies_after(self, last_id: int, limit: int) -> list[dict[str, Any]]:
        """Assistance replies imported after `last_id` (operator and credit code the platform gave)."""
        rows = self._db.execute(
            "SELECT r.id, r.platform, r.listing_id, l.shop_id, l.shop_name, r.operator_name, r.credit_code "
            "FROM assist_replies r JOIN listings l ON l.platform=r.platform AND l.listing_id=r.listing_id "
            "WHERE r.id>? ORDER BY r.id LIMIT ?", (last_id, limit)).fetchall()
        return [dict(zip(("id", "platform", "listing_id", "shop_id", "shop_name", "operator", "credit_code"),
                         tuple(r))) for r in rows]

    def last_reply_id(self) -> int:
        r = self._db.execute("SELECT MAX(id) FROM assist_replies").fetchone()
        return int(r[0]) if r and r[0] is not None else 0

    def source_details(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        """The provenance details (JSON text) of report and assistance sources of these listings."""
        out: dict[tuple[str, str], list[str]] = {}
        for key in keys:
            for (detail,) in self._db.execute("SELECT detail FROM listing_sources WHERE platform=? AND listing_id=? "
                                              "AND kind IN ('report','assist')", key):
                out.setdefault(key, []).append(detail)
        return out

    def image_hashes(self, urls: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for lo in range(0, len(urls), 200):
            part = urls[lo:lo + 200]
            for url, dhash in self._db.execute(
                    f"SELECT url, dhash FROM image_hashes WHERE dhash IS NOT NULL AND url IN ({','.join('?' * len(part))})",
                    tuple(part)):
                out[url] = dhash
        return out

    def save_batch(self, items: list[tuple[Shop, str, list[Key]]], rule: LinkRule, cursor: tuple[str, int] | None
                   ) -> int:
        """Record a batch's keys and links and move the cursor, in one transaction; returns the new keys."""
        with self._db.transaction() as db:
            new = sum(add_keys_in(db, shop, name, keys, rule, seen=seen) for shop, name, keys, seen in items)
            if cursor is not None:
                db.execute("INSERT INTO seller_cursors (name, last_id) VALUES (?, ?) ON CONFLICT (name) "
                           "DO UPDATE SET last_id=CASE WHEN excluded.last_id > seller_cursors.last_id THEN excluded.last_id "
                           "ELSE seller_cursors.last_id END", cursor)  # two workers: never backwards
        return new

    def reset(self) -> None:
        """Forget every key, link and seller (a rebuild starts from nothing)."""
        with self._db.transaction() as db:
            for table in ("seller_links", "seller_keys", "seller_shops", "sellers", "seller_cursors"):
                db.execute(f"DELETE FROM {table}")

    # -- reading ------------------------------------------------------------------------------------
    def resolve_id(self, seller_id: int) -> int | None:
        """The seller id now holding `seller_id`'s shops (it may have been merged), None if unknown."""
        r = self._db.execute("SELECT id, merged_into FROM sellers WHERE id=?", (seller_id,)).fetchone()
        if r is None:
            return None
        return int(r[1]) if r[1] is not None else int(r[0])

    def seller_of_shop(self, platform: str, shop_id: str) -> int | None:
        """The seller behind a shop (None: the shop was not resolved yet)."""
        return seller_in(self._db, (platform, shop_id))

    def seller_of_listing(self, key: tuple[str, str]) -> int | None:
        r = self._db.execute("SELECT shop_id, shop_name FROM listings WHERE platform=? AND listing_id=?", key).fetchone()
        return seller_in(self._db, shop_of(key[0], r[0], r[1])) if r else None

    def sellers_of(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int, int]]:
        """For a page of listings: listing -> (seller id, shops of the seller, confirmed violations),
        for listings whose seller has more than one shop or a confirmed violation."""
        out: dict[tuple[str, str], tuple[int, int, int]] = {}
        cache: dict[int, tuple[int, int]] = {}
        for key in keys:
            seller = self.seller_of_listing(key)
            if seller is None:
                continue
            if seller not in cache:
                cache[seller] = (self.shop_count(seller), self.confirmed_count(seller))
            shops, confirmed = cache[seller]
            if shops > 1 or confirmed:
                out[key] = (seller, shops, confirmed)
        return out

    def shop_count(self, seller_id: int) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM seller_shops WHERE seller_id=?", (seller_id,)).fetchone()[0])

    def shops(self, seller_id: int) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT platform, shop_id, shop_name, first_seen FROM seller_shops WHERE seller_id=? "
            "ORDER BY platform, shop_id LIMIT 500", (seller_id,)).fetchall()
        out = []
        for r in rows:
            where, args = _shop_listings_sql((r[0], r[1]))
            count = self._db.execute(f"SELECT COUNT(*) FROM listings l WHERE {where}", args).fetchone()[0]
            out.append(dict(zip(("platform", "shop_id", "shop_name", "first_seen", "listings"), (*tuple(r), int(count)))))
        return out

    def links(self, seller_id: int, limit: int = 500) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT k.a_platform, k.a_shop, k.b_platform, k.b_shop, k.kind, k.value, k.listing_id, k.created_at "
            "FROM seller_shops s JOIN seller_links k ON k.a_platform=s.platform AND k.a_shop=s.shop_id "
            "WHERE s.seller_id=? ORDER BY k.id LIMIT ?", (seller_id, limit)).fetchall()
        return [dict(zip(("a_platform", "a_shop", "b_platform", "b_shop", "kind", "value", "listing_id",
                          "created_at"), tuple(r))) for r in rows]

    def keys_of_shop(self, shop: Shop) -> list[Key]:
        return [Key(r[0], r[1], r[2], r[3]) for r in self._db.execute(
            "SELECT kind, value, listing_id, source FROM seller_keys WHERE platform=? AND shop_id=? ORDER BY kind, value",
            shop)]

    def confirmed_count(self, seller_id: int) -> int:
        """Listings of the seller's shops whose latest decision confirms a violation."""
        return int(self._db.execute(
            f"SELECT COUNT(*) FROM {_listings_of_shops('s.seller_id=?')} "
            "JOIN triage t ON t.platform=l.platform AND t.listing_id=l.listing_id WHERE t.verdict='confirm'",
            _twice((seller_id,))).fetchone()[0])

    def confirmed_reason_codes(self, seller_id: int) -> set[str]:
        """The reason codes the confirming decisions of the seller's listings judged (not a later re-score's)."""
        codes: set[str] = set()
        for (text,) in self._db.execute(
                f"SELECT t.decided_codes FROM {_listings_of_shops('s.seller_id=?')} JOIN triage t "
                "ON t.platform=l.platform AND t.listing_id=l.listing_id WHERE t.verdict='confirm' LIMIT 1000",
                _twice((seller_id,))):
            codes.update(c for c in (text or "").split() if c)
        return codes

    def linked_review(self, key: tuple[str, str]) -> dict[str, Any] | None:
        r = self._db.execute("SELECT from_platform, from_listing_id, seller_id, kind, value, queued_at FROM linked_reviews "
                             "WHERE platform=? AND listing_id=?", key).fetchone()
        return dict(zip(("from_platform", "from_listing_id", "seller_id", "kind", "value", "queued_at"), tuple(r))) \
            if r else None

    def timeline(self, seller_id: int, before: tuple[str, str] | None = None, limit: int = 50
                 ) -> list[dict[str, Any]]:
        """The seller's events, newest first, a keyset page at a time (`before`: (at, sort id) of the last
        row shown): first sight of listings, flags, decisions, notices, removals, relistings alerts,
        watchlist flags, assistance replies, linked queueing. Every part starts from the seller's shops
        (index seller_shops_seller) and joins by listing key, so its cost follows the seller's size."""
        own = _listings_of_shops("s.seller_id=?")  # the seller's listings
        parts = [
            ("SELECT l.first_seen AS at, 'seen' AS kind, l.platform, l.listing_id, l.title AS detail, "
             f"'a' || l.platform || l.listing_id AS sid FROM {own}"),
            ("SELECT a.assessed_at AS at, 'flagged' AS kind, a.platform, a.listing_id, a.reasons AS detail, "
             f"'b' || a.platform || a.listing_id AS sid FROM {own} JOIN assessments a ON a.platform=l.platform "
             "AND a.listing_id=l.listing_id WHERE a.flagged=1"),
            ("SELECT d.at AS at, 'decision' AS kind, d.platform, d.listing_id, d.verdict || ' ' || d.reviewer AS detail, "
             f"'c' || CAST(d.id AS TEXT) AS sid FROM {own} JOIN decisions d ON d.platform=l.platform "
             "AND d.listing_id=l.listing_id"),
            ("SELECT n.created_at AS at, 'notice' AS kind, i.platform, i.listing_id, n.status AS detail, "
             f"'d' || CAST(n.id AS TEXT) || i.listing_id AS sid FROM {own} JOIN notice_items i ON i.platform=l.platform "
             "AND i.listing_id=l.listing_id JOIN notices n ON n.id=i.notice_id"),
            ("SELECT i.removed_at AS at, 'removed' AS kind, i.platform, i.listing_id, i.removal_basis AS detail, "
             f"'e' || CAST(i.notice_id AS TEXT) || i.listing_id AS sid FROM {own} JOIN notice_items i "
             "ON i.platform=l.platform AND i.listing_id=l.listing_id WHERE i.removed_at IS NOT NULL"),
            ("SELECT sn.observed_at AS at, 'removed' AS kind, sn.platform, sn.listing_id, '下架（复查所见）' AS detail, "
             f"'i' || sn.platform || sn.listing_id || sn.observed_at AS sid FROM {own} JOIN snapshots sn "
             "ON sn.platform=l.platform AND sn.listing_id=l.listing_id WHERE sn.status='removed'"),
            ("SELECT r.imported_at AS at, 'assist' AS kind, r.platform, r.listing_id, "
             "r.operator_name || ' ' || r.credit_code AS detail, 'f' || CAST(r.id AS TEXT) AS sid "
             f"FROM {own} JOIN assist_replies r ON r.platform=l.platform AND r.listing_id=l.listing_id"),
            ("SELECT q.queued_at AS at, 'linked' AS kind, q.platform, q.listing_id, "
             "q.kind || '=' || q.value || ' ← ' || q.from_platform || ':' || q.from_listing_id AS detail, "
             f"'g' || q.platform || q.listing_id AS sid FROM {own} JOIN linked_reviews q ON q.platform=l.platform "
             "AND q.listing_id=l.listing_id"),  # by the shops: stays right after a rebuild
            ("SELECT al.created_at AS at, al.rule AS kind, al.platform, al.listing_id, al.summary AS detail, "
             f"'h' || CAST(al.id AS TEXT) AS sid FROM {own} JOIN alerts al ON al.platform=l.platform "
             "AND al.listing_id=l.listing_id WHERE al.rule='relisting'"),
        ]
        args: list[Any] = [seller_id] * (2 * len(parts))
        sql = "SELECT at, kind, platform, listing_id, detail, sid FROM (" + " UNION ALL ".join(parts) + ") t"
        if before is not None:
            sql += " WHERE (at, sid) < (?, ?)"
            args += list(before)
        sql += " ORDER BY at DESC, sid DESC LIMIT ?"
        args.append(limit)
        return [dict(zip(("at", "kind", "platform", "listing_id", "detail", "sid"), tuple(r)))
                for r in self._db.execute(sql, tuple(args))]

    # -- figures for reports ----------------------------------------------------------------------
    def networks_count(self, since: str = "", until: str = "") -> int:
        """Sellers with shops on more than one platform whose newest shop was first seen in [since, until]
        (ISO UTC timestamps; "" leaves an end open)."""
        sql = ("SELECT COUNT(*) FROM (SELECT seller_id FROM seller_shops GROUP BY seller_id "
               "HAVING COUNT(DISTINCT platform) > 1")
        args: list[Any] = []
        if since:
            sql += " AND MAX(first_seen) >= ?"
            args.append(since)
        if until:
            sql += " AND MAX(first_seen) <= ?"
            args.append(until)
        return int(self._db.execute(sql + ") t", tuple(args)).fetchone()[0])

    def repeat_offenders_count(self, threshold: int, since: str = "", until: str = "") -> int:
        """Sellers with at least `threshold` confirmed listings whose latest confirmation lies in [since, until]."""
        sql = (f"SELECT COUNT(*) FROM (SELECT l.seller_id FROM {_listings_of_shops('1=1')} "
               "JOIN triage t ON t.platform=l.platform AND t.listing_id=l.listing_id "
               "JOIN decisions d ON d.platform=t.platform AND d.listing_id=t.listing_id AND d.verdict='confirm' "
               "WHERE t.verdict='confirm' GROUP BY l.seller_id HAVING COUNT(DISTINCT l.platform || ':' || l.listing_id) >= ?")
        args: list[Any] = [threshold]
        if since:
            sql += " AND MAX(d.at) >= ?"
            args.append(since)
        if until:
            sql += " AND MAX(d.at) <= ?"
            args.append(until)
        return int(self._db.execute(sql + ") t", tuple(args)).fetchone()[0])

    # -- credit-information export ----------------------------------------------------------------
    def subject_keys(self, seller_id: int) -> dict[str, list[tuple[str, str]]]:
        """The operator names and credit codes found for any shop of the seller: kind -> [(value, source)]."""
        out: dict[str, list[tuple[str, str]]] = {}
        for kind, value, source in self._db.execute(
                "SELECT k.kind, k.value, k.source FROM seller_shops s JOIN seller_keys k ON k.platform=s.platform "
                "AND k.shop_id=s.shop_id WHERE s.seller_id=? AND k.kind IN ('operator', 'credit_code') "
                "ORDER BY k.kind, k.first_seen, k.value LIMIT 50", (seller_id,)):
            out.setdefault(kind, []).append((value, source))
        return out


