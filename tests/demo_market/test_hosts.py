"""The replica answers the platforms' real hostnames on its TLS port, as the sites do today:
per-host robots.txt, login redirects for anonymous searches, JSON block codes and 1688's
interstitial answered with HTTP 200, and a certificate from its own throwaway CA."""
from __future__ import annotations

import ssl

import httpx
import pytest

from firewatch.core.hostmap import HostMap

KW = "灭火器"


@pytest.fixture()
def real(market):
    transport = HostMap.parse(market.resolve, market.ca_file).httpx_transport()
    with httpx.Client(timeout=10, follow_redirects=False, transport=transport) as c:
        yield c


def test_certificate_is_verified_for_real_hostnames_only_with_the_replica_ca(market):
    host, port = market.address.split(":")
    plain = HostMap.parse({"item.jd.com": market.address})  # no trust_ca: the system store refuses it
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.Client(transport=plain.httpx_transport()).get("https://item.jd.com/robots.txt")
    context = HostMap.parse({}, market.ca_file).ssl_context()
    import socket

    with socket.create_connection((host, int(port)), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="api.m.jd.com") as tls:  # hostname checked against the SANs
            assert tls.version().startswith("TLS")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            context.wrap_socket(raw, server_hostname="www.example.com")


def test_each_host_has_its_own_robots_txt(real):
    assert "Disallow: /pop/*.html" in real.get("https://item.jd.com/robots.txt").text
    taobao = real.get("https://s.taobao.com/robots.txt").text
    assert "User-agent: *\nDisallow: /" in taobao


def test_anonymous_search_is_sent_to_login_and_a_session_gets_results(market, real):
    url = f"https://search.jd.com/Search?keyword={KW}&enc=utf-8&page=1"
    anonymous = real.get(url)
    assert anonymous.status_code == 302
    assert anonymous.headers["location"].startswith("https://passport.jd.com/new/login.aspx?ReturnUrl=")
    login = real.get(anonymous.headers["location"])
    assert login.status_code == 200 and "fm-login-password" in login.text
    state = market.issue_session("jd")
    cookie = state["cookies"][0]
    real.cookies.set(cookie["name"], cookie["value"], domain=".jd.com")
    logged_in = real.get(url)
    assert logged_in.status_code == 200 and "gl-item" in logged_in.text
    assert "//item.jd.com/" in logged_in.text and "127.0.0.1" not in logged_in.text
    market.expire_sessions("jd")
    assert real.get(url).status_code == 302


def test_item_pages_and_price_api_under_real_hosts(market, real):
    x = next(l for l in market.catalogue.by_platform("jd") if market.catalogue.is_active(l, 0))
    page = real.get(x.url)
    assert page.status_code == 200 and x.listing_id in page.text
    price = real.get(f'https://api.m.jd.com/api?functionId=pc_detailpage_wareBusiness&body={{"skuId":"{x.listing_id}"}}')
    assert price.json()["price"]["p"] == str(market.catalogue.price_on(x, 0))
    assert real.get("https://item.jd.com/no-such-page").status_code == 404
    image = real.get(x.image_urls()[0])
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")


def test_blocks_come_as_json_codes_redirects_and_interstitials(start_market):
    walled = start_market(seed=7, size=200, rate_limit=None, error_rate=0.0, captcha_burst=1, captcha_window=60,
                          captcha_cooldown=1000)
    transport = HostMap.parse(walled.resolve, walled.ca_file).httpx_transport()
    with httpx.Client(timeout=10, follow_redirects=False, transport=transport) as c:
        c.get("https://item.jd.com/1.html")
        c.get("https://item.jd.com/2.html")  # the wall is up from here on
        api = c.get('https://api.m.jd.com/api?functionId=pc_detailpage_wareBusiness&body={"skuId":"1"}')
        assert api.status_code == 200 and api.json()["code"] == "605"
        item = c.get("https://item.jd.com/3.html")
        assert item.status_code == 302 and "cfe.m.jd.com/privatedomain/risk_handler" in item.headers["location"]
        offer = c.get("https://s.1688.com/selloffer/offer_search.htm?keywords=x")
        assert offer.status_code == 200 and "_____tmd_____/punish?x5secdata=" in offer.text
        pdd = c.get("https://mobile.yangkeduo.com/goods.html?goods_id=1")
        assert pdd.status_code == 302 and "psnl_verification" in pdd.headers["location"]
