"""Recognise an item page fetched again that shows the item is gone, the way the platforms answer today.

A removed item rarely shows 下架 text inside its own page: Taobao sends item.taobao.com with a 302 to
its error page (err.taobao.com, "很抱歉，您查看的宝贝不存在，可能已下架或者被转移"), JD redirects a gone
item to its home page or an error page ("很抱歉！您访问的页面不存在"), Tmall answers "此商品已下架", 1688
"该商品已下架"/"页面不存在", Pinduoduo "商品已售罄或已下架"; any platform may answer 404 or 410.

`gone_page(platform, url, final_url, status, html)` returns a `GonePage` (final URL, HTTP status, the
text seen, the basis) for: a 404/410 on the platform's own host, a redirect from the item URL to the
platform's error page or home page, or a redirect to another page of the platform that says the item
is gone. `gone_text(...)` is the last case for a page left at the item URL that is not an item page
(call it only once the item parser has refused the page: sellers may write the same words). Never a
removal: a captcha, verification or login page (`blocked.detect_block`), a 5xx, 429 or 408 answer, no
answer, or a page off the platform's hosts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from parsel import Selector

from crawler.platforms.blocked import detect_block
from crawler.sites import listing_key, site

__all__ = ["BASES", "GonePage", "gone_page", "gone_text"]

BASES = ("http_status", "error_page", "home_redirect", "gone_text")
GONE_STATUSES = (404, 410)

# The platforms' own "item does not exist / removed" wording (desktop and mobile pages).
_GONE_TEXT = re.compile(
    r"很抱歉[，,！!\s]*您(?:查看|访问|要找)的(?:宝贝|商品|页面)(?:不存在|找不到了|已下架)"
    r"|(?:宝贝|商品|页面|货品|offer)(?:已经)?不存在|已下架或者?被转移"
    r"|[该此]?(?:商品|宝贝|货品|offer)已(?:下架|下柜|删除|失效)|商品已售罄或已下架", re.IGNORECASE)
# Error pages by host, and by path on the platform's own hosts.
_ERROR_HOSTS = ("err.taobao.com", "err.tmall.com", "error.jd.com", "err.1688.com")
_ERROR_PATH = re.compile(r"(?:^|/)(?:error\d*|err|404|notfound|not_found|nofound|offline)(?:[./_-]|$)", re.IGNORECASE)
# A platform's home page: where JD (and sometimes the others) send a gone item.
_HOME_HOSTS = ("www.jd.com", "jd.com", "m.jd.com", "www.taobao.com", "taobao.com", "main.m.taobao.com",
               "www.tmall.com", "tmall.com", "www.1688.com", "1688.com", "m.1688.com", "mobile.yangkeduo.com",
               "mobile.pinduoduo.com", "www.pinduoduo.com")
_HOME_PATHS = ("", "/", "/index.html", "/index.htm", "/index")
_NOT_AN_ANSWER = (408, 429)
_TEXT_MAX = 160


@dataclass(frozen=True)
class GonePage:
    """What showed the item gone: where the fetch ended, its HTTP status, the words seen, and the basis
    (one of BASES: `http_status` 404/410, `error_page`, `home_redirect`, `gone_text`)."""

    final_url: str
    http_status: int | None
    text: str
    basis: str


def _visible(html: str) -> str:
    if not html:
        return ""
    sel = Selector(text=html, type="html")
    nodes = sel.xpath("//title//text() | //body//text()[not(ancestor::*[self::script or self::style or "
                      "self::noscript or self::template or self::textarea])]").getall()
    return re.sub(r"\s+", " ", " ".join(nodes)).strip()


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
    return host in _ERROR_HOSTS or bool(_ERROR_PATH.search(path))


def _is_home(host: str, path: str) -> bool:
    return host in _HOME_HOSTS and path in _HOME_PATHS


def _usable(platform: str, final_url: str, status: int | None, html: str) -> str | None:
    """The final host when the answer may be judged at all (on the platform, not blocked, not an error)."""
    if not status or status >= 500 or status in _NOT_AN_ANSWER:
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
    text = _visible(html)
    if status in GONE_STATUSES:
        return GonePage(final_url, status, _seen(text), "http_status")
    landed = listing_key(final_url)
    if landed is not None and landed[1] == (listing_key(url) or ("", ""))[1]:
        return None  # still the item's own page: its parser decides
    if landed is not None:
        return None  # another item: not this one's removal
    path = urlsplit(final_url).path
    if _is_error_page(host, path):
        return GonePage(final_url, status, _seen(text), "error_page")
    if _is_home(host, path):
        return GonePage(final_url, status, _seen(text), "home_redirect")
    if _GONE_TEXT.search(text):
        return GonePage(final_url, status, _seen(text), "gone_text")
    return None


def gone_text(platform: str, url: str, final_url: str, status: int | None, html: str) -> GonePage | None:
    """A page left at the item URL that says the item is gone (the item parser refused it), else None."""
    final_url = final_url or url
    if _usable(platform, final_url, status, html) is None or not 200 <= int(status or 0) < 300:
        return None
    text = _visible(html)
    return GonePage(final_url, status, _seen(text), "gone_text") if _GONE_TEXT.search(text) else None
