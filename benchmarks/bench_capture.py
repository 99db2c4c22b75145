"""Capture throughput: firewatch's `Capturer` versus a bare Playwright screenshot loop.

Serves a gentle demo market on 127.0.0.1 (port 0) and takes the same item pages
(`/jd/item/<sku>.html`) through:

- bare, sequential: one browser, one page, `goto(load)` + full-page screenshot per URL;
- bare, pool of N: the same with N pages driven concurrently (async API);
- firewatch, sequential: `Capturer.capture_many(..., concurrency=1)`: fresh context per
  page, foreign hosts aborted, network settle wait, screenshot, HTML, MHTML, raw body,
  WARC, content-addressed storage with fsync, manifest;
- firewatch, pool of N: the same with `concurrency=N`.

Browser start (and firewatch's CJK font check) happen before the clock starts; each mode
takes one warm-up page first. Prints captures per second for each and the ratios
(bare rate / firewatch rate: 1.0 means no overhead). Run: `python benchmarks/bench_capture.py
[--pages 20] [--concurrency 4] [--rounds 3]`; the best round of each mode is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}
UA = "firewatch-bench/1.0"


def bare_sequential(urls: list[str]) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport=VIEWPORT, user_agent=UA)
        page.goto(urls[0], wait_until="load")
        page.screenshot(full_page=True)
        started = time.perf_counter()
        for url in urls:
            page.goto(url, wait_until="load")
            page.screenshot(full_page=True)
        elapsed = time.perf_counter() - started
        browser.close()
    return elapsed


async def _bare_pool(urls: list[str], size: int) -> float:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        pages = [await browser.new_page(viewport=VIEWPORT, user_agent=UA) for _ in range(size)]
        await pages[0].goto(urls[0], wait_until="load")
        await pages[0].screenshot(full_page=True)
        queue: asyncio.Queue[str] = asyncio.Queue()
        for url in urls:
            queue.put_nowait(url)

        async def worker(page) -> None:
            while not queue.empty():
                url = queue.get_nowait()
                await page.goto(url, wait_until="load")
                await page.screenshot(full_page=True)

        started = time.perf_counter()
        await asyncio.gather(*(worker(p) for p in pages))
        elapsed = time.perf_counter() - started
        await browser.close()
    return elapsed


def bare_pool(urls: list[str], size: int) -> float:
    return asyncio.run(_bare_pool(urls, size))


def firewatch_run(items: list[tuple[str, str, str]], size: int, out: Path) -> tuple[float, int]:
    from crawler.capture import Capturer
    from crawler.platforms.blocked import detect_block

    with Capturer(CHROMIUM, out, UA, ["127.0.0.1"], is_blocked=detect_block,
                  concurrency=size) as cap:
        cap.capture("jd", "warmup", items[0][2])
        started = time.perf_counter()
        results = cap.capture_many(items, concurrency=size)
        elapsed = time.perf_counter() - started
    failures = [r for r in results if isinstance(r, Exception)]
    for failure in failures:
        print(f"  capture failed: {failure}", file=sys.stderr)
    return elapsed, len(results) - len(failures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found", file=sys.stderr)
        return 2

    from demo_market.server import QUIET, DemoMarket

    market = DemoMarket(seed=7, **QUIET)
    base = market.start(host="127.0.0.1", port=0)
    try:
        listings = market.catalogue.by_platform("jd")[: args.pages]
        urls = [base + l.url for l in listings]
        items = [("jd", l.listing_id, base + l.url) for l in listings]
        n, size = len(urls), args.concurrency
        best: dict[str, float] = {}
        with tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp:
            for round_no in range(args.rounds):
                timings = {
                    "bare sequential": bare_sequential(urls),
                    f"bare pool of {size}": bare_pool(urls, size),
                }
                for label, conc in (("firewatch sequential", 1), (f"firewatch pool of {size}", size)):
                    elapsed, ok = firewatch_run(items, conc, Path(tmp) / f"r{round_no}-{conc}")
                    if ok != n:
                        print(f"  {label}: only {ok}/{n} captures succeeded", file=sys.stderr)
                    timings[label] = elapsed
                for label, elapsed in timings.items():
                    best[label] = min(best.get(label, float("inf")), elapsed)
                print(f"round {round_no + 1}: " + ", ".join(f"{k} {n / v:.2f}/s" for k, v in timings.items()))
    finally:
        market.stop()

    print(f"\n{n} demo-market item pages, best of {args.rounds} rounds")
    for label, elapsed in best.items():
        print(f"  {label:<24} {n / elapsed:6.2f} captures/s  ({elapsed / n * 1000:6.0f} ms per page)")
    seq = best["firewatch sequential"] / best["bare sequential"]
    pool = best[f"firewatch pool of {size}"] / best[f"bare pool of {size}"]
    cross = best[f"firewatch pool of {size}"] / best["bare sequential"]
    print(f"\noverhead (firewatch time / bare time; goal <= 1.3):")
    print(f"  sequential vs sequential        {seq:5.2f}x")
    print(f"  pool of {size} vs bare pool of {size}     {pool:5.2f}x")
    print(f"  pool of {size} vs bare sequential   {cross:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
