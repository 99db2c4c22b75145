"""One search page, parsed once: its listings and its pagination.

`search_page(parser, html, url)` returns `(parser.parse_search(html, url),
parser.parse_pagination(html))`; a parser module with a `parse_search_page` (JD) reads both from
one parse of the page, the others parse twice (their script data is cheap to read again).
"""

from __future__ import annotations

from types import ModuleType

from firewatch.core.models import Listing


def search_page(parser: ModuleType, html: str, url: str = "") -> tuple[list[Listing], dict]:
    """(listings, pagination) of a search page; the errors of `parse_search` and `parse_pagination`."""
    both = getattr(parser, "parse_search_page", None)
    if both is not None:
        return both(html, url)
    return parser.parse_search(html, url), parser.parse_pagination(html)
