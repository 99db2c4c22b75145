"""The review pages after review (issue 15 findings 6, 7, 8, 11), over real HTTP on SQLite and
PostgreSQL: the whole-shop action takes one exact shop and confirms a digest of the listed set;
撤销 after a bulk action takes back the batch; undo refused after its window or once a notice went
out; the listing page claims only pending rows; the JSON queue leaves out rows others hold. Bulk and
whole-shop decisions are taken on the assessments the reviewer saw (issue 17): a row re-scored since
the queue page is left undecided and named, a re-score after the shop confirmation asks again. A row
posted without the assessment time its page showed (a bulk key with no `seen`, a single decision or an
API decision with no `assessed_at`) is not decided blind: held back, named in Chinese (刷新页面后重新提交)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from firewatch.core.models import Assessment, Decision, Listing, Reason, utcnow
from firewatch.store import open_store
from tests.helpers import PASSWORD, login_client

SHOPS = [("jd", "1", "s1", "安全消防旗舰店"), ("jd", "2", "s2", "安全消防旗舰店"), ("jd", "3", "s3", "安全消防旗舰店分店"),
         ("taobao", "4", "s4", "正品安全消防旗舰店二号"), ("pdd", "5", "s5", "安全消防旗舰店"), ("jd", "6", "s1", "安全消防旗舰店")]


def add(s, platform, lid, shop_id, shop):
    s.listings.upsert_listing(Listing(platform, lid, url=f"https://x/{lid}", title=f"灭火器 {lid}", price=Decimal("30"),
                                      shop_id=shop_id, shop_name=shop))
    s.assessments.save_assessment(Assessment(platform, lid, "portable_extinguisher", 0.9, 0.95, True,
                                             [Reason("no_certification", "无3C")]))


@pytest.fixture()
def site(store_url, tmp_path):
    from firewatch.web import create_app
    from firewatch.web.config import WebConfig
    from firewatch.web.security import hash_password
    from firewatch.web.serving import AppServer

    with open_store(store_url) as s:
        for row in SHOPS:
            add(s, *row)
        for name in ("regulator", "regulator2"):
            s.users.add_user(name, "regulator", hash_password(PASSWORD))
    pg = "://" in store_url
    server = AppServer(create_app(WebConfig(store_path=tmp_path / "firewatch.db" if pg else Path(store_url),
                                            store_url=store_url if pg else "", evidence_dir=tmp_path / "evidence",
                                            export_dir=tmp_path / "exports", search_path=tmp_path / "search.db")))
    url = server.start()
    clients = []

    def client(name="regulator"):
        clients.append(login_client(url, name))
        return clients[-1]

    yield client, store_url
    for c in clients:
        c.close()
    server.stop()


def release_all(store_url, reviewer="regulator"):
    """Give back the claims the reviewer's first page (after login) took."""
    with open_store(store_url) as s:
        s.reviews.release([(p, lid) for p, lid, _, _ in SHOPS], reviewer)


def verdicts(store_url) -> dict[str, str]:
    with open_store(store_url) as s:
        out = {}
        for platform, lid, _, _ in SHOPS:
            d = s.reviews.latest_decision((platform, lid))
            out[f"{platform}:{lid}"] = d.verdict if d else "pending"
        return out


def test_the_whole_shop_action_takes_one_exact_shop_and_confirms_the_listed_set(site):
    client, store_url = site
    c = client()
    form = {"csrf_token": c.csrf, "verdict": "confirm", "note": "同一店铺"}
    refused = c.post("/queue/shop", params={"shop": "安全消防旗舰店"}, data=form)  # no platform: not one shop
    assert refused.status_code == 400 and "请先选择平台" in refused.text
    assert set(verdicts(store_url).values()) == {"pending"}

    shown = c.post("/queue/shop", params={"platform": "jd", "shop": "安全消防旗舰店"}, data=form)
    assert shown.status_code == 200
    listed = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td><td>(\d+)</td></tr>", shown.text)
    assert sorted(listed) == [("s1", "安全消防旗舰店", "2"), ("s2", "安全消防旗舰店", "1")]  # not 分店, not taobao/pdd
    assert "shops-several" in shown.text
    digest = re.search(r'name="expected" value="([0-9a-f]{64})"', shown.text).group(1)

    # the old confirmation (a count) decides nothing
    again = c.post("/queue/shop", params={"platform": "jd", "shop": "安全消防旗舰店"}, data={**form, "expected": "3"})
    assert again.status_code == 200 and "count-changed" in again.text
    assert set(verdicts(store_url).values()) == {"pending"}

    # the set changes after the page was shown (same count: one in, one out): shown again, nothing decided
    release_all(store_url)
    with open_store(store_url) as s:
        add(s, "jd", "7", "s2", "安全消防旗舰店")
        s.reviews.record_decision(Decision("jd", "6", "regulator2", "dismiss"))
    changed = c.post("/queue/shop", params={"platform": "jd", "shop": "安全消防旗舰店"}, data={**form, "expected": digest})
    assert changed.status_code == 200 and "count-changed" in changed.text
    assert verdicts(store_url)["jd:1"] == "pending"

    digest = re.search(r'name="expected" value="([0-9a-f]{64})"', changed.text).group(1)
    done = c.post("/queue/shop", params={"platform": "jd", "shop": "安全消防旗舰店"}, data={**form, "expected": digest})
    assert done.status_code == 303
    assert verdicts(store_url) == {"jd:1": "confirm", "jd:2": "confirm", "jd:3": "pending", "taobao:4": "pending",
                                   "pdd:5": "pending", "jd:6": "dismiss"}
    with open_store(store_url) as s:
        assert s.reviews.latest_decision(("jd", "7")).verdict == "confirm"


def test_undo_after_a_bulk_action_takes_back_the_whole_batch(site):
    client, store_url = site
    c = client()
    seen = seen_on(c.get("/queue").text)
    r = c.post("/queue/bulk", data={"csrf_token": c.csrf, "verdict": "dismiss", "key": ["jd:1", "jd:2", "taobao:4"],
                                    "seen": [seen[k] for k in ("jd:1", "jd:2", "taobao:4")]})
    assert r.status_code == 303
    page = c.get("/queue", params={"state": "all"}).text
    assert "撤销上一次批量处理（共 3 条）" in page
    decision_id = re.search(r'name="decision_id" value="(\d+)"', page).group(1)
    undone = c.post("/decisions/undo", data={"csrf_token": c.csrf, "decision_id": decision_id},
                    headers={"Accept": "application/json"})
    assert undone.status_code == 200 and undone.json()["count"] == 3
    assert set(verdicts(store_url).values()) == {"pending"}
    with open_store(store_url) as s:
        assert len(s.users.audit_entries(action="decision_undo")) == 3


def test_undo_is_refused_once_a_notice_went_out_or_after_the_window(site):
    client, store_url = site
    c = client()
    with open_store(store_url) as s:
        s.reviews.record_decision(Decision("jd", "1", "regulator", "confirm"))
        nid = s.notices.create_notice("jd", [("jd", "1")], created_by="regulator")
        s.notices.mark_notice_sent(nid, at=utcnow(), sent_by="regulator", channel="email",
                                   deadline_at=utcnow() + timedelta(days=3), html_path="", pdf_path="", document_sha256="x")
    r = c.post("/decisions/undo", data={"csrf_token": c.csrf})
    assert r.status_code == 409 and "已发出的下架通知" in r.text
    with open_store(store_url) as s:  # the default window is the claim time (10 minutes)
        s.reviews.record_decision(Decision("jd", "2", "regulator", "confirm", at=utcnow() - timedelta(minutes=11)))
    r = c.post("/decisions/undo", data={"csrf_token": c.csrf})
    assert r.status_code == 409 and "超过 10 分钟" in r.text
    assert verdicts(store_url)["jd:1"] == "confirm" and verdicts(store_url)["jd:2"] == "confirm"


def test_the_listing_page_claims_only_pending_rows(site):
    client, store_url = site
    c = client()
    release_all(store_url)
    with open_store(store_url) as s:
        s.reviews.record_decision(Decision("jd", "1", "regulator2", "dismiss"))
    assert c.get("/listings/jd/1").status_code == 200
    assert c.get("/listings/jd/2").status_code == 200
    with open_store(store_url) as s:
        assert s.reviews.claim_holder(("jd", "1"), "someone") is None  # decided: nobody's to claim
        assert s.reviews.claim_holder(("jd", "2"), "someone") == "regulator"


def test_the_json_queue_leaves_out_rows_another_reviewer_holds(site):
    client, store_url = site
    with open_store(store_url) as s:
        s.reviews.claim([("jd", "1"), ("pdd", "5")], "regulator2", 10)
    items = client().get("/api/v1/queue").json()["items"]
    keys = {f"{i['listing']['platform']}:{i['listing']['listing_id']}" for i in items}
    assert keys == {"jd:2", "jd:3", "taobao:4", "jd:6"}


def test_the_undo_window_is_the_setting_or_else_the_claim_time(tmp_path):
    from firewatch.core.settings import load_settings
    from firewatch.web.config import WebConfig

    base = dict(store_path=tmp_path / "fw.db", evidence_dir=tmp_path, export_dir=tmp_path)
    assert WebConfig(**base, claim_minutes=7).undo_window == 7
    assert WebConfig(**base, claim_minutes=7, undo_minutes=30).undo_window == 30
    toml = tmp_path / "fw.toml"
    toml.write_text("[web]\nclaim_minutes = 5\nundo_minutes = 45\n", encoding="utf-8")
    assert WebConfig.from_settings(load_settings(toml, env={})).undo_window == 45


def rescore(store_url, platform: str, lid: str, reason: str = "fake_certificate") -> None:
    """The pipeline scores the listing again (a new model): another assessment, another time."""
    with open_store(store_url) as s:
        s.assessments.save_assessment(Assessment(platform, lid, "portable_extinguisher", 0.9, 0.97, True,
                                                 [Reason(reason, "证书编号不存在")]))


def seen_on(page: str) -> dict[str, str]:
    """What the queue page's bulk form carries per row: {"platform:id": "platform:id|assessment time"}."""
    values = [html.unescape(v) for v in re.findall(r'name="seen" form="bulk" value="([^"]*)"', page)]
    return {v.rpartition("|")[0]: v for v in values}


def test_a_bulk_decision_leaves_out_rows_rescored_since_the_queue_page_and_names_them(site):
    client, store_url = site
    c = client()
    page = c.get("/queue").text
    seen = seen_on(page)
    with open_store(store_url) as s:
        shown = s.assessments.get_assessment(("jd", "1")).assessed_at
    assert seen["jd:1"] == f"jd:1|{shown.isoformat()}" and len(seen) == len(SHOPS)  # each row: what it showed
    rescore(store_url, "jd", "2")  # after the page was rendered
    form = {"csrf_token": c.csrf, "verdict": "dismiss", "key": ["jd:1", "jd:2"], "seen": list(seen.values())}
    r = c.post("/queue/bulk", data=form, headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.json() == {"ok": True, "verdict": "dismiss", "decided": 1, "held": [], "rescored": ["jd:2"], "unseen": []}
    assert verdicts(store_url)["jd:1"] == "dismiss" and verdicts(store_url)["jd:2"] == "pending"

    # the plain form: back to the queue, which counts and links what it left undecided
    rescore(store_url, "jd", "3")
    form = {**form, "key": ["jd:3", "taobao:4"]}
    r = c.post("/queue/bulk", data=form, follow_redirects=True)
    assert r.status_code == 200
    done = re.search(r'<p class="flash" id="bulk-done">(.*?)</p>', r.text, re.S).group(1)
    assert "已批量处理 1 条" in done and "另有 1 条在页面显示后已重新评估" in done and "未作结论" in done
    assert 'href="/listings/jd/3?state=pending"' in done and "/listings/jd/2" not in done
    assert verdicts(store_url)["jd:3"] == "pending" and verdicts(store_url)["taobao:4"] == "dismiss"
    with open_store(store_url) as s:  # nothing audited for the rows left out
        assert s.users.audit_entries(subject="jd:3", action="decision") == []
    # the row shown again carries the new assessment, and a decision on it now goes through
    fresh = seen_on(c.get("/queue").text)["jd:3"]
    assert fresh != seen["jd:3"]
    r = c.post("/queue/bulk", data={**form, "key": ["jd:3"], "seen": [fresh]}, headers={"Accept": "application/json"})
    assert r.json()["decided"] == 1 and r.json()["rescored"] == []
    bad = c.post("/queue/bulk", data={**form, "seen": ["jd:3|昨天"]})
    assert bad.status_code == 400 and "无效的评估时间" in bad.text


def test_a_rescore_after_the_shop_confirmation_page_asks_again(site):
    client, store_url = site
    c = client()
    form = {"csrf_token": c.csrf, "verdict": "confirm", "note": "同一店铺"}
    where = {"platform": "jd", "shop": "安全消防旗舰店"}
    shown = c.post("/queue/shop", params=where, data=form)
    digest = re.search(r'name="expected" value="([0-9a-f]{64})"', shown.text).group(1)
    rescore(store_url, "jd", "2")  # the same set of listings, one assessed anew after the page
    again = c.post("/queue/shop", params=where, data={**form, "expected": digest})
    assert again.status_code == 200 and "count-changed" in again.text and "重新评估" in again.text
    assert set(verdicts(store_url).values()) == {"pending"}
    digest = re.search(r'name="expected" value="([0-9a-f]{64})"', again.text).group(1)
    done = c.post("/queue/shop", params=where, data={**form, "expected": digest},
                  headers={"Accept": "application/json"})
    assert done.status_code == 200
    assert done.json() == {"ok": True, "verdict": "confirm", "decided": 3, "held": [], "rescored": [], "unseen": []}
    assert [verdicts(store_url)[k] for k in ("jd:1", "jd:2", "jd:6")] == ["confirm"] * 3


def test_a_bulk_row_posted_without_its_assessment_time_is_held_back_and_named(site):
    client, store_url = site
    c = client()
    seen = seen_on(c.get("/queue").text)
    form = {"csrf_token": c.csrf, "verdict": "dismiss", "key": ["jd:1", "jd:2"], "seen": [seen["jd:1"]]}
    r = c.post("/queue/bulk", data=form, headers={"Accept": "application/json"})
    assert r.status_code == 200
    body = r.json()
    assert (body["decided"], body["rescored"], body["unseen"]) == (1, [], ["jd:2"])
    assert "刷新页面后重新提交" in body["unseen_note"] and "jd:2" in body["unseen_note"]
    assert verdicts(store_url)["jd:1"] == "dismiss" and verdicts(store_url)["jd:2"] == "pending"
    with open_store(store_url) as s:  # nothing written or audited for the row held back
        assert s.users.audit_entries(subject="jd:2", action="decision") == []
        assert s.reviews.decisions(("jd", "2")) == []

    # the plain form with no `seen` at all: nothing decided, the queue names each row and what to do
    r = c.post("/queue/bulk", data={**form, "key": ["jd:3", "taobao:4"], "seen": []}, follow_redirects=True)
    assert r.status_code == 200
    told = re.search(r'<p class="flash" id="bulk-unseen">(.*?)</p>', r.text, re.S).group(1)
    assert "另有 2 条提交时未带页面显示的评估时间，未作结论，请刷新页面后重新提交" in told
    assert 'href="/listings/jd/3?state=pending"' in told and 'href="/listings/taobao/4?state=pending"' in told
    assert "已批量处理 0 条" in r.text
    assert verdicts(store_url)["jd:3"] == "pending" and verdicts(store_url)["taobao:4"] == "pending"
    # posted again as the refreshed page posts it: decided
    fresh = seen_on(c.get("/queue").text)
    r = c.post("/queue/bulk", data={**form, "key": ["jd:3", "taobao:4"], "seen": [fresh["jd:3"], fresh["taobao:4"]]},
               headers={"Accept": "application/json"})
    assert (r.json()["decided"], r.json()["unseen"]) == (2, [])
    assert verdicts(store_url)["jd:3"] == "dismiss" and verdicts(store_url)["taobao:4"] == "dismiss"


def test_a_single_or_api_decision_without_its_assessment_time_is_refused(site):
    client, store_url = site
    c = client()
    with open_store(store_url) as s:
        s.listings.upsert_listing(Listing("jd", "8", url="https://x/8", title="灭火器 8", price=Decimal("30")))
    page = c.post("/listings/jd/1/decision", data={"verdict": "confirm", "csrf_token": c.csrf})
    assert page.status_code == 409 and "刷新页面后重新提交" in page.text
    api = c.post("/api/v1/listings/jd/1/decisions", json={"verdict": "confirm"}, headers={"X-CSRF-Token": c.csrf})
    assert api.status_code == 409 and "刷新页面后重新提交" in api.json()["error"] and "assessed_at" in api.json()["error"]
    assert verdicts(store_url)["jd:1"] == "pending"
    with open_store(store_url) as s:
        assert s.users.audit_entries(subject="jd:1", action="decision") == []
    # the listing page carries the time it showed (or "none" when it showed no assessment); so posted, it goes through
    listing = c.get("/listings/jd/1").text
    shown = html.unescape(re.search(r'name="assessed_at" value="([^"]*)"', listing).group(1))
    with open_store(store_url) as s:
        assert shown == s.assessments.get_assessment(("jd", "1")).assessed_at.isoformat()
    assert 'name="assessed_at" value="none"' in c.get("/listings/jd/8").text
    # "none" says the reviewer saw no assessment: on a listing that has one, it is refused like a stale time
    blind = c.post("/api/v1/listings/jd/1/decisions", json={"verdict": "confirm", "assessed_at": "none"},
                   headers={"X-CSRF-Token": c.csrf})
    assert blind.status_code == 409 and "重新评估" in blind.json()["error"]
    assert c.post("/listings/jd/1/decision", data={"verdict": "dismiss", "assessed_at": "none",
                                                   "csrf_token": c.csrf}).status_code == 409
    assert verdicts(store_url)["jd:1"] == "pending"
    assert c.post("/listings/jd/8/decision", data={"verdict": "escalate", "assessed_at": "none",
                                                   "csrf_token": c.csrf}).status_code == 303
    seen = c.get("/api/v1/listings/jd/1").json()["assessment"]["assessed_at"]
    api = c.post("/api/v1/listings/jd/1/decisions", json={"verdict": "confirm", "assessed_at": seen},
                 headers={"X-CSRF-Token": c.csrf})
    assert api.status_code == 201 and verdicts(store_url)["jd:1"] == "confirm"
    with open_store(store_url) as s:
        assert s.reviews.latest_decision(("jd", "8")).verdict == "escalate"
