"""Run one crawl of several platforms in this process and record it in the store.

Twisted's reactor cannot restart inside a process, so a caller that crawls more than
once (the scheduler, the demo, the tests) starts `firewatch crawl` as a child process;
this module is what that child runs. Every run is recorded per platform in the store
(start, end, pages, items, errors, blocks, 429s, and the pid and host running it, with a
heartbeat) and its stats are returned. Before a platform's run starts, its earlier runs
whose process is gone are marked "killed" (`crawler.runs`); outside Redis mode a platform
already being crawled by another process is skipped, or refused when it is the only one
(`crawler.lock`). Each spider first fetches again the item pages of its suspected removals whose
`[notices] removal_confirm_hours` have passed (`crawler.revisit`).
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from twisted.internet import task

from crawler.distributed import check_redis, redis_settings
from crawler.exceptions import CrawlLockedError, RobotsRefusedError
from crawler.keywords import keyword_plan
from crawler.lock import PlatformLock, platform_lock
from crawler.progress import set_display
from crawler.proxies import proxy_list
from crawler.resolve import playwright_handler
from crawler.revisit import revisit_plan
from crawler.runs import HEARTBEAT_EVERY, reap_killed_runs, this_host
from crawler.sessions import session_files
from crawler.sitecheck import robots_refusal
from crawler.sites import SITES
from crawler.skip import skip_key_map
from crawler.spiders import SPIDERS
from firewatch.core.browser import CHROMIUM_ARGS
from firewatch.core.hostmap import HostMap
from firewatch.core.models import utcnow
from firewatch.core.settings import Settings
from firewatch.store import open_store

log = logging.getLogger(__name__)


def scrapy_settings(settings: Settings, echo_commits: bool = False) -> ScrapySettings:
    """Translate firewatch's crawl settings into Scrapy settings."""
    c = settings.crawl
    s = ScrapySettings()
    s.setdict({
        "BOT_NAME": "firewatch",
        "USER_AGENT": c.user_agent,
        "ROBOTSTXT_OBEY": c.obey_robots,
        "CONCURRENT_REQUESTS": max(16, c.concurrency_per_domain * 2),
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrency_per_domain,
        "DOWNLOAD_DELAY": c.download_delay,
        "AUTOTHROTTLE_ENABLED": c.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(c.download_delay, 0.01),
        "AUTOTHROTTLE_MAX_DELAY": c.max_retry_after,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(c.concurrency_per_domain),
        "RETRY_TIMES": c.retry_times,
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.RetryAfterMiddleware": 550,
            "crawler.middlewares.BlockMiddleware": 650,  # before RedirectMiddleware (600) sees responses
            "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
            "crawler.sessions.SessionCookiesMiddleware": 700,  # Scrapy's cookie jar, seeded with the platform's session
            "crawler.proxies.ProxyMiddleware": 740,  # before HttpProxyMiddleware (750); sees proxy errors before retries
        },
        "ITEM_PIPELINES": {"crawler.pipelines.StorePipeline": 300},
        "EXTENSIONS": {"crawler.progress.ProgressExtension": 500},
        "FIREWATCH_STORE": settings.store_url,
        "FIREWATCH_DATA_DIR": str(settings.data_dir),  # evidence and notice paths are stored relative to it
        "FIREWATCH_ECHO_COMMITS": echo_commits,
        "FIREWATCH_MAX_BLOCKS": c.max_blocks,
        "FIREWATCH_HOME_REDIRECT_BURST": c.home_redirect_burst,  # crawler.spiders.market
        "FIREWATCH_REMOVAL_CONFIRM_HOURS": settings.notices.removal_confirm_hours,  # crawler.pipelines
        "FIREWATCH_BLOCK_BACKOFF": c.block_backoff,
        "FIREWATCH_MAX_RETRY_AFTER": c.max_retry_after,
        "FIREWATCH_PROXIES": proxy_list(c.proxies),
        "FIREWATCH_PROXY_MAX_FAILURES": c.proxy_max_failures,
        "FIREWATCH_PROXY_COOLDOWN": c.proxy_cooldown,
        "FIREWATCH_SESSIONS": session_files(settings),
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        # The host map: mapped hosts are connected to their mapped address, URLs stay real.
        "FIREWATCH_RESOLVE": HostMap.from_settings(settings).as_dict(),
        "DOWNLOAD_HANDLERS": {"http": "crawler.resolve.ResolvingDownloadHandler",
                              "https": "crawler.resolve.ResolvingDownloadHandler"},
        "WARN_ON_GENERATOR_RETURN_VALUE": False,  # else Scrapy re-parses every callback's source
    })
    # a shared scrapy-redis frontier when crawl.redis_url is set
    s.setdict(redis_settings(c.redis_url, c.redis_key_prefix, c.redis_worker_timeout))
    return s


def lock_platforms(settings: Settings, platforms: list[str],
                   report: Callable[[str], Any] = log.warning) -> dict[str, PlatformLock]:
    """Outside Redis mode, each platform's crawl lock; a platform another crawl holds is left
    out (and reported). Raises `CrawlLockedError` when every platform is held elsewhere.
    In Redis mode (`crawl.redis_url`) crawls share one frontier and take no lock: {} ."""
    if settings.crawl.redis_url:
        return {}
    held: dict[str, PlatformLock] = {}
    refused: list[CrawlLockedError] = []
    for platform in platforms:
        try:
            held[platform] = platform_lock(settings.data_dir, platform)
        except CrawlLockedError as exc:
            refused.append(exc)
    if refused and not held:
        raise refused[0]
    for exc in refused:
        report(f"跳过 skipped {exc.platform}: {exc}")
    return held


class _BrowserRequests:
    """scrapy-playwright's PLAYWRIGHT_ABORT_REQUEST: only the platform's own hosts, and no images,
    media or fonts (the data answers are what is read)."""

    def __init__(self, site):
        self.site = site

    def __call__(self, request) -> bool:
        host = urlsplit(request.url).hostname or ""
        return request.resource_type in ("image", "media", "font") or not self.site.owns(host)


def browser_settings(settings: Settings, platform: str, session: str | None) -> dict[str, Any]:
    """Scrapy settings for a platform with browser flows: scrapy-playwright with Debian's Chromium,
    the host map's resolver rules, and one context holding the platform's imported session."""
    hostmap = HostMap.from_settings(settings)
    context = {"user_agent": settings.crawl.user_agent, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
               "viewport": {"width": 1280, "height": 900}}
    if session:
        context["storage_state"] = session
    handler = playwright_handler()
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": settings.capture.chromium, "headless": True,
                                      "args": [*CHROMIUM_ARGS, *hostmap.chromium_args()]},
        "PLAYWRIGHT_CONTEXTS": {platform: context},
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": max(1, min(4, settings.crawl.concurrency_per_domain)),
        "PLAYWRIGHT_ABORT_REQUEST": _BrowserRequests(SITES[platform]),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": settings.capture.timeout_ms,
    }


def run_conditions(settings: Settings, platform: str) -> dict[str, Any]:
    """What a crawl run of `platform` ran under, recorded with the run."""
    c = settings.crawl
    basis = c.legal_basis.get(platform, "")
    return {"host_map": HostMap.from_settings(settings).as_dict(),
            "robots_txt": "not applied (legal basis)" if basis else ("obeyed" if c.obey_robots else "not obeyed"),
            "legal_basis": basis, "session": bool(session_files(settings, [platform]))}


def robots_permitted(settings: Settings, platforms: list[str], report: Callable[[str], Any]) -> list[str]:
    """The platforms whose robots.txt allows every flow the crawl needs, or whose settings name a
    legal basis; each refused one is reported and recorded as a run with outcome "refused_robots";
    `RobotsRefusedError` when none is left."""
    c = settings.crawl
    if not c.obey_robots:
        return platforms
    hostmap = HostMap.from_settings(settings)
    refused = {p: why for p in platforms if not c.legal_basis.get(p)
               for why in [robots_refusal(SITES[p], hostmap, c.user_agent)] if why}
    if refused:
        with open_store(settings.store_url, data_dir=settings.data_dir) as store:
            for platform, why in refused.items():
                report(f"拒绝 refused {platform}: {why}")
                run = store.listings.start_crawl_run(platform, pid=os.getpid(), host=this_host(),
                                                     conditions={**run_conditions(settings, platform), "refused": why})
                store.listings.finish_crawl_run(run, "refused_robots")
    allowed = [p for p in platforms if p not in refused]
    if not allowed:
        raise RobotsRefusedError(" ".join(refused.values()))
    return allowed


def remember_searches(store, platform: str, spider) -> None:
    """Where each keyword's search resumes next run: the first page not read, or from the start."""
    if spider is None:
        return
    for keyword in spider.completed_searches:
        store.listings.clear_resume_page(platform, keyword)
    for keyword, page in spider.blocked_searches.items():
        store.listings.set_resume_page(platform, keyword, page)


def run_crawl(settings: Settings, platforms: Iterable[str], keywords: dict[str, list[str]] | None = None,
              echo_commits: bool = False, progress: Any = None,
              log_level: int = logging.WARNING,
              report: Callable[[str], Any] = log.warning) -> dict[str, dict[str, Any]]:
    """Crawl the given platforms once, each with its keywords (default: the "default" set);
    return per-platform stats. Outside Redis mode a platform that another crawl is running
    is skipped (said through `report`) and missing from the result; `CrawlLockedError`
    when that leaves none."""
    c = settings.crawl
    platforms = list(platforms)
    keywords = keywords or keyword_plan(settings, platforms)
    crawl_settings = scrapy_settings(settings, echo_commits)  # a bad session or proxy list fails here, before any record
    check_redis(c.redis_url)  # a shared frontier must answer before any run is recorded
    platforms = robots_permitted(settings, platforms, report)
    locks = lock_platforms(settings, platforms, report)
    if locks:
        platforms = [p for p in platforms if p in locks]
    try:
        return _crawl(settings, platforms, keywords, crawl_settings, progress, log_level)
    finally:
        for lock in locks.values():
            lock.release()


def _crawl(settings: Settings, platforms: list[str], keywords: dict[str, list[str]], crawl_settings: ScrapySettings,
           progress: Any, log_level: int) -> dict[str, dict[str, Any]]:
    c = settings.crawl
    store = open_store(settings.store_url, data_dir=settings.data_dir)
    since = utcnow() - timedelta(seconds=c.recrawl_after)
    signatures = skip_key_map(store, since)  # what the spider compares search results with (crawler.skip.unchanged)
    # suspected removals whose confirm window has passed: their item pages are fetched again (crawler.revisit)
    revisit = revisit_plan(store, {p: list(SPIDERS[p].item_parsers) for p in platforms},
                           timedelta(hours=settings.notices.removal_confirm_hours), utcnow())
    host = this_host()
    for platform in platforms:
        reap_killed_runs(store, platform, host)
    runs = {p: store.listings.start_crawl_run(p, pid=os.getpid(), host=host, conditions=run_conditions(settings, p))
            for p in platforms}
    set_display(progress)
    # Scrapy resets logger levels as it starts; the caller's handlers keep its chatter
    # at the caller's level.
    for handler in logging.getLogger().handlers:
        handler.setLevel(log_level)
    process = CrawlerProcess(crawl_settings, install_root_handler=False)
    sessions = crawl_settings.getdict("FIREWATCH_SESSIONS")
    crawlers = {}
    for platform in platforms:
        crawler = process.create_crawler(SPIDERS[platform])
        crawler.settings.set("FIREWATCH_RUN_ID", runs[platform], priority="spider")  # provenance of what it stores
        if SITES[platform].search.browser:  # the site signs its data requests in its own script
            crawler.settings.setdict(browser_settings(settings, platform, sessions.get(platform)), priority="spider")
        if c.legal_basis.get(platform):  # robots.txt forbids it; the settings name the legal basis
            crawler.settings.set("ROBOTSTXT_OBEY", False, priority="spider")
            log.warning("%s: robots.txt not applied; legal basis: %s", platform, c.legal_basis[platform])
        crawlers[platform] = crawler
        process.crawl(crawler, keywords=keywords[platform], max_pages=c.max_pages, skip_signatures=signatures,
                      start_pages=store.listings.resume_pages(platform), revisit=revisit[platform])

    def heartbeat() -> None:
        try:
            store.listings.heartbeat_crawl_runs(list(runs.values()))
        except Exception as exc:  # noqa: BLE001 - a busy store must not stop the crawl
            log.warning("crawl heartbeat not recorded: %s", exc)

    beat = task.LoopingCall(heartbeat)  # created after the crawlers: Scrapy has installed its reactor
    beat.start(HEARTBEAT_EVERY, now=False)
    outcome = "finished"
    try:
        process.start()
    except KeyboardInterrupt:  # pragma: no cover - interactive stop
        outcome = "interrupted"
    finally:
        if beat.running:
            beat.stop()
    results = {}
    for platform, crawler in crawlers.items():
        remember_searches(store, platform, getattr(crawler, "spider", None))
        stats = crawler.stats.get_stats()
        counts = {
            "pages": stats.get("response_received_count", 0),
            "items": stats.get("firewatch/stored", 0),
            "errors": stats.get("log_count/ERROR", 0) + stats.get("spider_exceptions/ParseError", 0),
            "blocks": stats.get("firewatch/blocked", 0),
            "throttled": stats.get("firewatch/http_429", 0),
        }
        reason = stats.get("finish_reason", outcome)
        store.listings.finish_crawl_run(runs[platform], reason if outcome == "finished" else outcome, **counts)
        results[platform] = {**counts, "new": stats.get("firewatch/new", 0),
                             "skipped": stats.get("firewatch/skipped_unchanged", 0),
                             "http_5xx": sum(v for k, v in stats.items() if k.startswith("downloader/response_status_count/5")),
                             "alert": stats.get("firewatch/alert", ""), "finish_reason": reason}
    store.close()
    return results
