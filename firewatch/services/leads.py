"""Leads that arrive without a crawl: a URL (from a tip, a report row, an assistance reply)
becomes a listing that the pipeline fetches, captures and scores like any crawled one.

`url_lead(store, url, source)` files a URL under its listing key (`crawler.sites.listing_key`:
the real item URL of a watched platform, desktop or mobile form) with its provenance; a new
listing starts as a stub (status "unknown", no title) queued for the 'fetch' stage, whose
capture's page `read_captured` parses into the listing's content (or, for a page that shows the item
gone, into a `Removal`: how a notice's listing, or a flagged listing whose capture no longer showed it, fetched
again is found removed; the judgement is `crawler.platforms.gone.judge_page`, shared with the crawl). A URL of no watched
platform files nothing and says so (`UrlLead.key` None). `merge` lays a lead's known fields
over what the store already knows, so a partial row never blanks a crawled listing.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urldefrag

from crawler.capture import BODY_NAME, HEADERS_NAME, HTML_NAME, MANIFEST_NAME
from crawler.encoding import decode_page
from crawler.platforms import parse_page
from crawler.platforms.gone import GonePage, judge_page
from crawler.sites import listing_key, site, site_of_url
from firewatch.core.models import Evidence, Listing, Removal, Source
from firewatch.store import Store
from firewatch.store.sources import Lead

__all__ = ["UrlLead", "fill", "merge", "read_captured", "stub_listing", "url_lead"]


@dataclass(frozen=True)
class UrlLead:
    """Where a URL went: its listing key (None: not an item page of a watched platform),
    whether its host belongs to a watched platform at all, and whether the listing is new."""

    key: tuple[str, str] | None
    on_platform: bool
    created: bool = False


def stub_listing(key: tuple[str, str]) -> Listing:
    """A listing known only by its key: the platform's real item URL, nothing seen yet."""
    platform, listing_id = key
    return Listing(platform, listing_id, url=site(platform).item_url(listing_id, platform), status="unknown")


def url_lead(store: Store, url: str, source: Source, at: datetime | None = None) -> UrlLead:
    """File `url` as a lead from `source`: a new listing is stored as a stub queued for 'fetch'
    (its page is fetched, captured and scored by the next `firewatch process`); a known one
    only gains the source."""
    key = listing_key(url)
    if key is None:
        return UrlLead(None, site_of_url(url) is not None)
    if store.listings.get_listing(key) is not None:
        store.sources.record(key, source, at)
        return UrlLead(key, True, False)
    store.sources.add_leads([Lead(stub_listing(key), source, fetch=True)], at=at)
    return UrlLead(key, True, True)


# a lead's fields that replace the stored ones when the lead has them
_MERGED = ("url", "title", "price", "price_range", "shop_id", "shop_name", "description", "sales", "stock")


def merge(stored: Listing | None, lead: Listing) -> Listing:
    """`lead` laid over `stored`: fields the lead left empty keep the stored values, its
    attributes are added to the stored ones; a stub's status gives way to the stored one."""
    if stored is None:
        return lead
    changes = {name: getattr(lead, name) for name in _MERGED if getattr(lead, name) not in (None, "", ())}
    merged = dataclasses.replace(stored, **changes)
    merged.attributes = {**stored.attributes, **lead.attributes}
    if lead.image_urls:
        merged.image_urls = list(dict.fromkeys([*stored.image_urls, *lead.image_urls]))
    if lead.status != "unknown":
        merged.status = lead.status
    return merged


def fill(stored: Listing, lead: Listing) -> Listing:
    """`stored` (a listing seen on its page) with only the gaps filled from `lead`: an empty
    text field, a missing count, a price when the page showed none (no price, range or tiers,
    and none pending from the price flow), attributes it lacks. Nothing the page showed changes."""
    changes = {name: getattr(lead, name) for name in ("title", "shop_id", "shop_name", "description")
               if not getattr(stored, name) and getattr(lead, name)}
    changes.update({name: getattr(lead, name) for name in ("sales", "stock")
                    if getattr(stored, name) is None and getattr(lead, name) is not None})
    if stored.display_price is None and not stored.price_pending and lead.display_price is not None:
        changes.update(price=lead.price, price_range=lead.price_range)
    filled = dataclasses.replace(stored, **changes)
    filled.attributes = {**lead.attributes, **stored.attributes}
    return filled


def _page_bytes(evidence: Evidence) -> tuple[bytes, str | None]:
    """The captured page as the server sent it (else as rendered), with its declared charset."""
    folder = Path(evidence.directory)
    names = {a.name for a in evidence.artefacts}
    charset = None
    if HEADERS_NAME in names:
        headers = json.loads((folder / HEADERS_NAME).read_text(encoding="utf-8"))  # [{"name", "value"}, ...]
        charset = next((str(h.get("value", "")) for h in headers
                        if isinstance(h, dict) and str(h.get("name", "")).lower() == "content-type"), None)
    for name in (BODY_NAME, HTML_NAME):
        if name in names:
            return (folder / name).read_bytes(), charset if name == BODY_NAME else "utf-8"
    raise FileNotFoundError(f"capture {folder} holds no page ({BODY_NAME} or {HTML_NAME})")


def _scripted(evidence: Evidence) -> bool:
    """Whether the page ended somewhere a script navigated to: the browser's final URL is not the URL of the
    response whose body and status were captured (the manifest's `response_url`), so they are not its page's."""
    manifest = Path(evidence.directory) / MANIFEST_NAME
    if not evidence.final_url or not manifest.is_file():
        return False
    answered = json.loads(manifest.read_text(encoding="utf-8")).get("response_url")
    return bool(answered) and urldefrag(str(answered))[0] != urldefrag(evidence.final_url)[0]


def read_captured(listing: Listing, evidence: Evidence) -> Listing | Removal:
    """The listing as its captured page shows it, under the stored key and real URL; a `Removal` when
    the page shows the item gone the way the platform says so today (`crawler.platforms.gone`: a 404 or
    410, a redirect to the platform's error or home page, its "item does not exist" page; `Removal.recheck`
    when one sighting does not prove it). Nothing is judged removed when a script navigated the page after
    its response (the captured status and body are not the final page's).

    Raises `crawler.exceptions.ParseError` when the page is not a readable item page,
    `BlockedPageError` when it is a captcha or login page, and ValueError when the page
    went to another item or off the item pages (its content is not this listing's)."""
    body, charset = _page_bytes(evidence)
    html = decode_page(body, charset)
    final_url = evidence.final_url or listing.url

    def parse() -> Listing:
        landed = listing_key(evidence.final_url) if evidence.final_url else None
        if landed is None and evidence.final_url and evidence.final_url != listing.url:
            raise ValueError(f"页面跳转到了非商品页面 the page went elsewhere: {evidence.final_url[:200]}")
        if landed is not None and landed[1] != listing.listing_id:  # Taobao <-> Tmall keeps the id
            raise ValueError(f"页面跳转到了另一个商品 {landed[0]}:{landed[1]}，不是 {listing.platform}:{listing.listing_id}")
        return parse_page(listing.platform, "item", body, url=final_url,
                          source=f"{listing.platform}:{listing.listing_id} 的取证页面", declared_encoding=charset)[0]

    # after a script's navigation the captured status and body are the first page's: no removal is judged
    seen = judge_page(listing.platform, listing.url, final_url, evidence.http_status, html, parse,
                      judge=not _scripted(evidence))
    if isinstance(seen, GonePage):
        return seen.removal(listing.platform, listing.listing_id, evidence.captured_at, evidence.url or listing.url)
    parsed = dataclasses.replace(seen, platform=listing.platform, listing_id=listing.listing_id, url=listing.url)
    return merge(listing, parsed)
