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
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from demo_market import images as replica  # noqa: E402
from demo_market.generator import build_catalogue  # noqa: E402
from firewatch.services.ocr import OcrEngine, decode_image  # noqa: E402


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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listings", type=int, default=6, help="risky listings whose pictures are read")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0, help="engine threads per image (0: its default)")
    ap.add_argument("--images", type=int, default=4, help="images per flagged listing, for the daily figure")
    args = ap.parse_args()

    cat = build_catalogue(seed=7, size=1600)
    chosen = [x for x in cat.initial() if replica.image_claims(x, cat.seed) and x.image_count >= 2][:args.listings]
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
