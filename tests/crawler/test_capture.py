"""Capture tests against a real Chromium and a real local HTTP server on port 0.

The server (tests/servers.py `PageServer`) serves Chinese pages in UTF-8 and GBK with long
bodies, a captcha page, a redirect and a page pulling resources from other hosts; the
session's `Capturer` (tests/conftest.py: screenshots cut at 3000 px) must fix them as
evidence with correct hashes, refuse the captcha page without writing anything, and abort
foreign requests without hanging.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import pytest

from crawler.capture import BlockedPageError, CaptureError, Capturer
from tests.servers import PageServer, free_port

TITLE = "灭火器年检专用 ABC干粉灭火器 4公斤"


def _page(title: str, extra: str = "") -> str:
    rows = "\n".join(f"<p>第{i}行：手提式干粉灭火器 MFZ/ABC4 检验合格</p>" for i in range(400))
    return (
        f"<!doctype html><html><head><meta charset='{{charset}}'><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{extra}{rows}</body></html>"
    )


UTF8_HTML = _page(TITLE, "<img src='http://example.invalid/x.png'>"
                         "<script src='http://other.invalid/a.js'></script>"
                         "<script>fetch('http://example.invalid/api').catch(() => {});</script>"
                  ).replace("{charset}", "utf-8").encode("utf-8")
GBK_HTML = _page("消防应急灯 国标认证").replace("{charset}", "gbk").encode("gbk")
CAPTCHA_HTML = ("<!doctype html><html><head><meta charset='utf-8'><title>验证</title></head>"
                "<body>请按住滑块，拖动到最右边 滑动验证</body></html>").encode("utf-8")


@pytest.fixture(scope="module")
def server():
    with PageServer({"/utf8.html": (UTF8_HTML, "text/html; charset=utf-8"),
                     "/gbk.html": (GBK_HTML, "text/html; charset=gbk"),
                     "/captcha.html": (CAPTCHA_HTML, "text/html; charset=utf-8")},
                    redirects={"/redirect": "/utf8.html"}, headers={"X-Test-Server": "firewatch"}) as site:
        yield site.url


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.timeout(120)
def test_capture_utf8_page(capturer, server):
    ev = capturer.capture("jd", "100012345", f"{server}/utf8.html")
    directory = Path(ev.directory)
    assert directory.parent == capturer.out_dir / "jd" / "100012345"
    assert ev.captured_at.utcoffset().total_seconds() == 0
    assert ev.http_status == 200
    assert ev.server_ip == "127.0.0.1"
    assert ev.final_url == f"{server}/utf8.html"
    assert ev.user_agent == capturer.user_agent
    assert ev.browser_version and ev.browser_version[0].isdigit()
    names = {a.name for a in ev.artefacts}
    assert {"screenshot.png", "page.html", "page.mhtml", "response.body"} <= names
    for art in ev.artefacts:
        path = directory / art.name
        assert path.is_file()
        assert _sha(path) == art.sha256
        assert path.stat().st_size == art.size
    png = (directory / "screenshot.png").read_bytes()
    width, height = _png_size(png)
    assert width == 1280 and 900 < height <= capturer.max_height
    assert TITLE in (directory / "page.html").read_text("utf-8")
    mhtml = (directory / "page.mhtml").read_bytes()
    assert b"Content-Type: multipart/related" in mhtml
    assert (directory / "response.body").read_bytes() == UTF8_HTML
    manifest_path = directory / "manifest.json"
    assert _sha(manifest_path) == ev.manifest_sha256
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert manifest["server_ip"] == "127.0.0.1"
    assert manifest["screenshot_truncated"] is True
    assert manifest["page_height"] > capturer.max_height
    assert {a["name"]: a["sha256"] for a in manifest["artefacts"]} == {
        a.name: a.sha256 for a in ev.artefacts}
    aborted = " ".join(manifest["aborted_requests"])
    assert "example.invalid" in aborted and "other.invalid" in aborted  # aborted, not left to hang
    assert not list(directory.parent.glob(".*.partial"))


@pytest.mark.timeout(120)
def test_capture_gbk_page_keeps_raw_bytes(capturer, server):
    ev = capturer.capture("taobao", "6543", f"{server}/gbk.html")
    directory = Path(ev.directory)
    assert "消防应急灯 国标认证" in (directory / "page.html").read_text("utf-8")
    assert (directory / "response.body").read_bytes() == GBK_HTML
    body = next(a for a in ev.artefacts if a.name == "response.body")
    assert "gbk" in body.media_type
    headers = json.loads((directory / "response-headers.json").read_text("utf-8"))
    assert {"name": "X-Test-Server", "value": "firewatch"} in headers


@pytest.mark.timeout(120)
def test_redirect_records_final_url(capturer, server):
    ev = capturer.capture("pdd", "r1", f"{server}/redirect")
    assert ev.url.endswith("/redirect")
    assert ev.final_url.endswith("/utf8.html")
    assert ev.http_status == 200


@pytest.mark.timeout(120)
def test_blocked_page_is_not_kept(capturer, server):
    with pytest.raises(BlockedPageError) as info:
        capturer.capture("tmall", "blocked-1", f"{server}/captcha.html")
    assert "滑动验证" in info.value.reason
    listing_dir = capturer.out_dir / "tmall" / "blocked-1"
    assert not listing_dir.exists() or not any(listing_dir.rglob("*"))


@pytest.mark.timeout(120)
def test_host_not_allowed_is_refused(capturer):
    with pytest.raises(CaptureError):
        capturer.capture("jd", "x", "http://example.invalid/item.html")
    assert not (capturer.out_dir / "jd" / "x").exists()


@pytest.mark.timeout(120)
def test_two_captures_same_listing_keep_both(capturer, server):
    first = capturer.capture("1688", "dup", f"{server}/utf8.html")
    second = capturer.capture("1688", "dup", f"{server}/utf8.html")
    assert first.directory != second.directory
    assert Path(first.directory).is_dir() and Path(second.directory).is_dir()


@pytest.mark.timeout(120)
def test_warc_object_store_and_manifest(capturer, server):
    from warcio.archiveiterator import ArchiveIterator

    ev = capturer.capture("jd", "warc-1", f"{server}/gbk.html")
    directory = Path(ev.directory)
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    assert manifest["viewport"] == {"width": 1280, "height": 900}
    assert manifest["browser_version"] == ev.browser_version
    art = {a.name: a for a in ev.artefacts}
    assert art["page.warc.gz"].media_type == "application/warc"
    for entry in manifest["artefacts"]:  # every artefact is one object, linked in the folder
        obj = capturer.out_dir / entry["object"]
        assert obj.is_file() and _sha(obj) == entry["sha256"]
        assert (directory / entry["name"]).stat().st_ino == obj.stat().st_ino
    records = []
    with open(directory / "page.warc.gz", "rb") as fh:
        for rec in ArchiveIterator(fh):
            records.append((rec.rec_type, rec.rec_headers, rec.http_headers,
                            rec.content_stream().read()))
    assert records[0][0] == "warcinfo"
    assert "firewatch" in records[0][3].decode() and ev.browser_version in records[0][3].decode()
    resp = next(r for r in records if r[0] == "response" and r[1].get_header("WARC-Target-URI").endswith("/gbk.html"))
    assert resp[2].get_statuscode() == "200"
    assert resp[2].get_header("X-Test-Server") == "firewatch"
    assert resp[1].get_header("WARC-IP-Address") == "127.0.0.1"
    assert resp[3] == GBK_HTML  # the raw GBK bytes the server sent
    req = next(r for r in records if r[0] == "request")
    assert f"{req[2].protocol} {req[2].statusline}".startswith("GET /gbk.html HTTP/1.")
    assert req[2].get_header("User-Agent") == capturer.user_agent


@pytest.mark.timeout(120)
def test_identical_bytes_stored_once(capturer, server):
    a = capturer.capture("jd", "same-a", f"{server}/gbk.html")
    b = capturer.capture("jd", "same-b", f"{server}/gbk.html")
    body_a = next(x for x in a.artefacts if x.name == "response.body")
    body_b = next(x for x in b.artefacts if x.name == "response.body")
    assert body_a.sha256 == body_b.sha256
    obj = capturer.out_dir / "objects" / body_a.sha256[:2] / body_a.sha256
    assert obj.stat().st_nlink >= 3  # the object plus one link per capture folder
    assert not list((capturer.out_dir / "objects").rglob("*.partial"))


@pytest.mark.timeout(180)
def test_capture_many_pool_mixes_outcomes(capturer, server):
    items = [("jd", f"pool-{i}", f"{server}/utf8.html") for i in range(4)]
    items += [("tmall", "pool-blocked", f"{server}/captcha.html"),
              ("jd", "pool-refused", "http://example.invalid/x.html")]
    seen = []
    results = capturer.capture_many(items, concurrency=3,
                                    on_result=lambda item, res: seen.append(item.listing_id))
    assert [type(r).__name__ for r in results[:4]] == ["Evidence"] * 4
    assert isinstance(results[4], BlockedPageError)
    assert isinstance(results[5], CaptureError) and not isinstance(results[5], BlockedPageError)
    assert sorted(seen) == sorted(i[1] for i in items)
    assert len({r.directory for r in results[:4]}) == 4


@pytest.mark.timeout(120)
def test_navigation_errors_are_retried_then_fail(chromium, tmp_path):
    port = free_port()  # nothing listens there: connection refused
    with Capturer(chromium, tmp_path, "ua", ["127.0.0.1"], is_blocked=lambda html, url: None,
                  check_fonts=False, retries=2, retry_delay=0.01) as cap:
        with pytest.raises(CaptureError, match="after 3 attempt"):
            cap.capture("jd", "down", f"http://127.0.0.1:{port}/x.html")
    assert not (tmp_path / "jd" / "down").exists()
