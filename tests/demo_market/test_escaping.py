"""Hostile seller text must be escaped in HTML and must not break out of inline scripts."""
from __future__ import annotations

import json
import re

import httpx
import pytest

from demo_market.generator import build_catalogue
from demo_market.server import QUIET, DemoMarket

EVIL = "</script><script>alert(1)</script>\"'&<b>x</b>\u2028灭火器"


@pytest.fixture(scope="module")
def evil_market():
    cat = build_catalogue(seed=5, size=200)
    for platform in ("jd", "taobao", "tmall", "pdd", "1688"):
        x = next(x for x in cat.initial() if x.platform == platform and x.delisted_day is None)
        x.title = EVIL
        x.shop_name = EVIL
        x.attributes["品牌"] = EVIL
        x.description = EVIL
    with DemoMarket(seed=5, catalogue=cat, **QUIET) as m:
        yield m, cat


def _pages(m, cat):
    with httpx.Client(base_url=m.base_url, timeout=10) as c:
        for x in cat.initial():
            if x.title == EVIL:
                r = c.get(x.path)
                enc = "gbk" if x.platform in ("jd", "tmall") else "utf-8"
                yield x.platform, r.content.decode(enc)
        yield "jd-search", c.get("/jd/search", params={"keyword": "灭火器"}).content.decode("utf-8-sig")
        yield "taobao-search", c.get("/taobao/search", params={"q": "灭火器"}).text
        yield "pdd-search", c.get("/pdd/search", params={"q": "灭火器"}).text
        yield "1688-search", c.get("/1688/offer_search", params={"keywords": "灭火器"}).text


def test_no_script_breakout(evil_market):
    m, cat = evil_market
    for name, html in _pages(m, cat):
        assert "<script>alert(1)" not in html, name
        assert "<b>x</b>" not in html, name
        for body in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S):
            assert "alert(1)</" not in body


def test_json_still_decodes_to_the_original(evil_market):
    m, cat = evil_market
    pdd = next(x for x in cat.initial() if x.platform == "pdd" and x.title == EVIL)
    with httpx.Client(base_url=m.base_url, timeout=10) as c:
        html = c.get(pdd.path).text
    start = html.index("window.rawData=") + len("window.rawData=")
    raw = json.JSONDecoder().raw_decode(html[start:])[0]
    assert raw["store"]["initDataObj"]["goods"]["goodsName"] == EVIL
