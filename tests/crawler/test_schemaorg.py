"""The generic parser: schema.org Product data as JSON-LD, microdata or OpenGraph."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from crawler.exceptions import ParseError
from crawler.platforms import parse_page

JSON_LD = """<html><head><title>安消旗舰店</title>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"Organization","name":"安消"},
 {"@type":"Product","name":"干粉灭火器 MFZ/ABC4 4kg 年检专用","sku":"AX-4",
  "brand":{"@type":"Brand","name":"安消"},"image":["/img/a.jpg"],
  "description":"家用车载 <b>灭火器</b>",
  "additionalProperty":[{"@type":"PropertyValue","name":"执行标准","value":"GB 4351-2023"}],
  "offers":{"@type":"Offer","price":"58.00","priceCurrency":"CNY","availability":"https://schema.org/InStock",
            "seller":{"@type":"Organization","name":"安消消防器材店"}}}]}</script></head><body></body></html>"""

MICRODATA = """<html><body>
<div itemscope itemtype="https://schema.org/Product"><span itemprop="name">独立式烟雾报警器</span>
 <meta itemprop="sku" content="S9"><div itemprop="offers" itemscope itemtype="https://schema.org/AggregateOffer">
 <span itemprop="lowPrice">20.00</span><span itemprop="highPrice">35.50</span></div></div>
<div itemscope itemtype="https://schema.org/Product"><span itemprop="name">灭火毯 1.2x1.2m</span>
 <meta itemprop="sku" content="B12"><div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
 <span itemprop="price">19.9</span><link itemprop="availability" href="https://schema.org/Discontinued"></div></div>
</body></html>"""

OPENGRAPH = """<html><head><meta property="og:type" content="product"><meta property="og:title" content="消防水带 8-65-20">
<meta property="og:url" content="https://shop.example/p/hose"><meta property="og:site_name" content="某消防商城">
<meta property="product:price:amount" content="88.00"><meta property="product:price:currency" content="CNY">
<meta property="product:retailer_item_id" content="H-8-65-20"></head><body></body></html>"""


def test_json_ld_product_in_a_graph():
    [listing] = parse_page("web", "item", JSON_LD.encode("utf-8"), url="https://shop.example/p/ax4")
    assert listing.platform == "web" and listing.listing_id == "AX-4"
    assert listing.title.startswith("干粉灭火器") and listing.price == Decimal("58.00")
    assert listing.shop_name == "安消消防器材店"
    assert listing.attributes == {"品牌": "安消", "执行标准": "GB 4351-2023"}
    assert listing.image_urls == ["https://shop.example/img/a.jpg"]
    assert listing.status == "active"


def test_microdata_search_page_with_range_and_discontinued():
    listings = {l.listing_id: l for l in parse_page("web", "search", MICRODATA.encode("gbk"), url="https://m.example/c")}
    assert set(listings) == {"S9", "B12"}
    assert listings["S9"].price_range == (Decimal("20.00"), Decimal("35.50")) and listings["S9"].price is None
    assert listings["B12"].price == Decimal("19.9") and listings["B12"].status == "removed"


def test_opengraph_fallback():
    [listing] = parse_page("web", "item", OPENGRAPH, url="https://shop.example/p/hose")
    assert (listing.listing_id, listing.price, listing.shop_name) == ("H-8-65-20", Decimal("88.00"), "某消防商城")


def test_page_without_product_data_is_an_error_naming_it():
    with pytest.raises(ParseError, match="plain.html.*schema.org Product"):
        parse_page("web", "item", b"<html><body><h1>\xe7\x81\xad\xe7\x81\xab\xe5\x99\xa8</h1></body></html>",
                   source="plain.html")


def test_cli_parses_a_saved_shop_page(tmp_path, run_firewatch):
    page = tmp_path / "shop.html"
    page.write_bytes(JSON_LD.encode("utf-8"))
    result = run_firewatch("parse", "--platform", "web", "--kind", "item", "--url", "https://shop.example/p/ax4", str(page))
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)
    assert row["listing_id"] == "AX-4" and row["price"] == "58.00"
