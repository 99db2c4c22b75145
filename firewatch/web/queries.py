"""What the review pages show, assembled from the store: the queue with its filters, a
listing with everything a reviewer needs, similar listings and relistings, and the rule
deciding who may see which listing.

Pure functions of a store and plain parameters, so the routers stay thin and the JSON
API returns the same data as the pages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping

from alerts.notices import removal_basis
from firewatch.core.models import Assessment, Listing, Source
from firewatch.core.money import parse_yuan
from firewatch.core.priority import PROVINCES
from firewatch.store import Store
from firewatch.store.triage import QueueQuery, SortKey
from firewatch.web.ocr_view import image_evidence
from firewatch.web.deps import User
from firewatch.web.disclosure import for_platform
from firewatch.web.exceptions import BadRequest, Forbidden, NotFound
from firewatch.web.render import evidence_terms

QUEUE_STATES = {"pending": "待审", "escalated": "已升级", "decided": "已处理", "all": "全部"}


@dataclass(frozen=True)
class QueueFilters(QueueQuery):
    """The review queue's filters, as given in the query string (empty: no filter): the store's
    `QueueQuery` with the checks a request needs."""

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def validate(self) -> "QueueFilters":
        if self.state not in QUEUE_STATES:
            raise BadRequest(f"未知的状态筛选「{self.state}」")
        for value in (self.since, self.until, self.flagged_since, self.flagged_until):
            if value:
                try:
                    if len(value) != 10:
                        raise ValueError(value)
                    date.fromisoformat(value)
                except ValueError:
                    raise BadRequest(f"日期格式应为 年-月-日（YYYY-MM-DD，北京时间），例如 2026-12-01，收到：{value[:40]}") from None
        if self.region and self.region not in PROVINCES:
            raise BadRequest(f"未知的地区「{self.region[:40]}」：应为省级行政区简称，如 浙江")
        prices = {}
        for name in ("price_min", "price_max"):
            value = getattr(self, name).strip()
            if value:
                yuan = parse_yuan(value) if len(value) <= 20 else None
                if yuan is None:
                    raise BadRequest(f"价格应为不小于 0 的金额（元），例如 12.50：「{value[:40]}」")
                prices[name] = str(yuan)
        if len(prices) == 2 and Decimal(prices["price_min"]) > Decimal(prices["price_max"]):
            raise BadRequest("最低价不能高于最高价")
        changed = {k: v for k, v in prices.items() if v != getattr(self, k)}
        return replace(self, **changed) if changed else self


@dataclass
class QueueRow:
    listing: Listing
    assessment: Assessment
    decision: dict[str, Any] | None = None
    tips: list = field(default_factory=list)  # public tips naming the listing (store.tips), oldest first
    priority: float | None = None  # the queue's priority (docs/priority.md)

    @property
    def tip_text(self) -> str:
        """The latest tip's text (the template escapes and truncates it)."""
        return self.tips[-1].text if self.tips else ""

    @property
    def key(self) -> tuple[str, str]:
        return self.listing.key


COUNT_CAP = 10_000  # the queue counts its rows up to this many ("10000+" beyond)


def cursor(text: str) -> SortKey | None:
    """A queue position from the query string ("" is none); 400 when it is not one."""
    if not text:
        return None
    try:
        return SortKey.from_text(text)
    except ValueError:
        raise BadRequest("翻页位置无效：请从审核队列第一页重新开始") from None


def queue_rows(store: Store, entries: list[tuple[SortKey, Listing, Assessment]]) -> list[QueueRow]:
    """The rows of these queue entries, each with its latest decision (None when pending) and its
    tips: a few queries per page, never a scan."""
    decided = store.reviews.latest_decisions([s.key for s, _, _ in entries if s.state != "pending"])
    tips = store.tips.tips_for([s.key for s, _, _ in entries if not s.untipped])
    rows = []
    for spot, listing, assessment in entries:
        d = decided.get(spot.key)
        decision = None if d is None else {"platform": d.platform, "listing_id": d.listing_id, "verdict": d.verdict,
                                           "reviewer": d.reviewer, "note": d.note, "at": d.at.isoformat()}
        rows.append(QueueRow(listing, assessment, decision, tips.get(spot.key, []), -spot.neg_priority))
    return rows


@dataclass
class QueuePage:
    """One page of the queue: `after` / `before` are the positions the next and previous pages
    start from (None at the ends); `total` counts matching rows up to COUNT_CAP (`capped` beyond)."""

    rows: list[QueueRow]
    total: int
    capped: bool
    after: str | None
    before: str | None


def queue_page(store: Store, filters: QueueFilters, *, after: str = "", before: str = "", size: int = 50,
               count: bool = True, reviewer: str | None = None, claim_minutes: float = 0) -> QueuePage:
    """Flagged and tipped listings, highest priority first (`firewatch.core.priority`; tipped first
    among equal priorities), filtered, one page after (or before) a position: keyset paging, so a
    page continues after the last row shown even when the rows shown have been decided meanwhile.
    A tip that came after the latest decision puts the listing back among the pending ones.

    With `reviewer`, the pending queue (the work queue; other states are for looking back) leaves
    out rows another reviewer's running claim holds, and with `claim_minutes` the page's pending rows
    are claimed for the reviewer that long (a row someone else claimed in between is dropped) and
    the reviewer's earlier claims (the page before, a listing opened) are given back."""
    query = filters.validate()
    reviewer = reviewer if query.state == "pending" else None
    size = max(1, min(int(size), 1000))
    start, end = cursor(after), cursor(before)
    entries = store.reviews.queue_entries(query, after=start, before=end if start is None else None, limit=size + 1,
                                          reviewer=reviewer)
    if end is not None and start is None:
        earlier = len(entries) > size
        entries = entries[-size:]
        later = True
    else:
        later = len(entries) > size
        entries = entries[:size]
        earlier = start is not None and bool(entries) and bool(
            store.reviews.queue_page(query, before=entries[0][0], limit=1, reviewer=reviewer))
    spots = [e[0] for e in entries]
    if reviewer is not None and claim_minutes > 0:
        pending = [s.key for s in spots if s.state == "pending"]
        held = set(store.reviews.claim(pending, reviewer, claim_minutes, replace=True))  # the page before: given back
        entries = [e for e in entries if e[0].state != "pending" or e[0].key in held]
    total = store.reviews.queue_count(query, COUNT_CAP, reviewer=reviewer) if count else 0
    return QueuePage(queue_rows(store, entries), min(total, COUNT_CAP), total > COUNT_CAP,
                     spots[-1].as_text() if later and spots else None,
                     spots[0].as_text() if earlier and spots else None)


BULK_CAP = 5_000  # listings one "all of this shop" action decides at most


def matching_keys(store: Store, filters: QueueFilters, reviewer: str, cap: int = BULK_CAP) -> list[tuple[str, str]]:
    """The keys of every row matching `filters` that the reviewer may decide (not held by another
    reviewer), in queue order, read by keyset pages; at most `cap` + 1 (more: the caller refuses)."""
    query = filters.validate()
    keys: list[tuple[str, str]] = []
    after = None
    while len(keys) <= cap:
        spots = store.reviews.queue_page(query, after=after, limit=500, reviewer=reviewer)
        keys.extend(s.key for s in spots)
        if len(spots) < 500:
            break
        after = spots[-1]
    return keys[:cap + 1]


def keys_digest(keys: list[tuple[str, str]], seen: Mapping[tuple[str, str], datetime | None] | None = None) -> str:
    """SHA-256 of these listing keys (sorted), with each one's assessment time when `seen` gives them: what a
    bulk action's confirmation page names, so the action runs only on exactly the set, as assessed, the
    reviewer saw."""
    seen = seen or {}
    lines = []
    for key in sorted(keys):
        when = seen.get(key)
        lines.append("\t".join([*key, when.isoformat() if when else ""] if key in seen else key))
    text = "\n".join(lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shops_of(store: Store, keys: list[tuple[str, str]], chunk: int = 500) -> list[tuple[str, str, str, int]]:
    """The distinct shops of these listings (at most BULK_CAP + 1 keys), as (platform, shop id, shop
    name, listings), most listings first; read a chunk of listings at a time."""
    counts: dict[tuple[str, str, str], int] = {}
    for i in range(0, len(keys), chunk):
        for listing in store.listings.get_listings(keys[i:i + chunk]).values():
            shop = (listing.platform, listing.shop_id or "", listing.shop_name or "")
            counts[shop] = counts.get(shop, 0) + 1
    return sorted(((*shop, n) for shop, n in counts.items()), key=lambda s: (-s[3], s[0], s[1], s[2]))


def may_see(user: User, store: Store, key: tuple[str, str]) -> bool:
    """Internal roles see every listing; a platform only its own confirmed ones."""
    if user.internal:
        return True
    if user.role != "platform" or key[0] != user.platform:
        return False
    decision = store.reviews.latest_decision(key)
    return decision is not None and decision.verdict == "confirm"


def visible_listing(user: User, store: Store, key: tuple[str, str]) -> Listing:
    """The listing if this user may see it: 404 when missing, 403 when not theirs."""
    if user.role == "platform" and key[0] != user.platform:
        raise Forbidden("无权查看其他平台的商品")
    listing = store.listings.get_listing(key)
    if listing is None:
        raise NotFound(f"没有商品 {key[0]}:{key[1]}")
    if not may_see(user, store, key):
        raise Forbidden("无权查看此商品")
    return listing


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text.lower() if not c.isspace()]
    return {a + b for a, b in zip(chars, chars[1:])}


@dataclass
class Similar:
    platform: str
    listing_id: str
    title: str
    status: str
    score: float
    relisting: bool


@dataclass
class ListingView:
    """Everything the listing page shows."""

    listing: Listing
    assessment: Assessment | None
    evidence: Any
    snapshots: list
    decisions: list
    shop_listings: list[tuple[Listing, Assessment | None]] = field(default_factory=list)
    similar: list[Similar] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)  # evidence of reasons stored without a span
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # field -> the reasons' matched spans
    sources: list[Source] = field(default_factory=list)  # provenance, for internal roles
    tips: list = field(default_factory=list)  # public tips on this listing (internal roles only)
    assist: dict[str, list] = field(default_factory=dict)  # internal users: requests, replies, shop replies
    images: list = field(default_factory=list)  # text read in its images (web.ocr_view.ImageEvidence)
    # internal users: the newest removal sighting (its page fetched again, by a crawl or the fetch stage, looked
    # gone; kept apart from the page evidence; a suspicion cleared by a later on-sale sighting is left out) and
    # how it was seen, in Chinese
    removal: Any = None
    removal_text: str = ""

    @property
    def all_terms(self) -> list[str]:
        return [t for values in self.terms.values() for t in values]

    def marks(self, field_name: str) -> list[tuple[int, int]]:
        """The spans the reasons matched in one field (title, description, shop_name, attributes.K)."""
        return self.spans.get(field_name, [])

    @property
    def screenshot(self) -> str | None:
        if self.evidence is None:
            return None
        shot = next((a for a in self.evidence.artefacts if a.media_type == "image/png"), None)
        return shot.name if shot else None


def similar_from_index(index, listing: Listing, limit: int = 8) -> list[Similar]:
    """Similar listings from the search index; a near-identical title (Jaccard of character pairs
    at least 0.8) on the same platform, where one of the two is removed or the other appeared
    later, is marked as a probable relisting."""
    mine = _bigrams(listing.title)
    found = []
    for hit in index.similar(listing.key, limit=limit):
        theirs = _bigrams(hit.title)
        close = len(mine & theirs) / len(mine | theirs) if mine and theirs else 0.0
        later = bool(listing.first_seen and hit.last_seen and hit.last_seen > listing.first_seen)
        relisting = hit.platform == listing.platform and close >= 0.8 and (
            hit.status == "removed" or listing.status == "removed" or later)
        found.append(Similar(hit.platform, hit.listing_id, hit.title, hit.status, round(close, 2), relisting))
    found.sort(key=lambda s: (-s.relisting, -s.score, s.platform, s.listing_id))
    return found


def _field_text(listing: Listing, name: str) -> str | None:
    if name.startswith("attributes."):
        value = (listing.attributes or {}).get(name[len("attributes."):])
        return None if value is None else str(value)
    return {"title": listing.title, "description": listing.description, "shop_name": listing.shop_name}.get(name)


def reason_marks(listing: Listing, reasons) -> tuple[dict[str, list[str]], dict[str, list[tuple[int, int]]]]:
    """What the listing page marks: each reason's stored span in its field (kept only when it lies
    inside that field's text as stored now), and, for reasons stored before spans were kept,
    their evidence as search terms."""
    terms: dict[str, list[str]] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for reason in reasons:
        span = reason.span
        if span is not None:
            name, start, end = span
            text = _field_text(listing, name)
            if text is not None and 0 <= start < end <= len(text):
                spans.setdefault(name, []).append((start, end))
        elif reason.source not in ("price", "text_model"):
            terms.setdefault(reason.source or "title", []).extend(evidence_terms(reason.evidence))
    return terms, spans


def listing_view(store: Store, user: User, key: tuple[str, str], index=None, similar: bool = True) -> ListingView:
    """Everything the listing page shows that this user may see; `similar=False` leaves out the
    similar listings (a search-index query the page loads afterwards, `similar_for`)."""
    listing = visible_listing(user, store, key)
    assessment = store.assessments.get_assessment(key)
    if not user.internal:  # platforms see reasons and evidence, never the model's internals
        assessment = for_platform(assessment, listing.title)
    terms, spans = reason_marks(listing, assessment.reasons if assessment else [])
    view = ListingView(listing, assessment, store.evidence.latest_evidence(key), store.listings.snapshots(key), store.reviews.decisions(key),
                       terms=terms, spans=spans)
    view.images = image_evidence(store, key, assessment)
    if user.internal:
        view.sources = store.sources.sources_of(key)
        seen = store.listings.latest_removal(key, counted=None)
        if seen is not None and not seen.counted and listing.status != "removed" and listing.last_seen \
                and listing.last_seen > seen.observed_at:
            seen = None  # a suspicion the listing was seen on sale after: cleared, not shown
        view.removal = seen
        view.removal_text = removal_basis(view.removal) if view.removal else ""
        shop_keys = [k for k in store.listings.shop_listing_keys(listing.platform, listing.shop_id, listing.shop_name) if k != key]
        shop_keys = shop_keys[:20]
        shop = store.listings.get_listings(shop_keys)
        shop_assessments = store.assessments.get_assessments(shop_keys)
        view.shop_listings = [(shop[k], shop_assessments.get(k)) for k in shop_keys if k in shop]
        # similar titles come from the search index only: comparing with every stored title does not scale
        view.similar = similar_from_index(index, listing) if index is not None and similar else []
        view.tips = store.tips.tips_of(key)
        view.assist = assist_view(store, listing)
    return view


def assist_view(store: Store, listing: Listing) -> dict[str, list]:
    """Enforcement-assistance requests naming the listing, replies about it, and about its shop's other listings."""
    replies = store.assist.replies_for(listing.key)
    shop = [r for r in store.assist.replies_for_shop(listing.platform, listing.shop_id, listing.shop_name)
            if r.key != listing.key]
    return {"requests": store.assist.requests(key=listing.key), "replies": replies, "shop_replies": shop}


def neighbours(store: Store, filters: QueueFilters, key: tuple[str, str], reviewer: str | None = None
               ) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """The queue rows (under `filters`) right before and right after `key`'s place in the queue
    order, by keyset queries; a listing with no place there has no previous one and the
    queue's first row as next (None at the ends). With `reviewer`, rows other reviewers hold
    are passed over in the pending queue."""
    query = filters.validate()
    reviewer = reviewer if query.state == "pending" else None
    spot = store.reviews.queue_position(key)
    if spot is None:
        first = store.reviews.queue_page(query, limit=1, reviewer=reviewer)
        return None, (first[0].key if first else None)
    prev = store.reviews.queue_page(query, before=spot, limit=1, reviewer=reviewer)
    nxt = store.reviews.queue_page(query, after=spot, limit=1, reviewer=reviewer)
    return (prev[0].key if prev else None), (nxt[0].key if nxt else None)
