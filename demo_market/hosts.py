"""The replica's host table: which real hostnames it answers, and how each one behaves.

Requests arrive on one TLS port under the platforms' real hostnames (the crawler's and
Chromium's host map send them here). `route(host, path)` turns a real URL path into the
replica's internal route (`item.jd.com/100012345678.html` -> `/jd/item/100012345678.html`);
`robots(host)` is that host's robots.txt; `wall(host, url)` is how that host answers a
client it has decided to challenge (a 302 to the platform's verification page, a JSON block
code with HTTP 200, or 1688's 200 interstitial); `login_url(host, url)` is where an anonymous
visitor is sent on hosts that need an account. A request by bare address (`127.0.0.1`) keeps
the internal routes, for the replica's own tests and admin endpoints.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlsplit

PLATFORM_DOMAINS = {
    "jd": ("jd.com", "3.cn", "360buyimg.com"),
    "taobao": ("taobao.com", "alicdn.com"),
    "tmall": ("tmall.com",),
    "pdd": ("yangkeduo.com", "pinduoduo.com", "pddpic.com"),
    "1688": ("1688.com",),
}
IMAGE_HOSTS = {"jd": "img14.360buyimg.com", "taobao": "img.alicdn.com", "tmall": "img.alicdn.com",
               "pdd": "img.pddpic.com", "1688": "cbu01.alicdn.com"}
IMAGE_PATHS = {"jd": "/n1/jfs/t1/", "taobao": "/imgextra/i1/", "tmall": "/imgextra/i2/", "pdd": "/goods/images/",
               "1688": "/img/ibank/"}
SESSION_COOKIES = {"jd": "thor", "taobao": "cookie2", "tmall": "cookie2", "pdd": "PDDAccessToken", "1688": "cookie2"}
"""The cookie whose value the replica checks as a logged-in session, per platform."""


@dataclass(frozen=True)
class Host:
    platform: str
    routes: tuple[tuple[re.Pattern[str], str], ...] = ()
    robots: str = "User-agent: *\nAllow: /\n"
    wall: str = "redirect"  # redirect | json | jsonp | interstitial
    login: tuple[str, ...] = field(default=())  # internal routes an anonymous visitor may not see


def _r(pattern: str, target: str) -> tuple[re.Pattern[str], str]:
    return re.compile(pattern), target


_JD_ROBOTS = "User-agent: *\nDisallow: /?*\nDisallow: /pop/*.html\nDisallow: /pinpai/*.html?*\n"
_ALI_ROBOTS = "User-agent: Baiduspider\nDisallow: /\n\nUser-agent: *\nDisallow: /\n"
_IMAGES = (_r(r"^/(.+\.png)$", "/img/{0}"),)

HOSTS: dict[str, Host] = {
    "search.jd.com": Host("jd", (_r(r"^/Search$", "/jd/search_shell"),), _JD_ROBOTS, login=("/jd/search_shell",)),
    "item.jd.com": Host("jd", (_r(r"^/(\d+)\.html$", "/jd/item/{0}.html"),), _JD_ROBOTS),
    "www.jd.com": Host("jd", (_r(r"^/$", "/jd/home"),), _JD_ROBOTS),
    "api.m.jd.com": Host("jd", (_r(r"^/api$", "/jd/api"),), "User-agent: *\nAllow: /api\n", wall="json"),
    "p.3.cn": Host("jd", (_r(r"^/prices/mgets$", "/jd/prices/mgets"),), wall="json"),
    "passport.jd.com": Host("jd", (_r(r"^/new/login\.aspx$", "/_login/jd"),)),
    "cfe.m.jd.com": Host("jd", (_r(r"^/privatedomain/risk_handler/.*$", "/_sec/captcha"),)),
    "img14.360buyimg.com": Host("jd", _IMAGES),
    "s.taobao.com": Host("taobao", (_r(r"^/search$", "/taobao/search_shell"),
                                    _r(r"^/_____tmd_____/punish$", "/_sec/captcha")), _ALI_ROBOTS,
                         login=("/taobao/search_shell",)),
    "h5api.m.taobao.com": Host("taobao", (_r(r"^/h5/mtop\.relationrecommend\.wirelessrecommend\.recommend/2\.0/?$",
                                             "/taobao/mtop_search"),), _ALI_ROBOTS, wall="jsonp"),
    "item.taobao.com": Host("taobao", (_r(r"^/item\.htm$", "/taobao/item.htm"),), _ALI_ROBOTS),
    "err.taobao.com": Host("taobao", (_r(r"^/error1\.html$", "/taobao/error1.html"),), _ALI_ROBOTS),
    "detailskip.taobao.com": Host("taobao", (_r(r"^/service/getData/1/p1/item/detail/sib\.htm$", "/taobao/promo"),),
                                  _ALI_ROBOTS, wall="json"),
    "login.taobao.com": Host("taobao", (_r(r"^/member/login\.jhtml$", "/_login/taobao"),)),
    "img.alicdn.com": Host("taobao", _IMAGES),
    "detail.tmall.com": Host("tmall", (_r(r"^/item\.htm$", "/tmall/item.htm"),), _ALI_ROBOTS),
    "mdskip.tmall.com": Host("tmall", (_r(r"^/core/initItemDetail\.htm$", "/tmall/promo"),), _ALI_ROBOTS, wall="json"),
    "mobile.yangkeduo.com": Host("pdd", (_r(r"^/search_result\.html$", "/pdd/search"),
                                         _r(r"^/proxy/api/search$", "/pdd/api/search"),
                                         _r(r"^/goods\.html$", "/pdd/goods.html"),
                                         _r(r"^/psnl_verification\.html$", "/_sec/captcha"),
                                         _r(r"^/login\.html$", "/_login/pdd"))),
    "mobile.pinduoduo.com": Host("pdd", (_r(r"^/search_result\.html$", "/pdd/search"),
                                         _r(r"^/goods\.html$", "/pdd/goods.html"))),
    "img.pddpic.com": Host("pdd", _IMAGES),
    "s.1688.com": Host("1688", (_r(r"^/selloffer/offer_search\.htm$", "/1688/offer_search"),
                                _r(r"^/_____tmd_____/punish$", "/_sec/captcha")), wall="interstitial"),
    "detail.1688.com": Host("1688", (_r(r"^/offer/(\d+)\.html$", "/1688/offer/{0}.html"),
                                     _r(r"^/_____tmd_____/punish$", "/_sec/captcha")), wall="interstitial"),
    "login.1688.com": Host("1688", (_r(r"^/member/signin\.htm$", "/_login/1688"),)),
    "cbu01.alicdn.com": Host("1688", _IMAGES),
}
"""Every hostname the replica answers."""

CERT_NAMES = sorted({f"*.{d}" for ds in PLATFORM_DOMAINS.values() for d in ds}
                    | {d for ds in PLATFORM_DOMAINS.values() for d in ds}
                    | {"*.m.jd.com", "*.m.taobao.com"} | set(HOSTS) | {"127.0.0.1", "localhost"})
"""Names on the replica's server certificate."""


def host_patterns() -> list[str]:
    """The host-map patterns that send every platform domain to the replica."""
    return sorted({p for ds in PLATFORM_DOMAINS.values() for d in ds for p in (d, f"*.{d}")})


def host_of(header: str) -> str:
    return (header or "").split(":", 1)[0].strip().lower().rstrip(".")


def route(host: str, path: str) -> str | None:
    """The internal route for `path` on a real host; None when the host or path is unknown."""
    entry = HOSTS.get(host)
    if entry is None:
        return None
    for pattern, target in entry.routes:
        match = pattern.match(path)
        if match:
            return target.format(*match.groups())
    if path == "/robots.txt":
        return "/robots.txt"
    return None


def robots(host: str) -> str:
    entry = HOSTS.get(host)
    return entry.robots if entry else "User-agent: *\nAllow: /\n"


def needs_login(host: str, internal: str) -> bool:
    entry = HOSTS.get(host)
    return bool(entry and internal in entry.login)


def login_url(platform: str, back: str) -> str:
    back = quote(back, safe="")
    return {
        "jd": f"https://passport.jd.com/new/login.aspx?ReturnUrl={back}",
        "taobao": f"https://login.taobao.com/member/login.jhtml?redirectURL={back}",
        "tmall": f"https://login.taobao.com/member/login.jhtml?redirectURL={back}",
        "pdd": f"https://mobile.yangkeduo.com/login.html?from={back}",
        "1688": f"https://login.1688.com/member/signin.htm?Done={back}",
    }[platform]


def wall(host: str, url: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) a host answers to a client it challenges."""
    entry = HOSTS.get(host)
    back = quote(url, safe="")
    if entry is None:
        return 302, {"Location": f"/_sec/captcha?from={back}"}, b""
    if entry.wall == "jsonp":
        callback = parse_qs(urlsplit(url).query).get("callback", ["mtopjsonp1"])[0]
        callback = callback if callback.replace("_", "").isalnum() else "mtopjsonp1"
        body = {"ret": ["FAIL_SYS_USER_VALIDATE", "RGV587_ERROR::SM::哎哟喂,被挤爆啦,请稍后重试"],
                "data": {"url": f"https://h5api.m.taobao.com/_____tmd_____/punish?x5secdata=xd&from={back}"}}
        return 200, {"Content-Type": "application/javascript;charset=utf-8"}, \
            f"{callback}({json.dumps(body, ensure_ascii=False)})".encode()
    if entry.platform == "pdd" and "/proxy/api/" in url:
        body = {"error_code": 54001, "error_msg": "操作太过频繁，请稍后再试"}
        return 200, {"Content-Type": "application/json;charset=utf-8"}, json.dumps(body, ensure_ascii=False).encode()
    if entry.wall == "json":
        body = {"code": "605", "echo": "risk control: please verify", "msg": "请完成安全验证"}
        return 200, {"Content-Type": "application/json;charset=utf-8"}, json.dumps(body, ensure_ascii=False).encode()
    if entry.wall == "interstitial":
        target = f"https://{host}/_____tmd_____/punish?x5secdata=xd{abs(hash(url)) % 10**12}&x5step=1&from={back}"
        html = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title></title></head><body>"
                f"<script>window.location.replace({json.dumps(target)});</script></body></html>")
        return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()
    target = {
        "jd": f"https://cfe.m.jd.com/privatedomain/risk_handler/03101900/?returnurl={back}",
        "pdd": f"https://mobile.yangkeduo.com/psnl_verification.html?from={back}",
    }.get(entry.platform, f"https://{host}/_____tmd_____/punish?x5secdata=xd&from={back}")
    if entry.platform in ("taobao", "tmall") and host != "s.taobao.com":
        target = f"https://s.taobao.com/_____tmd_____/punish?x5secdata=xd&from={back}"
    return 302, {"Location": target}, b""
