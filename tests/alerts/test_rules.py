"""Alert rules over a real SQLite store: new flags, overdue notices, price floors, blocked
crawls; dedupe (a second run raises nothing), acknowledgement and the daily digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from alerts.digest import build_digest, day_bounds, zone
from alerts.rules import AlertsConfig, evaluate, run_rules
from firewatch.core.exceptions import NotFoundError, SettingsError
from firewatch.core.models import Assessment, Decision, Listing, Reason
from firewatch.core.settings import load_settings
from firewatch.store import open_store

NOW = datetime(2026, 6, 20, 4, 0, tzinfo=timezone.utc)


def add(store, platform, lid, title, price="59.00", risk=0.9, flagged=True, category="portable_extinguisher",
        status="active", shop="鑫安消防器材旗舰店", assessed_at=NOW, seen=NOW):
    store.listings.upsert_listing(Listing(platform=platform, listing_id=lid, url=f"https://{platform}.example/item/{lid}",
                                 title=title, price=Decimal(price), shop_id=f"s-{lid}", shop_name=shop,
                                 status=status), observed_at=seen)
    store.assessments.save_assessment(Assessment(platform=platform, listing_id=lid, category=category, category_confidence=0.9,
                                     risk_score=risk, flagged=flagged, assessed_at=assessed_at,
                                     reasons=[Reason("no_certification", "无3C")] if flagged else []))
    return (platform, lid)


@pytest.fixture()
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


def cfg(*rules, **kw):
    return replace(AlertsConfig(), rules=rules, **kw)


def test_settings_section_builds_the_config():
    c = AlertsConfig.from_settings(load_settings(env={}))
    assert c.rules == ("new_flagged", "notice_overdue", "relisting", "price_floor", "crawler_blocked")
    assert c.relisting.weights == {"title": 0.4, "image": 0.4, "shop": 0.2}
    overridden = load_settings(env={"FIREWATCH_ALERTS__RISK_THRESHOLD": "0.95"})
    assert AlertsConfig.from_settings(overridden).risk_threshold == 0.95


def test_new_flagged_respects_threshold_and_age_and_is_raised_once(store):
    add(store, "jd", "1", "4kg干粉灭火器 年检专用", risk=0.93)
    add(store, "jd", "2", "4kg干粉灭火器", risk=0.7)                      # below 0.8
    add(store, "jd", "3", "4kg干粉灭火器 无3C", risk=0.99, assessed_at=NOW - timedelta(days=30))  # too old
    add(store, "jd", "4", "灭火毯", risk=0.95, flagged=False)               # not flagged
    first = run_rules(store, cfg("new_flagged"), now=NOW)
    assert first.new_per_rule == {"new_flagged": 1}
    [alert] = store.alerts.alerts()
    assert alert.key == ("jd", "1") and alert.state == "new"
    assert alert.details["risk_score"] == 0.93 and alert.details["reasons"][0]["code"] == "no_certification"
    assert "新标记商品" in alert.summary
    again = run_rules(store, cfg("new_flagged"), now=NOW)
    assert again.candidates == {"new_flagged": 1} and again.new_ids == []
    assert len(store.alerts.alerts()) == 1
    no_age_limit = run_rules(store, cfg("new_flagged", flagged_max_age_days=0), now=NOW)
    assert [store.alerts.get_alert(i).listing_id for i in no_age_limit.new_ids] == ["3"]


def _send_notice(store, keys, sent_at):
    notice_id = store.notices.create_notice(keys[0][0], keys, created_by="tester", at=sent_at)
    assert store.notices.mark_notice_sent(notice_id, sent_by="tester", channel="email", at=sent_at,
                                  deadline_at=sent_at + timedelta(days=7), html_path="", pdf_path="",
                                  document_sha256="")
    return notice_id


def test_notice_overdue_only_for_confirmed_listings_still_online(store):
    online = add(store, "taobao", "10", "消防自救呼吸器 TZL30", seen=NOW - timedelta(days=1))
    gone = add(store, "taobao", "11", "消防自救呼吸器 TZL30 酒店", status="removed")
    dismissed = add(store, "taobao", "12", "防烟面具 TZL30")
    recent = add(store, "taobao", "13", "自救呼吸器 TZL20")
    for key in (online, gone, dismissed, recent):
        store.reviews.record_decision(Decision(key[0], key[1], "alice", "confirm", at=NOW - timedelta(days=40)))
    store.reviews.record_decision(Decision("taobao", "12", "bob", "dismiss", at=NOW - timedelta(days=39)))
    old = _send_notice(store, [online, gone, dismissed], NOW - timedelta(days=20))
    _send_notice(store, [recent], NOW - timedelta(days=3))
    run = run_rules(store, cfg("notice_overdue", notice_overdue_days=14), now=NOW)
    assert run.new_per_rule == {"notice_overdue": 1}
    [alert] = store.alerts.alerts()
    assert alert.key == online
    assert alert.details["notice_id"] == old and alert.details["days_since_notice"] == 20.0
    assert alert.details["seen_online_after_notice"] is True
    assert "通知后仍在售" in alert.summary
    assert run_rules(store, cfg("notice_overdue", notice_overdue_days=14), now=NOW).new_ids == []
    # the recent notice becomes overdue later
    later = run_rules(store, cfg("notice_overdue", notice_overdue_days=14), now=NOW + timedelta(days=12))
    assert [store.alerts.get_alert(i).key for i in later.new_ids] == [recent]


def test_price_floor_uses_the_spec_prior_and_the_configured_fraction(store):
    cheap = add(store, "pdd", "20", "MFZ/ABC4 4kg干粉灭火器 手提式", price="9.90")
    add(store, "pdd", "21", "MFZ/ABC4 4kg干粉灭火器 手提式", price="58.00")
    add(store, "pdd", "22", "MFZ/ABC4 4kg干粉灭火器 已下架", price="5.00", status="removed")
    add(store, "pdd", "23", "手机壳", price="1.00", category="not_fire", flagged=False, risk=0.0)
    run = run_rules(store, cfg("price_floor"), now=NOW)
    [alert] = [store.alerts.get_alert(i) for i in run.new_ids]
    assert alert.key == cheap
    d = alert.details
    assert d["prior_median"] == 60 and d["floor"] == pytest.approx(18.0) and d["unit_price"] == 9.9
    assert d["floor_source"] == "0.3 x median" and "价格低于规格底价" in alert.summary
    assert run_rules(store, cfg("price_floor"), now=NOW).new_ids == []
    # a higher fraction moves the floor above 58 yuan: the second listing is now below it
    raised = run_rules(store, cfg("price_floor", price_floor_fraction=1.0), now=NOW)
    assert [store.alerts.get_alert(i).listing_id for i in raised.new_ids] == ["21"]
    # a new (lower) price is a new alert for the same listing
    add(store, "pdd", "20", "MFZ/ABC4 4kg干粉灭火器 手提式", price="7.50")
    assert len(run_rules(store, cfg("price_floor"), now=NOW).new_ids) == 1


def test_crawler_blocked_for_many_blocks_or_blocks_with_nothing_stored(store):
    runs = {}
    for name, counts in {"walled": dict(pages=12, items=0, blocks=3), "fine": dict(pages=40, items=50, blocks=2),
                         "heavy": dict(pages=60, items=40, blocks=12)}.items():
        runs[name] = store.listings.start_crawl_run("jd")
        store.listings.finish_crawl_run(runs[name], "finished", **counts)
    running = store.listings.start_crawl_run("pdd")  # not ended yet: not judged
    assert running
    run = run_rules(store, cfg("crawler_blocked", blocked_min_blocks=10), now=NOW)
    got = sorted(store.alerts.get_alert(i).details["run_id"] for i in run.new_ids)
    assert got == sorted([runs["walled"], runs["heavy"]])
    assert all("平台拦截抓取" in a.summary for a in store.alerts.alerts())
    assert run_rules(store, cfg("crawler_blocked", blocked_min_blocks=10), now=NOW).new_ids == []


def test_candidates_are_not_stored_by_evaluate_and_unknown_rules_are_refused(store):
    add(store, "jd", "1", "4kg干粉灭火器", risk=0.95)
    assert len(evaluate(store, cfg("new_flagged"), now=NOW)) == 1
    assert store.alerts.alerts() == []
    with pytest.raises(SettingsError, match="astrology"):  # refused while the settings load
        load_settings(env={"FIREWATCH_ALERTS__RULES": '["new_flagged", "astrology"]'})


def test_acknowledge_is_recorded_once_and_unknown_ids_are_refused(store):
    add(store, "jd", "1", "4kg干粉灭火器", risk=0.95)
    [alert_id] = run_rules(store, cfg("new_flagged"), now=NOW).new_ids
    a = store.alerts.acknowledge_alert(alert_id, "alice", at=NOW)
    assert (a.state, a.acknowledged_by, a.acknowledged_at) == ("acknowledged", "alice", NOW)
    again = store.alerts.acknowledge_alert(alert_id, "bob", at=NOW + timedelta(hours=1))
    assert (again.acknowledged_by, again.acknowledged_at) == ("alice", NOW)
    assert store.alerts.unsent_alerts("email") == []  # acknowledged alerts are not sent
    with pytest.raises(NotFoundError):
        store.alerts.acknowledge_alert(9999, "alice")
    with pytest.raises(ValueError, match="state"):
        store.alerts.alerts(state="lost")


def test_digest_counts_one_local_day_per_rule_platform_category(store):
    shanghai = zone("Asia/Shanghai")
    start, end = day_bounds(date(2026, 6, 20), shanghai)
    assert start == datetime(2026, 6, 19, 16, 0, tzinfo=timezone.utc) and end - start == timedelta(days=1)
    inside, outside = start + timedelta(hours=1), start - timedelta(minutes=1)
    store.alerts.add_alerts([
        {"rule": "new_flagged", "dedupe_key": "a", "platform": "jd", "listing_id": "1", "summary": "s1",
         "details": {"category": "portable_extinguisher"}, "created_at": inside},
        {"rule": "new_flagged", "dedupe_key": "b", "platform": "pdd", "listing_id": "2", "summary": "s2",
         "details": {"category": "smoke_alarm"}, "created_at": inside},
        {"rule": "crawler_blocked", "dedupe_key": "c", "platform": "jd", "summary": "s3", "created_at": inside},
        {"rule": "new_flagged", "dedupe_key": "d", "platform": "jd", "listing_id": "4", "summary": "s4",
         "created_at": outside.astimezone(shanghai)},  # 23:59 local the day before: stored as UTC
    ])
    d = build_digest(store, date(2026, 6, 20), "Asia/Shanghai")
    assert d["total"] == 3
    assert [(r["key"], r["name"], r["count"]) for r in d["by_rule"]] == [
        ("new_flagged", "新标记商品", 2), ("crawler_blocked", "平台拦截抓取", 1)]
    assert {r["name"]: r["count"] for r in d["by_platform"]} == {"京东": 2, "拼多多": 1}
    assert {r["name"]: r["count"] for r in d["by_category"]} == {
        "手提式灭火器": 1, "独立式感烟火灾探测报警器": 1, "未分类": 1}
    assert build_digest(store, date(2026, 6, 19), "Asia/Shanghai")["total"] == 1
