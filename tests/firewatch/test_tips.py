"""The public tips channel below the web app, on a real SQLite store: photos checked by content
and stored without EXIF/GPS, the proof of work (forged, replayed, expired), the rate limit,
the derived status, a shop-only tip linked by an admin, and tips first in the review queue."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image

from firewatch.core.exceptions import TipRefused
from firewatch.core.models import Assessment, Decision, Listing
from firewatch.services.challenge import solve
from firewatch.services.tips import TipForm, TipPolicy, TipsChannel, clean_photo, normal_receipt, tip_status
from firewatch.store import open_store
from firewatch.web.queries import QueueFilters
from tests.helpers import whole_queue
from tests.builders import gps_jpeg

JD_URL = "https://item.jd.com/100012345678.html"
JD_KEY = ("jd", "100012345678")




@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


@pytest.fixture()
def tips(tmp_path):
    return TipsChannel(tmp_path / "tips", TipPolicy(rate_limit_per_hour=3, pow_bits=8, max_photo_bytes=20_000))


def form(tips: TipsChannel, at: datetime | None = None, **fields) -> TipForm:
    challenge = tips.pow.issue(at)["challenge"]
    fields.setdefault("text", "年检专用，无3C认证")
    return TipForm(challenge=challenge, nonce=solve(challenge, tips.policy.pow_bits), **fields)


def test_a_photo_is_stored_upright_and_without_exif_or_gps(store, tips):
    raw = gps_jpeg()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the fixture does carry GPS
    tip = tips.submit(store, form(tips, url=JD_URL, photos=[("现场.jpg", raw)]), "10.0.0.1")
    stored = tips.photo_path(tip, tip.photos[0]).read_bytes()
    im = Image.open(io.BytesIO(stored))
    assert im.format == "JPEG" and im.size == (48, 32)
    assert not im.getexif() and b"Exif" not in stored and b"TipCameraMaker" not in stored
    assert tip.photos[0]["media_type"] == "image/jpeg" and tip.photos[0]["path"] == f"{tip.receipt}/1.jpg"


def test_photo_type_is_read_from_content_not_name(tips):
    with pytest.raises(TipRefused) as refused:
        clean_photo(b"GIF89a not really an image, but named .jpg", 20_000, "photo.jpg")
    assert refused.value.reason == "bad_photo" and "按文件内容判断" in str(refused.value)
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")  # a real image of a type not accepted
    with pytest.raises(TipRefused, match="JPEG、PNG 或 WebP"):
        clean_photo(gif.getvalue(), 20_000, "photo.png")
    png = io.BytesIO()
    Image.new("RGBA", (8, 8)).save(png, "PNG")
    assert clean_photo(png.getvalue(), 20_000, "photo.jpg")[1:] == ("image/png", "png")  # the name does not matter


def test_oversize_and_too_many_photos_are_refused_before_anything_is_kept(store, tips):
    big = b"\xff\xd8" + b"0" * 20_001
    with pytest.raises(TipRefused) as refused:
        tips.submit(store, form(tips, url=JD_URL, photos=[("big.jpg", big)]), "10.0.0.2")
    assert refused.value.reason == "too_large" and "压缩" in str(refused.value)
    with pytest.raises(TipRefused, match="最多可上传 3 张"):
        tips.submit(store, form(tips, url=JD_URL, photos=[(f"{n}.jpg", gps_jpeg()) for n in range(4)]), "10.0.0.2")
    assert store.tips.tips() == [] and store.listings.get_listing(JD_KEY) is None


def test_proof_of_work_forged_replayed_and_expired(store, tips):
    good = form(tips, url=JD_URL)
    forged = TipForm(url=JD_URL, text="x", challenge=good.challenge[:-4] + "0000", nonce=good.nonce)
    with pytest.raises(TipRefused, match="签名无效"):
        tips.submit(store, forged, "10.0.0.3")
    with pytest.raises(TipRefused, match="缺少或无效"):
        tips.submit(store, TipForm(url=JD_URL, text="x"), "10.0.0.3")
    tips.submit(store, good, "10.0.0.3")
    with pytest.raises(TipRefused, match="已使用过") as replay:
        tips.submit(store, good, "10.0.0.3")
    assert replay.value.reason == "challenge"
    later = datetime.now(timezone.utc) + timedelta(minutes=tips.policy.challenge_minutes + 1)
    with pytest.raises(TipRefused, match="已过期"):
        tips.submit(store, form(tips, url=JD_URL), "10.0.0.3", now=later)
    lazy = form(tips, url=JD_URL)
    wrong = next(str(n) for n in range(10_000) if _zero_bits(lazy.challenge, str(n)) < tips.policy.pow_bits)
    with pytest.raises(TipRefused, match="计算结果不正确"):
        tips.submit(store, TipForm(url=JD_URL, text="x", challenge=lazy.challenge, nonce=wrong), "10.0.0.3")


def _zero_bits(challenge: str, nonce: str) -> int:
    import hashlib

    from firewatch.services.challenge import leading_zero_bits

    return leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest())


def test_rate_limit_per_address_and_per_hour(store, tips):
    for n in range(3):
        tips.submit(store, form(tips, shop_name=f"店{n}"), "10.0.0.4")
    with pytest.raises(TipRefused) as refused:
        tips.submit(store, form(tips, shop_name="店3"), "10.0.0.4")
    assert refused.value.reason == "rate_limited" and "一小时后再试" in str(refused.value)
    tips.submit(store, form(tips, shop_name="店3"), "10.0.0.5")  # another address is not limited
    later = datetime.now(timezone.utc) + timedelta(hours=1, minutes=1)
    tips.submit(store, form(tips, at=later, shop_name="店4"), "10.0.0.4", now=later)  # nor the same one an hour later
    hashes = {r[0] for r in store._db.execute("SELECT ip_hash FROM tips")}
    assert len(hashes) == 2 and not any("10.0.0" in h for h in hashes)  # keyed hashes, never the address


def test_status_follows_the_listing_and_only_decisions_since_the_tip(store, tips):
    tip = tips.submit(store, form(tips, url=JD_URL + "?spm=a.b", contact="13900000000"), "10.0.0.6")
    assert tip.key == JD_KEY and tip.on_platform and normal_receipt(tip.receipt.lower()) == tip.receipt
    assert store.listings.get_listing(JD_KEY).status == "unknown"  # a stub queued for the 'fetch' stage
    assert store.queue.pending("fetch") == [JD_KEY]
    sources = store.sources.sources_of(JD_KEY)
    assert [(s.kind, s.ref) for s in sources] == [("tip", tip.receipt)]
    assert "13900000000" not in repr(sources)  # the contact never becomes provenance
    assert tip_status(store, tip) == "received"
    store.reviews.record_decision(Decision(*JD_KEY, "old", "dismiss", at=tip.created_at - timedelta(days=1)))
    assert tip_status(store, tip) == "received"  # a decision before the tip is not its outcome
    store.assessments.save_assessment(Assessment(*JD_KEY, "portable_extinguisher", 0.9, 0.4, False, []))
    assert tip_status(store, tip) == "under_review"
    store.reviews.record_decision(Decision(*JD_KEY, "regulator", "escalate"))
    assert tip_status(store, tip) == "under_review"
    store.reviews.record_decision(Decision(*JD_KEY, "regulator", "confirm"))
    assert tip_status(store, tip) == "confirmed"
    store.reviews.record_decision(Decision(*JD_KEY, "regulator", "dismiss"))
    assert tip_status(store, tip) == "not_confirmed"


def test_a_url_outside_the_platforms_is_kept_and_marked(store, tips):
    tip = tips.submit(store, form(tips, url="https://shop.example.cn/item/88"), "10.0.0.7")
    assert tip.key is None and not tip.on_platform and tip_status(store, tip) == "received"
    assert store.tips.get_tip(tip.receipt).url == "https://shop.example.cn/item/88"
    with pytest.raises(TipRefused, match="http:// 或 https://"):
        tips.submit(store, form(tips, url="javascript:alert(1)"), "10.0.0.7")
    with pytest.raises(TipRefused, match="至少一项"):
        tips.submit(store, form(tips), "10.0.0.7")


def test_a_shop_only_tip_waits_for_an_admin_link(store, tips):
    tip = tips.submit(store, form(tips, shop_name="安盾消防专营店"), "10.0.0.8")
    assert tip.key is None and tip_status(store, tip) == "received"
    assert tips.link(store, tip.receipt, JD_URL, "admin") == JD_KEY
    linked = store.tips.get_tip(tip.receipt)
    assert linked.key == JD_KEY and linked.linked_by == "admin"
    assert [s.ref for s in store.sources.sources_of(JD_KEY)] == [tip.receipt]


def test_tipped_listings_join_the_queue_first_among_equal_risks(store, tips):
    for lid, flagged in (("1", True), ("2", True), ("3", False)):
        store.listings.upsert_listing(Listing("jd", lid, url=f"https://item.jd.com/{lid}.html", title=f"灭火器 {lid}"))
        store.assessments.save_assessment(Assessment("jd", lid, "portable_extinguisher", 0.9, 0.8, flagged, []))
    store.listings.upsert_listing(Listing("jd", "4", url="https://item.jd.com/4.html", title="未评分"))
    for lid in ("2", "3", "4"):
        tips.submit(store, form(tips, url=f"https://item.jd.com/{lid}.html", text=f"举报 {lid} <b>"), f"10.1.0.{lid}")
    rows = whole_queue(store, QueueFilters())
    # tipped 2 and 3 first (equal risk), then untipped 1; 4 has no assessment yet
    assert [r.listing.listing_id for r in rows] == ["2", "3", "1"]
    assert rows[0].tip_text == "举报 2 <b>" and rows[2].tips == []
    assert [r.listing.listing_id for r in whole_queue(store, QueueFilters(platform="taobao"))] == []


def test_a_tip_after_a_decision_puts_the_listing_back_in_the_queue(store, tips):
    store.listings.upsert_listing(Listing("jd", "9", url="https://item.jd.com/9.html", title="灭火器 9"))
    store.assessments.save_assessment(Assessment("jd", "9", "portable_extinguisher", 0.9, 0.4, False, []))
    store.reviews.record_decision(Decision("jd", "9", "regulator", "dismiss", "",
                                           datetime(2026, 11, 1, tzinfo=timezone.utc)))
    assert whole_queue(store, QueueFilters()) == []  # decided, not flagged, no tip: nothing to do
    tips.submit(store, form(tips, url="https://item.jd.com/9.html", text="又在卖了"), "10.1.0.9")
    rows = whole_queue(store, QueueFilters())
    assert [r.listing.listing_id for r in rows] == ["9"] and rows[0].decision is None
    assert whole_queue(store, QueueFilters(state="decided")) == []


def test_an_ipv6_sender_counts_as_its_64_prefix(tips):
    same = tips.address_hash("2001:db8:1:2::1"), tips.address_hash("2001:db8:1:2:ffff::9")
    assert same[0] == same[1] != tips.address_hash("2001:db8:1:3::1")
    assert tips.address_hash("10.0.0.1") != tips.address_hash("10.0.0.2")
