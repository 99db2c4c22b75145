"""Every time a person reads is 北京时间 and labelled (issue 15): a checker walks every page the app
links to, as each role, and finds no ISO 8601 or UTC timestamp text and no unlabelled clock time;
a notice's deadline reads the same on the platform page and on the notice's own page."""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime, timezone
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from firewatch.store import open_store
from tests.helpers import login_client, wait_until

ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|[+-]00:00\b|\bUTC\b|\d{8}T\d{6}")
CLOCK = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?(?! 北京时间)")
SKIP = ("/logout", "/files/", "/static/", "/docs-assets/", ".csv", ".xlsx", ".json", "/letter.", "/packs/", "/similar")
ROLES = ("regulator", "investigator", "analyst", "admin", "jd_team")
LIMIT = 120  # pages per role: enough to reach every kind of page of the sample


class _Page(HTMLParser):
    """The page's visible text (no script, style or hidden input values) and its same-site links."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)
        title = dict(attrs).get("title")
        if title:
            self.text.append(title)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _walk(client, start: str = "/") -> dict[str, str]:
    """Visible text of every page reachable by links from `start` (same site, GET, HTML only)."""
    seen, texts, todo = {start}, {}, deque([start])
    while todo and len(texts) < LIMIT:
        path = todo.popleft()
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        parsed = _Page()
        parsed.feed(response.text)
        texts[path] = " ".join(parsed.text)
        for href in parsed.links:
            url = urlsplit(urljoin(path, href))
            if url.scheme or url.netloc:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target not in seen and not any(s in target for s in SKIP):
                seen.add(target)
                todo.append(target)
    return texts


@pytest.fixture(scope="module")
def sent(web_url, web_data, chromium):
    """A notice sent to jd and an evidence pack exported for a case, so their pages show their times."""
    investigator = login_client(web_url, "investigator")
    made = investigator.post("/cases", data={"title": "时间检查专案", "csrf_token": investigator.csrf})
    case = made.headers["location"]
    investigator.post(f"{case}/items", data={"listing": "jd:100231", "csrf_token": investigator.csrf})
    investigator.post(f"{case}/export", data={"csrf_token": investigator.csrf})
    wait_until(lambda: "pack-download" in investigator.get(case).text, timeout=120, what="the pack export")
    from alerts.notices import NoticeConfig, send_notice

    config = NoticeConfig(sender_org="某市消防救援支队", sender_contact="0571-00000000", legal_basis="依据测试法第一条",
                          reply_deadline_days=7, channel="电子邮件")
    at = datetime(2026, 12, 1, 17, 30, tzinfo=timezone.utc)  # 01:30 the next day in Beijing
    with open_store(web_data / "firewatch.db") as store:
        notice_id = store.notices.create_notice("jd", [("jd", "100232")], created_by="regulator")
        send_notice(store, notice_id, sent_by="regulator", out_dir=web_data / "exports" / "notices", config=config,
                    chromium=chromium, clock=lambda: at)
    return notice_id


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_no_page_shows_a_utc_or_unlabelled_time(web_url, sent, role):
    import httpx

    if role == "anonymous":  # the public pages: login and the tips channel
        texts = _walk(httpx.Client(base_url=web_url, timeout=60), "/tip")
        texts.update(_walk(httpx.Client(base_url=web_url, timeout=60), "/login"))
        assert {"/tip", "/login"} <= set(texts), texts.keys()
    else:
        texts = _walk(login_client(web_url, role))
        assert len(texts) >= 3, texts.keys()
    found = {path: sorted(set(ISO.findall(text) + CLOCK.findall(text))) for path, text in texts.items()}
    found = {path: hits for path, hits in found.items() if hits}
    assert found == {}, found


def test_a_notice_deadline_reads_the_same_on_both_pages(web_url, sent):
    jd = login_client(web_url, "jd_team")
    listing = jd.get("/platform/jd").text
    row = re.search(rf'<tr data-notice="{sent}">.*?</tr>', listing, re.S).group(0)
    on_list = re.search(r'<td class="deadline">([^<]*)</td>', row).group(1).strip()
    own = jd.get(f"/platform/jd/notices/{sent}").text
    on_page = re.search(r'<dd class="deadline">([^<]*)</dd>', own).group(1).strip()
    letter = jd.get(f"/platform/jd/notices/{sent}/letter.html").text
    in_letter = re.search(r"（即 ([^）]*?) 前）", letter).group(1).strip()
    assert on_list == on_page == in_letter == "2026-12-09 01:30 北京时间"
