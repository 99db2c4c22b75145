"""`firewatch demo`: the whole flow once, against the demo market, with a summary.

`run_demo(settings, port, ...)` starts the market on 127.0.0.1, trains, crawls every platform in a
child process, imports a platform's compliance report (`demo_market.reports`), files a public tip,
fetches the reported and tipped pages, scores, captures, indexes, reviews (`firewatch.demo.review`), exports and verifies a
pack, runs the alert rules, then runs a simulated campaign of several weeks (`firewatch.demo.campaign`: the
store's times are the simulated days, the last one today) and writes its campaign report; returns the summary;
`<data_dir>/demo` starts clean unless `keep`.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from demo_market.behaviour import TakedownDesk
from demo_market.generator import build_catalogue
from demo_market.reports import write_compliance_report
from demo_market.server import DemoMarket
from firewatch.core.clock import set_offset, show_date, utcnow
from firewatch.core.exceptions import FirewatchError
from firewatch.core.settings import Settings
from firewatch.demo.campaign import CAMPAIGN_DAYS, campaign_tick, enter_day
from firewatch.demo.campaign import crawl as crawl_child
from firewatch.demo.review import DEMO_REVIEWER, review_and_act
from firewatch.services.loaders import load_scorer
from firewatch.services.campaign import Period
from firewatch.services.campaign_report import days_text, write_campaign_report
from firewatch.services.processing import run_processing
from firewatch.services.challenge import solve
from firewatch.services.reports import ReportImport, import_listings
from firewatch.services.tips import TipForm, TipPolicy, TipsChannel
from firewatch.store import open_store
from firewatch.store.protocols import TipRecord


DEMO_REPORT_SOURCE = "演示平台合规数据报送"
REPORT_NEW = 6  # listings the report brings that the crawl did not find
DEMO_TIP_TEXT = "在拼多多买到的这个产品没有任何认证标志，说明书也没有厂家信息，价格便宜得离谱。"
# OCR of the generated listing images, bounded: it costs about a CPU-second per image, so the demo
# reads at most DEMO_OCR["max_listings"] x DEMO_OCR["max_images"] images (the rest stay queued).
DEMO_OCR = {"enabled": True, "max_listings": 8, "max_images": 2}
DEMO_LEGAL_BASIS = {"taobao": "演示：本地复制站点，非真实平台 (demo replica, not the real site)"}


def run_demo(settings: Settings, port: int, max_captures: int, keep: bool, console, out) -> dict:
    started = time.monotonic()
    data = settings.data_dir / "demo"
    if not keep and data.exists():
        shutil.rmtree(data)
    watchlist = resources.files("demo_market").joinpath("data/watchlist.csv")
    # The alert rules run once, after the review below, rather than also after processing.
    settings = settings.with_overrides({"paths": {"data_dir": str(data)}, "scoring": {"watchlist": str(watchlist)},
                                        "alerts": {"run_on_process": False}, "ocr": DEMO_OCR})
    # Real-site behaviours stay on (429 + Retry-After, 503s, captcha walls), at levels a
    # demo can get through in a minute or two.
    market = DemoMarket(seed=7, rate_limit=150, rate_window=1.0, error_rate=0.01, captcha_burst=900, captcha_window=10.0)
    market.start(port=port)
    try:
        console.rule(f"演示市场 demo market: the platforms' real hostnames answered at {market.address} (TLS)")
        # The host map sends the platforms' real hostnames to the replica; URLs stay real. Taobao's
        # robots.txt disallows every crawler, so the demo names its legal basis; the sessions are
        # the demo's accounts on the replica, imported as a regulator would import theirs.
        crawl = {**market.settings_overrides()["crawl"], "legal_basis": DEMO_LEGAL_BASIS}
        settings = settings.with_overrides({"crawl": crawl})
        for path in market.write_sessions(data):
            console.print(f"会话 session for {path.stem}: {path}")
        console.print("训练模型 training the category and risk models …")
        load_scorer(settings, console.print)
        console.rule("抓取 crawling jd, taobao (+tmall), pdd, 1688")
        # A child process: Twisted's reactor runs once per process; it gets the host map through
        # the environment, as a deployment would through its settings file.
        env = {"FIREWATCH_CRAWL__RESOLVE": json.dumps(crawl["resolve"]), "FIREWATCH_CRAWL__TRUST_CA": crawl["trust_ca"],
               "FIREWATCH_CRAWL__LEGAL_BASIS": json.dumps(DEMO_LEGAL_BASIS, ensure_ascii=False)}
        enter_day(market, 0, env)  # the campaign's first day, CAMPAIGN_DAYS[-1] days ago
        crawl_child(settings, env)
        console.rule("平台报送 a platform's compliance report: leads that need no crawl")
        report = _import_report(settings, market, data / "reports" / "compliance-report-demo.csv", console)
        tip = _file_tip(settings, market, console)
        console.rule("处理 fetching reported pages, scoring, flagging, capturing, indexing")
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console) as progress:
            stats = run_processing(settings, capture=True, max_captures=max_captures,
                                   progress=progress, report=console.print)
        with open_store(settings.store_url, data_dir=settings.data_dir) as store:
            per_platform = store.listings.count_listings()
            reasons = store.assessments.reason_counts()
            flagged = store.assessments.flagged()
            screenshots = sorted(Path(settings.evidence_dir).rglob("screenshot.png"))
            captured = [l.key for l, a in flagged if store.evidence.latest_evidence(l.key) is not None]
            console.rule("审核与处置 review (by the demo's ground truth), takedown lists, notices, evidence, alerts")
            acted = review_and_act(settings, store, seed=7, captured_keys=captured)
            desk = TakedownDesk(market.catalogue, seed=7)
            for notice in store.notices.notices():
                desk.receive(notice.listing_keys, 0)
        catalogue = build_catalogue(seed=7)
        ticks = [campaign_tick(settings, market, desk, day, env, catalogue, console) for day in CAMPAIGN_DAYS[1:]]
        console.rule("专项整治报告 the campaign report (XLSX + PDF) over the simulated weeks")
        with open_store(settings.store_url, data_dir=settings.data_dir) as store:
            period = Period.of(date.fromisoformat(show_date(utcnow() - timedelta(days=CAMPAIGN_DAYS[-1]))),
                               date.fromisoformat(show_date(utcnow())))
            campaign = write_campaign_report(store, settings, period, settings.export_dir / "reports")
            queue = store.queue.queue_counts()
            per_platform = store.listings.count_listings()
            flagged = store.assessments.flagged()
            reasons = store.assessments.reason_counts()
            screenshots = sorted(Path(settings.evidence_dir).rglob("screenshot.png"))
            acted.confirmed += sum(t.confirmed for t in ticks)
            acted.dismissed += sum(t.dismissed for t in ticks)
            ocr = store.ocr.counts()
    finally:
        market.stop()
        set_offset(timedelta(0))

    table = Table(title="各平台商品 listings per platform")
    table.add_column("平台 platform")
    table.add_column("商品 listings", justify="right")
    table.add_column("标记 flagged", justify="right")
    flagged_by_platform: dict[str, int] = {}
    for l, _ in flagged:
        flagged_by_platform[l.platform] = flagged_by_platform.get(l.platform, 0) + 1
    for platform, n in sorted(per_platform.items()):
        table.add_row(platform, str(n), str(flagged_by_platform.get(platform, 0)))
    table.add_row("合计 total", str(sum(per_platform.values())), str(len(flagged)))
    out.print(table)
    rt = Table(title="标记原因 flagged per reason")
    rt.add_column("reason")
    rt.add_column("listings", justify="right")
    for code, n in reasons.items():
        rt.add_row(code, str(n))
    out.print(rt)
    out.print(f"平台报送 report: {report.written.created} new listings from {report.file.path.name} "
              f"(SHA-256 {report.file.sha256[:12]}…), pages fetched and captured: {stats.fetched}")
    out.print(f"群众举报 tip {tip.receipt}: {tip.url}; its status page: /tip/{tip.receipt} (firewatch serve)")
    out.print(f"截图 screenshots on disk: {len(screenshots)} under {settings.evidence_dir}")
    if queue.get("capture"):
        out.print(f"  {queue['capture']} more flagged listings wait for capture: "
                  f"firewatch --data-dir {data} process")
    out.print(f"图片文字识别 OCR: {stats.ocr} listings, {ocr['images']} images read ({ocr['with_text']} with text, "
              f"{ocr['failed']} refused); {queue.get('ocr', 0)} flagged or uncertain listings wait for OCR")
    out.print(f"审核 review: {acted.confirmed} confirmed, {acted.dismissed} dismissed by {DEMO_REVIEWER} "
              f"(the captured flagged listings); {len(flagged) - acted.confirmed - acted.dismissed} flagged await review")
    out.print("下架清单 takedown lists (confirmed listings only):")
    for platform, (path, n) in acted.takedowns.items():
        out.print(f"  {platform:>6}: {n:4d} rows  {path}")
    out.print("整改通知 notices sent (PDF rendered by Chromium):")
    for platform, n, pdf in acted.notices:
        out.print(f"  {platform:>6}: {n:4d} listings  {pdf}")
    if acted.pack:
        state = "verified OK" if not acted.pack_problems else f"FAILED: {acted.pack_problems}"
        out.print(f"证据包 evidence pack (signed, {min(3, acted.confirmed)} listings): {acted.pack} ({state}); "
                  f"check: firewatch --data-dir {data} verify {acted.pack}")
    out.print("告警 new alerts: " + (", ".join(f"{rule} {n}" for rule, n in acted.alerts.items()) or "none")
              + f"; list them: firewatch --data-dir {data} alerts list")
    out.print(f"审核网页 review web app: firewatch --data-dir {data} user add NAME --role regulator; "
              f"firewatch --data-dir {data} serve")
    out.print(f"搜索 search: firewatch --data-dir {data} search 灭火   (or --flagged, --platform jd, --json)")
    f = campaign.figures
    out.print(f"专项整治 simulated campaign: {len(CAMPAIGN_DAYS)} working days over {CAMPAIGN_DAYS[-1]} days "
              f"({period.first} 至 {period.last} 北京时间); per week flagged {f.weekly['flagged']}, "
              f"confirmed {f.weekly['confirmed']}, removed {f.weekly['removed']}, relisted {f.weekly['relisted']}")
    out.print(f"  flag→removal median {days_text(f.removal_median)}, p90 {days_text(f.removal_p90)}; "
              f"repeat offenders (shops) {f.repeat_total}")
    out.print(f"专项整治报告 campaign report: {campaign.pdf}  {campaign.xlsx}; again: firewatch --data-dir {data} "
              f"report campaign --from {period.first} --to {period.last}")
    out.print(f"用时 took {time.monotonic() - started:.0f} s; pipeline errors: {len(stats.errors)}")
    summary = {"listings": per_platform, "flagged": len(flagged), "reasons": reasons, "screenshots": len(screenshots),
               "confirmed": acted.confirmed, "dismissed": acted.dismissed,
               "notices": [{"platform": p, "listings": n, "pdf": pdf} for p, n, pdf in acted.notices],
               "tip": {"receipt": tip.receipt, "url": tip.url},
               "report": {"rows": len(report.file.rows), "new": report.written.created, "fetched": stats.fetched},
               "alerts": acted.alerts, "pack": str(acted.pack) if acted.pack else None,
               "pack_ok": acted.pack is not None and not acted.pack_problems, "ocr": {**ocr, "listings": stats.ocr},
               "campaign": {"from": str(period.first), "to": str(period.last), "days": list(CAMPAIGN_DAYS),
                            "totals": f.totals, "weekly": f.weekly, "weeks": [str(w) for w in f.weeks],
                            "removal_median_days": f.removal_median, "removal_p90_days": f.removal_p90,
                            "repeat_offenders": f.repeat_total, "cases": len(f.cases),
                            "pdf": str(campaign.pdf), "xlsx": str(campaign.xlsx)}}
    (data / "demo-summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    if (acted.pack is None or acted.pack_problems or not acted.notices or not screenshots or len(per_platform) < 4
            or not stats.fetched):
        raise FirewatchError("the demo did not complete every stage; see the summary above")
    return summary


def _import_report(settings: Settings, market: DemoMarket, path: Path, console) -> ReportImport:
    """Import a compliance report naming risky listings the crawl's keywords did not reach (and
    two it did): they enter the flow by their real URLs, as a platform's file would bring them."""
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        initial = {(x.platform, x.listing_id): x for x in market.catalogue.initial()}
        stored = {k for k in initial if store.listings.get_listing(k) is not None}  # one look each
        uncrawled = [k for k, x in initial.items() if k not in stored and x.true_reasons and x.delisted_day is None]
        picked = uncrawled[:REPORT_NEW] + [k for k in initial if k in stored][:2]
        write_compliance_report(market.catalogue, picked, path)
        report = import_listings(store, path, DEMO_REPORT_SOURCE, imported_by="firewatch-demo")
    if report.written is None:
        raise FirewatchError(f"the demo's report {path} did not import: {[e.reason for e in report.errors][:3]}")
    console.print(f"导入 imported {path.name}: {report.written.created} new, {report.written.updated} updated, "
                  f"{report.fetch} queued for their pages to be fetched and captured")
    return report


def _file_tip(settings: Settings, market: DemoMarket, console) -> TipRecord:
    """A public tip about a risky listing nobody has crawled or reported, filed as the tip page
    files one (proof of work solved here as the page's script would), anonymous."""
    channel = TipsChannel(settings.tips_dir, TipPolicy.from_settings(settings))
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        item = next(x for x in market.catalogue.initial() if x.true_reasons and x.delisted_day is None
                    and x.platform == "pdd" and store.listings.get_listing((x.platform, x.listing_id)) is None)
        challenge = channel.challenge()
        nonce = solve(str(challenge["challenge"]), int(challenge["bits"]))
        tip = channel.submit(store, TipForm(url=item.url, text=DEMO_TIP_TEXT, challenge=str(challenge["challenge"]),
                                            nonce=nonce), ip="127.0.0.1")
    console.print(f"举报 tip filed: receipt {tip.receipt} for {item.url}")
    return tip
