"""Capture speed: firewatch's `Capturer` against a bare Playwright loop making the same artefacts.

A small server of the benchmark's own (127.0.0.1, port 0) serves item pages in two styles
seen on the platforms: rendered on the server (JD, 1688) and rendered by the page's script
from inline data after an XHR (PDD's `window.rawData`), each with a stylesheet and images
from the same host. Both loops take every page through a fresh browser context:

- bare: `new_context`, `new_page`, `goto(load)`, a wait for the title in the page's text
  (without it the script-rendered pages are shot blank), full-page screenshot,
  `page.content()`, MHTML through CDP `Page.captureSnapshot`, the three files written,
  context closed;
- firewatch: `Capturer.capture_many` with the page title as the expected text: the
  same plus the host gate, the raw-body recorder, the settle and content checks, the
  blank-screenshot check, WARC, content-addressed storage with fsync, manifest.

Each is run sequentially and as a pool of N (N pages at once; the bare pool is N async
workers). Browser start (and firewatch's CJK font check) happen before the clock starts;
each run takes one warm-up page first. Prints the best time of each mode over the rounds
and the ratios firewatch time / bare time (the goal is <= 1.3), and the same for the CPU
the whole process tree used (this process, Playwright's driver, Chromium): on a shared
machine the CPU ratio moves much less with other load than the time ratio. Run:
`python benchmarks/bench_capture.py [--pages 12] [--concurrency 4] [--rounds 2]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
import zlib
import struct
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}
UA = "firewatch-bench/1.0"
MAX_HEIGHT = 10000  # the [capture] max_height default: the bare loop's screenshots are cut there too


# -- CPU used by this process and every process under it (Playwright's driver, Chromium) ---------

_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds() -> float:
    """User + system CPU of this process and its live descendants, with the children they reaped
    (closed renderers count through the Chromium process that reaped them). Linux /proc only."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        pid = int(entry)
        parents[pid] = int(fields[1])
        times[pid] = sum(int(f) for f in fields[11:15]) / _TICK  # utime stime cutime cstime
    mine, todo = set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        mine.add(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid and child not in mine)
    return sum(times.get(pid, 0.0) for pid in mine)


# -- the pages -------------------------------------------------------------------------------

def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


CSS = b"""body{font-family:sans-serif;margin:0}header{background:#e4393c;color:#fff;padding:12px}
.sku-name{font-size:20px;font-weight:bold;margin:16px}.price{color:#e4393c;font-size:28px;margin:16px}
.gallery img{margin:8px;border:1px solid #ddd}.spec p{margin:4px 16px}"""


def title_of(n: int) -> str:
    return f"ABC干粉灭火器 4公斤 手提式 消防认证 3C 年检专用 型号{n:04d}"


def _gallery(n: int) -> str:
    return "".join(f"<img src='/img/{n % 5}-{k}.png' width='160' height='160'>" for k in range(3))


def _spec_rows(n: int) -> str:
    return "".join(f"<p>规格参数 第{i}项：MFZ/ABC4 充装量4kg 灭火级别 2A 55B 编号{n}-{i}</p>" for i in range(60))


def server_page(n: int) -> bytes:
    return (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{title_of(n)}</title>"
            f"<link rel='stylesheet' href='/static/item.css'></head><body><header>京东 JD.COM</header>"
            f"<div class='sku-name'>{title_of(n)}</div><div class='price'>￥{89 + n}.00</div>"
            f"<div class='gallery'>{_gallery(n)}</div><div class='spec'>{_spec_rows(n)}</div>"
            f"</body></html>").encode("utf-8")


def script_page(n: int) -> bytes:
    raw = json.dumps({"goods": {"goodsName": title_of(n), "goodsId": n}}, ensure_ascii=False)
    template = json.dumps("<header>拼多多</header><div class='sku-name'></div><div class='price'>￥PRICE</div>"
                          f"<div class='gallery'>{_gallery(n)}</div><div class='spec'>{_spec_rows(n)}</div>",
                          ensure_ascii=False)
    return (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{title_of(n)}</title>"
            f"<link rel='stylesheet' href='/static/item.css'></head><body><div id='main'></div>"
            f"<script>window.rawData={raw};</script>"
            "<script>fetch('/api/price?id=' + window.rawData.goods.goodsId).then(r => r.json()).then(p => {"
            f"const m = document.getElementById('main'); m.innerHTML = {template}.replace('PRICE', p.price);"
            "m.querySelector('.sku-name').textContent = window.rawData.goods.goodsName; });</script>"
            "</body></html>").encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    IMAGES = {f"/img/{i}-{k}.png": _png(160, 160, (40 * i, 60 * k, 200)) for i in range(5) for k in range(3)}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        path = self.path
        if path.startswith("/item/"):
            n = int(path.split("/")[-1].split(".")[0])
            body, kind = (script_page(n) if n % 2 else server_page(n)), "text/html; charset=utf-8"
        elif path.startswith("/api/price"):
            body, kind = json.dumps({"price": "99.00"}).encode(), "application/json"
        elif path == "/static/item.css":
            body, kind = CSS, "text/css"
        elif path in self.IMAGES:
            body, kind = self.IMAGES[path], "image/png"
        else:
            body, kind = b"not found", "text/plain"
        self.send_response(200 if kind != "text/plain" else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ItemServer:
    """The benchmark's pages on 127.0.0.1, a port the kernel picks, served from a thread."""

    def __enter__(self) -> str:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.thread.join(10)
        self.httpd.server_close()


# -- the bare loop ---------------------------------------------------------------------------

async def _bare_one(browser, url: str, title: str, out: Path) -> None:
    context = await browser.new_context(viewport=VIEWPORT, user_agent=UA, locale="zh-CN")
    try:
        page = await context.new_page()
        await page.goto(url, wait_until="load")
        # the script-rendered pages show their title after an XHR: a screenshot before that is blank
        await page.wait_for_function("t => document.body.innerText.includes(t)", arg=title, polling=100)
        height = await page.evaluate("() => document.documentElement.scrollHeight")
        png = await page.screenshot(full_page=True, clip={"x": 0, "y": 0, "width": VIEWPORT["width"],
                                                          "height": min(height, MAX_HEIGHT)})
        html = await page.content()
        cdp = await context.new_cdp_session(page)
        mhtml = (await cdp.send("Page.captureSnapshot", {"format": "mhtml"}))["data"]
    finally:
        await context.close()
    out.mkdir(parents=True)
    (out / "screenshot.png").write_bytes(png)
    (out / "page.html").write_text(html, "utf-8")
    (out / "page.mhtml").write_text(mhtml, "utf-8")


async def _bare(urls: list[str], titles: list[str], size: int, out: Path) -> float:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        await _bare_one(browser, urls[0], titles[0], out / "warmup")
        queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        for item in enumerate(urls):
            queue.put_nowait(item)

        async def worker() -> None:
            while not queue.empty():
                index, url = queue.get_nowait()
                await _bare_one(browser, url, titles[index], out / str(index))

        cpu, started = tree_cpu_seconds(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(size)))
        elapsed, cpu = time.perf_counter() - started, tree_cpu_seconds() - cpu
        await browser.close()
    return elapsed, cpu


def bare_run(urls: list[str], titles: list[str], size: int, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the loop over `urls` with `size` pages at once."""
    return asyncio.run(_bare(urls, titles, size, out))


# -- firewatch -------------------------------------------------------------------------------

def firewatch_run(items: list[tuple[str, str, str, str]], size: int, out: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, captures that succeeded) of `capture_many(items)`."""
    from crawler.capture import Capturer
    from crawler.platforms.blocked import detect_block

    with Capturer(CHROMIUM, out, UA, ["127.0.0.1"], is_blocked=detect_block, max_height=MAX_HEIGHT,
                  concurrency=size) as cap:
        cap.capture_many([("jd", "warmup", *items[0][2:])])
        cpu, started = tree_cpu_seconds(), time.perf_counter()
        results = cap.capture_many(items, concurrency=size)
        elapsed, cpu = time.perf_counter() - started, tree_cpu_seconds() - cpu
    failures = [r for r in results if isinstance(r, Exception)]
    for failure in failures:
        print(f"  capture failed: {failure}", file=sys.stderr)
    return elapsed, cpu, len(results) - len(failures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found", file=sys.stderr)
        return 2

    n, size = args.pages, args.concurrency
    best: dict[str, float] = {}
    cpu_best: dict[str, float] = {}
    with ItemServer() as base, tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp:
        urls = [f"{base}/item/{i}.html" for i in range(n)]
        titles = [title_of(i) for i in range(n)]
        items = [("pdd" if i % 2 else "jd", str(i), urls[i], titles[i]) for i in range(n)]
        for round_no in range(args.rounds):
            timings: dict[str, tuple[float, float]] = {}
            for label, conc in (("sequential", 1), (f"pool of {size}", size)):
                timings[f"bare {label}"] = bare_run(urls, titles, conc, Path(tmp) / f"bare-r{round_no}-{conc}")
                elapsed, cpu, ok = firewatch_run(items, conc, Path(tmp) / f"fw-r{round_no}-{conc}")
                if ok != n:
                    print(f"  firewatch {label}: only {ok}/{n} captures succeeded", file=sys.stderr)
                timings[f"firewatch {label}"] = (elapsed, cpu)
            for label, (elapsed, cpu) in timings.items():
                best[label] = min(best.get(label, float("inf")), elapsed)
                cpu_best[label] = min(cpu_best.get(label, float("inf")), cpu)
            print(f"round {round_no + 1}: " + ", ".join(f"{k} {v[0] / n * 1000:.0f} ms/page ({v[1] / n * 1000:.0f} ms CPU)"
                                                     for k, v in timings.items()), flush=True)

    print(f"\n{n} item pages (half server-rendered, half script-rendered), best of {args.rounds} rounds; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for label, elapsed in best.items():
        print(f"  {label:<24} {n / elapsed:6.2f} captures/s  ({elapsed / n * 1000:6.0f} ms per page, "
              f"{cpu_best[label] / n * 1000:6.0f} ms CPU per page)")
    print("\nratio firewatch / bare (same artefacts: fresh context, screenshot, HTML, MHTML; goal <= 1.3):")
    for label in ("sequential", f"pool of {size}"):
        print(f"  {label:<24} time {best[f'firewatch {label}'] / best[f'bare {label}']:5.2f}x   "
              f"CPU {cpu_best[f'firewatch {label}'] / cpu_best[f'bare {label}']:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
