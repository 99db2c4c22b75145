"""A full day of triage in a real Chromium (issue 15), on SQLite and PostgreSQL: paging after
keyboard triage, feedback and undo after a mouse decision, bulk and whole-shop decisions
(one audit entry per listing; a row re-scored after the page loaded is left out and linked), claims seen from two reviewers' browsers, the priority help
line and the region / price / date filters with Chinese date inputs.

Each test gets its own store and server (a store_url per engine): 130 flagged listings that
all score 0.99, so only the documented priority (reasons, exposure) orders them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from firewatch.core.browser import gate
from firewatch.core.labels import PLATFORM_NAMES
from firewatch.core.models import Assessment, Listing, Reason
from firewatch.store import open_store
from firewatch.web.queries import QueueFilters, queue_page
from tests.helpers import PASSWORD, browser_login, seen_assessment

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)
CODES = ("inspection_only", "no_certification", "price_too_low", "prop_or_display", "refurbished")
REGIONS = ({"item_loc": "浙江 金华"}, {"province": "广东"}, {})
SHOP = "批量处理测试店"


def build(store_url: str) -> None:
    from firewatch.web.security import hash_password

    with open_store(store_url) as s:
        for i in range(130):
            platform = ("jd", "taobao", "pdd")[i % 3]
            shop = SHOP if i % 10 == 7 else f"店铺{i % 9}"
            s.listings.upsert_listing(Listing(platform, f"{9000 + i}", url=f"https://item.example.com/{i}",
                                              title=f"工作台测试 灭火器 第{i}件", price=Decimal(5 + i % 40),
                                              sales=(None, 3, 40, 700)[i % 4], shop_name=shop, shop_id=f"sid{shop}",
                                              attributes=REGIONS[i % 3]), observed_at=T0 + timedelta(days=i % 12))
            s.assessments.save_assessment(Assessment(platform, f"{9000 + i}", "portable_extinguisher", 0.9, 0.99, True,
                                                     [Reason(CODES[i % 5], "年检专用")], {}, {},
                                                     T0 + timedelta(days=i % 12, hours=20)))
        pw = hash_password(PASSWORD)
        for name in ("regulator", "regulator2"):
            s.users.add_user(name, "regulator", pw)


@pytest.fixture()
def site(store_url, tmp_path):
    from firewatch.web import create_app
    from firewatch.web.config import WebConfig
    from firewatch.web.serving import AppServer

    build(store_url)
    pg = "://" in store_url
    server = AppServer(create_app(WebConfig(store_path=tmp_path / "firewatch.db" if pg else Path(store_url),
                                            store_url=store_url if pg else "",
                                            evidence_dir=tmp_path / "evidence", export_dir=tmp_path / "exports",
                                            search_path=tmp_path / "search.db")))
    url = server.start()
    yield url, store_url
    server.stop()


def new_page(browser, base: str):
    context = browser.new_context(locale="en-US", viewport={"width": 1500, "height": 900})  # not zh-CN: the page must be
    context.set_default_timeout(15000)                                                      # Chinese by itself
    context.route("**/*", gate([urlsplit(base).netloc]))
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.base = base.rstrip("/")
    return page


def queue_as_regulator(browser, base: str):
    """A regulator's page on the queue, its script ready."""
    page = new_page(browser, base)
    browser_login(page, "regulator")
    page.goto(page.base + "/queue")
    expect(page.locator("#queue[data-ready='1']")).to_have_count(1)
    return page


def keys_shown(page) -> list[str]:
    return page.locator("#queue tbody tr[data-key]").evaluate_all("rows => rows.map(r => r.dataset.key)")


def test_triaging_page_one_by_keyboard_then_next_page_shows_the_next_fifty(browser, site):
    base, store_url = site
    page = queue_as_regulator(browser, base)
    rows = page.locator("#queue tbody tr[data-key]")
    expect(rows).to_have_count(50)
    first = keys_shown(page)
    for i in range(50):
        page.keyboard.press("d")
        expect(rows.nth(i)).to_have_class("done")
    expect(page.locator("#queue tbody tr.done")).to_have_count(50)
    with open_store(store_url) as s:
        assert all(s.reviews.latest_decision(tuple(k.split(":"))).verdict == "dismiss" for k in first)
        following = [f"{r.key[0]}:{r.key[1]}" for r in queue_page(s, QueueFilters(), size=50).rows]
    assert len(following) == 50 and not set(following) & set(first)
    page.click("#next-page")
    expect(rows).to_have_count(50)
    assert keys_shown(page) == following  # the next 50 untriaged, none skipped
    page.context.close()


def test_a_mouse_decision_shows_its_verdict_with_undo_and_moves_on(browser, site):
    base, store_url = site
    page = queue_as_regulator(browser, base)
    rows = page.locator("#queue tbody tr[data-key]")
    key = tuple(rows.nth(0).get_attribute("data-key").split(":"))
    rows.nth(0).locator("button.dismiss").click()
    expect(rows.nth(0).locator(".verdict")).to_contain_text("已排除")
    expect(rows.nth(0)).to_have_class("done")
    expect(rows.nth(1)).to_be_focused()
    expect(rows.nth(1)).to_have_class("sel")
    assert page.url == page.base + "/queue"  # stayed on the page
    rows.nth(2).locator("button.confirm").click()
    expect(rows.nth(2).locator(".verdict")).to_contain_text("已确认")
    with open_store(store_url) as s:
        assert s.reviews.latest_decision(key).verdict == "dismiss"
    expect(page.locator("button.undo-one")).to_have_count(1)  # only the last decision can be undone
    rows.nth(2).locator("button.undo-one").click()
    expect(rows.nth(2)).not_to_have_class("done")
    expect(rows.nth(2).locator(".verdict")).to_have_text("")
    expect(rows.nth(0).locator("button.undo-one")).to_have_count(1)  # now the one before can be
    page.keyboard.press("z")
    expect(rows.nth(0)).not_to_have_class("done")
    with open_store(store_url) as s:
        assert s.reviews.latest_decision(key) is None
        undo = s.users.audit_entries(subject=f"{key[0]}:{key[1]}", action="decision_undo")
        assert len(undo) == 1 and undo[0]["detail"]["verdict"] == "dismiss" and undo[0]["actor"] == "regulator"
    page.reload()
    expect(rows).to_have_count(50)  # both back in the queue
    assert page.dialogs == []
    page.context.close()


def test_bulk_selection_with_shift_and_one_note(browser, site):
    base, store_url = site
    page = queue_as_regulator(browser, base)
    picks = page.locator("#queue tbody input.pick")
    picks.nth(1).click()
    picks.nth(5).click(modifiers=["Shift"])
    expect(page.locator("#bulk-count")).to_have_text("5")
    chosen = [tuple(k.split(":")) for k in keys_shown(page)[1:6]]
    page.fill("#bulk-note", "同批次假冒 批量排除")
    page.click("#bulk-dismiss")
    expect(page.locator("#bulk-done")).to_contain_text("已批量处理 5 条")
    with open_store(store_url) as s:
        got = [s.reviews.latest_decision(k) for k in chosen]
        assert [(d.verdict, d.note, d.reviewer) for d in got] == [("dismiss", "同批次假冒 批量排除", "regulator")] * 5
        for k in chosen:
            audit = s.users.audit_entries(subject=f"{k[0]}:{k[1]}", action="decision")
            assert len(audit) == 1 and audit[0]["detail"]["bulk"] == "selected"
    page.check("#select-page")
    expect(page.locator("#bulk-count")).to_have_text("50")
    page.uncheck("#select-page")
    expect(page.locator("#bulk-count")).to_have_text("0")
    page.context.close()


def test_a_bulk_decision_in_the_browser_leaves_out_a_row_rescored_after_the_page_loaded(browser, site):
    base, store_url = site
    page = queue_as_regulator(browser, base)
    picks = page.locator("#queue tbody input.pick")
    for i in range(3):
        picks.nth(i).click()
    expect(page.locator("#bulk-count")).to_have_text("3")
    chosen = [tuple(k.split(":")) for k in keys_shown(page)[:3]]
    moved = chosen[1]
    with open_store(store_url) as s:  # the pipeline scores it again while the page is open
        old = s.assessments.get_assessment(moved)
        s.assessments.save_assessment(Assessment(*moved, "portable_extinguisher", 0.9, 0.99, True,
                                                 [Reason("fake_certificate", "证书编号不存在")], {}, {},
                                                 old.assessed_at + timedelta(hours=1)))
    page.click("#bulk-dismiss")
    expect(page.locator("#bulk-done")).to_contain_text("已批量处理 2 条")
    expect(page.locator("#bulk-done")).to_contain_text("另有 1 条在页面显示后已重新评估")
    link = page.locator("#bulk-rescored a")
    expect(link).to_have_count(1)
    expect(link).to_have_text(f"{PLATFORM_NAMES[moved[0]]} {moved[1]}")
    with open_store(store_url) as s:
        assert [s.reviews.latest_decision(k) is None for k in chosen] == [False, True, False]
    link.click()  # the reviewer looks at the new assessment before deciding
    expect(page).to_have_url(f"{page.base}/listings/{moved[0]}/{moved[1]}?state=pending")
    expect(page.locator("body")).to_contain_text("证书编号不存在")
    assert page.dialogs == []
    page.context.close()


def test_all_listings_of_one_shop_after_a_count_and_a_confirmation(browser, site):
    base, store_url = site
    page = new_page(browser, base)
    browser_login(page, "regulator")
    page.goto(page.base + "/queue?shop=" + SHOP)  # the filter finds the name on every platform (13 rows) ...
    expect(page.locator("#queue tbody tr[data-key]")).to_have_count(13)
    expect(page.locator("#shop-action-hint")).to_contain_text("请同时选择平台")  # ... the action wants one shop
    expect(page.locator("#shop-action")).to_have_count(0)
    page.goto(page.base + "/queue?platform=jd&shop=" + SHOP)
    expect(page.locator("#queue tbody tr[data-key]")).to_have_count(4)
    page.fill("#shop-action input[name=note]", "同一店铺")
    page.click("#shop-action button[value=confirm]")
    expect(page.locator("#shop-count")).to_contain_text("4")
    expect(page.locator("#shop-list tbody tr")).to_have_count(1)
    expect(page.locator("#shop-list")).to_contain_text("sid" + SHOP)
    with open_store(store_url) as s:
        assert s.reviews.confirmed_count("jd") == 0  # nothing decided before the confirmation
    page.click("#shop-confirm button[type=submit]")
    expect(page.locator("#bulk-done")).to_contain_text("已批量处理 4 条")
    expect(page.locator("#queue tbody tr[data-key]")).to_have_count(0)
    with open_store(store_url) as s:
        shop_keys = [("jd", f"{9000 + i}") for i in range(130) if i % 10 == 7 and i % 3 == 0]
        others = [(("jd", "taobao", "pdd")[i % 3], f"{9000 + i}") for i in range(130) if i % 10 == 7 and i % 3]
        assert all(s.reviews.latest_decision(k).verdict == "confirm" for k in shop_keys)
        assert all(s.reviews.latest_decision(k) is None for k in others)  # the same name on other platforms
        audits = [s.users.audit_entries(subject=f"{k[0]}:{k[1]}", action="decision") for k in shop_keys]
        assert all(len(a) == 1 and a[0]["detail"]["bulk"] == "shop" and a[0]["detail"]["note"] == "同一店铺" for a in audits)
    page.context.close()


def test_two_reviewers_never_get_the_same_rows(browser, site):
    base, store_url = site
    alice, bob = new_page(browser, base), new_page(browser, base)
    browser_login(alice, "regulator")
    alice.goto(alice.base + "/queue")
    expect(alice.locator("#queue tbody tr[data-key]")).to_have_count(50)
    browser_login(bob, "regulator2")
    bob.goto(bob.base + "/queue")
    expect(bob.locator("#queue tbody tr[data-key]")).to_have_count(50)
    mine, theirs = keys_shown(alice), keys_shown(bob)
    assert not set(mine) & set(theirs)
    bob.goto(bob.base + "/queue?after=")  # bob's next look skips alice's rows too
    assert not set(keys_shown(bob)) & set(mine)
    # bob deciding on one of alice's rows is refused, in Chinese, and nothing is written
    platform, lid = mine[0].split(":")
    csrf = bob.locator('meta[name="csrf-token"]').get_attribute("content")
    answer = bob.request.post(f"{bob.base}/listings/{platform}/{lid}/decision",
                              form={"verdict": "confirm", "csrf_token": csrf,
                                    "assessed_at": seen_assessment(store_url, (platform, lid))},
                              headers={"Accept": "application/json", "X-CSRF-Token": csrf})
    assert answer.status == 409 and "正由审核员 regulator 处理" in answer.json()["error"]
    with open_store(store_url) as s:
        assert s.reviews.latest_decision((platform, lid)) is None
    # alice decides it with the mouse: hers to decide
    alice.locator("#queue tbody tr[data-key]").nth(0).locator("button.confirm").click()
    expect(alice.locator("#queue tbody tr[data-key]").nth(0).locator(".verdict")).to_contain_text("已确认")
    alice.context.close()
    bob.context.close()


def test_priority_help_and_filters_with_chinese_dates(browser, site):
    base, store_url = site
    page = new_page(browser, base)
    browser_login(page, "regulator")
    page.goto(page.base + "/queue")
    expect(page.locator("#priority-help")).to_contain_text("优先级 = 40×风险概率 + 6×原因严重度")
    shown = [float(t) for t in page.locator("#queue tbody td.priority").all_inner_texts()]
    assert len(shown) == 50 and shown == sorted(shown, reverse=True) and len(set(shown)) > 3  # equal scores, spread
    assert shown[0] == pytest.approx(40 * 0.99 + 6 * 5 + 6 * 3, abs=0.05)  # inspection_only, 700 sold
    since = page.locator("input[name=since]")
    assert since.get_attribute("type") == "text" and since.get_attribute("placeholder") == "年-月-日"
    assert page.locator("form.filters").get_attribute("lang") == "zh-CN"
    page.select_option("select[name=region]", "浙江")
    page.fill("input[name=price_min]", "10")
    page.fill("input[name=price_max]", "30")
    page.fill("input[name=flagged_since]", "2026-11-05")
    page.fill("input[name=flagged_until]", "2026-11-09")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(f"{page.base}/queue?platform=&category=&reason=&shop=&region=%E6%B5%99%E6%B1%9F&price_min=10"
                             "&price_max=30&since=&until=&flagged_since=2026-11-05&flagged_until=2026-11-09&state=pending")
    # the listings made above that match: Zhejiang (i % 3 == 0), 10..30 yuan, flagged (Beijing) 5..9 Nov
    expected = set()
    for i in range(130):
        flagged_day = (T0 + timedelta(days=i % 12, hours=20 + 8)).date().isoformat()
        if i % 3 == 0 and 10 <= 5 + i % 40 <= 30 and "2026-11-05" <= flagged_day <= "2026-11-09":
            expected.add(f"{('jd', 'taobao', 'pdd')[i % 3]}:{9000 + i}")
    assert expected and set(keys_shown(page)) == expected
    expect(page.locator("input[name=flagged_since]")).to_have_value("2026-11-05")
    bad = page.goto(page.base + "/queue?since=11/05/2026")
    assert bad.status == 400
    expect(page.locator("body")).to_contain_text("日期格式应为 年-月-日")
    bad = page.goto(page.base + "/queue?price_min=abc")
    assert bad.status == 400
    expect(page.locator("body")).to_contain_text("价格应为不小于 0 的金额")
    page.context.close()
