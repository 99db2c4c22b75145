"""Recognise captcha, verification and login-wall pages served instead of content.

`detect_block(html, url)` returns the reason (slider captcha, verification page, login wall) or
None, from strong signals only: the URL, the title, captcha and login widget ids, and visible text
of slider prompts, since ordinary pages mention 登录 and embed captcha iframes and anti-bot scripts.
"""

from __future__ import annotations

import logging
import re
from html import unescape
from urllib.parse import urlsplit

from parsel import Selector

log = logging.getLogger(__name__)

# (substring of the lower-cased URL without query, reason)
# Taobao/Tmall/1688 "punish" pages (滑动验证, nocaptcha), JD's risk check, PDD's 安全验证 and
# redirects to login.taobao.com or passport.jd.com; the demo market imitates them with a 302 to
# `/_sec/captcha` serving a page titled 安全验证 with `<div id="nocaptcha">`.
_URL_MARKERS = (
    ("/_sec/", "captcha"),
    ("_____tmd_____/punish", "captcha"),
    ("/punish", "captcha"),
    ("sec.taobao.com", "captcha"),
    ("login.taobao.com", "login"),
    ("login.tmall.com", "login"),
    ("login.1688.com", "login"),
    ("passport.jd.com", "login"),
    ("passport.shop.jd.com", "login"),
    ("mobile.yangkeduo.com/login", "login"),
    ("risk.jd.com", "verification"),
    ("safe.jd.com", "verification"),
    ("cfe.m.jd.com/privatedomain/risk", "verification"),
    ("psnl_verification", "verification"),
    ("/verification", "verification"),
)
_TITLE_MARKERS = (
    ("安全验证", "captcha"),
    ("滑动验证", "captcha"),
    ("验证码", "captcha"),
    ("captcha", "captcha"),
    ("访问验证", "verification"),
    ("身份验证", "verification"),
    ("京东验证", "verification"),
    ("verify", "verification"),
    ("欢迎登录", "login"),
    ("用户登录", "login"),
    ("会员登录", "login"),
    ("登录页", "login"),
)
_CAPTCHA_IDS = ("nocaptcha", "nc_1_wrapper", "nc_1_n1z", "nc_1__scale_text", "baxia-punish")
_LOGIN_IDS = ("fm-login-id", "fm-login-password", "loginname", "formlogin", "login-form")
_TEXT_MARKERS = (
    (re.compile(r"拖动(下方)?滑块|请按住滑块|向右滑动(完成)?验证|滑动验证"), "captcha"),
    (re.compile(r"请完成(安全)?验证|验证一下，购物无忧|访问过于频繁"), "verification"),
)
# The checks below run on the DOM only when a cheap look at the raw text finds what they need
# (most pages have none of it, so they are never parsed here): a title marker in the first
# `<title>`, a widget id, or a slider/verification prompt. Widget ids and prompts are looked for
# in the first `_SCAN_CHARS` characters only: a page served instead of content is small (the
# replica's and the real captcha, verification and login pages are a few KB), while content
# pages run to 800 KB. No IGNORECASE: with it the engine loses its literal search (10-20 ms per
# demo search page, 100-600 ms per real one).
_SCAN_CHARS = 131072
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_TEXT_ANY = re.compile("|".join(p.pattern for p, _ in _TEXT_MARKERS))
_ID_ANY = re.compile("|".join(re.escape(i) for i in _CAPTCHA_IDS + _LOGIN_IDS))


# Blocks answered with HTTP 200 by data APIs: JD's JSON codes (605 risk control), Taobao mtop's
# FAIL_SYS_* / RGV587 return codes (JSONP), PDD's error_code 54001; and 1688's small interstitial
# page whose script leads to /_____tmd_____/punish.
_API_BLOCK = re.compile(r'"code"\s*:\s*"?605\b|FAIL_SYS_(?:USER_VALIDATE|ILLEGAL_ACCESS|TOKEN_EXOIRED)'
                        r'|RGV587_ERROR|"error_code"\s*:\s*54001\b')
_API_LOGIN = re.compile(r'FAIL_SYS_SESSION_EXPIRED|"error_code"\s*:\s*40001\b')  # not logged in
_JSONP = re.compile(r"[\w$.]+\s*\(")
_INTERSTITIAL = re.compile(r"_____tmd_____/punish|x5secdata")
_INTERSTITIAL_MAX = 4096  # bytes: a real content page is far larger


def detect_block(html: str, url: str = "") -> str | None:
    """"captcha", "verification" or "login" for a blocked page; None for an ordinary page."""
    reason = _from_url(url)
    if reason:
        return reason
    if not html:
        return None
    start = html[:64].lstrip()
    if start[:1] in ("{", "[") or _JSONP.match(start):  # a data API's answer, not a page
        if _API_LOGIN.search(html, 0, 4096):
            return "login"
        return "verification" if _API_BLOCK.search(html, 0, 4096) else None
    if len(html) <= _INTERSTITIAL_MAX and _INTERSTITIAL.search(html):
        return "captcha"
    title_hit = _title_hit(html)
    ids = set(_ID_ANY.findall(html, 0, _SCAN_CHARS))
    login_hit = bool(ids.intersection(_LOGIN_IDS)) and html.find("password", 0, _SCAN_CHARS) >= 0
    text_hit = _TEXT_ANY.search(html, 0, _SCAN_CHARS) is not None
    if not (title_hit or ids or text_hit):
        return None
    sel = Selector(text=html, type="html")  # a JSON body would otherwise become a JSON selector
    title = " ".join(sel.xpath("//title//text()").getall()).strip().lower()
    for marker, reason in _TITLE_MARKERS:
        if marker in title:
            return reason
    for widget_id in _CAPTCHA_IDS:
        if widget_id in ids and sel.xpath("//*[@id=$id]", id=widget_id):
            return "captcha"
    if login_hit and sel.xpath("//input[@type='password']") and any(
        sel.xpath("//*[@id=$id]", id=i) for i in _LOGIN_IDS if i in ids
    ):
        return "login"
    if not text_hit:
        return None
    text = _visible_text(sel)
    for pattern, reason in _TEXT_MARKERS:
        if pattern.search(text):
            return reason
    return None


def _title_hit(html: str) -> bool:
    """Whether the page's first <title> holds a title marker (then the DOM decides)."""
    match = _TITLE.search(html)
    if match is None:
        return False
    title = unescape(match.group(1)).lower()
    return any(marker in title for marker, _ in _TITLE_MARKERS)


def _from_url(url: str) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.lower())
    where = f"{parts.netloc}{parts.path}"
    for marker, reason in _URL_MARKERS:
        if marker in where:
            return reason
    return None


def _visible_text(sel: Selector) -> str:
    nodes = sel.xpath(
        "//body//text()[not(ancestor::*[self::script or self::style or self::noscript"
        " or self::template or self::textarea])]"
    ).getall()
    return re.sub(r"\s+", "", "".join(nodes))
