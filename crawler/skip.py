"""Skip-if-unchanged, comparing like with like: a search result against what the search
page showed last time, not against what the item page said.

A search result whose listing was stored recently (active) and whose search-page price is
the same as last time is not fetched again. On 1688 the search page shows one price or a
range while the stored listing comes from the offer page (wholesale tiers), so comparing
with the stored listing refetched most offers every run; the store therefore keeps, per
listing, the signature of the price its search result showed (`search_price`), written
when a listing found on a search page is stored (`SearchFound`).

The spider's side (the search-page listing is `found`):

    parse_search:  if unchanged(self.skip_keys, found): skip it   # skip_keys = skip_key_map(...)
    parse_item / price callbacks / errbacks: yield SearchFound(listing, search_signature(found))
                   instead of the bare listing (or `found_item(listing, found)`)

A listing stored before signatures were kept is compared as before (its display price),
until its next fetch keeps the signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from firewatch.core.models import Listing
from firewatch.core.money import to_fen

DISPLAY = "display="  # prefix of a fallback signature: the stored listing's display price only


def _fen(value: Any) -> str:
    fen = to_fen(value)
    return "" if fen is None else str(fen)


def search_signature(found: Listing) -> str:
    """What a search result shows of its price, as a canonical string (fen, so 12.5 == 12.50):
    `p=1250`, `r=1000-2000`, `t=1:1250,10:1100`, or `none`."""
    if found.price is not None:
        return f"p={_fen(found.price)}"
    if found.price_range is not None:
        return f"r={_fen(found.price_range[0])}-{_fen(found.price_range[1])}"
    if found.price_tiers:
        tiers = sorted(found.price_tiers, key=lambda t: t.min_quantity)
        return "t=" + ",".join(f"{t.min_quantity}:{_fen(t.price)}" for t in tiers)
    return "none"


def _display_signature(listing: Listing) -> str:
    return DISPLAY + _fen(listing.display_price)


def skip_key_map(store, since: datetime) -> dict[tuple[str, str], str]:
    """Key -> signature to compare search results with, for every active listing last seen
    at or after `since`: the kept search-page signature, else the stored display price."""
    return {listing.key: signature if signature else _display_signature(listing)
            for listing, signature in store.listings.iter_recently_seen(since)}


def unchanged(known: dict[tuple[str, str], str], found: Listing) -> bool:
    """Whether the search result `found` shows what its listing's search result showed last
    time (so its item page need not be fetched again)."""
    signature = known.get(found.key)
    if signature is None:
        return False
    if signature.startswith(DISPLAY):
        return found.display_price is not None and signature == _display_signature(found)
    return signature == search_signature(found)


@dataclass(frozen=True)
class SearchFound:
    """A listing to store together with the signature of what its search result showed.

    The store pipeline stores `listing` and keeps `search_price`; a spider yields this
    instead of the bare Listing for listings found on a search page.
    """

    listing: Listing
    search_price: str


def found_item(listing: Listing, found: Listing) -> SearchFound:
    """`listing` (from the item page, merged) to store, remembering what `found` showed."""
    return SearchFound(listing, search_signature(found))
