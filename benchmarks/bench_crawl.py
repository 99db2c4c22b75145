"""Benchmark: our crawl against a bare Scrapy spider fetching the same pages, same run.

Starts the demo market (real-site behaviours off, so both sides see the same server),
runs `firewatch crawl` for JD, PDD and 1688 on four keywords in a child process (parsing,
merging, price endpoint, SQLite store, middlewares, progress), then a bare Scrapy
spider in another child process that fetches the same URLs (search pages, item pages,
JD price endpoint) with the same concurrency and robots.txt, and does nothing with
them. Prints pages per second for each and the ratio (time ours / time bare).
Run: `.venv/bin/python benchmarks/bench_crawl.py`.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEYWORDS = ("灭火器", "消防", "防火", "报警器")
PLATFORMS = ("jd", "pdd", "1688")
SEARCH = {  # route, page size: as crawler/spiders/market.py and demo_market/pages.py
    "jd": ("jd/search?keyword={q}&page={page}", 30),
    "pdd": ("pdd/search?q={q}&page={page}", 20),
    "1688": ("1688/offer_search?keywords={q}&beginPage={page}", 40),
}


def same_pages(market) -> list[str]:
    urls: dict[str, None] = {}  # ordered and, like the spider's duplicate filter, unique
    for keyword in KEYWORDS:
        for platform in PLATFORMS:
            found = market.catalogue.search(keyword, 0, (platform,))
            route, size = SEARCH[platform]
            for page in range(1, max(1, math.ceil(len(found) / size)) + 1):
                urls[f"{market.base_url}/" + route.format(q=quote(keyword), page=page)] = None
            for item in found:
                urls[market.base_url + item.url] = None
                if platform == "jd":
                    urls[f"{market.base_url}/jd/prices/mgets?skuIds=J_{item.listing_id}"] = None
    return list(urls)


def bare_crawl(url_file: str, concurrency: int) -> None:
    """Child process: fetch every URL once with plain Scrapy and report the count."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = json.loads(Path(url_file).read_text())
    fetched = []

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):
            for url in urls:
                yield scrapy.Request(url, dont_filter=True)

        def parse(self, response):
            fetched.append(response.status)

    process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True, "TELNETCONSOLE_ENABLED": False,
                              "CONCURRENT_REQUESTS": max(16, concurrency * 2),
                              "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency})
    process.crawl(Bare)
    process.start()
    print(json.dumps({"pages": len(fetched)}))


def main() -> None:
    from demo_market.server import QUIET, DemoMarket
    from firewatch.core.settings import load_settings
    from firewatch.store import open_store

    concurrency = load_settings(env={}).crawl.concurrency_per_domain
    market = DemoMarket(seed=7, **QUIET)
    market.start(port=0)
    try:
        urls = same_pages(market)
        with tempfile.TemporaryDirectory() as tmp:
            args = [sys.executable, "-m", "firewatch", "--data-dir", tmp, "crawl", "--base-url", market.base_url,
                    "--no-progress"] + sum((["--query", k] for k in KEYWORDS), []) + sum((["--platform", p] for p in PLATFORMS), [])
            start = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            ours = time.perf_counter() - start
            with open_store(Path(tmp) / "firewatch.db") as store:
                stored = sum(store.listings.count_listings().values())
                our_pages = sum(r["pages"] for r in store.listings.crawl_runs())
            url_file = Path(tmp) / "urls.json"
            url_file.write_text(json.dumps(urls))
            start = time.perf_counter()
            out = subprocess.run([sys.executable, __file__, "--bare", str(url_file), str(concurrency)],
                                 check=True, capture_output=True, text=True)
            bare = time.perf_counter() - start
            bare_pages = json.loads(out.stdout.strip().splitlines()[-1])["pages"]
    finally:
        market.stop()
    print(f"same pages: {len(urls)} URLs; concurrency per domain {concurrency}; times include process start")
    print(f"firewatch crawl: {ours:6.2f} s, {our_pages} responses, {stored} listings stored, {our_pages / ours:6.1f} pages/s")
    print(f"bare Scrapy:     {bare:6.2f} s, {bare_pages} responses, {bare_pages / bare:6.1f} pages/s")
    print(f"ratio ours/bare: {ours / bare:.2f}x (goal: at most 1.3x)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--bare":
        bare_crawl(sys.argv[2], int(sys.argv[3]))
    else:
        main()
