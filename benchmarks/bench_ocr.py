"""OCR cost per listing image: rapidocr-onnxruntime on the replica's images at their real sizes.

Images: the demo market's pictures (`demo_market.images`) of risky listings, main images 800x800
and detail images 750 wide (900–1200 high), as the platforms serve them. Modes, run in one process
on the same images, each image once per round after one warm-up image:

- full: detection + angle classification + recognition at the real size (what the 'ocr' stage runs);
- half: the same on a copy scaled to half the width and height (a cheaper setting's cost and what
  it still reads);
- detect: detection only at the real size (the floor any OCR of these images pays).

Prints per mode the CPU-seconds (this process, all threads) and wall seconds per image (best round),
how many of the planned claim texts ("年检专用", contradicting weights, certificate marks) were read
exactly, the ratios to `detect`, and what `full` means for 100,000 flagged listings a day at
`--images` images each. Run: `python benchmarks/bench_ocr.py [--listings 6] [--rounds 2] [--threads 0]`.

`--recheck` measures instead what checking already-read images again costs (no OCR, cheap): the same
pictures served by an image host on 127.0.0.1 that answers ETag and Last-Modified, read once into a
scratch SQLite store by the 'ocr' stage's reader, then checked again per round as a re-score does:
with validators (a conditional GET, answered 304), without them (`--ocr-refetch`: the full image
downloaded and hashed), and within `[ocr] refetch_hours` (no request). Prints per mode the requests,
the body bytes the host sent and the wall and CPU milliseconds per image (best round), the ratios, and
what a daily check costs per image per day when a full download is forced every `[ocr] full_fetch_days`.
Loopback hides the network: the bytes are the figure that carries to the platforms' image hosts.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import tempfile
import threading
import time
from dataclasses import replace
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from demo_market import images as replica  # noqa: E402
from demo_market.generator import build_catalogue  # noqa: E402
from firewatch.services.ocr import ImageReader, OcrConfig, OcrEngine, decode_image  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def norm(text: str) -> str:
    return text.replace(" ", "").replace("：", ":")


def run(engine: OcrEngine, items, mode: str) -> tuple[float, float, int]:
    """(cpu seconds, wall seconds, claims read) over every image."""
    c0, w0, read = cpu(), time.perf_counter(), 0
    for image, claims in items:
        if mode == "half":
            image = image.resize((image.width // 2, image.height // 2), Image.LANCZOS)
        lines = engine.read(image, detect_only=(mode == "detect"))
        texts = {norm(line.text) for line in lines}
        read += sum(norm(c) in texts for c in claims)
    return cpu() - c0, time.perf_counter() - w0, read


class _Host(BaseHTTPRequestHandler):
    """The image host of `--recheck`: ETag and Last-Modified on every image, 304 when If-None-Match names it."""

    protocol_version = "HTTP/1.1"  # keep-alive, as a CDN
    disable_nagle_algorithm = True  # else loopback adds a delayed-ACK wait to every body sent after its headers
    images: dict[str, bytes] = {}
    sent = {"requests": 0, "bytes": 0, "wire": 0, "304": 0}
    lock = threading.Lock()

    def log_message(self, *args) -> None:
        pass

    def end_headers(self) -> None:
        with self.lock:
            self.sent["wire"] += sum(len(h) for h in getattr(self, "_headers_buffer", []))
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802
        data = self.images[self.path]
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        fresh = self.headers.get("If-None-Match") == etag
        self.send_response(304 if fresh else 200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(1764547200, usegmt=True))
        self.send_header("Content-Type", "image/png")
        if not fresh:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not fresh:
            self.wfile.write(data)
        with self.lock:
            self.sent["requests"] += 1
            self.sent["bytes"] += 0 if fresh else len(data)
            self.sent["wire"] += 0 if fresh else len(data)
            self.sent["304"] += fresh


class _FetchOnly(OcrEngine):
    """No recognition: `--recheck` times the checks, not the engine (the first read only fills the store)."""

    name = "recheck-bench"

    def read(self, image, detect_only=False):
        return []


def recheck(listings: list, rounds: int) -> int:
    """The cost of checking already-read images again, with and without validators (see the docstring)."""
    from crawler.images import ImageFetcher
    from firewatch.core.models import Listing
    from firewatch.store import open_store

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Host)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    stored = []
    for x, plans in listings:
        urls = []
        for n, plan in enumerate(plans):
            _Host.images[f"/{x.listing_id}/{n}.png"] = replica.render(plan)
            urls.append(f"{base}/{x.listing_id}/{n}.png")
        stored.append(Listing(x.platform, x.listing_id, url=x.url, title=x.title, image_urls=urls))
    n_images = len(_Host.images)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "bench.db", data_dir=Path(tmp)) as store:
        cfg = OcrConfig(enabled=True, max_images=50, image_dir=Path(tmp) / "ocr", data_dir=Path(tmp),
                        allowed_hosts=("127.0.0.1",), refetch_hours=0)
        fetcher = ImageFetcher(10, 5_000_000, transport=None, allowed_hosts=("127.0.0.1",))
        readers = {"conditional": ImageReader(store, cfg, _FetchOnly(), fetcher),
                   "full": ImageReader(store, replace(cfg, refetch=True), _FetchOnly(), fetcher),
                   "interval": ImageReader(store, replace(cfg, refetch_hours=24), _FetchOnly(), fetcher)}
        for listing in stored:
            store.listings.upsert_listing(listing)
            readers["full"].read_listing(listing)  # the first read: fills the store (validators included)
        best: dict[str, tuple[float, float, int, int, int]] = {}
        for _ in range(rounds):
            for mode, reader in readers.items():
                before = dict(_Host.sent)
                c0, w0 = cpu(), time.perf_counter()
                for listing in stored:
                    reader.read_listing(listing)
                got = (time.perf_counter() - w0, cpu() - c0, _Host.sent["requests"] - before["requests"],
                       _Host.sent["bytes"] - before["bytes"], _Host.sent["wire"] - before["wire"])
                if mode not in best or got[0] < best[mode][0]:
                    best[mode] = got
        fetcher.close()
    httpd.shutdown()
    print(f"re-check of {n_images} already-read images of {len(stored)} listings "
          f"({sum(len(d) for d in _Host.images.values()) / n_images / 1000:.0f} kB each on average), best of {rounds}:")
    for mode, (wall, cpu_s, requests, body, wire) in best.items():
        print(f"{mode:>12}: {requests / n_images:.0f} requests/image, {body / n_images:7,.0f} body bytes/image "
              f"({wire / n_images:7,.0f} with headers), {wall / n_images * 1000:6.2f} ms wall/image, "
              f"{cpu_s / n_images * 1000:6.2f} ms CPU/image")
    full, cond = best["full"], best["conditional"]
    print(f"without validators / with: {full[4] / max(cond[4], 1):,.0f}x the bytes sent (headers included), "
          f"{full[0] / cond[0]:.1f}x the wall time, {full[1] / max(cond[1], 1e-9):.1f}x the CPU; a million listings "
          f"x 4 images re-checked: {1_000_000 * 4 * full[4] / n_images / 1e9:,.1f} GB sent without validators, "
          f"{1_000_000 * 4 * cond[4] / n_images / 1e9:,.1f} GB with them (304 headers only)")
    days = OcrConfig().full_fetch_days  # a full download forced every `days` daily checks, 304s between
    weekly = ((days - 1) * cond[4] + full[4]) / days / n_images
    print(f"checked daily with a full download every {days:g} days ([ocr] full_fetch_days): {weekly:,.0f} bytes per "
          f"image per day ({full[4] / n_images / weekly:.1f}x less than daily full downloads, "
          f"{weekly * n_images / max(cond[4], 1):.0f}x conditional GETs only); a million listings x 4 images: "
          f"{1_000_000 * 4 * weekly / 1e9:,.1f} GB a day")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listings", type=int, default=6, help="risky listings whose pictures are read")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0, help="engine threads per image (0: its default)")
    ap.add_argument("--images", type=int, default=4, help="images per flagged listing, for the daily figure")
    ap.add_argument("--recheck", action="store_true",
                    help="measure a re-check of read images with and without validators instead (no OCR)")
    args = ap.parse_args()

    cat = build_catalogue(seed=7, size=1600)
    chosen = [x for x in cat.initial() if replica.image_claims(x, cat.seed) and x.image_count >= 2][:args.listings]
    if args.recheck:
        return recheck([(x, replica.listing_images(x, cat.seed)) for x in chosen], max(args.rounds, 3))
    items = []
    for x in chosen:
        for plan in replica.listing_images(x, cat.seed):
            data = replica.render(plan)
            image, _ = decode_image(data, 25_000_000)
            items.append((image, [t.text for t in plan.texts if t.reason]))
    claims = sum(len(c) for _, c in items)
    sizes = sorted({f"{im.width}x{im.height}" for im, _ in items})
    engine = OcrEngine(args.threads)
    engine.read(items[0][0])  # warm-up: loads the models
    print(f"{len(items)} images of {len(chosen)} listings ({', '.join(sizes[:4])}{' …' if len(sizes) > 4 else ''}), "
          f"{claims} claim texts; engine {engine.name}, threads {args.threads or 'default'}, "
          f"load average {os.getloadavg()[0]:.1f}")
    best: dict[str, tuple[float, float, int]] = {}
    for _ in range(args.rounds):
        for mode in ("full", "half", "detect"):
            got = run(engine, items, mode)
            if mode not in best or got[0] < best[mode][0]:
                best[mode] = got
    n = len(items)
    floor_cpu, floor_wall = best["detect"][0] / n, best["detect"][1] / n
    for mode, (c, w, read) in best.items():
        print(f"{mode:>6}: {c / n:.3f} CPU-s/image ({c / n / floor_cpu:.2f}x detect), {w / n:.3f} s wall/image "
              f"({w / n / floor_wall:.2f}x detect); claims read {read}/{claims if mode != 'detect' else 0}")
    per_image = best["full"][0] / n
    daily = 100_000 * args.images * per_image
    print(f"100,000 flagged listings/day x {args.images} images: {daily / 3600:,.0f} CPU-hours/day = "
          f"{daily / 86400:.1f} cores busy all day (full mode; {best['half'][0] / n * 100_000 * args.images / 86400:.1f} "
          f"at half size)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
