"""Domain model: plain dataclasses shared by every stage of the flow.

Prices are `decimal.Decimal` yuan, never floats. Timestamps are timezone-aware UTC
`datetime`s. A listing is identified by its key, `(platform, listing_id)`.
`to_dict()` gives a JSON-ready form (Decimals as strings, datetimes as ISO 8601).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from firewatch.core.clock import utcnow  # noqa: F401  (re-exported: many modules take it from here)

PLATFORMS = ("jd", "taobao", "tmall", "pdd", "1688")
STATUSES = ("active", "removed", "blocked", "unknown")
VERDICTS = ("confirm", "dismiss", "escalate")
NOTICE_STATUSES = ("draft", "sent", "acknowledged", "overdue", "removal_verified")
SOURCE_KINDS = ("crawl", "report", "assist", "tip")  # how a lead reached firewatch (Source.kind)


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, Decimals, datetimes and tuples to JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


@dataclass
class PriceTier:
    """A wholesale price that applies from `min_quantity` pieces upwards (1688 style)."""

    min_quantity: int
    price: Decimal


@dataclass
class Listing:
    """One product listing on one platform, as last observed."""

    platform: str
    listing_id: str
    url: str = ""
    title: str = ""
    price: Decimal | None = None
    price_range: tuple[Decimal, Decimal] | None = None
    price_tiers: list[PriceTier] = field(default_factory=list)
    price_pending: bool = False  # the page carries no price: fetch it from the price endpoint
    currency: str = "CNY"
    shop_id: str = ""
    shop_name: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    description: str = ""
    image_urls: list[str] = field(default_factory=list)
    sales: int | None = None
    stock: int | None = None
    status: str = "active"
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.listing_id)

    @property
    def display_price(self) -> Decimal | None:
        """The single price to compare: the price, else the low end of range or tiers."""
        if self.price is not None:
            return self.price
        if self.price_range is not None:
            return self.price_range[0]
        if self.price_tiers:
            return min(t.price for t in self.price_tiers)
        return None

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@dataclass
class Source:
    """Where a listing came from (its provenance): one crawl of a platform, one row of a
    platform's report file, one assistance reply, or one public tip.

    `kind` is one of SOURCE_KINDS; `name` the crawled platform, the report's source name or
    "tip"; `ref` what identifies the lead inside that source ("" for crawls, where one row
    per listing keeps the last run; `<file sha256>:<row>` for a file row; the tip's receipt
    code); `detail` the rest as JSON-ready values (crawl run id; file name, row number and
    the seller fields the row carried). `first_seen`/`last_seen` are UTC.
    """

    kind: str
    name: str
    ref: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@dataclass
class Snapshot:
    """A change in a listing's price, title, stock or status, as observed at one time."""

    platform: str
    listing_id: str
    observed_at: datetime
    price: Decimal | None
    title: str
    stock: int | None
    status: str
    content_hash: str


@dataclass
class Reason:
    """Why a listing was flagged: a taxonomy reason code and what triggered it."""

    code: str
    evidence: str
    source: str = "title"  # the listing field the evidence came from
    # The matched text, as character offsets [start, end) in the text of one listing field:
    # `span_field` when set (a reason whose source names two fields, "title+attributes"), else
    # `source`; a field is title, description, shop_name, or "attributes.K" (the value of attribute
    # K). None when the reason quotes no one span (price, an assessment stored before spans were kept).
    start: int | None = None
    end: int | None = None
    span_field: str | None = None

    @property
    def span(self) -> tuple[str, int, int] | None:
        """(field, start, end) of the matched text, or None."""
        if self.start is None or self.end is None:
            return None
        return (self.span_field or self.source, self.start, self.end)


@dataclass
class Assessment:
    """The classifiers' judgement on one listing."""

    platform: str
    listing_id: str
    category: str
    category_confidence: float
    risk_score: float
    flagged: bool
    reasons: list[Reason] = field(default_factory=list)
    specs: dict[str, Any] = field(default_factory=dict)
    model_versions: dict[str, str] = field(default_factory=dict)
    assessed_at: datetime = field(default_factory=utcnow)

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@dataclass
class Artefact:
    """One captured file: its name inside the evidence folder or pack, and its SHA-256."""

    name: str
    sha256: str
    media_type: str
    size: int


@dataclass
class Evidence:
    """A capture of one listing's page, fixed by hashes."""

    platform: str
    listing_id: str
    captured_at: datetime
    url: str
    final_url: str
    http_status: int | None
    server_ip: str | None
    user_agent: str
    browser_version: str
    directory: str  # where the artefacts are stored
    artefacts: list[Artefact] = field(default_factory=list)
    manifest_sha256: str = ""
    signature: str = ""

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@dataclass
class Removal:
    """A listing's page, fetched again, showing the item gone (`crawler.platforms.gone`): the URL asked
    for, where the fetch ended, its HTTP status, the words the page showed, and the basis (http_status,
    error_page, home_redirect, gone_text). `observed_at` is UTC. `recheck`: the basis proves a removal only
    when seen again on a later fetch (a home or error page may be an anti-bot answer); `counted`: this
    sighting counts as the removal (at once, or confirming the earlier sighting at `first_seen_at`)."""

    platform: str
    listing_id: str
    observed_at: datetime
    url: str
    final_url: str
    http_status: int | None
    text: str
    basis: str
    recheck: bool = False
    counted: bool = True
    first_seen_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.listing_id)


@dataclass
class Decision:
    """A reviewer's verdict on a flag."""

    platform: str
    listing_id: str
    reviewer: str
    verdict: str
    note: str = ""
    at: datetime = field(default_factory=utcnow)


@dataclass
class BulkDecided:
    """What one bulk decision did: the listings decided (with their new decision ids, in the same order), those
    another reviewer's claim holds, and those re-scored since the reviewer saw them (neither decided)."""

    decided: list[tuple[str, str]] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)
    rescored: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Notice:
    """A takedown notice to one platform, covering several listings.

    Lifecycle (`alerts.notices`): draft -> sent (by whom, through which channel, reply
    deadline) -> acknowledged by the platform -> removal_verified once a re-crawl finds
    every listed listing removed or gone; a sent notice whose deadline passes without
    acknowledgement or removal becomes overdue. `removed` maps listing keys to the time
    their removal was verified.
    """

    platform: str
    listing_keys: list[tuple[str, str]]
    created_at: datetime = field(default_factory=utcnow)
    status: str = "draft"
    removal_verified_at: datetime | None = None
    id: int | None = None
    created_by: str = ""
    sent_at: datetime | None = None
    sent_by: str = ""
    channel: str = ""
    deadline_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""
    ack_note: str = ""
    checked_at: datetime | None = None
    html_path: str = ""
    pdf_path: str = ""
    document_sha256: str = ""
    removed: dict[tuple[str, str], datetime] = field(default_factory=dict)
