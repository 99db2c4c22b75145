"""The demo's simulated campaign: several weeks of the replica's days, compressed into minutes.

The demo starts its clock `CAMPAIGN_DAYS[-1]` days in the past (`clock.set_offset`; the crawl child gets
`FIREWATCH_CLOCK__OFFSET_DAYS`), so everything the store records carries the simulated campaign day
and the last tick is today. `campaign_tick(...)` runs one simulated day: the replica's day counter
moves (prices move, listings delist, risky ones come back under new ids and shops, and what earlier
notices named comes down after the platform's delay, `demo_market.behaviour.TakedownDesk`); an
incremental crawl of a keyword finds new listings and relistings; a batch of the listings named in
open notices is fetched again (a page that says 该商品已下架 is a verified removal); processing scores and
captures a few more; simulated reviewers decide the captured flags (`review.decide_captured`);
notices go out and the desk receives them; notices are evaluated and the alert rules run.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import timedelta

from alerts.notices import NoticeConfig, create_notice, evaluate_all, send_notice
from alerts.rules import AlertsConfig, run_rules
from firewatch.core.child import child_command
from firewatch.core.clock import set_offset
from firewatch.core.datapaths import resolve_path
from firewatch.core.exceptions import FirewatchError
from firewatch.core.models import PLATFORMS
from firewatch.core.settings import CRAWL_PLATFORMS, Settings
from firewatch.demo.review import decide_captured
from firewatch.services.processing import run_processing
from firewatch.store import open_store

# Knobs, chosen to keep `make demo` near six minutes on two shared cores:
CAMPAIGN_DAYS = (0, 7, 14, 21)  # simulated days with work on them; day 0 is the demo's first pass
TICK_KEYWORDS = {7: ["灭火器"], 14: ["报警器"]}  # a small incremental crawl on these days (relistings come days 1-10)
TICK_MAX_PAGES = 1
NO_CRAWL_PROOF = timedelta(days=3650)  # crawl misses queue no re-checks: each tick re-checks its own batch
TICK_LIMIT = 15  # per tick: listings of open notices fetched again (oldest first), and new flags captured


@dataclass
class TickResult:
    day: int
    crawled: bool = False
    rechecked: int = 0
    confirmed: int = 0
    dismissed: int = 0
    noticed: int = 0
    removed_so_far: int = 0
    taken_down: dict[tuple[str, str], int | None] = field(default_factory=dict)


def day_offset(day: int) -> timedelta:
    """The clock offset that makes `day` of the campaign today-minus-the-rest (the last day is today)."""
    return timedelta(days=day - CAMPAIGN_DAYS[-1])


def enter_day(market, day: int, env: dict[str, str]) -> None:
    """Move the replica and this process's clock (and the crawl child's, through `env`) to `day`."""
    market.day = day
    set_offset(day_offset(day))
    env["FIREWATCH_CLOCK__OFFSET_DAYS"] = str(day_offset(day).days)


def crawl(settings: Settings, env: dict[str, str], keywords: list[str] | None = None) -> None:
    """A crawl of every platform in a child process (all keyword sets, or `keywords` only)."""
    args = sum((["--platform", p] for p in CRAWL_PLATFORMS), [])
    args += sum((["--query", k] for k in keywords or []), [])
    if keywords:
        args.append("--no-progress")
    child = subprocess.run(child_command(settings, "crawl", *args), env={**os.environ, **env})
    if child.returncode != 0:
        raise FirewatchError(f"the crawl child process failed (exit {child.returncode}); see its output above")


def campaign_tick(settings: Settings, market, desk, day: int, env: dict[str, str], catalogue, console) -> TickResult:
    result = TickResult(day)
    enter_day(market, day, env)
    console.rule(f"专项整治第 {day} 天 campaign day {day} (simulated; the replica's day counter moved)")
    if TICK_KEYWORDS.get(day):
        crawl(settings, {**env, "FIREWATCH_CRAWL__MAX_PAGES": str(TICK_MAX_PAGES)}, TICK_KEYWORDS[day])
        result.crawled = True
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        open_items = [(r["platform"], r["listing_id"]) for r in store.notices.sent_notice_items()]
        seen = {key: store.listings.get_listing(key).last_seen for key in open_items}  # a demo's few dozen
        open_items = sorted(open_items, key=lambda k: (seen[k], k))[:TICK_LIMIT]
        for key in open_items:  # the regulator re-checks a batch of the listings notices named, least recently seen first
            store.queue.enqueue(key, "fetch")
    result.rechecked = len(open_items)
    stats = run_processing(settings, capture=True, max_captures=TICK_LIMIT, report=console.print)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        result.confirmed, result.dismissed = decide_captured(store, catalogue)
        config = NoticeConfig.from_settings(settings)
        for platform in PLATFORMS:
            notice_id = create_notice(store, platform, created_by="firewatch-demo")
            if notice_id is None:
                continue
            notice = send_notice(store, notice_id, sent_by="firewatch-demo", out_dir=settings.export_dir / "notices",
                                 config=config, chromium=settings.capture.chromium)
            resolve_path(notice.pdf_path, settings.data_dir)
            result.noticed += len(notice.listing_keys)
            result.taken_down.update(desk.receive(notice.listing_keys, day))
        # Only a page fetched again that says 该商品已下架 counts as removed; the tick re-checked its own
        # batch above, so crawl misses are not turned into re-checks here (NO_CRAWL_PROOF).
        notices = evaluate_all(store, recrawl_after=NO_CRAWL_PROOF)
        result.removed_so_far = sum(len(n.removed) for n in notices)
        run_rules(store, AlertsConfig.from_settings(settings))
    console.print(f"第 {day} 天 day {day}: crawl {'yes' if result.crawled else 'no'}, re-checked {result.rechecked} "
                  f"noticed listings, fetched {stats.fetched}, decided {result.confirmed} confirmed / "
                  f"{result.dismissed} dismissed, {result.noticed} listings noticed, "
                  f"{result.removed_so_far} verified removed so far")
    return result
