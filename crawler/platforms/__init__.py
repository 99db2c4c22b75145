"""Platform parsers: pure functions from a saved or fetched page to `Listing`s.

`parse_page(platform, kind, body, url)` is the one entry point of the spiders and `firewatch parse`:
it decodes bytes (`decode_page`), raises `BlockedPageError` for captcha and login walls and
`ParseError` for anything else that does not parse, so a broken page never passes as no results.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Callable

from crawler.encoding import decode_page
from crawler.exceptions import BlockedPageError, ParseError, UnknownPlatformError
from crawler.platforms import alibaba1688, jd, pdd, schemaorg, taobao, tmall
from crawler.platforms.blocked import detect_block
from firewatch.core.models import Listing

log = logging.getLogger(__name__)

PARSERS: dict[str, ModuleType] = {
    "jd": jd,
    "taobao": taobao,
    "tmall": tmall,
    "pdd": pdd,
    "1688": alibaba1688,
    "web": schemaorg,  # any shop page with schema.org Product data (JSON-LD, microdata, OpenGraph)
}
KINDS = ("search", "item")


def parser_module(platform: str) -> ModuleType:
    """The parser module of a platform name ("jd", "taobao", "tmall", "pdd", "1688")."""
    try:
        return PARSERS[platform]
    except KeyError:
        raise UnknownPlatformError(platform, tuple(PARSERS)) from None


def get_parser(platform: str, kind: str) -> Callable[[str, str], object]:
    """`parse_search` or `parse_item` of a platform; UnknownPlatformError otherwise."""
    module = parser_module(platform)
    if kind not in KINDS:
        raise UnknownPlatformError(f"{platform}/{kind}", tuple(f"{p}/{k}" for p in PARSERS for k in KINDS))
    return getattr(module, f"parse_{kind}")


def parse_page(
    platform: str,
    kind: str,
    body: bytes | str,
    url: str = "",
    source: str = "",
    declared_encoding: str | None = None,
) -> list[Listing]:
    """Parse one page into listings (one for an item page).

    `body` is raw bytes (decoded with `decode_page`, `declared_encoding` being the HTTP
    charset) or text. `source` names the page in errors (a file name); the URL is used
    when it is empty. Returns [] only for an explicit no-results page; raises
    `BlockedPageError` for captcha/login pages and `ParseError` for anything else that
    does not parse.
    """
    parser = get_parser(platform, kind)
    page = source or url or f"<{platform} {kind} page>"
    html = decode_page(body, declared_encoding, page=page) if isinstance(body, (bytes, bytearray)) else body
    if not html or not html.strip():
        raise ParseError(page, "content (the page is empty)")
    reason = detect_block(html, url)
    if reason:
        raise BlockedPageError(page, reason)
    try:
        result = parser(html, url)
    except ParseError as exc:
        if exc.page == page:
            raise
        raise ParseError(page, exc.missing) from exc
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        log.debug("parser %s/%s failed on %s", platform, kind, page, exc_info=True)
        raise ParseError(page, f"parseable {platform} {kind} data ({type(exc).__name__}: {exc})") from exc
    listings = result if isinstance(result, list) else [result]
    log.debug("parsed %d listing(s) from %s", len(listings), page)
    return listings


def parse_pagination(platform: str, body: bytes | str) -> dict:
    """{"current", "total", "has_more", ...} of a search page (total None when unknown)."""
    module = parser_module(platform)
    html = decode_page(body) if isinstance(body, (bytes, bytearray)) else body
    try:
        return module.parse_pagination(html)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParseError(f"<{platform} search page>", f"pagination ({exc})") from exc


__all__ = [
    "KINDS",
    "PARSERS",
    "detect_block",
    "get_parser",
    "parse_page",
    "parse_pagination",
    "parser_module",
]
