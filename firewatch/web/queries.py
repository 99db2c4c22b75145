"""What the review pages show, assembled from the store: the queue with its filters, a
listing with everything a reviewer needs, similar listings and relistings, and the rule
deciding who may see which listing.

Pure functions of a store and plain parameters, so the routers stay thin and the JSON
API returns the same data as the pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from firewatch.core.clock import show_date
from firewatch.core.models import Assessment, Listing, Source
from firewatch.store import Store
from firewatch.web.deps import User
from firewatch.web.exceptions import BadRequest, Forbidden, NotFound
from firewatch.web.render import evidence_terms

QUEUE_STATES = {"pending": "待审", "escalated": "已升级", "decided": "已处理", "all": "全部"}


@dataclass
class QueueFilters:
    """The review queue's filters, as given in the query string (empty: no filter)."""

    platform: str = ""
    category: str = ""
    reason: str = ""
    shop: str = ""
    since: str = ""
    until: str = ""
    state: str = "pending"

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def validate(self) -> "QueueFilters":
        if self.state not in QUEUE_STATES:
            raise BadRequest(f"未知的状态筛选 {self.state!r}")
        for value in (self.since, self.until):
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise BadRequest(f"日期格式应为 YYYY-MM-DD：{value!r}") from None
        return self


@dataclass
class QueueRow:
    listing: Listing
    assessment: Assessment
    decision: dict[str, Any] | None = None
    tips: list = field(default_factory=list)  # public tips naming the listing (store.tips), oldest first

    @property
    def tip_text(self) -> str:
        """The latest tip's text (the template escapes and truncates it)."""
        return self.tips[-1].text if self.tips else ""

    @property
    def key(self) -> tuple[str, str]:
        return self.listing.key


def _with_tipped(store: Store, flagged: list[tuple[Listing, Assessment]], tipped: dict, platform: str | None):
    """The flagged listings plus the assessed listings a public tip names (flagged or not)."""
    keys = {listing.key for listing, _ in flagged}
    extra = []
    for key in tipped:
        if key in keys or (platform and key[0] != platform):
            continue
        assessment = store.assessments.get_assessment(key)
        listing = store.listings.get_listing(key) if assessment is not None else None
        if listing is not None:
            extra.append((listing, assessment))
    return [*flagged, *extra]


def queue(store: Store, filters: QueueFilters, restrict_platform: str = "") -> list[QueueRow]:
    """Flagged and tipped listings, highest risk first (tipped first among equal risks),
    filtered; each with its latest decision and its tips. A tip that came after the latest
    decision puts the listing back among the pending ones."""
    filters.validate()
    verdicts = store.reviews.latest_verdicts()
    shop = filters.shop.strip().lower()
    rows = []
    tipped = store.tips.tipped()
    platform = filters.platform or restrict_platform or None
    for listing, assessment in _with_tipped(store, store.assessments.flagged(platform), tipped, platform):
        decision = verdicts.get(listing.key)
        tips = tipped.get(listing.key, [])
        if decision and tips and max(t.created_at for t in tips) > datetime.fromisoformat(str(decision["at"])):
            decision = None  # a tip since the last decision: the listing is to be reviewed again
        verdict = decision["verdict"] if decision else None
        if filters.state == "pending" and verdict is not None:
            continue
        if filters.state == "escalated" and verdict != "escalate":
            continue
        if filters.state == "decided" and verdict is None:
            continue
        if filters.category and assessment.category != filters.category:
            continue
        if filters.reason and filters.reason not in {r.code for r in assessment.reasons}:
            continue
        if shop and shop not in listing.shop_name.lower() and shop != listing.shop_id.lower():
            continue
        seen = show_date(listing.first_seen or listing.last_seen)  # the Beijing day, as the person filtering means it
        if filters.since and seen < filters.since:
            continue
        if filters.until and seen > filters.until:
            continue
        rows.append(QueueRow(listing, assessment, decision, tips))
    rows.sort(key=lambda r: (-r.assessment.risk_score, not r.tips, r.listing.platform, r.listing.listing_id))
    return rows


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


def similar_listings(store: Store, listing: Listing, limit: int = 8, threshold: float = 0.45) -> list[Similar]:
    """Listings whose titles share most character pairs with this one (Jaccard of bigrams).

    A near-identical title on the same platform, where one of the two is removed or the
    other appeared later, is marked as a probable relisting.
    """
    mine = _bigrams(listing.title)
    if not mine:
        return []
    found = []
    for platform, listing_id, title, status, first_seen in store.listings.listing_titles():
        if (platform, listing_id) == listing.key:
            continue
        theirs = _bigrams(title)
        if not theirs:
            continue
        score = len(mine & theirs) / len(mine | theirs)
        if score < threshold:
            continue
        later = bool(listing.first_seen and first_seen and datetime.fromisoformat(first_seen) > listing.first_seen)
        relisting = platform == listing.platform and score >= 0.8 and (
            status == "removed" or listing.status == "removed" or later)
        found.append(Similar(platform, listing_id, title, status, round(score, 2), relisting))
    found.sort(key=lambda s: (-s.relisting, -s.score, s.platform, s.listing_id))
    return found[:limit]


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
    terms: dict[str, list[str]] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)  # provenance, for internal roles
    tips: list = field(default_factory=list)  # public tips on this listing (internal roles only)
    assist: dict[str, list] = field(default_factory=dict)  # internal users: requests, replies, shop replies

    @property
    def all_terms(self) -> list[str]:
        return [t for values in self.terms.values() for t in values]

    @property
    def screenshot(self) -> str | None:
        if self.evidence is None:
            return None
        shot = next((a for a in self.evidence.artefacts if a.media_type == "image/png"), None)
        return shot.name if shot else None


def similar_from_index(index, listing: Listing, limit: int = 8) -> list[Similar]:
    """Similar listings from the search index, relistings marked as in `similar_listings`."""
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


def listing_view(store: Store, user: User, key: tuple[str, str], index=None) -> ListingView:
    listing = visible_listing(user, store, key)
    assessment = store.assessments.get_assessment(key)
    terms: dict[str, list[str]] = {}

    for reason in assessment.reasons if assessment else []:
        terms.setdefault(reason.source or "title", []).extend(evidence_terms(reason.evidence))
    view = ListingView(listing, assessment, store.evidence.latest_evidence(key), store.listings.snapshots(key), store.reviews.decisions(key),
                       terms=terms)
    if user.internal:
        view.sources = store.sources.sources_of(key)
        shop_keys = [k for k in store.listings.shop_listing_keys(listing.platform, listing.shop_id, listing.shop_name) if k != key]
        view.shop_listings = [(store.listings.get_listing(k), store.assessments.get_assessment(k)) for k in shop_keys[:20]]
        view.similar = similar_from_index(index, listing) if index is not None else similar_listings(store, listing)
        view.tips = store.tips.tips_of(key)
        view.assist = assist_view(store, listing)
    return view


def assist_view(store: Store, listing: Listing) -> dict[str, list]:
    """Enforcement-assistance requests naming the listing, replies about it, and about its shop's other listings."""
    replies = store.assist.replies_for(listing.key)
    shop = [r for r in store.assist.replies_for_shop(listing.platform, listing.shop_id, listing.shop_name)
            if r.key != listing.key]
    return {"requests": store.assist.requests(key=listing.key), "replies": replies, "shop_replies": shop}


def neighbours(rows: list[QueueRow], key: tuple[str, str]) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """The queue rows before and after `key` (None at the ends or when absent)."""
    keys = [r.key for r in rows]
    if key not in keys:
        return None, (keys[0] if keys else None)
    i = keys.index(key)
    return (keys[i - 1] if i > 0 else None), (keys[i + 1] if i + 1 < len(keys) else None)
