"""The search protocol shared by every backend: query model, hits, results, facets, index documents.

`SearchIndex` is what the SQLite FTS5 and Elasticsearch backends implement, with the same result
set, order, page and facets for the same data and `SearchQuery` (only relevance order may differ).
`project(listing, assessment)` makes the index document; bad query input raises `SearchError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Protocol

from firewatch.core.text import search_tokens
from firewatch.core.exceptions import SearchError
from firewatch.core.models import Assessment, Listing, Snapshot
from firewatch.core.money import from_fen, to_fen, yuan_text
from firewatch.store import Store

SORTS = ("relevance", "risk", "price_asc", "price_desc", "newest")
FACETS = ("category", "platform", "reason", "shop")
MAX_TOKEN_CHARS = 64
MAX_QUERY_TOKENS = 64
MAX_WINDOW = 10_000  # page * page_size may not pass this (Elasticsearch's max_result_window)
FACET_SIZE = 10
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def text_tokens(text: str, limit: int | None = None) -> list[str]:
    """Search tokens of `text`: each once, in order, whitespace-free, at most 64 characters."""
    tokens = search_tokens(text or "")
    # search_tokens gives each token once and none holds whitespace: unless one is too long
    # (or there are too many), they are already the answer.
    if max(map(len, tokens), default=0) <= MAX_TOKEN_CHARS and (limit is None or len(tokens) <= limit):
        return tokens
    seen: set[str] = set()
    out: list[str] = []
    for token in tokens:
        for part in token.split():
            part = part[:MAX_TOKEN_CHARS]
            if part and part not in seen:
                seen.add(part)
                out.append(part)
                if limit is not None and len(out) >= limit:
                    return out
    return out


def query_tokens(text: str) -> list[str]:
    return text_tokens(text, MAX_QUERY_TOKENS)


def doc_id_of(platform: str, listing_id: str) -> str:
    return f"{platform}:{listing_id}"


def parse_key(text: str) -> tuple[str, str]:
    """'jd:123' -> ('jd', '123'); SearchError when there is no platform part."""
    platform, sep, listing_id = (text or "").partition(":")
    if not sep or not platform or not listing_id:
        raise SearchError(f"listing key {text!r}: write PLATFORM:ID, e.g. jd:100012")
    return platform, listing_id


def to_ms(value: datetime | None) -> int | None:
    """A datetime as integer milliseconds since the epoch (naive = UTC); None stays None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return (value - _EPOCH) // timedelta(milliseconds=1)  # exact integer arithmetic, floor


def from_ms(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, tz=timezone.utc)


def _bound_ms(value: Any, end: bool) -> int | None:
    """A date bound as epoch ms: a date (or 'YYYY-MM-DD') means its whole UTC day."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError as exc:
            raise SearchError(f"date {text!r}: write YYYY-MM-DD or an ISO 8601 time such as 2026-11-01T08:00") from exc
    if isinstance(value, datetime):
        ms = to_ms(value)
        return ms + 1 if end else ms  # until is inclusive: exclusive bound one ms later
    if isinstance(value, date):
        start = datetime.combine(value, time.min, tzinfo=timezone.utc)
        return to_ms(start + timedelta(days=1)) if end else to_ms(start)
    raise SearchError(f"date {value!r}: write YYYY-MM-DD")


def _price_fen(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return to_fen(value)
    except InvalidOperation as exc:
        raise SearchError(f"price {value!r}: write yuan as a number, e.g. 19.9") from exc


@dataclass
class SearchQuery:
    """What to find. Prices in yuan; dates as date, datetime or ISO text (since/until inclusive)."""

    text: str = ""
    platform: str | None = None
    category: str | None = None
    flagged: bool | None = None
    reason: str | None = None
    shop: str | None = None  # shop id or exact shop name
    min_price: Decimal | str | float | None = None
    max_price: Decimal | str | float | None = None
    since: Any = None  # last seen on or after
    until: Any = None  # last seen on or before
    status: str | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facets: bool = False

    def validate(self) -> "SearchQuery":
        if self.sort not in SORTS:
            raise SearchError(f"sort {self.sort!r}: choose one of {', '.join(SORTS)}")
        if int(self.page) < 1 or not 1 <= int(self.page_size) <= 1000:
            raise SearchError("page starts at 1 and page size is 1..1000")
        if int(self.page) * int(self.page_size) > MAX_WINDOW:
            raise SearchError(f"page {self.page} of {self.page_size} passes result {MAX_WINDOW}: narrow the query with filters")
        return self

    @property
    def offset(self) -> int:
        return (int(self.page) - 1) * int(self.page_size)

    @property
    def min_fen(self) -> int | None:
        return _price_fen(self.min_price)

    @property
    def max_fen(self) -> int | None:
        return _price_fen(self.max_price)

    @property
    def since_ms(self) -> int | None:
        return _bound_ms(self.since, end=False)

    @property
    def until_ms(self) -> int | None:
        """Exclusive upper bound in epoch ms."""
        return _bound_ms(self.until, end=True)


@dataclass
class SearchHit:
    """One listing as the index holds it (`score` is backend-specific relevance)."""

    doc_id: str
    platform: str
    listing_id: str
    title: str
    url: str
    shop_id: str
    shop_name: str
    category: str | None
    flagged: bool
    risk_score: float | None
    reasons: list[str]
    price_fen: int | None
    status: str
    last_seen: datetime | None
    score: float = 0.0

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.listing_id)

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "platform": self.platform, "listing_id": self.listing_id, "title": self.title,
                "url": self.url, "shop_id": self.shop_id, "shop_name": self.shop_name, "category": self.category,
                "flagged": self.flagged, "risk_score": self.risk_score, "reasons": self.reasons,
                "price": yuan_text(from_fen(self.price_fen)) or None, "price_fen": self.price_fen,
                "status": self.status, "last_seen": self.last_seen.isoformat() if self.last_seen else None,
                "score": self.score}


@dataclass
class SearchResult:
    """One page of hits, the total number of matches and (when asked) facet counts."""

    hits: list[SearchHit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # False when `total` is a lower bound (the SQLite backend counts up to 10,000 matches):
    # show it as `total_text`, e.g. "10000+".
    total_exact: bool = True
    # None: the facets count every match. A number: they count only that many of the matches
    # (the SQLite backend past its cap counts 1,000 of them); say so wherever facets are shown.
    facet_sample: int | None = None

    @property
    def total_text(self) -> str:
        return f"{self.total}" if self.total_exact else f"{self.total}+"

    def ids(self) -> list[str]:
        return [h.doc_id for h in self.hits]


def project(listing: Listing, assessment: Assessment | None) -> dict[str, Any]:
    """The index document of a listing and its latest assessment (both backends store this)."""
    attributes = {str(k): str(v) for k, v in (listing.attributes or {}).items()}
    attributes_text = " ".join(f"{k} {v}" for k, v in attributes.items())
    head = " ".join(x for x in (listing.title, listing.shop_name, attributes_text) if x)
    return {
        "doc_id": doc_id_of(listing.platform, listing.listing_id),
        "platform": listing.platform,
        "listing_id": listing.listing_id,
        "url": listing.url,
        "title": listing.title,
        "description": listing.description or "",
        "attributes": attributes,
        "attributes_text": attributes_text,
        "shop_id": listing.shop_id or None,
        "shop_name": listing.shop_name or None,
        "category": assessment.category if assessment else None,
        "category_confidence": assessment.category_confidence if assessment else None,
        "flagged": bool(assessment and assessment.flagged),
        "risk_score": float(assessment.risk_score) if assessment else None,
        "reasons": sorted({r.code for r in assessment.reasons}) if assessment else [],
        "price_fen": to_fen(listing.display_price),
        "currency": listing.currency,
        "status": listing.status,
        "first_seen": to_ms(listing.first_seen),
        "last_seen": to_ms(listing.last_seen),
        "assessed_at": to_ms(assessment.assessed_at) if assessment else None,
        "head_tokens": text_tokens(head),
        "body_tokens": text_tokens(listing.description or ""),
    }


def snapshot_doc(s: Snapshot) -> dict[str, Any]:
    ms = to_ms(s.observed_at)
    doc_id = doc_id_of(s.platform, s.listing_id)
    return {"snap_id": f"{doc_id}:{ms}:{s.content_hash[:16]}", "doc_id": doc_id, "platform": s.platform,
            "listing_id": s.listing_id, "observed_at": ms, "price_fen": to_fen(s.price), "title": s.title,
            "stock": s.stock, "status": s.status, "content_hash": s.content_hash}


def snapshot_from_doc(d: dict[str, Any]) -> Snapshot:
    price = d.get("price_fen")
    return Snapshot(d["platform"], d["listing_id"], from_ms(d["observed_at"]),
                    from_fen(price),
                    d["title"], d.get("stock"), d["status"], d["content_hash"])


# An item to index: (listing, assessment) or (listing, assessment, snapshots or None).
IndexItem = tuple


class SearchIndex(Protocol):
    """What every backend offers.

    A document matches when every search token of the query (`query_tokens`: jieba
    search-mode tokens, CJK bigrams and code parts, each cut to 64 characters, at most 64)
    is among its tokens (title, shop name, attribute values, description); a query whose text
    yields no token matches nothing. Ties in every sort are broken by document id
    (`platform:listing_id`), so pages agree; only the order of `sort="relevance"` with text
    is backend-specific (each backend's BM25), its result set is not.
    """

    def init(self) -> None: ...
    def index_listing(self, listing: Listing, assessment: Assessment | None,
                      snapshots: list[Snapshot] | None = None) -> None: ...
    def index_many(self, items: Iterable[IndexItem]) -> int: ...
    def search(self, query: SearchQuery) -> SearchResult: ...
    def history(self, key: tuple[str, str]) -> list[Snapshot]: ...
    def shop_listings(self, platform: str | None, shop: str, limit: int = 100) -> SearchResult: ...
    def similar(self, key: tuple[str, str], limit: int = 10) -> list[SearchHit]: ...
    def count(self) -> int: ...
    def refresh(self) -> None: ...
    def rebuild(self, store: Store, progress: Callable[[int], None] | None = None) -> int: ...
    def close(self) -> None: ...


def as_query(query: SearchQuery | str, **filters: Any) -> SearchQuery:
    """Accept a SearchQuery, or text plus keyword filters (`limit` is page_size)."""
    if isinstance(query, SearchQuery):
        return query.validate()
    if "limit" in filters:
        filters["page_size"] = filters.pop("limit")
    return SearchQuery(text=query or "", **filters).validate()


def split_item(item: IndexItem) -> tuple[Listing, Assessment | None, list[Snapshot] | None]:
    if len(item) == 2:
        return item[0], item[1], None
    return item[0], item[1], item[2]


def iter_store_items(store: Store, with_snapshots: bool = True) -> Iterable[IndexItem]:
    """Every listing of the store with its assessment (and snapshots), for a rebuild."""
    for listing in store.listings.iter_listings():
        key = listing.key
        yield listing, store.assessments.get_assessment(key), (store.listings.snapshots(key) if with_snapshots else None)
