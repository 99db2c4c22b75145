"""The public tip page in a real Chromium (Debian's, through Playwright) against the shared
server: no login, the page's own script solves the proof of work, a photo with a GPS block
is uploaded, the receipt page shows 已收到; once the listing is assessed it shows 审核中; a
regulator sees the tip (payloads inert) on the listing page and confirms it in the browser,
and the receipt page then shows 已确认."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect

from firewatch.core.models import Assessment
from firewatch.store import open_store
from tests.builders import PAYLOADS, gps_jpeg
from tests.helpers import browser_login

KEY = ("jd", "100077770001")




def test_a_tip_from_the_page_to_a_confirmation(page, web_data, web_settings):
    text = f"年检专用，无3C {PAYLOADS[0]} {PAYLOADS[1]}"
    page.goto(page.base + "/tip")
    expect(page.locator("header nav")).to_have_count(0)  # a public page: no login, no menu
    page.fill("#tip-url", f"https://item.jd.com/{KEY[1]}.html")
    page.fill("#tip-text", text)
    page.fill("#tip-contact", "浏览器举报人 13700000000")
    page.set_input_files("#tip-photos", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": gps_jpeg("BrowserTipCamera", (64, 48))}])
    with page.expect_navigation(url=re.compile(r"/tip/[A-Z0-9]{16}\?new=1$")):
        page.click("#tip-submit")
    receipt = page.locator("#tip-receipt").inner_text()
    expect(page.locator("#tip-thanks")).to_be_visible()
    expect(page.locator("#tip-state")).to_have_text("已收到")
    expect(page.locator("body")).not_to_contain_text("13700000000")
    expect(page.locator("#tip-offplatform")).to_have_count(0)

    with open_store(web_data / "firewatch.db") as store:
        tip = store.tips.get_tip(receipt)
        assert tip.key == KEY and tip.text == text and tip.contact == "浏览器举报人 13700000000"
        stored = (web_settings.tips_dir / tip.photos[0]["path"]).read_bytes()
        assert not Image.open(io.BytesIO(stored)).getexif() and b"BrowserTipCamera" not in stored
        assert store.queue.pending("fetch", limit=None).count(KEY) == 1  # the next `firewatch process` fetches it
        # what the score stage saves once the page is fetched: the tip is now under review
        store.assessments.save_assessment(Assessment(*KEY, "portable_extinguisher", 0.9, 0.42, False, []))
    page.reload()
    expect(page.locator("#tip-state")).to_have_text("审核中")

    browser_login(page, "regulator")
    page.goto(page.base + f"/listings/{KEY[0]}/{KEY[1]}")
    tips = page.locator("#listing-tips")
    expect(tips).to_contain_text(PAYLOADS[0])  # shown as text, not markup
    expect(tips).to_contain_text(receipt)
    expect(tips).not_to_contain_text("13700000000")  # contacts are for admins
    assert tips.locator("img[src^='/tips/photos/']").evaluate("img => img.complete && img.naturalWidth") == 64
    assert page.locator("#listing-tips img[src=x]").count() == 0
    with page.expect_navigation():
        page.click("#decide button.confirm")
    page.goto(page.base + f"/tip/{receipt}")
    expect(page.locator("#tip-state")).to_have_text("已确认")
    assert page.dialogs == [] and page.blocked == []
