"""Site maps: the one place a marketplace URL is built.

One `SiteMap` per crawled platform names the platform's real hosts, the URL templates of its
flows (search, item, price), which flows need a real browser (the site signs their data
requests in its own JavaScript), the cookie that marks a logged-in session, and the robots.txt
note. Everything firewatch stores, lists for takedown, prints in a notice or seals in an
evidence pack is built here, so it is always the platform's real URL
(`https://item.jd.com/100012345678.html`). To reach a replica instead of the real site,
change the host map (`[crawl] resolve`), never these templates.

Templates take `q` (the keyword, URL-quoted), `page` (1-based), `offset` (first result of the
page) and `id` (a listing id); `body` is a URL-quoted JSON argument of an API flow.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qs, quote, urlsplit

from crawler.exceptions import UnknownPlatformError

__all__ = ["SITES", "Flow", "SiteMap", "listing_key", "platform_domains", "site", "site_of_url"]


@dataclass(frozen=True)
class Flow:
    """One kind of request: its URL template and whether only a real browser gets its data."""

    template: str
    browser: bool = False
    login: bool = False  # anonymous visitors are sent to a login page
    note: str = ""
    data: str = ""  # browser flows: a substring of the URL of the answer that carries the data
    scroll: bool = False  # browser flows: later pages come by scrolling the first one


@dataclass(frozen=True)
class SiteMap:
    platform: str
    name: str  # the platform's Chinese name
    domains: tuple[str, ...]  # registrable domains of every host its pages load (pages, APIs, images)
    search: Flow
    items: dict[str, Flow]  # listing platform -> item page flow (Taobao search also lists Tmall items)
    page_size: int
    session_cookie: str
    price: Flow | None = None
    robots_note: str = ""
    hosts: tuple[str, ...] = field(default=())  # the hosts of its flows (robots.txt is read per host)
    # listing platform -> other item URL forms people paste (mobile pages), same placeholders
    item_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def search_url(self, keyword: str, page: int) -> str:
        return self.search.template.format(q=quote(keyword), page=page, offset=(page - 1) * self.page_size)

    def item_url(self, listing_id: str, platform: str | None = None) -> str:
        return self.items[platform or self.platform].template.format(id=listing_id)

    def price_url(self, listing_id: str) -> str:
        if self.price is None:
            raise ValueError(f"{self.platform} has no price flow")
        body = quote(json.dumps({"skuId": str(listing_id)}, separators=(",", ":")))
        return self.price.template.format(id=listing_id, body=body)

    def owns(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """Host entries for `firewatch.core.browser.gate`: each domain and its subdomains."""
        return tuple(f".{d}" for d in self.domains)


SITES: dict[str, SiteMap] = {
    "jd": SiteMap(
        platform="jd", name="京东",
        domains=("jd.com", "3.cn", "360buyimg.com"),
        search=Flow("https://search.jd.com/Search?keyword={q}&enc=utf-8&page={page}", login=True, browser=True,
                    data="functionId=pc_search_searchWare",
                    note="anonymous searches are sent to passport.jd.com; the results page of today is "
                         "fed by api.m.jd.com (pc_search_searchWare), signed (h5st) by JD's own script"),
        items={"jd": Flow("https://item.jd.com/{id}.html")},
        item_aliases={"jd": ("https://item.m.jd.com/product/{id}.html", "https://item.m.jd.com/{id}.html")},
        price=Flow("https://api.m.jd.com/api?appid=pc-item-soa&functionId=pc_detailpage_wareBusiness"
                   "&client=pc&clientVersion=1.0.0&body={body}",
                   note="blocks arrive as HTTP 200 with a JSON code (605)"),
        page_size=30, session_cookie="thor",
        robots_note="robots.txt of jd.com disallows /?* and /pop/*.html; item pages and search are allowed",
        hosts=("search.jd.com", "item.jd.com", "api.m.jd.com"),
    ),
    "taobao": SiteMap(
        platform="taobao", name="淘宝",
        domains=("taobao.com", "tmall.com", "alicdn.com"),
        search=Flow("https://s.taobao.com/search?q={q}&s={offset}", login=True, browser=True,
                    data="h5api.m.taobao.com/h5/mtop.relationrecommend",
                    note="anonymous visitors get nothing; results come from h5api.m.taobao.com (mtop, JSONP) "
                         "signed with the _m_h5_tk cookie's token by Taobao's own script"),
        items={"taobao": Flow("https://item.taobao.com/item.htm?id={id}"),
               "tmall": Flow("https://detail.tmall.com/item.htm?id={id}")},
        item_aliases={"taobao": ("https://h5.m.taobao.com/awp/core/detail.htm?id={id}",
                                 "https://main.m.taobao.com/security-h5-detail/home?id={id}"),
                      "tmall": ("https://detail.m.tmall.com/item.htm?id={id}",)},
        page_size=44, session_cookie="cookie2",
        robots_note="robots.txt of taobao.com and tmall.com disallows every path for every crawler but a few "
                    "named search engines: crawling needs a legal basis in [crawl] legal_basis",
        hosts=("s.taobao.com", "item.taobao.com", "detail.tmall.com"),
    ),
    "pdd": SiteMap(
        platform="pdd", name="拼多多",
        domains=("yangkeduo.com", "pinduoduo.com", "pddpic.com"),
        search=Flow("https://mobile.yangkeduo.com/search_result.html?search_key={q}", browser=True,
                    data="/proxy/api/search", scroll=True,
                    note="page 1 is rendered into window.rawData; later pages come from /proxy/api/search "
                         "with anti_content (computed by PDD's script) and the PDDAccessToken cookie"),
        items={"pdd": Flow("https://mobile.yangkeduo.com/goods.html?goods_id={id}")},
        page_size=20, session_cookie="PDDAccessToken",
        hosts=("mobile.yangkeduo.com",),
    ),
    "1688": SiteMap(
        platform="1688", name="1688",
        domains=("1688.com", "alicdn.com"),
        search=Flow("https://s.1688.com/selloffer/offer_search.htm?keywords={q}&charset=utf8&beginPage={page}",
                    note="anonymous requests often get a 200 interstitial leading to /_____tmd_____/punish"),
        items={"1688": Flow("https://detail.1688.com/offer/{id}.html")},
        item_aliases={"1688": ("https://m.1688.com/offer/{id}.html",)},
        page_size=40, session_cookie="cookie2",
        hosts=("s.1688.com", "detail.1688.com"),
    ),
}
"""Site map per crawled platform (Tmall listings are found through Taobao's search)."""

_LISTING_SITE = {"tmall": "taobao"}


def site(platform: str) -> SiteMap:
    """The site map of a platform ("tmall" -> Taobao's, which finds Tmall listings)."""
    try:
        return SITES[_LISTING_SITE.get(platform, platform)]
    except KeyError:
        raise UnknownPlatformError(platform, tuple(SITES)) from None


def site_of_url(url: str) -> SiteMap | None:
    """The site map whose domains own the URL's host, or None."""
    host = urlsplit(url).hostname or ""
    return next((s for s in SITES.values() if s.owns(host)), None)


@lru_cache(maxsize=64)
def _item_pattern(template: str) -> tuple[str, re.Pattern[str] | None, str]:
    """(host, path regex, query parameter) reading a listing id out of an item URL template."""
    parts = urlsplit(template)
    param = next((k for k, v in parse_qs(parts.query).items() if v == ["{id}"]), "")
    path = re.escape(parts.path).replace(re.escape("{id}"), r"(?P<id>[A-Za-z0-9_-]{1,64})")
    return (parts.hostname or "", re.compile(path + r"/?\Z") if "{id}" in parts.path else None, param)


def listing_key(url: str) -> tuple[str, str] | None:
    """(listing platform, listing id) of an item page URL of a watched platform (its desktop
    or mobile form, any extra query parameters), or None when the URL is not one."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return None
    for s in SITES.values():
        if not s.owns(host):
            continue
        for platform, flow in s.items.items():
            for template in (flow.template, *s.item_aliases.get(platform, ())):
                want_host, path, param = _item_pattern(template)
                if host != want_host:
                    continue
                if path is not None:
                    found = path.match(parts.path)
                    if found:
                        return platform, found["id"]
                elif parts.path.rstrip("/") == urlsplit(template).path.rstrip("/"):
                    value = parse_qs(parts.query).get(param, [""])[0]
                    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
                        return platform, value
    return None


def platform_domains() -> tuple[str, ...]:
    """Every domain of every site map, as `.domain` gate entries."""
    return tuple(sorted({entry for s in SITES.values() for entry in s.allowed_hosts}))
