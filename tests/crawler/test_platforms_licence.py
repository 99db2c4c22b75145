"""The shop's licence and the listing's description, as item pages show them (issue 16).

Tmall shows every shop's licence (company name, 统一社会信用代码) in its shop header, a Taobao
企业店 in its shop card, 1688 names the company behind every offer; JD shows its licence only
behind an image captcha and Pinduoduo only as an image, so nothing is read there. Checked on the
replica's pages over HTTP and on the real 1688 offer page."""

from __future__ import annotations

import urllib.request

from crawler.encoding import decode_page
from crawler.platforms import parse_page
from crawler.platforms._common import LICENCE_CODE, LICENCE_COMPANY
from firewatch.core.creditcode import credit_code_problem
from tests.crawler.test_platforms_real import read


def _item(market, x):
    with urllib.request.urlopen(market.base_url + x.path, timeout=30) as resp:
        body, ctype = resp.read(), resp.headers.get("Content-Type", "")
    [listing] = parse_page(x.platform, "item", decode_page(body, ctype), url=x.url)
    return listing


def test_replica_licence_blocks_and_contact_strings_are_read(demo_market):
    cat = demo_market.catalogue
    net = next(n for n in cat.networks if {"tmall", "jd"} <= {p for p, _ in n.shops})
    by_shop = {(x.platform, x.shop_id): x for x in cat.listings if x.listed_day == 0}
    tmall = _item(demo_market, by_shop[next(s for s in net.shops if s[0] == "tmall")])
    assert tmall.attributes[LICENCE_COMPANY] == net.operator
    assert tmall.attributes[LICENCE_CODE] == net.credit_code and credit_code_problem(net.credit_code) is None
    jd_x = by_shop[next(s for s in net.shops if s[0] == "jd")]
    jd = _item(demo_market, jd_x)
    assert LICENCE_COMPANY not in jd.attributes and LICENCE_CODE not in jd.attributes  # behind a captcha
    assert jd.description == jd_x.description  # the contact strings the seller wrote
    offer = next(x for x in cat.listings if x.platform == "1688" and x.listed_day == 0)
    assert _item(demo_market, offer).attributes[LICENCE_COMPANY] == offer.shop_name
    plain = next(x for x in cat.listings if x.platform == "taobao" and x.listed_day == 0
                 and (x.platform, x.shop_id) not in cat.licences)
    assert LICENCE_COMPANY not in _item(demo_market, plain).attributes  # a personal shop shows none


def test_real_1688_offer_names_its_company_and_no_service_text_as_description(real_pages):
    body = read(real_pages, "1688-offer-2026.html")
    [offer] = parse_page("1688", "item", decode_page(body), url="https://detail.1688.com/offer/823801520021.html")
    assert offer.attributes[LICENCE_COMPANY] == "山东鹤来香食品有限公司"
    assert "7天无理由" not in offer.description and "赔付" not in offer.description


def test_real_tmall_and_taobao_pages_without_a_licence_block_give_none(real_pages):
    [tmall] = parse_page("tmall", "item", decode_page(read(real_pages, "tmall-item-2020.gbk.html")),
                       url="https://detail.tmall.com/item.htm?id=605258110430")
    [taobao] = parse_page("taobao", "item", decode_page(read(real_pages, "taobao-item-2020.html")),
                        url="https://item.taobao.com/item.htm?id=562283240178")
    for listing in (tmall, taobao):
        assert LICENCE_COMPANY not in listing.attributes and LICENCE_CODE not in listing.attributes
