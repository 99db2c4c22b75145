"""Platform parsers, page decoding and block detection against real marketplace pages.

The pages live outside the project in `../shared/fixtures/real-pages/` (third-party
data, never copied in); the tests that need them skip with the reason when that folder
is absent (the `real_pages` fixture, tests/conftest.py). Small byte strings built here cover the encodings and the error paths.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from crawler.encoding import decode_page
from crawler.exceptions import BlockedPageError, PageEncodingError, ParseError, UnknownPlatformError
from crawler.platforms import detect_block, jd, parse_page, parse_pagination
from firewatch.core.models import PriceTier


def read(folder: Path, name: str) -> bytes:
    path = folder / name
    if not path.is_file():
        pytest.skip(f"real page {name} not found in {folder}")
    return path.read_bytes()


# --- JD -------------------------------------------------------------------------------


def test_jd_search_all_60_results_with_sku_and_decimal_price(real_pages):
    body = read(real_pages, "jd-search-2016.html")
    listings = parse_page("jd", "search", body, url="https://search.jd.com/Search?keyword=123", source="jd-search-2016.html")
    assert len(listings) == 60
    raw = decode_page(body)
    skus = re.findall(r'<li data-sku="(\d+)" class="gl-item"', raw)
    assert [item.listing_id for item in listings] == skus
    for item in listings:
        assert item.platform == "jd"
        assert item.listing_id.isdigit()
        assert isinstance(item.price, Decimal) and item.price > 0
        assert item.price_pending is False
        assert item.title
        assert item.url.startswith("https://") and item.listing_id in item.url
    assert listings[0].url == "https://item.jd.com/11371342.html"
    first = listings[0]
    assert (first.listing_id, first.price, first.title) == ("11371342", Decimal("25.20"), "123成人式")
    assert first.attributes["comments"] == "820" and first.sales is None
    assert first.image_urls[0].startswith("https://img12.360buyimg.com/")
    # lazy images (data-lazy-img) are read too
    assert all(item.image_urls for item in listings)


def test_jd_search_pagination(real_pages):
    info = parse_pagination("jd", read(real_pages, "jd-search-2016.html"))
    assert (info["current"], info["total"], info["has_more"]) == (1, 100, True)


def test_jd_item_gbk_has_sku_title_and_pending_price(real_pages):
    body = read(real_pages, "jd-item-2018.gbk.html")
    (item,) = parse_page("jd", "item", body, source="jd-item-2018.gbk.html")
    assert item.listing_id == "29044581674"
    assert item.title == "华为（HUAWEI） 荣耀 畅玩7 全网通4G手机 金色 全网通(2+16G)"
    assert item.price is None and item.price_range is None and item.price_pending is True
    assert item.url == "https://item.jd.com/29044581674.html"
    assert item.shop_id == "643810" and item.shop_name == "明日数码旗舰店"
    assert item.attributes["商品编号"] == "29044581674"
    assert item.attributes["网络制式"] == "4G LTE全网通"
    assert item.image_urls and all(u.startswith("https://") for u in item.image_urls)


def test_jd_price_endpoint_fills_pending_price():
    prices = jd.parse_prices('[{"id":"J_123","p":"58.00","m":"79.00","op":"58.00"},{"id":"J_9","p":"-1.00"}]')
    assert prices == {"123": Decimal("58.00")}
    assert all(isinstance(v, Decimal) for v in prices.values())
    assert jd.parse_prices('jQuery1([{"id":"J_5","p":"1299.00"}]);') == {"5": Decimal("1299.00")}
    with pytest.raises(ParseError):
        jd.parse_prices("<html>not json</html>")
    listing = jd.parse_item("<script>var pageConfig = {product: {skuid: 123, name: 'x'}};</script>"
                            "<div class='sku-name'>灭火器</div>")
    assert listing.price_pending
    jd.apply_prices([listing], prices)
    assert listing.price == Decimal("58.00") and not listing.price_pending


# --- Taobao / Tmall -------------------------------------------------------------------


def test_taobao_search_every_auction_in_page_config(real_pages):
    body = read(real_pages, "taobao-search-2018.html")
    raw = decode_page(body)
    config = json.JSONDecoder().raw_decode(raw, raw.index("{", raw.index("g_page_config =")))[0]
    auctions = config["mods"]["itemlist"]["data"]["auctions"]
    listings = parse_page("taobao", "search", body, source="taobao-search-2018.html")
    assert len(listings) == len(auctions) > 0
    for auction, item in zip(auctions, listings):
        assert item.listing_id == auction["nid"]
        assert item.title == auction["raw_title"]
        assert item.price == Decimal(auction["view_price"]) and isinstance(item.price, Decimal)
        is_tmall = auction.get("shopcard", {}).get("isTmall") or "detail.tmall.com" in auction["detail_url"]
        assert item.platform == ("tmall" if is_tmall else "taobao")
        assert item.url.startswith("https://")
    first = listings[0]
    assert first.sales == 51601 and first.shop_name == "苏宁易购官方旗舰店"
    info = parse_pagination("taobao", body)
    assert (info["current"], info["total"], info["has_more"]) == (1, 100, True)


def test_taobao_item_id_and_price_range(real_pages):
    body = read(real_pages, "taobao-item-2020.html")  # declared gbk, really UTF-8
    (item,) = parse_page("taobao", "item", body, source="taobao-item-2020.html")
    assert item.platform == "taobao" and item.listing_id == "562283240178"
    assert item.price is None
    assert item.price_range == (Decimal("149.00"), Decimal("159.00"))
    assert item.title == "乳白亚克力外壳 60%键盘外壳 poker外壳无加强筋底壳透光外壳"
    assert item.shop_id == "64592671" and item.shop_name == "怡科外设KBDfans"
    assert item.attributes["品牌"] == "KBDfans"
    assert item.url == "https://item.taobao.com/item.htm?id=562283240178"


def test_tmall_item_gbk_declared_decodes_as_gb18030(real_pages):
    body = read(real_pages, "tmall-item-2020.gbk.html")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gbk")
    (item,) = parse_page("tmall", "item", body, source="tmall-item-2020.gbk.html")
    assert item.platform == "tmall" and item.listing_id == "605258110430"
    assert item.price is None
    assert item.price_range == (Decimal("5499.00"), Decimal("6799.00"))
    assert "Apple/苹果 iPhone 11" in item.title
    assert item.shop_name == "苏宁易购官方旗舰店" and item.shop_id == "128573071"
    assert item.attributes["机身颜色"].startswith("红色")


# --- 1688 -----------------------------------------------------------------------------


def test_1688_offer_price_tiers(real_pages):
    body = read(real_pages, "1688-offer-2026.html")
    (item,) = parse_page("1688", "item", body, source="1688-offer-2026.html")
    assert item.platform == "1688" and item.listing_id == "823801520021"
    assert item.price_tiers == [PriceTier(2, Decimal("3.80")), PriceTier(3, Decimal("8.20"))]
    assert item.price is None and item.price_pending is False
    assert item.display_price == Decimal("3.80")
    assert item.title.startswith("大枣红枣新疆原产")
    assert item.shop_name == "山东鹤来香食品有限公司" and item.shop_id == "ythlx"
    assert item.sales == 121986
    assert item.attributes["品牌"] == "鹤来香"


# --- failures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "kind", "name", "keep"),
    [
        ("jd", "search", "jd-search-2016.html", 20000),
        ("jd", "item", "jd-item-2018.gbk.html", 3000),
        ("taobao", "search", "taobao-search-2018.html", 140000),
        ("taobao", "item", "taobao-item-2020.html", 2000),
        ("tmall", "item", "tmall-item-2020.gbk.html", 5000),
        ("1688", "item", "1688-offer-2026.html", 300000),
    ],
)
def test_truncated_real_page_raises_parse_error_naming_it(real_pages, platform, kind, name, keep):
    body = read(real_pages, name)[:keep]
    with pytest.raises(ParseError) as info:
        parse_page(platform, kind, body, source=f"truncated-{name}")
    assert f"truncated-{name}" in str(info.value)
    assert info.value.missing


@pytest.mark.parametrize("platform", ["jd", "taobao", "tmall", "pdd", "1688"])
@pytest.mark.parametrize("kind", ["search", "item"])
def test_garbage_page_raises_parse_error(platform, kind):
    with pytest.raises(ParseError) as info:
        parse_page(platform, kind, b"<html><body><p>Bad gateway</p></body></html>", url="http://x/garbage")
    assert "http://x/garbage" in str(info.value)


def test_undecodable_bytes_raise_a_clear_error():
    garbage = bytes(range(256)) * 4
    with pytest.raises(PageEncodingError, match="garbage.bin"):
        decode_page(garbage, page="garbage.bin")
    with pytest.raises(ParseError, match="garbage.bin"):
        parse_page("jd", "search", garbage, source="garbage.bin")


def test_unknown_platform():
    with pytest.raises(UnknownPlatformError):
        parse_page("ebay", "search", "<html></html>")
    with pytest.raises(UnknownPlatformError):
        parse_page("jd", "shop", "<html></html>")


# --- encodings ------------------------------------------------------------------------

TEXT = "<html><body>灭火器 消防认证 3C 干粉 ABC 4公斤</body></html>"


def test_decode_gbk_declared_in_meta():
    body = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head>'.encode() + TEXT.encode("gbk")
    assert decode_page(body).endswith(TEXT)


def test_decode_gbk_declared_by_http():
    assert decode_page(TEXT.encode("gbk"), "text/html; charset=GBK") == TEXT
    assert decode_page(TEXT.encode("gb2312"), "gb2312") == TEXT


def test_decode_gb18030_only_characters_declared_as_gbk():
    text = "<p>灭火器 € 𠀀 ㈠</p>"  # € and 𠀀 are not GBK: only GB18030 has them
    body = b'<meta charset="gbk">' + text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gbk")
    assert decode_page(body) == '<meta charset="gbk">' + text


def test_decode_utf8_with_bom_wins_over_declarations():
    body = b"\xef\xbb\xbf" + b'<meta charset="gbk">' + TEXT.encode("utf-8")
    assert decode_page(body, "gbk") == '<meta charset="gbk">' + TEXT


def test_decode_utf8_mislabelled_as_gbk():
    assert decode_page(b'<meta charset="gbk">' + TEXT.encode("utf-8")).endswith(TEXT)


def test_decode_real_pages_without_replacement_characters(real_pages):
    for name, marker in [
        ("jd-search-2016.html", "商品搜索"),
        ("jd-item-2018.gbk.html", "华为"),
        ("tmall-item-2020.gbk.html", "苏宁易购"),
        ("taobao-item-2020.html", "乳白亚克力外壳"),
        ("taobao-search-2018.html", "淘宝搜索"),
        ("1688-offer-2026.html", "阿里巴巴"),
    ]:
        text = decode_page(read(real_pages, name))
        assert marker in text, name
        assert not text.startswith("\ufeff")


# --- block detection ------------------------------------------------------------------


def test_detect_block_is_none_on_every_real_page(real_pages):
    pages = sorted(real_pages.glob("*.html"))
    assert pages
    for path in pages:
        assert detect_block(decode_page(path.read_bytes())) is None, path.name


CAPTCHA = (
    "<html><head><title>安全验证</title></head><body>"
    '<div id="nocaptcha"></div><p>请拖动滑块完成验证</p></body></html>'
)


def test_detect_block_fires_on_captcha_samples():
    assert detect_block(CAPTCHA) == "captcha"
    assert detect_block("<html><body>ok</body></html>", "http://127.0.0.1:8000/_sec/captcha?from=/jd/search") == "captcha"
    assert detect_block("<html><body><div class='x'>请拖动滑块完成验证</div></body></html>") == "captcha"
    punish = "https://s.taobao.com/search/_____tmd_____/punish?x5secdata=abc"
    assert detect_block("<html></html>", punish) == "captcha"
    assert detect_block("<html></html>", "https://login.taobao.com/member/login.jhtml?redirectURL=x") == "login"
    assert detect_block("<html></html>", "https://passport.jd.com/new/login.aspx?ReturnUrl=x") == "login"
    jd_login = (
        "<html><head><title>京东-欢迎登录</title></head><body><form id='formlogin'>"
        "<input id='loginname'><input type='password'></form></body></html>"
    )
    assert detect_block(jd_login) == "login"
    with pytest.raises(BlockedPageError) as info:
        parse_page("jd", "search", CAPTCHA.encode(), url="http://127.0.0.1/_sec/captcha")
    assert info.value.reason == "captcha"


def test_detect_block_ignores_script_mentions():
    html = "<html><head><title>灭火器-京东</title><script>var t='请拖动滑块完成验证';</script></head><body>你好，请登录</body></html>"
    assert detect_block(html) is None
