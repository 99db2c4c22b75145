"""The listing page shows the text read in a listing's images (OCR) in a real Chromium: the image
with the box of the cited text marked, the recognised lines escaped (seller content), and the
reason found in the image labelled as such; the image is served only as its recorded bytes."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from demo_market.images import ImageText, ListingImage, render
from firewatch.core.browser import gate
from firewatch.core.models import Assessment, Listing, Reason
from firewatch.store import open_store
from firewatch.store.ocr import OcrImage, OcrLine
from tests.helpers import PASSWORD, browser_login

HOSTILE = "<img src=x onerror=alert(1)>"
KEY = ("jd", "100077")


def _box(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


@pytest.fixture(scope="module")
def ocr_site(tmp_path_factory):
    """A data folder with one listing whose main image says 年检专用 (and a hostile line), its OCR
    record and the reason citing it; a real server for the app on it."""
    from firewatch.core.settings import load_settings
    from firewatch.web import create_app
    from firewatch.web.security import hash_password
    from firewatch.web.serving import AppServer

    data = tmp_path_factory.mktemp("ocr-web")
    picture = ListingImage("jd", KEY[1], 0, "main", 800, 800, (240, 240, 240), (200, 30, 30),
                           (ImageText("年检专用", "claim", "inspection_only", (60, 80, 316, 144), 64),), "extinguisher")
    png = render(picture)
    digest = hashlib.sha256(png).hexdigest()
    kept = data / "ocr" / digest[:2] / f"{digest}.png"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(png)
    lines = [OcrLine("年检专用", _box(60, 80, 316, 144), 0.99), OcrLine(HOSTILE, _box(60, 200, 500, 240), 0.61)]
    with open_store(data / "firewatch.db", data_dir=data) as store:
        store.listings.upsert_listing(Listing(*KEY, url=f"https://item.jd.com/{KEY[1]}.html", title="4kg干粉灭火器 家用",
                                              price=Decimal("59"), shop_name="安达消防",
                                              image_urls=["https://img14.360buyimg.com/n1/jfs/t1/a.png"]))
        store.ocr.save_image(OcrImage(*KEY, 0, "https://img14.360buyimg.com/n1/jfs/t1/a.png", sha256=digest,
                                      media_type="image/png", width=800, height=800, size=len(png),
                                      file=f"ocr/{digest[:2]}/{digest}.png", engine="rapidocr", lines=lines))
        store.assessments.save_assessment(Assessment(*KEY, "portable_extinguisher", 0.9, 0.93, True, [
            Reason("inspection_only", f"年检专用（来自图片1（主图）识别文字，SHA-256 {digest[:16]}…，左上 (60, 80) 至右下 (316, 144) 像素）",
                   "image:1", 0, 4, "image:1")]), ())
        _changed_main_image(store, data)
        _new_bytes_same_url(store, data)
        _refused_after_read(store, data)
        store.users.add_user("regulator", "regulator", hash_password(PASSWORD))
    app = create_app(load_settings(env={}).with_overrides({"paths": {"data_dir": str(data)}}))
    server = AppServer(app)
    url = server.start()
    yield url, data, digest
    server.stop()


CHANGED = ("jd", "100078")
OLD_BOX, NEW_BOX = (60, 120, 316, 184), (100, 400, 600, 470)  # not the first listing's picture


def _keep(data, text: str, box) -> tuple[bytes, str]:
    png = render(ListingImage("jd", CHANGED[1], 0, "main", 800, 800, (240, 240, 240), (200, 30, 30),
                              (ImageText(text, "claim", "", box, 64),), "extinguisher"))
    digest = hashlib.sha256(png).hexdigest()
    kept = data / "ocr" / digest[:2] / f"{digest}.png"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(png)
    return png, digest


def _changed_main_image(store, data) -> None:
    """A listing whose main image was read, then changed to another URL and read again (as the OCR
    stage saves them: the old record is kept), its assessment citing the new image."""
    old, new = "https://img14.360buyimg.com/n1/jfs/t1/old.png", "https://img14.360buyimg.com/n1/jfs/t1/new.png"
    listing = Listing(*CHANGED, url=f"https://item.jd.com/{CHANGED[1]}.html", title="4kg干粉灭火器", price=Decimal("39"),
                      image_urls=[old])
    store.listings.upsert_listing(listing)
    for url, text, box in ((old, "年检专用", OLD_BOX), (new, "无3C认证", NEW_BOX)):
        png, digest = _keep(data, text, box)
        store.listings.upsert_listing(replace(listing, image_urls=[url]))
        store.ocr.save_image(OcrImage(*CHANGED, 0, url, sha256=digest, media_type="image/png", width=800, height=800,
                                      size=len(png), file=f"ocr/{digest[:2]}/{digest}.png", engine="rapidocr",
                                      lines=[OcrLine(text, _box(*box), 0.98)]))
    store.assessments.save_assessment(Assessment(*CHANGED, "portable_extinguisher", 0.9, 0.9, True, [
        Reason("no_certification", "无3C认证（来自图片1（主图）识别文字）", "image:1", 0, 5, "image:1")]), ())


SAME = ("jd", "100079")
SAME_URL = "https://img14.360buyimg.com/n1/jfs/t1/same.png"
FIRST_BOX, SECOND_BOX = (80, 300, 336, 364), (120, 500, 620, 570)


def _new_bytes_same_url(store, data) -> None:
    """A listing whose main image URL stayed while the shop put a new picture behind it: both reads
    saved as the OCR stage saves them (the later one seen last), the assessment citing the new one."""
    listing = Listing(*SAME, url=f"https://item.jd.com/{SAME[1]}.html", title="4kg干粉灭火器", price=Decimal("45"),
                      image_urls=[SAME_URL])
    store.listings.upsert_listing(listing)
    for text, box in (("年检专用", FIRST_BOX), ("无3C认证", SECOND_BOX)):
        png, digest = _keep(data, text, box)
        store.ocr.save_image(OcrImage(*SAME, 0, SAME_URL, sha256=digest, media_type="image/png", width=800,
                                      height=800, size=len(png), file=f"ocr/{digest[:2]}/{digest}.png",
                                      engine="rapidocr", lines=[OcrLine(text, _box(*box), 0.98)]))
    store.assessments.save_assessment(Assessment(*SAME, "portable_extinguisher", 0.9, 0.9, True, [
        Reason("no_certification", "无3C认证（来自图片1（主图）识别文字）", "image:1", 0, 5, "image:1")]), ())


REFUSED = ("jd", "100080")
REFUSED_URL = "https://img14.360buyimg.com/n1/jfs/t1/gone.png"
READ_AT, CHECKED_AT, REFUSED_AT, REFUSED_AGAIN_AT = (datetime(2026, 12, 1, h, tzinfo=timezone.utc) for h in (1, 2, 3, 4))


def _refused_after_read(store, data) -> None:
    """A listing whose main image was read (and confirmed unchanged by a 304 an hour later), then its
    URL answered 404, twice: both saved as the OCR stage saves them, the refusal the URL's newest record."""
    store.listings.upsert_listing(Listing(*REFUSED, url=f"https://item.jd.com/{REFUSED[1]}.html", title="4kg干粉灭火器",
                                          price=Decimal("49"), image_urls=[REFUSED_URL]))
    png, digest = _keep(data, "年检专用", FIRST_BOX)
    store.ocr.save_image(OcrImage(*REFUSED, 0, REFUSED_URL, sha256=digest, media_type="image/png", width=800,
                                  height=800, size=len(png), file=f"ocr/{digest[:2]}/{digest}.png", engine="rapidocr",
                                  lines=[OcrLine("年检专用", _box(*FIRST_BOX), 0.98)], recognised_at=READ_AT,
                                  seen_at=CHECKED_AT, etag='"v1"'))
    store.ocr.save_image(OcrImage(*REFUSED, 0, REFUSED_URL, engine="rapidocr", error="图片地址返回 HTTP 404",
                                  recognised_at=REFUSED_AT, seen_at=REFUSED_AGAIN_AT))
    store.assessments.save_assessment(Assessment(*REFUSED, "portable_extinguisher", 0.9, 0.2, False, []), ())


@pytest.fixture
def ocr_page(browser, ocr_site):
    url = ocr_site[0].rstrip("/")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    context.set_default_timeout(15000)
    context.route("**/*", gate([urlsplit(url).netloc]))
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.base = url
    yield page
    context.close()


def test_listing_page_shows_the_image_with_the_cited_box(ocr_page, ocr_site):
    page = ocr_page
    browser_login(page, "regulator")
    page.goto(f"{page.base}/listings/{KEY[0]}/{KEY[1]}")
    figure = page.locator("#image-text figure#image-1")
    expect(figure).to_be_visible()
    cited = figure.locator("svg polygon.ocr-box.cited")
    expect(cited).to_have_count(1)
    assert cited.get_attribute("points") == "60,80 316,80 316,144 60,144"
    assert cited.get_attribute("data-codes") == "inspection_only"
    expect(figure.locator("svg polygon.ocr-box")).to_have_count(2)  # the uncited line is boxed too, unmarked
    href = figure.locator("svg image").get_attribute("href")
    status, kind, size = page.evaluate("u => fetch(u).then(async r => [r.status, r.headers.get('content-type'), "
                                       "(await r.arrayBuffer()).byteLength])", href)
    assert (status, kind) == (200, "image/png") and size > 1000
    # the image is drawn at its place: the SVG's box keeps the image's proportions
    box = figure.locator("svg").bounding_box()
    assert box["width"] == pytest.approx(box["height"], rel=0.02)
    # the hostile line is text, nothing ran or loaded
    expect(figure.locator("td.ocr-text").nth(1)).to_have_text(HOSTILE)
    expect(page.locator("img[src='x']")).to_have_count(0)
    assert page.dialogs == []
    # the reason found in the image is labelled as coming from it, in the reasons list and beside the image
    expect(page.locator("ul.reasons").first).to_contain_text("图片1文字（OCR）")
    expect(figure.locator("ul.image-reasons")).to_contain_text("年检专用")
    expect(figure.locator("tr.cited td.ocr-text")).to_have_text("年检专用")


def test_a_changed_image_file_is_not_served(ocr_page, ocr_site):
    page = ocr_page
    url, data, digest = ocr_site
    browser_login(page, "regulator")
    target = f"{page.base}/listings/{KEY[0]}/{KEY[1]}/images/{digest}"
    assert page.evaluate("u => fetch(u).then(r => r.status)", target) == 200
    kept = data / "ocr" / digest[:2] / f"{digest}.png"
    original = kept.read_bytes()
    try:
        kept.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
        assert page.evaluate("u => fetch(u).then(r => r.status)", target) == 403
    finally:
        kept.write_bytes(original)
    assert page.evaluate("u => fetch(u).then(r => r.status)", f"{page.base}/listings/{KEY[0]}/{KEY[1]}/images/{'0' * 64}") == 404
    # another listing's image is not served under this one
    assert page.evaluate("u => fetch(u).then(r => r.status)",
                         f"{page.base}/listings/{CHANGED[0]}/{CHANGED[1]}/images/{digest}") == 404
    for name in ("1", "99999999999999999999", digest.upper(), digest[:-1]):  # not a SHA-256: a clear 400, never a 500
        assert page.evaluate("u => fetch(u).then(r => r.status)",
                             f"{page.base}/listings/{KEY[0]}/{KEY[1]}/images/{name}") == 400


def test_a_changed_main_image_shows_once_and_each_box_on_its_own_picture(ocr_page, ocr_site):
    """The listing's main image URL changed and was read again: one 图片1（主图） figure, the new image
    with the cited box; the old record kept apart as an earlier image, on its own picture, citing
    nothing. Each figure's picture is the bytes its record hashed."""
    page = ocr_page
    _, data, _ = ocr_site
    browser_login(page, "regulator")
    page.goto(f"{page.base}/listings/{CHANGED[0]}/{CHANGED[1]}")
    old_digest, new_digest = (_keep(data, text, box)[1] for text, box in (("年检专用", OLD_BOX), ("无3C认证", NEW_BOX)))
    current = page.locator("#image-text figure.ocr-image:not(.earlier)")
    expect(current).to_have_count(1)
    expect(page.locator("#image-text figcaption b", has_text="图片1（主图）")).to_have_count(1)  # one main image, not two
    expect(current.locator("figcaption b").first).to_have_text("图片1（主图）")
    expect(current.locator(".hash")).to_have_text(new_digest)
    expect(current.locator("svg polygon.ocr-box.cited")).to_have_attribute("points", "100,400 600,400 600,470 100,470")
    earlier = page.locator("#image-text figure.ocr-image.earlier")
    expect(earlier).to_have_count(1)
    expect(earlier.locator("figcaption b").first).to_have_text("早先图片（当时为图片1，主图）")
    expect(earlier.locator(".hash")).to_have_text(old_digest)
    expect(earlier.locator("svg polygon.ocr-box.cited")).to_have_count(0)
    expect(earlier.locator("ul.image-reasons")).to_have_count(0)
    expect(page.locator("#earlier-images")).to_contain_text("商品页已不再展示")
    for figure, digest in ((current, new_digest), (earlier, old_digest)):
        href = figure.locator("svg image").get_attribute("href")
        served = page.evaluate("u => fetch(u).then(r => r.arrayBuffer()).then(b => crypto.subtle.digest('SHA-256', b))"
                               ".then(d => [...new Uint8Array(d)].map(x => x.toString(16).padStart(2, '0')).join(''))", href)
        assert served == digest


def test_new_bytes_behind_the_same_url_show_beside_the_earlier_read(ocr_page, ocr_site):
    """The shop put a new picture behind the main image's URL and it was read again: the new read is
    图片1 with the cited box; the first read is kept as an earlier image of the same address, citing
    nothing; each figure's picture is served as the bytes its record hashed."""
    page = ocr_page
    _, data, _ = ocr_site
    browser_login(page, "regulator")
    page.goto(f"{page.base}/listings/{SAME[0]}/{SAME[1]}")
    first, second = (_keep(data, text, box)[1] for text, box in (("年检专用", FIRST_BOX), ("无3C认证", SECOND_BOX)))
    current = page.locator("#image-text figure.ocr-image:not(.earlier)")
    expect(current).to_have_count(1)
    expect(current.locator(".hash")).to_have_text(second)
    expect(current.locator("svg polygon.ocr-box.cited")).to_have_attribute("points", "120,500 620,500 620,570 120,570")
    earlier = page.locator("#image-text figure.ocr-image.earlier")
    expect(earlier).to_have_count(1)
    expect(earlier.locator("figcaption b").first).to_have_text("早先图片（当时为图片1，主图；同一图片地址现为另一张图片）")
    expect(earlier.locator(".hash")).to_have_text(first)
    expect(earlier.locator("td.ocr-text")).to_have_text("年检专用")
    expect(earlier.locator("svg polygon.ocr-box.cited")).to_have_count(0)
    for figure, digest in ((current, second), (earlier, first)):
        href = figure.locator("svg image").get_attribute("href")
        served = page.evaluate("u => fetch(u).then(r => r.arrayBuffer()).then(b => crypto.subtle.digest('SHA-256', b))"
                               ".then(d => [...new Uint8Array(d)].map(x => x.toString(16).padStart(2, '0')).join(''))", href)
        assert served == digest


def test_an_image_no_longer_readable_shows_so_and_its_earlier_read_apart(ocr_page, ocr_site):
    """The main image's URL answered 404 after it was read: 图片1 says it is no longer readable and when
    it was last checked; the read is listed as an earlier image of the same address, citing nothing."""
    from firewatch.core.clock import show_time

    page = ocr_page
    _, data, _ = ocr_site
    browser_login(page, "regulator")
    page.goto(f"{page.base}/listings/{REFUSED[0]}/{REFUSED[1]}")
    current = page.locator("#image-text figure.ocr-image:not(.earlier)")
    expect(current).to_have_count(1)
    expect(current.locator("figcaption b").first).to_have_text("图片1（主图）")
    expect(current.locator("figcaption .flag")).to_have_text("未识别：图片地址返回 HTTP 404")
    expect(current.locator("figcaption")).to_contain_text("此地址此前读到的图片已列入下方“早先的图片”，不再作为标记依据")
    expect(current.locator("figcaption")).to_contain_text(f"最近核对 {show_time(REFUSED_AGAIN_AT)}")
    expect(current.locator("svg")).to_have_count(0)
    earlier = page.locator("#image-text figure.ocr-image.earlier")
    expect(earlier).to_have_count(1)
    expect(earlier.locator("figcaption b").first).to_have_text("早先图片（当时为图片1，主图；同一图片地址现已无法读取）")
    expect(earlier.locator("figcaption")).to_contain_text(f"最后见于该地址 {show_time(CHECKED_AT)}")
    expect(earlier.locator(".hash")).to_have_text(_keep(data, "年检专用", FIRST_BOX)[1])
    expect(earlier.locator("td.ocr-text")).to_have_text("年检专用")
    expect(earlier.locator("svg polygon.ocr-box.cited")).to_have_count(0)
