"""A capture shows the page or fails: the listing's title must be in the rendered text, the
screenshot must not be blank, and a page that never shows them leaves no evidence folder.

Real Chromium, real local HTTP servers on port 0. The script-rendered page is PDD's form
(inline `window.rawData`, the page built by script after an XHR), the one whose screenshots
came out blank before captures waited for the content.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from crawler.capture import BlockedPageError, Capturer, PageNotRenderedError
from crawler.rendered import MIN_INK_PIXELS, blank_reason, text_key
from firewatch.core.browser import foreign_url_pattern, request_allowed
from tests.servers import Handler, LocalHTTPServer, PageServer

TITLE = "拼多多 消防应急照明灯 LED 充电式 3C认证 停电应急灯"
RED = (220, 0, 0)


def _script_page(title: str) -> bytes:
    raw = json.dumps({"store": {"goods": {"goodsName": title, "goodsId": 42}}}, ensure_ascii=False)
    return ("<!doctype html><html><head><meta charset='utf-8'><title>" + title + "</title></head>"
            "<body><div id='main'><div id='__next'></div></div>"
            f"<script>window.rawData={raw};</script>"
            "<script>fetch('/proxy/api/price?goods_id=42').then(r => r.json()).then(p => {"
            " const g = window.rawData.store.goods, root = document.getElementById('__next');"
            " const h = document.createElement('h1'); h.textContent = g.goodsName; root.appendChild(h);"
            " const box = document.createElement('div'); box.style.cssText ="
            " 'width:600px;height:300px;background:rgb(220,0,0)'; root.appendChild(box);"
            " const price = document.createElement('p'); price.textContent = '￥' + p.price; root.appendChild(price);"
            "});</script></body></html>").encode("utf-8")


SHELL = ("<!doctype html><html><head><meta charset='utf-8'><title>" + TITLE + "</title></head>"
         "<body><div id='main'><div id='__next'></div></div></body></html>").encode("utf-8")
WRONG_TEXT = ("<!doctype html><html><head><meta charset='utf-8'><title>" + TITLE + "</title></head>"
              "<body><h1>商品已售罄，看看别的吧</h1><p>为您推荐：干粉灭火器 4公斤</p></body></html>").encode("utf-8")
INVISIBLE = ("<!doctype html><html><head><meta charset='utf-8'></head><body style='background:#fff'>"
             "<p style='color:#fff'>" + TITLE + "</p></body></html>").encode("utf-8")
CAPTCHA = ("<!doctype html><html><head><meta charset='utf-8'></head>"
           "<body>请按住滑块，拖动到最右边 滑动验证</body></html>").encode("utf-8")


@pytest.fixture(scope="module")
def site():
    with PageServer({"/goods.html": (_script_page(TITLE), "text/html; charset=utf-8"),
                     "/proxy/api/price?goods_id=42": (b'{"price": "39.90"}', "application/json"),
                     "/shell.html": (SHELL, "text/html; charset=utf-8"),
                     "/wrong.html": (WRONG_TEXT, "text/html; charset=utf-8"),
                     "/invisible.html": (INVISIBLE, "text/html; charset=utf-8"),
                     "/captcha.html": (CAPTCHA, "text/html; charset=utf-8")}) as server:
        yield server.url


@pytest.fixture(scope="module")
def strict(chromium, tmp_path_factory):
    """A capturer that gives up quickly: 1.5 s for the content, two attempts."""
    out = tmp_path_factory.mktemp("strict") / "evidence"
    with Capturer(chromium, out, "firewatch-test", ["127.0.0.1"], timeout_ms=15000, content_timeout_ms=1500,
                  retries=1, retry_delay=0.01, check_fonts=False,
                  is_blocked=lambda html, url: "verification" if "滑动验证" in html else None) as cap:
        yield cap


def _red_pixels(png: bytes) -> int:
    with Image.open(io.BytesIO(png)) as image:
        return sum(count for count, colour in image.convert("RGB").getcolors(1 << 24) if colour == RED)


@pytest.mark.timeout(120)
def test_script_rendered_page_is_captured_once_its_title_shows(capturer, site):
    ev = capturer.capture("pdd", "42", f"{site}/goods.html", expect_text=TITLE)
    directory = Path(ev.directory)
    png = (directory / "screenshot.png").read_bytes()
    assert _red_pixels(png) >= 600 * 300 * 0.9  # the box the script drew after its XHR
    assert blank_reason(png) is None
    assert TITLE in (directory / "page.html").read_text("utf-8")  # the rendered DOM, not the shell
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    assert manifest["expected_text"] == TITLE
    assert manifest["attempts"] == 1


@pytest.mark.timeout(120)
def test_title_is_matched_without_regard_to_whitespace_and_case(capturer, site):
    spaced = TITLE.replace(" ", "\n  ").replace("LED", "led")
    ev = capturer.capture("pdd", "42-spaced", f"{site}/goods.html", expect_text=spaced)
    assert ev.http_status == 200


@pytest.mark.timeout(120)
@pytest.mark.parametrize("path, listing_id, says", [
    ("/shell.html", "shell", "not in the page's rendered text"),  # nothing rendered: PDD's blank white image
    ("/wrong.html", "wrong", "not in the page's rendered text"),  # text, but not this listing's
])
def test_page_without_its_title_fails_and_keeps_nothing(strict, site, path, listing_id, says):
    with pytest.raises(PageNotRenderedError) as info:
        strict.capture("pdd", listing_id, f"{site}{path}", expect_text=TITLE)
    message = str(info.value)
    assert says in message and "未出现在页面文字中" in message
    assert "请在浏览器中打开该链接核对" in message and "Open the URL in a browser".lower() in message.lower()
    assert info.value.attempts == 2
    assert not (strict.out_dir / "pdd" / listing_id).exists()


@pytest.mark.timeout(120)
def test_blank_screenshot_fails_even_with_the_title_in_the_text(strict, site):
    with pytest.raises(PageNotRenderedError) as info:  # white on white: in innerText, not on screen
        strict.capture("pdd", "invisible", f"{site}/invisible.html", expect_text=TITLE)
    assert "blank" in info.value.reason and "空白" in info.value.reason
    assert not (strict.out_dir / "pdd" / "invisible").exists()


@pytest.mark.timeout(120)
def test_blocked_page_is_still_a_blocked_page(strict, site):
    with pytest.raises(BlockedPageError):
        strict.capture("pdd", "captcha", f"{site}/captcha.html", expect_text=TITLE)
    assert not (strict.out_dir / "pdd" / "captcha").exists()


class _FlakyHandler(Handler):
    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        with self.owner.lock:
            if self.path.startswith("/goods"):
                self.owner.pages += 1
            first = self.owner.pages == 1
        if not self.path.startswith("/goods"):
            self.reply(200, b'{"price": "1.00"}', "application/json")
        else:
            self.reply(200, SHELL if first else _script_page(TITLE), "text/html; charset=utf-8")


class FlakyServer(LocalHTTPServer):
    """Answers the first page request with an empty shell and later ones with the real page."""

    handler = _FlakyHandler

    def __init__(self) -> None:
        self.pages = 0  # page requests answered
        super().__init__()


@pytest.mark.timeout(120)
def test_a_page_that_renders_on_the_second_attempt_is_kept(strict):
    with FlakyServer() as flaky:
        ev = strict.capture("pdd", "flaky", f"{flaky.url}/goods.html", expect_text=TITLE)
    manifest = json.loads((Path(ev.directory) / "manifest.json").read_text("utf-8"))
    assert manifest["attempts"] == 2
    assert len(list((strict.out_dir / "pdd" / "flaky").iterdir())) == 1  # the failed attempt wrote nothing


def _png(size: tuple[int, int], draw=None) -> bytes:
    image = Image.new("RGB", size, (255, 255, 255))
    if draw:
        draw(image)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_blank_reason_counts_ink_against_the_background():
    assert blank_reason(_png((1280, 900)))
    assert blank_reason(_png((1280, 900), lambda im: im.paste((250, 250, 250), (0, 0, 1280, 450))))  # faint
    few = MIN_INK_PIXELS - 1
    assert blank_reason(_png((1280, 900), lambda im: im.paste((0, 0, 0), (0, 0, few, 1))))
    assert blank_reason(_png((1280, 900), lambda im: im.paste((0, 0, 0), (0, 0, few + 1, 1)))) is None
    dark = _png((800, 600), lambda im: im.paste((30, 30, 30), (0, 0, 800, 600)))  # one colour, not white
    assert blank_reason(dark)


def test_text_key_ignores_whitespace_and_case():
    assert text_key(" ABC 干粉\n灭火器\t4KG ") == "abc干粉灭火器4kg"
    assert text_key("") == ""


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:5000/x", "https://127.0.0.1", "http://127.0.0.10/x", "http://127.0.0.1.evil.com/",
    "http://127.0.0.1@evil.com/", "https://item.jd.com/1.html", "https://jd.com/", "https://evil-jd.com/",
    "https://a.b.jd.com:443/x?y", "https://jd.com.evil.org/", "http://localhost:8080/x", "http://localhost:8081/x",
    "http://localhost/x", "data:image/png,xx", "blob:http://x/y", "about:blank", "wss://127.0.0.1:9/ws",
    "HTTPS://ITEM.JD.COM/x", "https://item.jd.com./x", "ftp://127.0.0.1/x",
])
def test_foreign_url_pattern_matches_every_refused_url(url):
    allowed = {"127.0.0.1", ".jd.com", "localhost:8080"}
    matched = foreign_url_pattern(allowed).search(url) is not None
    if not request_allowed(url, allowed):
        assert matched, f"{url} is refused by the gate, so its requests must reach the gate's handler"
    if url in ("http://127.0.0.1:5000/x", "https://item.jd.com/1.html", "https://a.b.jd.com:443/x?y",
               "http://localhost:8080/x", "data:image/png,xx"):
        assert not matched, f"{url} is allowed and should not cost a round trip to Python"


@pytest.mark.timeout(120)
def test_contexts_made_ahead_are_fresh_and_closed(chromium, site, tmp_path):
    items = [("pdd", f"ahead-{i}", f"{site}/goods.html", TITLE) for i in range(3)]
    with Capturer(chromium, tmp_path, "firewatch-test", ["127.0.0.1"], prefetch_tabs=1, check_fonts=False,
                  is_blocked=lambda html, url: None) as cap:
        results = cap.capture_many(items, concurrency=2)
        assert [type(r).__name__ for r in results] == ["Evidence"] * 3
        assert len(cap._browser.contexts) == 1  # the one made ahead; used ones are closed
    assert len({r.directory for r in results}) == 3
