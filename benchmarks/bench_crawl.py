"""Benchmark: the firewatch crawl against a bare Scrapy spider doing the same fetches, same run.

Starts the demo market with every hostile behaviour off (rate limit, errors, captcha bursts:
`QUIET`), so both sides see the same server. URLs are the platforms' real URLs (the site maps of
`crawler/sites.py`); a host map sends every real hostname to the market's TLS port, on both sides
through `crawler.resolve.ResolvingDownloadHandler`. Each round, in a fresh data directory with the
market's logged-in sessions imported, alternating:

- ours: a child process running `crawler.run.run_crawl` as `firewatch crawl` does (the firewatch
  Scrapy settings, middlewares, block detector, parsers, merging, the SQLite store pipeline,
  robots.txt): 1688 from its search pages (pagination, item pages); JD from its item pages and
  price API only (see below);
- bare: a child process running one plain Scrapy spider per platform, in one CrawlerProcess as
  ours does, with the same Scrapy settings for concurrency, download delay and AutoThrottle, the
  same user agent, robots.txt obeyed, the same session cookies and the same download handler; it
  fetches the same URL list (built from the site maps and the market's catalogue: every search
  page, every item page, a JD price API URL per JD item) and does nothing with the responses.

Only plain-HTTP flows are benchmarked, so that both sides can do the same fetches: JD and Taobao
search need a real browser (scrapy-playwright: the site signs its search API in its own
JavaScript), which a bare Scrapy spider cannot replay, and so do PDD's later result pages (they
come by scrolling the first one). So Taobao and PDD are left out, and JD's spider is
started from the catalogue's JD listings for the keywords (what its search would have found):
ours fetches each JD item page and its price API answer through the JD spider's own callbacks,
and the bare side fetches the same URLs.

The market counts the requests each side made; each round prints whether the two multisets are
equal (they should be: then both did exactly the same fetches). Times are wall times of the child
processes, start-up (imports) included. It prints each round, the median per side, the ratio
ours / bare (goal: at most 1.3x), and the CPU seconds of each child.

Run: `PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_crawl.py [--rounds N] [--platform P ...]`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEYWORDS = ("灭火器", "消防", "防火", "报警器")
PLATFORMS = ("1688", "jd")  # the plain-HTTP flows (PDD, JD and Taobao search load in Chromium)
# The Scrapy settings both sides share (taken from crawler.run.scrapy_settings).
SHARED = ("USER_AGENT", "ROBOTSTXT_OBEY", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY",
          "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY",
          "AUTOTHROTTLE_TARGET_CONCURRENCY", "RETRY_TIMES", "REQUEST_FINGERPRINTER_IMPLEMENTATION",
          "TWISTED_REACTOR", "FIREWATCH_RESOLVE", "DOWNLOAD_HANDLERS", "TELNETCONSOLE_ENABLED")


ITEMS_ONLY = ("jd",)  # platforms started from their item pages (their search needs a browser)


def catalogue_ids(market, platform: str) -> list[str]:
    """Listing ids the keywords find on `platform` in the market's catalogue, first seen first."""
    ids: dict[str, None] = {}
    for keyword in KEYWORDS:
        for item in market.catalogue.search(keyword, market.day, (platform,)):
            ids[item.listing_id] = None
    return list(ids)


def same_fetches(market, platforms, max_pages: int) -> dict[str, list[str]]:
    """Per platform, the real URLs the crawl fetches: search pages as the market paginates them,
    then every item page, then (JD) the price API per item. Unique, like the duplicate filter."""
    from crawler.sites import SITES

    out: dict[str, list[str]] = {}
    for platform in platforms:
        site = SITES[platform]
        urls: dict[str, None] = {}
        for keyword in KEYWORDS if platform not in ITEMS_ONLY else ():
            found = market.catalogue.search(keyword, market.day, (platform,))
            for page in range(1, min(max_pages, max(1, math.ceil(len(found) / site.page_size))) + 1):
                urls[site.search_url(keyword, page)] = None
        items = catalogue_ids(market, platform)
        for listing_id in items:
            urls[site.item_url(listing_id)] = None
        if site.price is not None:
            for listing_id in items:
                urls[site.price_url(listing_id)] = None
        out[platform] = _round_robin_by_host(list(urls))
    return out


def _round_robin_by_host(urls: list[str]) -> list[str]:
    """Interleave the hosts (search, item, price API), so that no host's download slot holds the
    whole crawler's concurrency while another host waits (the spider interleaves them too)."""
    from urllib.parse import urlsplit

    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(urlsplit(url).hostname or "", []).append(url)
    queues = list(by_host.values())
    out = []
    for i in range(max(map(len, queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def ours_crawl(spec_file: str) -> None:
    """Child process: `run_crawl` as `firewatch crawl` runs it; JD started from its item pages."""
    spec = json.loads(Path(spec_file).read_text())
    sys.path.insert(0, spec["root"])  # the checkout whose crawl is measured (--also)

    from crawler import run
    from crawler.spiders import SPIDERS
    from firewatch.core.models import Listing
    from firewatch.core.settings import load_settings

    settings = load_settings(env={"FIREWATCH_DATA_DIR": spec["data_dir"]}).with_overrides({"crawl": spec["crawl"]})
    for platform, ids in spec["items_only"].items():
        base = SPIDERS[platform]

        class ItemsOnly(base):  # type: ignore[misc, valid-type]
            async def start(self, ids=ids, platform=platform):
                for listing_id in ids:  # what the search would have found: id only, price pending
                    yield self.item_request(Listing(platform=platform, listing_id=listing_id, price_pending=True))

        SPIDERS[platform] = ItemsOnly
    results = run.run_crawl(settings, spec["platforms"], keywords={p: list(KEYWORDS) for p in spec["platforms"]})
    print(json.dumps(results, default=str))


def bare_crawl(spec_file: str) -> None:
    """Child process: one plain spider per platform fetches its URLs once and does nothing else."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    spec = json.loads(Path(spec_file).read_text())
    fetched = Counter()

    def spider_for(platform: str, urls: list[str], cookies: dict[str, str]):
        class Bare(scrapy.Spider):
            name = f"bare_{platform}"

            async def start(self):
                for url in urls:
                    yield scrapy.Request(url, cookies=cookies, dont_filter=True)

            def parse(self, response):
                fetched[response.status] += 1

        return Bare

    process = CrawlerProcess({**spec["settings"], "LOG_LEVEL": "ERROR"})
    for platform, urls in spec["urls"].items():
        process.crawl(spider_for(platform, urls, spec["cookies"].get(platform, {})))
    process.start()
    print(json.dumps({"responses": sum(fetched.values()), "status": dict(fetched)}))


def session_cookies(data_dir: Path, platforms) -> dict[str, dict[str, str]]:
    out = {}
    for platform in platforms:
        state = json.loads((data_dir / "sessions" / f"{platform}.json").read_text(encoding="utf-8"))
        out[platform] = {c["name"]: c["value"] for c in state["cookies"]}
    return out


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ours(market, data_dir: Path, platforms, root: Path = ROOT) -> tuple[float, float]:
    spec_file = data_dir / "ours.json"
    crawl = {**market.settings_overrides()["crawl"], "legal_basis": {"taobao": "benchmark replica"}}
    spec_file.write_text(json.dumps({"root": str(root), "data_dir": str(data_dir), "crawl": crawl, "platforms": list(platforms),
                                     "items_only": {p: catalogue_ids(market, p) for p in platforms if p in ITEMS_ONLY}}))
    cpu, start = _child_cpu(), time.perf_counter()
    subprocess.run([sys.executable, __file__, "--ours", str(spec_file)], check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(root)})
    return time.perf_counter() - start, _child_cpu() - cpu


def run_bare(spec_file: Path) -> tuple[float, float, dict]:
    cpu, start = _child_cpu(), time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--bare", str(spec_file)], check=True, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.perf_counter() - start
    return elapsed, _child_cpu() - cpu, json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each runs every side once (medians reported)")
    parser.add_argument("--platform", action="append", choices=PLATFORMS, help=f"platforms (default: {PLATFORMS})")
    parser.add_argument("--also", action="append", type=Path, default=[], metavar="CHECKOUT",
                        help="also measure the crawl of another checkout of firewatch (e.g. an older commit), "
                             "in the same rounds")
    opts = parser.parse_args()

    from crawler.run import scrapy_settings
    from demo_market.server import QUIET, DemoMarket
    from firewatch.core.settings import load_settings
    from firewatch.store import open_store

    platforms = list(opts.platform or PLATFORMS)
    sides = [("ours", ROOT)] + [(f"ours@{root}", root.resolve()) for root in opts.also] + [("bare", None)]
    times: dict[str, list[float]] = {name: [] for name, _ in sides}
    cpus: dict[str, list[float]] = {name: [] for name, _ in sides}
    market = DemoMarket(seed=7, **QUIET)
    market.start(port=0)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            overrides = {"crawl": {**market.settings_overrides()["crawl"], "legal_basis": {"taobao": "benchmark"}}}
            settings = load_settings(env={"FIREWATCH_DATA_DIR": str(tmp / "settings")}).with_overrides(overrides)
            ours_settings = scrapy_settings(settings)
            shared = {k: ours_settings[k] for k in SHARED}
            shared["FIREWATCH_RESOLVE"] = dict(ours_settings.getdict("FIREWATCH_RESOLVE"))
            shared["DOWNLOAD_HANDLERS"] = dict(ours_settings.getdict("DOWNLOAD_HANDLERS"))
            urls = same_fetches(market, platforms, settings.crawl.max_pages)
            total_urls = sum(len(u) for u in urls.values())
            for round_no in range(opts.rounds):
                fetches: dict[str, Counter] = {}
                notes = []
                for i, (name, root) in enumerate(sides):
                    data_dir = tmp / f"r{round_no}s{i}"
                    market.write_sessions(data_dir, platforms)
                    before = market.request_counts()
                    if root is None:
                        spec_file = data_dir / "bare.json"
                        spec_file.write_text(json.dumps({"settings": shared, "urls": urls,
                                                         "cookies": session_cookies(data_dir, platforms)}))
                        elapsed, cpu, out = run_bare(spec_file)
                        note = f"{out['responses']} responses {out['status']}"
                    else:
                        elapsed, cpu = run_ours(market, data_dir, platforms, root)
                        with open_store(data_dir / "firewatch.db", data_dir=data_dir) as store:
                            stored = sum(store.listings.count_listings().values())
                        note = f"{stored} listings stored"
                    fetches[name] = market.request_counts() - before
                    times[name].append(elapsed)
                    cpus[name].append(cpu)
                    notes.append(f"{name} {elapsed:6.2f} s, CPU {cpu:5.2f} s ({sum(fetches[name].values())} requests, "
                                 f"{note})")
                print(f"round {round_no + 1}: " + "; ".join(notes), flush=True)
                for name, _ in sides[1:]:
                    if fetches[name] != fetches["ours"]:
                        only_ours, only_other = fetches["ours"] - fetches[name], fetches[name] - fetches["ours"]
                        print(f"  NOT the same fetches: only ours {sum(only_ours.values())} "
                              f"{list(only_ours.items())[:5]}; only {name} {sum(only_other.values())} "
                              f"{list(only_other.items())[:5]}")
    finally:
        market.stop()
    at = shared["AUTOTHROTTLE_ENABLED"]
    print(f"platforms {', '.join(p + (' (item pages and price API)' if p in ITEMS_ONLY else '') for p in platforms)}; "
          f"{len(KEYWORDS)} keywords; {total_urls} URLs besides robots.txt; "
          f"concurrency per domain {shared['CONCURRENT_REQUESTS_PER_DOMAIN']}; AutoThrottle {'on' if at else 'off'} "
          f"(target {shared['AUTOTHROTTLE_TARGET_CONCURRENCY']}); wall times include process start-up")
    bare, bare_cpu = statistics.median(times["bare"]), statistics.median(cpus["bare"])
    for name, _ in sides:
        wall, cpu = statistics.median(times[name]), statistics.median(cpus[name])
        print(f"{name}: median {wall:6.2f} s of {', '.join(f'{t:.2f}' for t in times[name])}; CPU median {cpu:.2f} s")
    for name, _ in sides[:-1]:
        wall, cpu = statistics.median(times[name]), statistics.median(cpus[name])
        print(f"ratio {name}/bare: {wall / bare:.2f}x wall (goal: at most 1.3x), {cpu / bare_cpu:.2f}x CPU")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--bare":
        bare_crawl(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "--ours":
        ours_crawl(sys.argv[2])
    else:
        main()
