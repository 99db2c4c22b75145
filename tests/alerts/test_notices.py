"""Takedown notices against a real SQLite store and real Chromium: letter, lifecycle, re-crawl checks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from alerts.exceptions import NoticeError
from alerts.notices import NoticeConfig, acknowledge_notice, create_notice, evaluate_notice, send_notice
from firewatch.core.datapaths import resolve_path  # paths are stored relative to the data folder
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.store import open_store
from tests.helpers import store_env

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
CONFIG = NoticeConfig(sender_org="某市消防救援支队", sender_contact="0571-00000000", legal_basis="依据测试法第一条",
                      reply_deadline_days=7, channel="测试通道")


def _add(store, platform, lid, title, verdict="confirm", at=T0):
    store.listings.upsert_listing(Listing(platform=platform, listing_id=lid, url=f"https://item.example/{lid}", title=title,
                                 price=Decimal("14.50"), shop_name="<b>店</b>"), observed_at=at)
    store.assessments.save_assessment(Assessment(platform=platform, listing_id=lid, category="portable_extinguisher",
                                     category_confidence=0.9, risk_score=0.9, flagged=True,
                                     reasons=[Reason("inspection_only", "审车专用")]))
    if verdict:
        store.reviews.record_decision(Decision(platform, lid, "alice", verdict, at=at))


@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    _add(s, "jd", "1", "<script>alert(1)</script>灭火器 审车专用")
    _add(s, "jd", "2", "=1+1 干粉灭火器")
    _add(s, "jd", "3", "未复核", verdict=None)
    _add(s, "taobao", "9", "淘宝灭火器")
    yield s
    s.close()


def test_create_takes_confirmed_listings_once(store):
    first = create_notice(store, "jd", created_by="wang")
    notice = store.notices.get_notice(first)
    assert notice.status == "draft" and notice.created_by == "wang"
    assert notice.listing_keys == [("jd", "1"), ("jd", "2")]
    assert create_notice(store, "jd") is None  # nothing new to notify
    _add(store, "jd", "4", "新确认")
    assert store.notices.get_notice(create_notice(store, "jd")).listing_keys == [("jd", "4")]
    assert store.notices.sent_notice_items() == []  # drafts are not sent
    with pytest.raises(ValueError):
        store.notices.create_notice("jd", [("taobao", "9")])


@pytest.mark.timeout(180)
def test_send_writes_letter_then_ack_then_removal_verified(store, tmp_path, chromium):
    notice_id = create_notice(store, "jd")
    sent_at = T0 + timedelta(days=1)
    notice = send_notice(store, notice_id, sent_by="wang", out_dir=tmp_path / "notices", config=CONFIG,
                         chromium=chromium, clock=lambda: sent_at)
    assert notice.status == "sent" and notice.sent_by == "wang" and notice.channel == "测试通道"
    assert notice.deadline_at == sent_at + timedelta(days=7)
    pdf = resolve_path(notice.pdf_path, store.data_dir).read_bytes()
    html = resolve_path(notice.html_path, store.data_dir).read_text(encoding="utf-8")
    assert pdf.startswith(b"%PDF") and b"NotoS" in pdf and b"CJK" in pdf
    assert "某市消防救援支队" in html and "依据测试法第一条" in html and "京东平台" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "&lt;b&gt;店" in html
    assert "以应付检查为目的销售" in html and "https://item.example/2" in html
    assert "https://item.example/3" not in html
    with pytest.raises(NoticeError, match="not a draft"):
        send_notice(store, notice_id, sent_by="x", out_dir=tmp_path, config=CONFIG, chromium=chromium)

    items = store.notices.sent_notice_items()
    assert items == [{"notice_id": notice_id, "platform": "jd", "listing_id": "1", "sent_at": sent_at},
                     {"notice_id": notice_id, "platform": "jd", "listing_id": "2", "sent_at": sent_at}]
    assert acknowledge_notice(store, notice_id, by="platform-desk", note="已受理",
                              clock=lambda: sent_at + timedelta(days=2)).status == "acknowledged"
    with pytest.raises(NoticeError):
        acknowledge_notice(store, notice_id, by="x")

    # a re-crawl sees listing 1 removed; listing 2 still online
    listing = store.listings.get_listing(("jd", "1"))
    listing.status = "removed"
    store.listings.upsert_listing(listing, observed_at=sent_at + timedelta(days=3))
    n = evaluate_notice(store, notice_id, now=sent_at + timedelta(days=3))
    assert n.status == "acknowledged" and set(n.removed) == {("jd", "1")}
    assert [i["listing_id"] for i in store.notices.sent_notice_items()] == ["2"]
    listing = store.listings.get_listing(("jd", "2"))
    listing.status = "removed"
    store.listings.upsert_listing(listing, observed_at=sent_at + timedelta(days=4))
    n = evaluate_notice(store, notice_id, now=sent_at + timedelta(days=30))
    assert n.status == "removal_verified" and n.removal_verified_at == sent_at + timedelta(days=4)
    assert store.notices.sent_notice_items() == []


def _sent(store, notice_id, at):
    assert store.notices.mark_notice_sent(notice_id, sent_by="wang", channel="c", at=at, deadline_at=at + timedelta(days=7),
                                  html_path="", pdf_path="", document_sha256="")


def test_overdue_when_deadline_passes_without_answer(store):
    notice_id = create_notice(store, "jd")
    _sent(store, notice_id, T0)
    assert evaluate_notice(store, notice_id, now=T0 + timedelta(days=6)).status == "sent"
    n = evaluate_notice(store, notice_id, now=T0 + timedelta(days=8))
    assert n.status == "overdue" and n.checked_at == T0 + timedelta(days=8)
    assert {i["listing_id"] for i in store.notices.sent_notice_items()} == {"1", "2"}  # still open
    assert acknowledge_notice(store, notice_id, by="late").status == "acknowledged"


def _crawl(store, platform, day, **counts):
    run = store.listings.start_crawl_run(platform)
    store.listings.finish_crawl_run(run, "finished", pages=10, items=5, **counts)
    store._db.execute("UPDATE crawl_runs SET started_at=?, ended_at=? WHERE id=?",
                      ((T0 + timedelta(days=day)).isoformat(), (T0 + timedelta(days=day, hours=1)).isoformat(), run))
    return run


def test_only_the_listings_own_page_fetched_again_proves_removal(store):
    """A crawl searches some keywords and pages: one that did not see a noticed listing is a reason to
    fetch its page again, not proof it is gone (it used to count as removal, and recorded listings still
    on sale as removed). Removal counts when that page, fetched after the notice, says 下架."""
    notice_id = create_notice(store, "jd")
    _sent(store, notice_id, T0 + timedelta(days=1))
    listing = store.listings.get_listing(("jd", "1"))  # listed removed, but seen so only before the notice
    store._db.execute("UPDATE listings SET status='removed' WHERE listing_id='1'")
    assert evaluate_notice(store, notice_id, now=T0 + timedelta(days=2)).removed == {}
    assert store.queue.pending("fetch") == []
    _crawl(store, "jd", 2, blocks=3)  # a blocked crawl is no reason to look
    assert evaluate_notice(store, notice_id, now=T0 + timedelta(days=3)).removed == {}
    assert store.queue.pending("fetch") == []
    _crawl(store, "jd", 3)  # a clean crawl that did not see them: their pages are queued, nothing is removed
    n = evaluate_notice(store, notice_id, now=T0 + timedelta(days=4))
    assert n.removed == {} and n.status == "sent"
    assert set(store.queue.pending("fetch")) == {("jd", "1"), ("jd", "2")}
    store._db.execute("UPDATE queue SET attempts=2 WHERE listing_id='2'")  # a re-check that keeps failing
    evaluate_notice(store, notice_id, now=T0 + timedelta(days=4, hours=1))  # is not reset by the next evaluation
    assert store._db.execute("SELECT attempts FROM queue WHERE listing_id='2'").fetchone()[0] == 2
    store._db.execute("UPDATE queue SET attempts=3 WHERE listing_id='2'")  # given up (a captcha, a 404 ...)
    _crawl(store, "jd", 4)
    evaluate_notice(store, notice_id, now=T0 + timedelta(days=4, hours=2))  # another clean miss: tried again
    assert store._db.execute("SELECT attempts FROM queue WHERE listing_id='2'").fetchone()[0] == 0
    # the re-fetched pages: listing 1 says 下架, listing 2 is still on sale
    gone, online = T0 + timedelta(days=4, hours=3), T0 + timedelta(days=4, hours=4)
    store.listings.upsert_listing(Listing(platform="jd", listing_id="1", url="https://item.example/1", title="x",
                                          status="removed"), observed_at=gone)
    store.listings.upsert_listing(Listing(platform="jd", listing_id="2", url="https://item.example/2", title="=1+1 干粉灭火器",
                                          price=Decimal("14.50")), observed_at=online)
    n = evaluate_notice(store, notice_id, now=T0 + timedelta(days=5))
    assert set(n.removed) == {("jd", "1")} and n.removed[("jd", "1")] == gone and n.status == "sent"
    assert store.notices.notice_item_bases(notice_id)[("jd", "1")] == "重新抓取：商品页面显示已下架"
    assert listing.last_seen == T0


@pytest.mark.timeout(300)
def test_notice_commands(store, store_url, tmp_path, chromium, run_firewatch):
    data = tmp_path / "data"
    data.mkdir()
    store.close()

    def run(*args):  # the store the fixture filled, named as a deployment names it
        return run_firewatch("notice", *args, data_dir=data, env=store_env(store_url))

    created = run("create", "--platform", "taobao", "--by", "wang")
    assert created.returncode == 0 and "draft notice 1" in created.stdout, created.stderr
    sent = run("send", "1", "--by", "wang")
    assert sent.returncode == 0, sent.stderr
    pdf = data / "exports" / "notices" / "notice-taobao-00001.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    again = run("send", "1")
    assert again.returncode != 0 and "not a draft" in again.stdout + again.stderr
    assert run("ack", "1", "--note", "收到").returncode == 0
    status = run("status")
    assert status.returncode == 0 and "acknowledged" in status.stdout and "still online" in status.stdout
    listed = run("list")
    assert listed.returncode == 0 and "taobao" in listed.stdout


def test_two_sends_at_once_keep_the_recorded_letter(store, store_url, tmp_path, chromium):
    """A second `notice send` that starts while the first is rendering loses the draft -> sent
    race and must not overwrite the letter whose SHA-256 the winner recorded."""
    import hashlib

    notice_id = create_notice(store, "jd")
    out = tmp_path / "notices"
    other = open_store(store_url)

    def slow_clock():  # the first send reads the clock, then the second runs to the end
        send_notice(other, notice_id, sent_by="li", out_dir=out, config=CONFIG, chromium=chromium,
                    clock=lambda: T0 + timedelta(hours=1))
        return T0

    with pytest.raises(NoticeError, match="changed while it was being sent"):
        send_notice(store, notice_id, sent_by="wang", out_dir=out, config=CONFIG, chromium=chromium,
                    clock=slow_clock)
    other.close()
    notice = store.notices.get_notice(notice_id)
    assert notice.sent_by == "li"
    assert hashlib.sha256(resolve_path(notice.pdf_path, store.data_dir).read_bytes()).hexdigest() == notice.document_sha256
    assert sorted(p.name for p in out.iterdir()) == ["notice-jd-00001.html", "notice-jd-00001.pdf"]
