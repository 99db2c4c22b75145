"""The campaign report (issue 16): its figures match the store, on SQLite and PostgreSQL.

A store is filled through the real repositories over six simulated weeks (the clock offset places
each write on its day, at whole hours): listings first and last seen, assessments (some flagged
again later, some unflagged), confirm and dismiss decisions (some confirmations later overturned),
notices whose items are verified removed, relisting alerts and evidence. The test then computes
every figure itself, from what it wrote and from plain SELECTs of the raw tables, and compares
them with `campaign_figures` for a period that cuts through the middle of the data.
"""

from __future__ import annotations

import io
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from firewatch.core import clock
from firewatch.core.clock import BEIJING, parse_iso
from firewatch.core.labels import PLATFORM_NAMES, category_name
from firewatch.core.models import Artefact, Assessment, Decision, Evidence, Listing, Reason
from firewatch.core.settings import CampaignSettings
from firewatch.services.campaign import Period, campaign_figures, report_kind
from firewatch.store import open_store
from tests.alerts.test_evidence_pack import pdf_unicode
from tests.builders import sha256_hex
from tests.chinese import english_in
from tests.helpers import png

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 Beijing time
PLATFORMS = ("jd", "taobao", "tmall", "pdd", "1688")
CATEGORIES = ("portable_extinguisher", "smoke_alarm", "escape_respirator", "fire_hose")
REASONS = ("no_certification", "price_too_low", "inspection_only", "invalid_certificate")
PROVINCES = ("浙江", "广东", "河北", "")
PERIOD = Period.of(date(2026, 9, 17), date(2026, 10, 8))  # days 10..31 of the data (Beijing days)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


class Clock:
    """Writes happen at a chosen simulated time (whole hours after T0)."""

    def set(self, hours: int) -> datetime:
        when = at(hours)
        clock.set_offset(when - datetime.now(timezone.utc))
        return when


@pytest.fixture
def sim():
    yield Clock()
    clock.set_offset(timedelta(0))


def _evidence(base, key) -> Evidence:
    directory = base / key[0] / key[1]
    directory.mkdir(parents=True)
    data = png(int(key[1]) % 97, size=120)
    (directory / "screenshot.png").write_bytes(data)
    return Evidence(key[0], key[1], datetime.now(timezone.utc), f"https://item.jd.com/{key[1]}.html", "", 200, None,
                    "ua", "1", str(directory), [Artefact("screenshot.png", sha256_hex(data), "image/png", len(data))])


def build(store, sim, tmp_path, seed: int = 16) -> dict:
    """Six weeks of campaign data; returns what the test itself knows (first flag hour per listing)."""
    rng = random.Random(seed)
    truth = {"first_flag": {}, "listings": {}, "withdrawn": set()}
    events: list[tuple[int, str, tuple]] = []  # (hour, kind, args): written in time order
    for i in range(160):
        platform = rng.choice(PLATFORMS)
        key = (platform, str(100000 + i))
        seen = rng.randrange(0, 36 * 24)
        last = min(41 * 24, seen + rng.randrange(0, 30 * 24))
        listing = Listing(platform, key[1], url=f"https://example.invalid/{key[1]}", title=f"灭火器 {i} 号 <b>x</b>",
                          price=Decimal("30.00"), shop_id=f"s{rng.randrange(12)}", shop_name=f"店铺=SUM({i % 12})",
                          attributes={"所在地": rng.choice(PROVINCES)} if rng.random() < 0.8 else {})
        truth["listings"][key] = listing
        events.append((seen, "seen", (listing, Decimal("30.00"))))
        events.append((last, "seen", (listing, Decimal("31.00") if last != seen else Decimal("30.00"))))
        if rng.random() < 0.6:
            flag = seen + rng.randrange(0, 4 * 24)
            category = rng.choice(CATEGORIES)
            reasons = rng.sample(REASONS, rng.randint(1, 2))
            truth["first_flag"][key] = (flag, category, reasons, listing.attributes.get("所在地", ""))
            events.append((flag, "assess", (key, category, reasons, True)))
            roll = rng.random()
            if roll < 0.75 and rng.random() < 0.3:  # assessed again later, still flagged: the first flag stays
                events.append((flag + rng.randrange(24, 200), "assess", (key, category, reasons, True)))
            if roll < 0.55:
                confirm = flag + rng.randrange(1, 6 * 24)
                events.append((confirm, "decide", (key, "confirm")))
                if rng.random() < 0.2:
                    events.append((confirm + rng.randrange(1, 48), "decide", (key, "confirm")))
                if rng.random() < 0.1:  # overturned: not a confirmed violation
                    events.append((confirm + rng.randrange(49, 100), "decide", (key, "dismiss")))
                elif rng.random() < 0.75:
                    notice_at = confirm + rng.randrange(1, 48)
                    removed = notice_at + rng.randrange(2, 20 * 24) if rng.random() < 0.75 else None
                    events.append((notice_at, "notice", (key, removed)))
                    if rng.random() < 0.5:
                        events.append((confirm + 1, "evidence", (key,)))
            elif roll < 0.75:
                events.append((flag + rng.randrange(1, 72), "decide", (key, "dismiss")))
            elif roll < 0.85:  # no longer flagged later, never decided: the flag is withdrawn, not counted
                truth["withdrawn"].add(key)
                events.append((flag + rng.randrange(24, 96), "assess", (key, category, reasons, False)))
    for j in range(14):
        events.append((rng.randrange(0, 41 * 24), "alert", (rng.choice(PLATFORMS), j)))
    removals = []
    for hour, kind, args in sorted(events, key=lambda e: (e[0], e[1])):
        sim.set(hour)
        if kind == "seen":
            listing, price = args
            listing.price = price
            store.listings.upsert_listing(listing)
        elif kind == "assess":
            key, category, reasons, flagged = args
            store.assessments.save_assessment(Assessment(
                key[0], key[1], category, 0.9, 0.9 if flagged else 0.1, flagged,
                [Reason(code, f"证据第{REASONS.index(code) + 1}条") for code in reasons] if flagged else []))
        elif kind == "decide":
            key, verdict = args
            store.reviews.record_decision(Decision(key[0], key[1], "审核员", verdict))
        elif kind == "notice":
            key, removed = args
            notice_id = store.notices.create_notice(key[0], [key], created_by="t")
            store.notices.mark_notice_sent(notice_id, sent_by="t", channel="c", at=at(hour),
                                           deadline_at=at(hour + 7 * 24), html_path="", pdf_path="",
                                           document_sha256="")
            if removed is not None:
                removals.append((removed, notice_id, key))
        elif kind == "evidence":
            store.evidence.save_evidence(_evidence(tmp_path / "evidence", args[0]))
        elif kind == "alert":
            store.alerts.add_alerts([{"rule": "relisting", "dedupe_key": f"relisting:{args[1]}", "platform": args[0],
                                      "listing_id": str(args[1]), "summary": "疑似重新上架"}])
    for hour, notice_id, key in sorted(removals):
        sim.set(hour)
        store.notices.mark_notice_item_removed(notice_id, key, at(hour), "重新抓取：商品页面显示已下架")
    clock.set_offset(timedelta(0))
    return truth


def _in(period: Period, when: datetime) -> bool:
    return parse_iso(period.start) <= when < parse_iso(period.end)


def _week(period: Period, when: datetime) -> int:
    day = when.astimezone(BEIJING).date()
    return period.weeks().index(day - timedelta(days=day.weekday()))


def expected(store, truth, period: Period, minimum: int) -> dict:
    """Every figure, from the test's own record and plain SELECTs of the raw tables."""
    with store.transaction() as db:
        listings = db.execute("SELECT platform, listing_id, first_seen, last_seen FROM listings").fetchall()
        decisions = db.execute("SELECT platform, listing_id, verdict, at, id FROM decisions").fetchall()
        items = db.execute("SELECT platform, listing_id, removed_at FROM notice_items").fetchall()
        alerts = db.execute("SELECT platform, created_at FROM alerts WHERE rule='relisting'").fetchall()
        assessed = dict(((p, lid), c) for p, lid, c in db.execute("SELECT platform, listing_id, category FROM assessments"))
    start, end = parse_iso(period.start), parse_iso(period.end)
    e: dict = {"monitored": Counter(), "monitored_cat": Counter()}
    for p, lid, first, last in listings:
        if parse_iso(first) < end and parse_iso(last) >= start:
            e["monitored"][p] += 1
            e["monitored_cat"][assessed.get((p, lid), "")] += 1
    weeks = len(period.weeks())
    first_flag = {k: at(v[0]) for k, v in truth["first_flag"].items() if k not in truth["withdrawn"]}
    latest: dict = {}
    first_confirm: dict = {}
    for p, lid, verdict, when, _id in sorted(decisions, key=lambda r: (parse_iso(r[3]), r[4])):
        latest[(p, lid)] = verdict
        if verdict == "confirm":
            first_confirm.setdefault((p, lid), parse_iso(when))
    confirmed = {k: t for k, t in first_confirm.items() if latest[k] == "confirm"}
    removed: dict = {}
    for p, lid, when in items:
        if when:
            removed[(p, lid)] = min(removed.get((p, lid), parse_iso(when)), parse_iso(when))
    for name, times in (("flagged", first_flag), ("confirmed", confirmed), ("removed", removed)):
        chosen = [k for k, t in times.items() if _in(period, t)]
        e[name] = chosen
        e[f"{name}_weekly"] = [0] * weeks
        for k in chosen:
            e[f"{name}_weekly"][_week(period, times[k])] += 1
    delays = sorted((removed[k] - first_flag[k]).total_seconds() / 86400 for k in e["removed"])
    e["median"] = delays[max(0, -(-len(delays) // 2) - 1)] if delays else None
    e["p90"] = delays[max(0, -(-len(delays) * 9 // 10) - 1)] if delays else None
    e["relisted"] = [p for p, when in alerts if _in(period, parse_iso(when))]
    shops = Counter((k[0], truth["listings"][k].shop_id) for k, t in confirmed.items() if t < end)
    e["repeat"] = {s: n for s, n in shops.items() if n >= minimum}
    return e


def _counts(rows) -> dict:
    return {code: n for _label, code, n in rows}


def test_campaign_figures_match_the_store(store_url, sim, tmp_path):
    config = CampaignSettings()
    with open_store(store_url, data_dir=tmp_path) as store:
        truth = build(store, sim, tmp_path)
        f = campaign_figures(store, PERIOD, config)
        e = expected(store, truth, PERIOD, config.repeat_offender_min)

    assert f.totals["monitored"] == sum(e["monitored"].values()) > 0
    assert _counts(f.breakdown["monitored"]["platform"]) == dict(e["monitored"])
    assert _counts(f.breakdown["monitored"]["category"]) == dict(e["monitored_cat"])
    info = truth["first_flag"]
    for event in ("flagged", "confirmed", "removed"):
        keys = e[event]
        assert f.totals[event] == len(keys) > 0, event
        assert _counts(f.breakdown[event]["platform"]) == dict(Counter(k[0] for k in keys)), event
        assert _counts(f.breakdown[event]["category"]) == dict(Counter(info[k][1] for k in keys)), event
        assert _counts(f.breakdown[event]["region"]) == dict(Counter(info[k][3] for k in keys)), event
        assert _counts(f.breakdown[event]["reason"]) == dict(Counter(r for k in keys for r in info[k][2])), event
        assert f.weekly[event] == e[f"{event}_weekly"], event
    # the period cuts through the data: events fall before and after it too
    assert 0 < f.totals["flagged"] < len(info)
    assert f.totals["relisted"] == len(e["relisted"]) > 0
    assert _counts(f.breakdown["relisted"]["platform"]) == dict(Counter(e["relisted"]))
    assert f.removal_median == pytest.approx(e["median"]) and f.removal_p90 == pytest.approx(e["p90"])
    assert sum(n for _, n in f.removal_days) == f.totals["removed"] == sum(n for _, n in f.removal_bins)
    assert f.repeat_total == len(e["repeat"]) > 0
    assert {(r["platform"], r["shop_id"]): r["confirmed"] for r in f.repeat_shops} == e["repeat"]
    assert len(f.weeks) == 4 and f.weeks[0] == date(2026, 9, 14)  # ISO weeks touched by 09-17..10-08
    assert f.cases and all((c.platform, c.listing_id) in e["confirmed"] for c in f.cases)
    assert all(c.screenshot.endswith("screenshot.png") for c in f.cases)
    assert len({c.platform for c in f.cases}) == len(f.cases)  # one per platform before a second
    assert len({(c.platform, truth["listings"][(c.platform, c.listing_id)].shop_id) for c in f.cases}) == len(f.cases)


def test_one_platform_only(tmp_path, sim):
    config = CampaignSettings()
    with open_store(tmp_path / "fw.db", data_dir=tmp_path) as store:
        truth = build(store, sim, tmp_path)
        whole = campaign_figures(store, PERIOD, config)
        jd = campaign_figures(store, PERIOD, config, platform="jd")
        e = expected(store, truth, PERIOD, config.repeat_offender_min)
    for event in ("flagged", "confirmed", "removed"):
        assert jd.totals[event] == sum(1 for k in e[event] if k[0] == "jd") == _counts(
            whole.breakdown[event]["platform"]).get("jd", 0)
    assert jd.totals["monitored"] == e["monitored"]["jd"]
    with open_store(tmp_path / "fw.db", data_dir=tmp_path) as store:  # the web page's cheaper figures
        page = campaign_figures(store, PERIOD, config, monitored_categories=False)
    assert page.breakdown["monitored"] == {"platform": whole.breakdown["monitored"]["platform"]}
    assert page.totals == whole.totals and page.weekly == whole.weekly
    assert {r["platform"] for r in jd.repeat_shops} <= {"jd"}


def test_period_names_and_bad_ranges():
    config = CampaignSettings(end="2026-12-31")
    assert report_kind(config, date(2026, 10, 30)) == "阶段总结"
    assert report_kind(config, date(2026, 12, 31)) == "总体总结"
    with pytest.raises(ValueError, match="早于开始日期"):
        Period.of(date(2026, 10, 2), date(2026, 10, 1))
    one = Period.of(date(2026, 10, 1), date(2026, 10, 1))
    assert one.start == "2026-09-30T16:00:00+00:00" and one.end == "2026-10-01T16:00:00+00:00"


def test_report_files_pdf_xlsx_chinese(tmp_path, sim):
    """The PDF has a title page, several pages, the charts as images and CJK fonts; the workbook's
    figures are the report's; the HTML is Chinese and escapes seller text; formula-like cells are text."""
    from firewatch.core.settings import load_settings
    from firewatch.services.campaign_report import report_html, charts, write_campaign_report

    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(tmp_path)}})
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        build(store, sim, settings.evidence_dir)
        steps: list[str] = []
        files = write_campaign_report(store, settings, PERIOD, tmp_path / "out", tick=steps.append)
    f = files.figures
    pdf = files.pdf.read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 5
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) >= 4 + len(f.cases)  # 4 charts and the cases' screenshots
    shown = pdf_unicode(pdf)  # the characters the PDF's fonts map: the Chinese was rendered as text
    assert set("网络销售消防产品专项整治阶段总结北京时间重复违法店铺典型案例每周趋势下架用时") <= set(shown)
    html = files.html.read_text(encoding="utf-8")
    assert "阶段总结" in html and "北京时间" in html and "重复违法店铺" in html and "典型案例" in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html  # seller text escaped
    text = re.sub(r"<style.*?</style>|<[^>]+>|data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", " ", html, flags=re.S)
    sellers = [x.title for x in f.cases] + [x.shop_name for x in f.cases] + [r["shop_name"] for r in f.repeat_shops]
    assert english_in(text, allowed=sellers + ["<b>x</b>", "&lt;b&gt;x&lt;/b&gt;", "firewatch"]) == []
    assert len(steps) >= 16
    wb = load_workbook(io.BytesIO(files.xlsx.read_bytes()))
    assert wb.sheetnames[:2] == ["总览", "按平台"]
    overview = {r[0]: r[1] for r in wb["总览"].iter_rows(values_only=True) if r[0]}
    assert overview["监测商品（本期在售）"] == str(f.totals["monitored"])
    assert overview["统计期间（北京时间）"] == "2026-09-17 至 2026-10-08"
    by_platform = {r[1]: r[2:7] for r in wb["按平台"].iter_rows(min_row=2, values_only=True)}
    for label, code, n in f.breakdown["flagged"]["platform"]:
        assert by_platform[code][1] == n and PLATFORM_NAMES[code] == label
    weekly = list(wb["每周趋势"].iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in weekly] == f.weekly["flagged"]
    shops = list(wb["重复违法店铺"].iter_rows(min_row=2, values_only=True))
    assert shops and all(cell.startswith("店铺=") for _, _, cell, *_ in shops)  # text, not a formula
    assert wb["重复违法店铺"]["C2"].data_type == "s"
    assert category_name(CATEGORIES[0]) in {r[0] for r in wb["按产品"].iter_rows(values_only=True)}
    assert set(charts(f)) == {"weekly", "platform", "removal", "reasons"}
    assert "阶段总结" in report_html(f, charts(f))


def test_report_campaign_command(tmp_path, sim):
    """`firewatch report campaign`: the files under --out, the figures printed; bad dates are refused in Chinese."""
    from tests.helpers import run_cli

    with open_store(tmp_path / "firewatch.db", data_dir=tmp_path) as store:
        build(store, sim, tmp_path / "evidence")
        expect = campaign_figures(store, PERIOD, CampaignSettings(), platform="jd")
    out = tmp_path / "reports"
    result = run_cli("--data-dir", str(tmp_path), "report", "campaign", "--from", "2026-09-17", "--to", "2026-10-08",
                     "--platform", "jd", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"confirmed: {expect.totals['confirmed']}" in result.stdout and "阶段总结" in result.stdout
    stem = "campaign-report-2026-09-17-2026-10-08-jd"
    assert (out / f"{stem}.pdf").read_bytes().startswith(b"%PDF") and (out / f"{stem}.xlsx").stat().st_size > 0
    bad = run_cli("--data-dir", str(tmp_path), "report", "campaign", "--from", "2026/09/17")
    assert bad.returncode == 2 and "年-月-日" in bad.stderr
    backwards = run_cli("--data-dir", str(tmp_path), "report", "campaign", "--from", "2026-10-08", "--to", "2026-09-17")
    assert backwards.returncode == 2 and "早于开始日期" in backwards.stderr
