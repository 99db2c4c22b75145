"""An item page fetched again that shows the item gone the way each platform answers today
(`crawler.platforms.gone`): Taobao's 302 to err.taobao.com, JD's redirect to its home page, Tmall's
此商品已下架 page, 1688's 404 页面不存在, Pinduoduo's 商品已售罄或已下架, a 410; and what is never a removal: a
captcha, verification or login page, a 5xx or 429, a redirect to another item or off the platform, an
item page. Then the replica (`demo_market.gone`) answers a taken-down item that way under the real
hostnames, and the classification reads its answers."""

from __future__ import annotations

import httpx
import pytest


from crawler.exceptions import ParseError
from crawler.platforms.gone import CONFIRM_BASES, GonePage, Redirect, gone_page, gone_redirect, gone_text, judge_page
from crawler.sites import site
from demo_market.behaviour import TakedownDesk
from demo_market.generator import build_catalogue
from demo_market.server import QUIET
from firewatch.core.hostmap import HostMap

TAOBAO_ITEM = "https://item.taobao.com/item.htm?id=6001"
TAOBAO_ERROR = ('<html><head><meta charset="gbk"><title>淘宝网 - 宝贝不存在</title></head><body><div class="error-box">'
                "<h2>很抱歉，您查看的宝贝不存在，可能已下架或者被转移。</h2></div></body></html>")
JD_ITEM = "https://item.jd.com/100012345678.html"
JD_HOME = "<html><head><title>京东(JD.COM)-正品低价、品质保障、配送及时、轻松购物！</title></head><body>家用电器</body></html>"
JD_ERROR = '<html><head><title>京东</title></head><body><div class="error-box"><h3>很抱歉！您访问的页面不存在</h3></div></body></html>'
TMALL_ITEM = "https://detail.tmall.com/item.htm?id=7002"
TMALL_GONE = '<html><head><title>天猫</title></head><body><div class="tm-error"><h2>很抱歉，此商品已下架</h2></div></body></html>'
A1688_ITEM = "https://detail.1688.com/offer/8003.html"
A1688_404 = "<html><head><title>页面不存在 - 阿里巴巴</title></head><body>页面不存在 该商品已下架或已删除</body></html>"
PDD_ITEM = "https://mobile.yangkeduo.com/goods.html?goods_id=9004"
PDD_GONE = '<html><head><title>拼多多</title></head><body><div class="goods-offline"><p>商品已售罄或已下架</p></div></body></html>'
CAPTCHA = ('<html><head><title>安全验证</title></head><body><div id="nocaptcha"></div>'
           "<p>请拖动滑块完成验证</p></body></html>")
LOGIN = ('<html><head><title>用户登录</title></head><body><form id="login-form"><input id="fm-login-id">'
         '<input type="password" id="fm-login-password"></form></body></html>')


@pytest.mark.parametrize("platform, url, final_url, status, html, basis, words", [
    ("taobao", TAOBAO_ITEM, "https://err.taobao.com/error1.html?c=404&rurl=x", 200, TAOBAO_ERROR, "error_page",
     "宝贝不存在"),
    ("jd", JD_ITEM, "https://www.jd.com/?from=item", 200, JD_HOME, "home_redirect", "京东"),
    ("jd", JD_ITEM, "https://www.jd.com/error.aspx", 200, JD_ERROR, "error_page", "您访问的页面不存在"),
    ("1688", A1688_ITEM, A1688_ITEM, 404, A1688_404, "http_status", "页面不存在"),
    ("jd", JD_ITEM, JD_ITEM, 410, "", "http_status", ""),
    ("tmall", TMALL_ITEM, "https://detail.tmall.com/notfound.htm", 200, TMALL_GONE, "error_page", "此商品已下架"),
])
def test_the_platforms_gone_answers_are_removals_with_their_evidence(platform, url, final_url, status, html, basis,
                                                                     words):
    gone = gone_page(platform, url, final_url, status, html)
    assert gone is not None and gone.basis == basis
    assert gone.final_url == final_url and gone.http_status == status and words in gone.text


@pytest.mark.parametrize("platform, url, html, words", [
    ("tmall", TMALL_ITEM, TMALL_GONE, "此商品已下架"),
    ("pdd", PDD_ITEM, PDD_GONE, "商品已售罄或已下架"),
    ("1688", A1688_ITEM, '<html><body><div class="mod-error">该商品已下架</div></body></html>', "该商品已下架"),
])
def test_a_gone_page_left_at_the_item_url_counts_once_the_parser_refused_it(platform, url, html, words):
    assert gone_page(platform, url, url, 200, html) is None  # the item's own URL: its parser decides first
    gone = gone_text(platform, url, url, 200, html)
    assert gone is not None and gone.basis == "gone_text" and words in gone.text


@pytest.mark.parametrize("platform, url, final_url, status, html", [
    ("taobao", TAOBAO_ITEM, "https://sec.taobao.com/query.htm?smApp=x", 200, CAPTCHA),  # verification redirect
    ("taobao", TAOBAO_ITEM, "https://err.taobao.com/error1.html", 200, CAPTCHA),  # a slider where the error page was
    ("taobao", TAOBAO_ITEM, "https://login.taobao.com/member/login.jhtml", 200, LOGIN),
    ("jd", JD_ITEM, "https://passport.jd.com/new/login.aspx", 200, LOGIN),
    ("jd", JD_ITEM, "https://www.jd.com/", 200, CAPTCHA),
    ("jd", JD_ITEM, JD_ITEM, 503, JD_ERROR),
    ("jd", JD_ITEM, JD_ITEM, 502, ""),
    ("1688", A1688_ITEM, A1688_ITEM, 429, A1688_404),
    ("1688", A1688_ITEM, A1688_ITEM, None, ""),  # no answer (a timeout)
    ("1688", A1688_ITEM, A1688_ITEM, 404, CAPTCHA),  # a 404 showing a slider is a wall, not a removal
    ("jd", JD_ITEM, "https://item.jd.com/100099999999.html", 200, JD_HOME),  # another item
    ("jd", JD_ITEM, "https://www.example.com/", 200, JD_ERROR),  # off the platform
    ("jd", JD_ITEM, JD_ITEM, 200, "<html><body>灭火器 商品不存在假货</body></html>"),  # the item's own URL
    ("jd", JD_ITEM, JD_ITEM, 403, JD_ERROR),  # a refusal is no answer about the item
    ("jd", JD_ITEM, JD_ITEM, 401, JD_ERROR),
    ("jd", JD_ITEM, "https://www.jd.com/", 403, JD_HOME),  # a refusal on the home page
    ("jd", JD_ITEM, "https://www.jd.com/error.aspx", 401, JD_ERROR),
    ("jd", JD_ITEM, "https://www.jd.com/", 302, JD_HOME),  # a redirect not followed
    ("jd", JD_ITEM, "https://mall.jd.com/index-1000123.html", 200,
     '<html><head><title>某某消防专营店</title></head><body><div class="error-box">老款商品已下架</div></body></html>'),
    ("jd", JD_ITEM, "https://search.jd.com/Search?keyword=%E7%81%AD%E7%81%AB%E5%99%A8", 200, JD_ERROR),
    ("taobao", TAOBAO_ITEM, "https://shop123.taobao.com/err/offline.htm", 200, TAOBAO_ERROR),  # a shop's own page
    ("taobao", TAOBAO_ITEM, "https://shop123.taobao.com/404.htm", 404, TAOBAO_ERROR),
    ("pdd", PDD_ITEM, "https://mobile.yangkeduo.com/goods_offline.html?goods_id=9004", 200, PDD_GONE),  # unknown page
])
def test_walls_errors_and_other_pages_are_never_removals(platform, url, final_url, status, html):
    assert gone_page(platform, url, final_url, status, html) is None
    assert gone_text(platform, url, final_url, status, html) is None


@pytest.mark.parametrize("platform, url, location, basis", [
    ("jd", JD_ITEM, "https://www.jd.com/?from=item", "home_redirect"),  # JD's answer; robots.txt forbids the target
    ("jd", JD_ITEM, "//www.jd.com/", "home_redirect"),  # scheme-relative
    ("jd", JD_ITEM, "https://www.jd.com/error.aspx", "error_page"),
    ("taobao", TAOBAO_ITEM, "https://err.taobao.com/error1.html?c=404&rurl=x", "error_page"),
    ("taobao", TAOBAO_ITEM, "/error.htm?id=6001", "error_page"),  # relative: resolved against the item URL
    ("tmall", TMALL_ITEM, "https://detail.tmall.com/notfound.htm", "error_page"),
    ("1688", A1688_ITEM, "https://err.1688.com/error.html", "error_page"),
    ("pdd", PDD_ITEM, "https://mobile.yangkeduo.com/", "home_redirect"),
])
def test_a_redirect_to_the_platforms_home_or_error_page_is_judged_without_following_it(platform, url, location,
                                                                                       basis):
    gone = gone_redirect(platform, url, url, 302, location)
    assert isinstance(gone, GonePage) and gone.basis == basis and gone.http_status == 302
    assert gone.final_url.startswith("https://") and basis in CONFIRM_BASES  # suspected until seen again
    never = judge_page(platform, url, url, 302, "", lambda: pytest.fail("a redirect is not parsed"), location=location)
    assert never == gone


@pytest.mark.parametrize("platform, url, location, blocked", [
    ("jd", JD_ITEM, "https://passport.jd.com/new/login.aspx?ReturnUrl=x", "login"),
    ("jd", JD_ITEM, "https://cfe.m.jd.com/privatedomain/risk_handler/03101900/?returnurl=x", "verification"),
    ("taobao", TAOBAO_ITEM, "https://login.taobao.com/member/login.jhtml?redirectURL=x", "login"),
    ("taobao", TAOBAO_ITEM, "https://s.taobao.com/_____tmd_____/punish?x5secdata=xd", "captcha"),
    ("pdd", PDD_ITEM, "https://mobile.yangkeduo.com/psnl_verification.html?from=x", "verification"),
    ("jd", JD_ITEM, "https://item.jd.com/100012345678.html?from=moved", None),  # the same item: followed
    ("jd", "http://item.jd.com/100012345678.html", "https://item.jd.com/100012345678.html", None),
    ("jd", JD_ITEM, "https://item.m.jd.com/product/100012345678.html", None),  # its mobile page
    ("jd", JD_ITEM, "https://item.jd.com/100099999999.html", None),  # another item
    ("jd", JD_ITEM, "https://www.jd.com/pop/123.html", None),  # another page on the home host
    ("jd", JD_ITEM, "https://search.jd.com/Search?keyword=x", None),
    ("jd", JD_ITEM, "https://www.example.com/", None),  # off the platform
    ("taobao", TAOBAO_ITEM, "https://shop123.taobao.com/err/offline.htm", None),  # a shop's own page
])
def test_other_redirects_are_never_removals_but_followed_or_blocked(platform, url, location, blocked):
    seen = gone_redirect(platform, url, url, 302, location)
    assert isinstance(seen, Redirect) and seen.blocked == blocked
    assert seen.target.startswith(("https://", "http://")) and "//" not in seen.target.split("://", 1)[1]


def test_only_a_redirect_answer_with_its_location_is_judged_as_a_redirect():
    def refused():
        raise ParseError(JD_ITEM, "not an item page")

    # the browser's path: no location, a final 302 is no answer about the item (as before)
    with pytest.raises(ParseError):
        judge_page("jd", JD_ITEM, "https://www.jd.com/", 302, JD_HOME, refused)
    assert judge_page("jd", JD_ITEM, JD_ITEM, 200, "<html></html>", lambda: "parsed", location="https://www.jd.com/") \
        == "parsed"  # a 200 is never read as a redirect
    # a hop's relative Location is resolved against the URL that answered it
    assert judge_page("jd", JD_ITEM, "https://item.jd.com/100012345678.html?x=1", 301, "", refused,
                      location="/100012345678.html") == Redirect("https://item.jd.com/100012345678.html")


# Seller-written words at the item URL (the parser refused a live page): never a removal.
SELLER_PAGES = [
    '<html><head><title>京东</title></head><body><div class="sku-name">灭火器 本店商品不存在假货</div></body></html>',
    '<html><head><title>京东</title></head><body><div class="detail">老款商品已下架，新款请拍此链接</div></body></html>',
    # the seller's title in <title>, on a page that still shows its SKU, price and buy button
    '<html><head><title>本店商品不存在假货 干粉灭火器【行情 报价 价格 评测】-京东</title></head><body>'
    '<div data-skuid="100012345678"></div><span class="p-price">￥59.00</span><a id="InitCartUrl">加入购物车</a>'
    '</body></html>',
    '<html><head><title>老款商品已下架，新款请拍此链接</title></head><body><span class="price">59.00</span></body></html>',
]


@pytest.mark.parametrize("html", SELLER_PAGES)
def test_seller_text_on_a_live_item_page_is_never_gone_text(html):
    assert gone_page("jd", JD_ITEM, JD_ITEM, 200, html) is None
    assert gone_text("jd", JD_ITEM, JD_ITEM, 200, html) is None


def test_only_a_404_at_the_item_url_counts_at_once_the_others_need_a_second_sighting():
    assert gone_page("jd", JD_ITEM, JD_ITEM, 404, JD_ERROR).basis == "http_status"
    assert "http_status" not in CONFIRM_BASES
    assert {"error_page", "home_redirect", "gone_text"} == set(CONFIRM_BASES)


def test_a_captcha_at_the_item_url_is_not_gone_text():
    assert gone_text("tmall", TMALL_ITEM, TMALL_ITEM, 200, CAPTCHA + TMALL_GONE) is None
    assert gone_text("tmall", TMALL_ITEM, TMALL_ITEM, 503, TMALL_GONE) is None


@pytest.fixture(scope="module")
def taken_down(start_market):
    """Its own small replica (the takedowns change its catalogue) on day 1, one listing per platform
    taken down by the platform after a notice on day 0."""
    catalogue = build_catalogue(seed=5, size=200)
    market = start_market(seed=5, catalogue=catalogue, **QUIET)
    picks = {}
    for x in catalogue.initial():
        if x.delisted_day is None and x.platform not in picks:
            picks[x.platform] = x
    TakedownDesk(catalogue, seed=5, min_days=1, max_days=1, ignore_rate=0.0).receive(
        [(x.platform, x.listing_id) for x in picks.values()], day=0)
    market.day = 1
    return market, picks


@pytest.mark.parametrize("platform, status, basis, first_hop", [
    ("taobao", 200, "error_page", "https://err.taobao.com/error1.html?"),
    ("jd", 200, "home_redirect", "https://www.jd.com/?from=item"),
    ("tmall", 200, "gone_text", None),
    ("1688", 404, "http_status", None),
    ("pdd", 200, "gone_text", None),
])
def test_the_replica_answers_a_taken_down_item_as_its_platform_does(taken_down, platform, status, basis, first_hop):
    market, picks = taken_down
    url = site(platform).item_url(picks[platform].listing_id, platform)
    transport = HostMap.parse(market.resolve, market.ca_file).httpx_transport()
    with httpx.Client(timeout=10, follow_redirects=False, transport=transport) as client:
        first = client.get(url)
        if first_hop:
            assert first.status_code == 302 and first.headers["location"].startswith(first_hop)
        else:
            assert first.status_code == status
        final, answer = url, first
        while answer.is_redirect:  # followed by hand: the host-map transport names the replica's address
            final = answer.headers["location"]
            answer = client.get(final)
    assert answer.status_code == status
    found = gone_page(platform, url, final, answer.status_code, answer.text) or \
        gone_text(platform, url, final, answer.status_code, answer.text)
    assert found is not None and found.basis == basis


def test_a_listing_its_seller_delisted_still_shows_its_own_page(taken_down):
    market, picks = taken_down
    x = next(x for x in market.catalogue.listings if x.platform == "jd" and x.delisted_day is not None
             and not x.taken_down and x.delisted_day <= 1 and x.listed_day == 0)
    transport = HostMap.parse(market.resolve, market.ca_file).httpx_transport()
    with httpx.Client(timeout=10, follow_redirects=False, transport=transport) as client:
        page = client.get(site("jd").item_url(x.listing_id))
    assert page.status_code == 200 and "warestatus" in page.text
