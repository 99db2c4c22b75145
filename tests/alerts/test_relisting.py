"""Relisting: a removed or confirmed listing reappearing under a near-duplicate title, from
a similar shop, with the same main image (served as PNG by a real local HTTP server)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from PIL import Image

from alerts.relisting import (
    ImageHasher,
    RelistingConfig,
    dhash,
    find_relistings,
    hamming,
    minhash,
    minhash_similarity,
    normalize_shop,
    title_features,
)
from alerts.rules import AlertsConfig, run_rules
from firewatch.core.models import Assessment, Decision, Listing
from firewatch.store import open_store

from tests.helpers import png
from tests.servers import HookServer

NOW = datetime(2026, 6, 20, 4, 0, tzinfo=timezone.utc)
LOCAL = ("127.0.0.1",)  # the test image host; real runs fetch only from the platforms' hosts
TITLE = "正品3C认证 4kg干粉灭火器 MFZ/ABC4 家用商用 消防年检"


@pytest.fixture()
def market(serve):
    """The image host: a.png and b.png are the same picture under two names; c.png differs."""
    return serve(HookServer, images={"/img/a.png": png(1), "/img/b.png": png(1), "/img/c.png": png(4),
                                     "/img/d.png": png(2)})


@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


def put(store, market, platform, lid, title, shop_name, shop_id, image, status="active"):
    store.listings.upsert_listing(Listing(platform=platform, listing_id=lid, url=f"{market.url}/{platform}/item/{lid}.html",
                                 title=title, price=Decimal("19.90"), shop_id=shop_id, shop_name=shop_name,
                                 image_urls=[image], status=status), observed_at=NOW)
    store.assessments.save_assessment(Assessment(platform=platform, listing_id=lid, category="portable_extinguisher",
                                     category_confidence=0.9, risk_score=0.6, flagged=True, assessed_at=NOW))
    return (platform, lid)


def only(rules=("relisting",)):
    return replace(AlertsConfig(), rules=rules)


def test_removed_listing_reappearing_raises_one_explained_alert(store, market):
    removed = put(store, market, "jd", "100", TITLE, "鑫安消防器材旗舰店", "shop-1", "/img/a.png", status="removed")
    relist = put(store, market, "taobao", "200", "3C认证正品 干粉灭火器4kg MFZ/ABC4 商用家用 消防年检",
                 "鑫安消防 专营店", "tb-9", "/img/b.png")
    put(store, market, "jd", "300", "独立式烟雾报警器 家用 无线烟感 3C认证", "华盾安全用品", "shop-3", "/img/c.png")
    run = run_rules(store, only(), now=NOW, hasher=ImageHasher(store, allowed_hosts=LOCAL))
    assert run.new_per_rule == {"relisting": 1}
    [alert] = store.alerts.alerts()
    assert alert.key == relist and alert.details["source"]["listing_id"] == removed[1]
    d = alert.details
    assert d["matched"] == ["title", "shop", "image"] and d["score"] == pytest.approx(1.0)
    assert d["source_kind"] == "removed"
    assert d["signals"]["title"]["similarity"] >= 0.6
    assert d["signals"]["shop"]["normalized"] == ["鑫安", "鑫安"]
    assert d["signals"]["image"]["distance"] == 0
    assert "疑似重新上架" in alert.summary and "标题相似、同一或相似店铺、主图相同" in alert.summary
    # images are hashed once and cached: a second run fetches nothing and raises nothing
    fetched = list(market.gets)
    assert sorted(fetched) == ["/img/a.png", "/img/b.png"]  # the unrelated listing's image was never needed
    again = run_rules(store, only(), now=NOW, hasher=ImageHasher(store, allowed_hosts=LOCAL))
    assert again.new_ids == [] and market.gets == fetched


def test_confirmed_listing_relisted_by_the_same_shop_with_a_new_title(store, market):
    confirmed = put(store, market, "pdd", "1", "消防自救呼吸器 TZL30 防毒面具 酒店家用", "安达劳保", "pdd-7", "/img/d.png")
    store.reviews.record_decision(Decision(*confirmed, "alice", "confirm", at=NOW))
    # a rewritten title (below the title threshold), same shop_id, same picture
    twin = put(store, market, "pdd", "2", "宾馆逃生面罩 过滤式 新款", "安达劳保", "pdd-7", "/img/d.png")
    [match] = find_relistings(store, RelistingConfig(), ImageHasher(store, allowed_hosts=LOCAL))
    assert match.target.key == twin and match.source_kind == "confirmed"
    assert match.matched == ["shop", "image"] and match.score == pytest.approx(0.6)
    assert match.signals["shop"]["same_shop_id"] is True
    assert match.signals["title"]["matched"] is False


def test_image_failures_are_recorded_and_not_fatal(store, market):
    put(store, market, "jd", "100", TITLE, "鑫安消防器材旗舰店", "shop-1", "/img/a.png", status="removed")
    # same title, unrelated shop, and an image the server does not have: title alone is 0.4 < 0.6
    missing = put(store, market, "jd", "400", TITLE + " 包邮", "远方商贸", "shop-4", "/img/missing.png")
    hasher = ImageHasher(store, retry_hours=24, allowed_hosts=LOCAL)
    assert find_relistings(store, RelistingConfig(), hasher) == []
    record = store.alerts.image_hash(f"{market.url}/img/missing.png")
    assert record["dhash"] is None and "HTTP 404" in record["error"]
    assert hasher.failed == 1
    # a lower threshold lets the title alone through; the image signal is unknown, with the reason
    [match] = find_relistings(store, RelistingConfig(min_score=0.4), hasher)
    assert match.target.key == missing and match.signals["image"]["matched"] is None
    assert "HTTP 404" in match.signals["image"]["error"]
    assert market.gets.count("/img/missing.png") == 1  # not fetched again within retry_hours


def test_a_dead_image_host_is_given_up_after_a_few_failures(store):
    hasher = ImageHasher(store, timeout=2, max_host_failures=2, allowed_hosts=LOCAL)
    urls = [f"http://127.0.0.1:9/{i}.png" for i in range(4)]  # port 9 (discard): nothing listens
    assert [hasher.hash_url(u) for u in urls] == [None] * 4
    assert (hasher.failed, hasher.skipped) == (2, 2)
    assert "ConnectError" in store.alerts.image_hash(urls[0])["error"]
    assert store.alerts.image_hash(urls[3]) is None  # skipped, not recorded: tried again next run


def test_signals_separate_near_duplicates_from_unrelated_text_and_pictures():
    def sim(a, b):
        return minhash_similarity(minhash(title_features(a)), minhash(title_features(b)))

    assert sim(TITLE, TITLE) == 1.0
    assert sim(TITLE, "3C认证正品 干粉灭火器4kg MFZ/ABC4 商用家用 消防年检") >= 0.6
    assert sim(TITLE, "独立式烟雾报警器 家用 无线烟感 3C认证") < 0.3
    assert normalize_shop("鑫安消防器材 官方旗舰店") == "鑫安"
    assert normalize_shop("ＸＩＮ·鑫安 专营店") == "xin鑫安"  # width, case and punctuation folded
    picture = png(3)
    im = Image.open(io.BytesIO(picture)).resize((240, 240)).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=70)  # re-encoded and rescaled: still the same picture
    assert hamming(dhash(picture), dhash(buf.getvalue())) <= 6
    assert hamming(dhash(picture), dhash(png(4))) > 12


def test_a_lookalike_on_sale_before_the_confirmation_is_not_a_relisting(store, market):
    """A seller's range of near-identical listings, all on sale together, is not a relisting:
    only a listing first seen after the original was confirmed (or removed) counts."""
    from datetime import timedelta

    original = put(store, market, "jd", "100", TITLE, "鑫安消防器材旗舰店", "shop-1", "/img/a.png")
    put(store, market, "jd", "101", "正品3C认证 4kg干粉灭火器 MFZ/ABC4 家用 消防年检 包邮", "鑫安消防器材旗舰店",
        "shop-1", "/img/b.png")  # first seen at NOW, alongside the original
    store.reviews.record_decision(Decision(*original, "reviewer", "confirm", at=NOW + timedelta(days=1)))
    assert find_relistings(store, RelistingConfig(), None) == []
    later = NOW + timedelta(days=3)
    store.listings.upsert_listing(Listing(platform="jd", listing_id="102", url=f"{market.url}/jd/item/102.html",
                                 title="3C认证正品 干粉灭火器4kg MFZ/ABC4 商用家用 消防年检", price=Decimal("19.90"),
                                 shop_id="shop-1", shop_name="鑫安消防器材旗舰店", image_urls=["/img/b.png"]),
                         observed_at=later)
    [match] = find_relistings(store, RelistingConfig(), None)
    assert match.target.key == ("jd", "102") and match.source.key == original and match.source_kind == "confirmed"


def test_large_store_compares_only_candidate_pairs_and_finds_the_same(monkeypatch):
    """3,000 active listings against 150 confirmed ones: the shop comparison runs on the few
    pairs that can match (not on all 450,000), and the matches are those of comparing every pair."""
    import random
    from types import SimpleNamespace

    import alerts.relisting as relisting

    rng = random.Random(7)
    words = ["灭火器", "干粉", "二氧化碳", "消防栓", "水带", "应急灯", "烟雾报警器", "家用", "商用", "3C认证",
             "年检", "4kg", "8kg", "车载", "防毒面具", "灭火毯", "感烟", "手提式", "推车式", "正品"]
    first = datetime(2026, 5, 1, tzinfo=timezone.utc)
    shops = ["".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(3)) + "消防器材店" for _ in range(400)]
    listings = [Listing(platform="jd", listing_id=str(i), title="".join(rng.sample(words, 6)),
                        shop_name=shops[i % 400],
                        shop_id=str(i % 400), status="active", first_seen=first, last_seen=first)
                    for i in range(3000)]
    confirmed = [(lst, None, SimpleNamespace(at=first - timedelta(days=1))) for lst in listings[:150]]
    for i in range(20):  # relistings: a source's title and shop under a new id
        src = listings[i]
        listings.append(replace(src, listing_id=f"new{i}", title=src.title + " 包邮"))
    store = SimpleNamespace(listings=SimpleNamespace(iter_listings=lambda: iter(listings), snapshots=lambda key: []),
                            reviews=SimpleNamespace(confirmed=lambda platform=None: confirmed))
    cfg = RelistingConfig(weights={"title": 0.4, "image": 0.4, "shop": 0.2}, min_score=0.6)
    calls = []
    real = relisting.shop_similarity

    def counted(a, b):
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(relisting, "shop_similarity", counted)
    found = {(m.source.key, m.target.key, m.score) for m in find_relistings(store, cfg)}
    indexed_calls = len(calls)
    monkeypatch.setattr(relisting._ShopIndex, "of", lambda self, target, sims: list(range(self.count)))
    calls.clear()
    brute = {(m.source.key, m.target.key, m.score) for m in find_relistings(store, cfg)}
    assert found == brute and len(found) >= 20
    pairs = 150 * (len(listings) - 150)
    assert len(calls) >= pairs // 2  # the brute force really compares (nearly) every pair
    assert indexed_calls < pairs // 20, (indexed_calls, pairs)


def test_an_image_on_another_host_than_the_platforms_is_not_fetched(store, market):
    """Image URLs are seller-written: by default only the watched platforms' hosts are fetched from (the
    hasher used to fetch any URL, an internal address included); the refusal is recorded, not fatal."""
    put(store, market, "jd", "100", TITLE, "鑫安消防器材旗舰店", "shop-1", "/img/a.png", status="removed")
    put(store, market, "taobao", "200", TITLE + " 包邮", "远方商贸", "tb-9", "/img/b.png")
    hasher = ImageHasher(store)
    assert find_relistings(store, RelistingConfig(), hasher) == []
    assert market.gets == []  # nothing was asked of the test host
    record = store.alerts.image_hash(f"{market.url}/img/a.png")
    assert record["dhash"] is None and "不在受监测平台的域名内" in record["error"]
