"""Real-site behaviour: rate limiting, deterministic 5xx, captcha wall, and the day counter."""
from __future__ import annotations

import re

import httpx
import pytest

from demo_market.generator import build_catalogue
from demo_market.server import QUIET, DemoMarket


@pytest.fixture(scope="module")
def small():
    return build_catalogue(seed=11, size=200)


def _run(small, n, path="/jd/search?keyword=灭火器", **knobs):
    settings = {**QUIET, **knobs}
    with DemoMarket(seed=11, catalogue=small, **settings) as m:
        with httpx.Client(base_url=m.base_url, follow_redirects=False, timeout=10) as c:
            return [c.get(path) for _ in range(n)]


def test_rate_limit_answers_429_with_retry_after(small):
    rs = _run(small, 10, rate_limit=5, rate_window=60)
    codes = [r.status_code for r in rs]
    assert codes[:5] == [200] * 5 and codes[5:] == [429] * 5
    assert all(int(r.headers["Retry-After"]) >= 1 for r in rs[5:])


def test_errors_at_configured_rate_and_deterministic(small):
    a = [r.status_code for r in _run(small, 200, path="/pdd/search?q=x", error_rate=0.2)]
    b = [r.status_code for r in _run(small, 200, path="/pdd/search?q=x", error_rate=0.2)]
    assert a == b
    assert set(a) == {200, 503}
    assert 0.1 <= a.count(503) / len(a) <= 0.3
    assert 503 not in [r.status_code for r in _run(small, 50, path="/pdd/search?q=x")]


def test_captcha_after_burst_then_normal_again(small):
    with DemoMarket(seed=11, catalogue=small, **{**QUIET, "captcha_burst": 5, "captcha_window": 60,
                                                   "captcha_cooldown": 3}) as m:
        with httpx.Client(base_url=m.base_url, follow_redirects=False, timeout=10) as c:
            rs = [c.get("/taobao/search", params={"q": "灭火器"}) for _ in range(9)]
            codes = [r.status_code for r in rs]
            assert codes == [200] * 5 + [302] * 3 + [200]
            loc = rs[5].headers["location"]
            assert loc.startswith("/_sec/captcha?from=") and "taobao%2Fsearch" in loc
            page = c.get(loc)
            assert page.status_code == 200
            assert "<title>安全验证</title>" in page.text and 'id="nocaptcha"' in page.text
            assert "请拖动滑块完成验证" in page.text


def test_rate_limit_off_by_default_knobs(small):
    assert {r.status_code for r in _run(small, 30)} == {200}


def test_day_advance_changes_prices_delists_and_relists(market, client, catalogue):
    jd = [x for x in catalogue.initial() if x.platform == "jd"]
    ids = ",".join(f"J_{x.listing_id}" for x in jd[:60])
    before = {d["id"]: d["p"] for d in client.get("/jd/prices/mgets", params={"skuIds": ids}).json()}
    gone = next(x for x in jd if x.delisted_day and x.delisted_day <= 3)
    back = next(x for x in catalogue.listings if x.relist_of and x.listed_day <= 3 and x.platform == "jd")
    assert client.get(f"/jd/item/{back.listing_id}.html").status_code == 404

    assert client.post("/_admin/day", json={"day": 3}).json() == {"day": 3}
    assert client.get("/_admin/day").json() == {"day": 3}
    after = {d["id"]: d["p"] for d in client.get("/jd/prices/mgets", params={"skuIds": ids}).json()}
    changed = [k for k in before if before[k] != after[k] and after[k] != "-1.00"]
    assert len(changed) >= 5

    page = client.get(f"/jd/item/{gone.listing_id}.html").content.decode("gbk")
    assert "该商品已下架" in page
    price = client.get("/jd/prices/mgets", params={"skuIds": f"J_{gone.listing_id}"}).json()
    assert price[0]["p"] == "-1.00"
    word = gone.title.split()[0]
    listing = client.get("/jd/search", params={"keyword": word}).content.decode("utf-8-sig")
    assert f'data-sku="{gone.listing_id}"' not in listing

    orig = catalogue.get(back.platform, back.relist_of)
    assert back.risky and back.shop_id != orig.shop_id and back.listing_id != orig.listing_id
    item = client.get(f"/jd/item/{back.listing_id}.html")
    assert item.status_code == 200 and "该商品已下架" not in item.content.decode("gbk")
    found = client.get("/jd/search", params={"keyword": back.title.split()[0]}).content.decode("utf-8-sig")
    pages = int(re.search(r"<b>1</b><em>/</em><i>(\d+)</i>", found).group(1))
    all_skus = set()
    for n in range(1, pages + 1):
        html = client.get("/jd/search", params={"keyword": back.title.split()[0], "page": n}).content.decode("utf-8-sig")
        all_skus |= set(re.findall(r'data-sku="(\d+)"', html))
    assert back.listing_id in all_skus


def test_admin_day_rejects_bad_input(client):
    assert client.post("/_admin/day", json={"nope": 1}).status_code == 400
    assert client.post("/_admin/day", json={"day": -1}).status_code == 400


def test_takedown_desk_removes_noticed_listings_after_a_delay():
    """What a notice names comes down some simulated days later (its page answers as the platform's
    gone page, search drops it); a few are ignored; the delays are the same on every run; a later notice never delays."""
    from demo_market.behaviour import TakedownDesk

    catalogue = build_catalogue(seed=11, size=200)
    live = [x for x in catalogue.initial() if x.delisted_day is None][:40]
    keys = [(x.platform, x.listing_id) for x in live]
    desk = TakedownDesk(catalogue, seed=11)
    removal = desk.receive(keys, day=3)
    assert set(removal) == set(keys)
    days = [d for d in removal.values() if d is not None]
    assert 0 < len(days) < len(keys) and all(3 + desk.min_days <= d <= 3 + desk.max_days for d in days)
    assert len(set(days)) > 3  # the platforms take different times
    assert TakedownDesk(build_catalogue(seed=11, size=200), seed=11).receive(keys, day=3) == removal
    for x in live:
        when = removal[(x.platform, x.listing_id)]
        assert catalogue.status(x, 3) == "active"
        if when is None:
            assert catalogue.status(x, 60) == "active"
        else:
            assert catalogue.status(x, when - 1) == "active" and catalogue.status(x, when) == "delisted"
    assert desk.receive(keys, day=10) == {}  # already received: nothing moves
    with DemoMarket(seed=11, catalogue=catalogue, day=60, **QUIET) as m:
        gone = next(x for x in live if removal[(x.platform, x.listing_id)] is not None and x.platform == "jd")
        page = httpx.get(f"{m.base_url}/jd/item/{gone.listing_id}.html", timeout=10)
        # taken down by the platform: JD sends the item to its home page (demo_market.gone)
        assert page.status_code == 302 and page.headers["location"] == "/jd/home?from=item"
