"""Recognise an item page fetched again that shows the item is gone, the way the platforms answer today.

A removed item rarely shows 下架 text inside its own page: Taobao sends item.taobao.com with a 302 to
its error page (err.taobao.com, "很抱歉，您查看的宝贝不存在，可能已下架或者被转移"), JD redirects a gone
item to its home page or an error page ("很抱歉！您访问的页面不存在"), Tmall answers "此商品已下架", 1688
"该商品已下架"/"页面不存在", Pinduoduo "商品已售罄或已下架"; any platform may answer 404 or 410.

`gone_page(platform, url, final_url, status, html)` returns a `GonePage` (final URL, HTTP status, the
text seen, the basis) for: a 404/410 at the item URL itself (`http_status`), a redirect from the item URL
to one of the platform's known error pages (`error_page`: the error hosts, or a known error path on the
platform's main host) or to its home page (`home_redirect`). `gone_text(...)` is the platform's gone
wording on a page left at the item URL (call it only once the item parser has refused the page): only the
page's <title> and the platforms' known error containers are read, never the rest of the page (seller
text: titles, descriptions, shop notices), and never on a page that still shows item markers (a SKU id,
a price, a buy button). Only a 2xx, 404 or 410 answer is judged at all. Never a removal: a captcha,
verification or login page (`blocked.detect_block`), a 401/403, a 5xx, 429 or 408 answer, no answer, a
redirect to another item, to a shop, search or CDN host, or to any other page, or a page off the
platform's hosts.

A home page or error page may also be an anti-bot answer, and 商品已售罄或已下架 covers sold-out items:
`CONFIRM_BASES` names the bases that prove a removal only when seen again on a later fetch (the caller
keeps the sightings); `http_status` counts at once.

`gone_redirect(platform, url, answered_url, status, location)` judges an item page's redirect that was not
followed (the Scrapy crawl never follows one blindly: robots.txt may forbid its target, as JD's forbids
www.jd.com/?from=item): its Location resolved against the URL that answered is the platform's error page or
home page (the same rules as `gone_page`: a `GonePage` on the redirect's own status), else a `Redirect` to
follow as a new request (robots.txt still applies), marked `blocked` when it leads to a login or verification
page (never a removal).

`judge_page(platform, url, final_url, status, html, parse)` is the one judgement every fetch of a known item
page goes through, whoever fetched it: the 'fetch' stage's browser capture (`services.leads.read_captured`, a
notice's listing fetched again or a flagged item whose capture no longer showed it) and the Scrapy crawl's item
pages (`crawler.spiders.market`, search results and the suspected removals it re-visits). It returns the
`GonePage` (`gone_page` before the item parser, `gone_text` once the parser refused the page) or what `parse`
returned, or given the `location` of a redirect answer, `gone_redirect`'s verdict; `GonePage.removal(...)` is the sighting to keep (`firewatch.core.models.Removal`, `recheck` for the
CONFIRM_BASES), which `ListingStore.record_removal` counts or keeps as suspected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.exceptions import ParseError
from crawler.platforms.blocked import detect_block
from crawler.sites import listing_key, site
from firewatch.core.models import Removal

__all__ = ["BASES", "CONFIRM_BASES", "REDIRECT_STATUSES", "GonePage", "Redirect", "gone_page", "gone_redirect",
           "gone_text", "judge_page"]

T = TypeVar("T")

BASES = ("http_status", "error_page", "home_redirect", "gone_text")
CONFIRM_BASES = ("error_page", "home_redirect", "gone_text")  # one sighting is only suspected
GONE_STATUSES = (404, 410)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

# The platforms' own "item does not exist / removed" wording (desktop and mobile pages).
_GONE_TEXT = re.compile(
    r"很抱歉[，,！!\s]*您(?:查看|访问|要找)的(?:宝贝|商品|页面)(?:不存在|找不到了|已下架)"
    r"|(?:宝贝|商品|页面|货品|offer)(?:已经)?不存在|已下架或者?被转移"
    r"|[该此]?(?:商品|宝贝|货品|offer)已(?:下架|下柜|删除|失效)|商品已售罄或已下架", re.IGNORECASE)
# The platforms' error pages: hosts that serve nothing else, and known error paths on their main hosts.
_ERROR_HOSTS = ("err.taobao.com", "err.tmall.com", "error.jd.com", "err.1688.com")
_ERROR_PATHS = {"www.jd.com": ("/error.aspx", "/error2.aspx"), "detail.tmall.com": ("/notfound.htm",),
                "item.taobao.com": ("/error.htm",)}
# A platform's home page: where JD (and sometimes the others) send a gone item.
_HOME_HOSTS = ("www.jd.com", "jd.com", "m.jd.com", "www.taobao.com", "taobao.com", "main.m.taobao.com",
               "www.tmall.com", "tmall.com", "www.1688.com", "1688.com", "m.1688.com", "mobile.yangkeduo.com",
               "mobile.pinduoduo.com", "www.pinduoduo.com")
_HOME_PATHS = ("", "/", "/index.html", "/index.htm", "/index")
# The containers the platforms' own error pages put their message in (class or id).
_ERROR_CONTAINERS = ("error-box", "error-notice", "tm-error", "mod-error", "goods-offline", "err-page", "error-page",
                     "page-404", "notfound")
# What an item page still shows: a SKU id, a price, a buy or cart button.
_ITEM_MARKERS = re.compile(r"sku_?id|\bprice\b|J_LinkBuy|btn-?buy|buy-?btn|InitCartUrl|add-?cart|加入购物车|立即购买"
                           r"|￥\s*\d|¥\s*\d", re.IGNORECASE)
_TEXT_MAX = 160


@dataclass(frozen=True)
class GonePage:
    """What showed the item gone: where the fetch ended, its HTTP status, the words seen, and the basis
    (one of BASES: `http_status` 404/410, `error_page`, `home_redirect`, `gone_text`)."""

    final_url: str
    http_status: int | None
    text: str
    basis: str

    def removal(self, platform: str, listing_id: str, observed_at: datetime, url: str) -> Removal:
        """The sighting to keep: listing `(platform, listing_id)` whose page `url`, fetched at `observed_at`
        (UTC), showed this; `recheck` when its basis proves a removal only when seen again later."""
        return Removal(platform, listing_id, observed_at, url, self.final_url, self.http_status, self.text,
                       self.basis, recheck=self.basis in CONFIRM_BASES)


@dataclass(frozen=True)
class Redirect:
    """An item page's redirect that shows no removal: its `target` (the Location resolved against the URL that
    answered) and `blocked` (`detect_block`'s reason) when it leads to a login or verification page."""

    target: str
    blocked: str | None = None


def _text(nodes: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(nodes)).strip()


def _visible(html: str) -> str:
    if not html:
        return ""
    sel = Selector(text=html, type="html")
    return _text(sel.xpath("//title//text() | //body//text()[not(ancestor::*[self::script or self::style or "
                           "self::noscript or self::template or self::textarea])]").getall())


def _platform_text(html: str) -> str:
    """The page's <title> and the text of the platforms' known error containers: what the platform wrote."""
    if not html:
        return ""
    marks = " or ".join(f"contains(concat(' ', normalize-space(@class), ' '), ' {c} ') or @id='{c}'"
                        for c in _ERROR_CONTAINERS)
    sel = Selector(text=html, type="html")
    return _text(sel.xpath(f"//title//text() | //*[{marks}]//text()[not(ancestor::script or ancestor::style)]")
                 .getall())


def _seen(text: str) -> str:
    """The gone wording with a little of its sentence, else the start of the page's text."""
    match = _GONE_TEXT.search(text)
    if match is None:
        return text[:_TEXT_MAX]
    start = max(0, match.start() - 20)
    return text[start:start + _TEXT_MAX].strip()


def _own_host(platform: str, host: str) -> bool:
    try:
        return site(platform).owns(host)
    except Exception:  # noqa: BLE001 - an unknown platform owns nothing
        return False


def _is_error_page(host: str, path: str) -> bool:
    return host in _ERROR_HOSTS or path.lower() in _ERROR_PATHS.get(host, ())


def _is_home(host: str, path: str) -> bool:
    return host in _HOME_HOSTS and path in _HOME_PATHS


def _gone_basis(host: str, path: str) -> str | None:
    """`error_page` or `home_redirect` when host and path are the platform's error or home page, else None."""
    if _is_error_page(host, path):
        return "error_page"
    return "home_redirect" if _is_home(host, path) else None


def _usable(platform: str, final_url: str, status: int | None, html: str) -> str | None:
    """The final host when the answer may be judged at all: a 2xx, 404 or 410 on the platform, not blocked."""
    if not status or not (200 <= status < 300 or status in GONE_STATUSES):
        return None
    if detect_block(html or "", final_url) is not None:
        return None
    host = (urlsplit(final_url).hostname or "").lower()
    return host if host and _own_host(platform, host) else None


def gone_page(platform: str, url: str, final_url: str, status: int | None, html: str) -> GonePage | None:
    """The `GonePage` when the fetch of `url` (the item page of `platform`) ended at `final_url` with
    `status` and `html` in a way that shows the item gone, else None (see the module docstring)."""
    final_url = final_url or url
    host = _usable(platform, final_url, status, html)
    if host is None:
        return None
    landed = listing_key(final_url)
    own = landed is not None and landed[1] == (listing_key(url) or ("", ""))[1]
    path = urlsplit(final_url).path
    if status in GONE_STATUSES:
        if own:
            return GonePage(final_url, status, _seen(_visible(html)), "http_status")
        if _is_error_page(host, path):
            return GonePage(final_url, status, _seen(_platform_text(html)), "error_page")
        return None  # a 404 somewhere else (a shop, a search, a CDN): not this item's answer
    if landed is not None:
        return None  # the item's own page (its parser decides) or another item (not this one's removal)
    basis = _gone_basis(host, path)
    return GonePage(final_url, status, _seen(_platform_text(html)), basis) if basis else None


def gone_redirect(platform: str, url: str, answered_url: str, status: int, location: str,
                  html: str = "") -> GonePage | Redirect:
    """The redirect `answered_url` (item page `url` of `platform`, or a hop followed from it) answered with
    `status` and `location`, not followed: a `GonePage` (on `status`, the target as its final URL) when the
    target is the platform's error or home page, else the `Redirect` to follow (`blocked` for a login or
    verification page)."""
    target = urljoin(answered_url or url, location.strip())
    reason = detect_block("", target)
    if reason is not None:
        return Redirect(target, reason)
    parts = urlsplit(target)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not _own_host(platform, host) or listing_key(target) is not None:
        return Redirect(target)
    basis = _gone_basis(host, parts.path)
    return GonePage(target, status, _seen(_platform_text(html)), basis) if basis else Redirect(target)


def gone_text(platform: str, url: str, final_url: str, status: int | None, html: str) -> GonePage | None:
    """The platform's gone wording in the <title> or a known error container of a 2xx page left at the item
    URL that shows no item markers (the item parser refused it), else None."""
    final_url = final_url or url
    if _usable(platform, final_url, status, html) is None or not 200 <= int(status or 0) < 300:
        return None
    landed = listing_key(final_url)
    if landed is None or landed[1] != (listing_key(url) or ("", ""))[1]:
        return None
    if _ITEM_MARKERS.search(html or ""):
        return None
    text = _platform_text(html)
    return GonePage(final_url, status, _seen(text), "gone_text") if _GONE_TEXT.search(text) else None


def judge_page(platform: str, url: str, final_url: str, status: int | None, html: str,
               parse: Callable[[], T], judge: bool = True, location: str | None = None) -> T | GonePage | Redirect:
    """The fetch of item page `url` of `platform` (ended at `final_url` with `status` and `html`): its
    `GonePage` when `gone_page` says the item is gone, else what `parse()` returns; when `parse` raises
    `ParseError` (not an item page), the `GonePage` of the platform's gone wording (`gone_text`), else that
    error again. `judge=False` (the page is not the response's own, e.g. a script navigated it) only parses.
    A redirect answer (`status` in REDIRECT_STATUSES) given with its `location` (a fetch that does not follow
    redirects) is judged by `gone_redirect` alone: a `GonePage` or the `Redirect` to follow."""
    if judge and location is not None and status in REDIRECT_STATUSES:
        return gone_redirect(platform, url, final_url, status, location, html)
    gone = gone_page(platform, url, final_url, status, html) if judge else None
    if gone is not None:
        return gone
    try:
        return parse()
    except ParseError:
        gone = gone_text(platform, url, final_url, status, html) if judge else None
        if gone is None:
            raise
        return gone
