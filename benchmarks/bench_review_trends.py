"""The trends page's review precision and drift section (issue 17) at national volume: p50/p95.

Takes bench_web's generated store (`bench_web.build`: N listings, default 1,000,000, F flagged, default
100,000; built once and cached) in a copy of its own under `var/bench/reviews-<backend>-<N>/` (with
`--store-url postgresql://...`: the schema bench_web_<N> of that database, topped up in place), and tops its
decisions up to D (default 100,000 rows: confirm/dismiss/escalate 7:3:0.5 on flagged listings not yet
decided, spread over the last 12 weeks, the triage rows updated as the store's own refresh would). Then:

- `compute, nothing cached`: `services.review_trends.compute` in this process, every count afresh, R times;
- through the real app (uvicorn on 127.0.0.1, port 0), right after a decision recorded through the store
  (the store's generation changes, so the figures are counted afresh): `/trends`, the page (its flag charts;
  it loads the review section after itself), then `/trends/reviews after a decision`, the section (counted
  again but the listings first seen per week, which a decision does not change);
- `/trends/reviews again`: the section asked again with nothing changed (cached per generation).

Each next to the same over a baseline store of `--baseline` listings (default 10,000, a tenth flagged and
decided in the same proportion) measured in the same run, with the ratio of the p95s. Target: p95 <= 300 ms.

Run: `python benchmarks/bench_review_trends.py [--store-url postgresql://...] [--listings 1000000]
[--flagged 100000] [--decisions 100000] [--baseline 10000] [--requests 30]`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_web import build, current_triage, login, pct, schema_url  # noqa: E402

from firewatch.core.clock import utcnow  # noqa: E402
from firewatch.core.models import Decision  # noqa: E402
from firewatch.core.settings import load_settings  # noqa: E402
from firewatch.services import review_trends  # noqa: E402
from firewatch.services.review_trends import compute  # noqa: E402
from firewatch.store import open_store  # noqa: E402
from firewatch.store.triage import decided_codes  # noqa: E402
from firewatch.web import create_app  # noqa: E402
from firewatch.web.serving import AppServer  # noqa: E402

TARGET_MS = 300.0


def prepare(data_dir: Path, store_url: str, n: int, flagged: int, log) -> str:
    """bench_web's store of `n` listings (built unless cached, the same generated data), without its search
    index, which this page does not read."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url = schema_url(store_url, n) if store_url else f"sqlite:///{data_dir / 'firewatch.db'}"
    with open_store(url, data_dir=data_dir) as store:
        count = sum(store.listings.count_listings().values())
        if count and count != n:
            raise SystemExit(f"{url} holds {count:,} listings, not {n:,}")
        if not count:
            log(f"building {n:,} listings / {flagged:,} flagged in {url} ...")
            build(store, n, flagged, log)
        else:
            current_triage(store, log)
    return url


def own_copy(src_dir: Path, dst_dir: Path, url: str, log) -> tuple[str, Path]:
    """A SQLite store copied from bench_web's cache (its decisions are not topped up); PostgreSQL: as is."""
    if url.startswith("postgres"):
        return url, src_dir
    dst_dir.mkdir(parents=True, exist_ok=True)
    if not (dst_dir / "firewatch.db").exists():
        log(f"  copying {src_dir / 'firewatch.db'} -> {dst_dir}")
        shutil.copyfile(src_dir / "firewatch.db", dst_dir / "firewatch.db.part")
        os.replace(dst_dir / "firewatch.db.part", dst_dir / "firewatch.db")
    return f"sqlite:///{dst_dir / 'firewatch.db'}", dst_dir


def top_up(url: str, data_dir: Path, target: int, log, seed: int = 3) -> None:
    """Decisions up to `target` rows, on flagged listings not yet decided, over the last 12 weeks."""
    rng = random.Random(seed)
    now = utcnow()
    with open_store(url, data_dir=data_dir) as store:
        have = store._db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
        need = target - int(have)
        if need <= 0:
            log(f"  {have:,} decisions already")
            return
        keys = [tuple(r) for r in store._db.execute(
            "SELECT t.platform, t.listing_id, a.reasons FROM triage t JOIN assessments a ON a.platform=t.platform AND "
            "a.listing_id=t.listing_id WHERE t.flagged=1 AND t.decided=0 ORDER BY t.platform, t.listing_id "
            "LIMIT ?", (need,)).fetchall()]
        log(f"  adding {len(keys):,} decisions to {have:,} ...")
        t0 = time.perf_counter()
        rows, triage_rows = [], []
        for platform, listing_id, reasons in keys:  # each decision judges the assessment's reasons, as a reviewer's
            key = (platform, listing_id)
            verdict = rng.choices(("confirm", "dismiss", "escalate"), (14, 6, 1))[0]
            at = (now - timedelta(minutes=rng.randrange(12 * 7 * 24 * 60))).isoformat()
            rows.append((*key, "bench-reviewer", verdict, "", at, reasons, "decision"))
            triage_rows.append((verdict, verdict, at, decided_codes(reasons, "decision"), *key))
        with store.transaction() as db:
            for i in range(0, len(rows), 10_000):
                db.executemany("INSERT INTO decisions (platform, listing_id, reviewer, verdict, note, at, reasons, "
                               "reasons_basis) VALUES (?,?,?,?,?,?,?,?)", rows[i:i + 10_000])
                db.executemany("UPDATE triage SET decided=1, state=?, verdict=?, decided_at=?, decided_codes=? "
                               "WHERE platform=? AND listing_id=?", triage_rows[i:i + 10_000])
        if store.dialect == "postgresql":
            with store.transaction() as db:
                db.execute("ANALYZE")
        log(f"  done in {time.perf_counter() - t0:.0f} s")


def measure(url: str, data_dir: Path, requests: int) -> dict[str, list[float]]:
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data_dir)}, "store": {"url": url}})
    times: dict[str, list[float]] = {}
    rng = random.Random(5)
    with open_store(url, data_dir=data_dir) as store:
        flagged = [tuple(r) for r in store._db.execute(
            "SELECT platform, listing_id FROM triage WHERE flagged=1 ORDER BY platform, listing_id LIMIT 2000")]
        compute(store, settings.drift, utcnow())  # warm-up
        for _ in range(requests):
            review_trends._seen_cache.clear()  # nothing cached: every count afresh
            t = time.perf_counter()
            compute(store, settings.drift, utcnow())
            times.setdefault("compute, nothing cached", []).append((time.perf_counter() - t) * 1000)
        server = AppServer(create_app(settings))
        base = server.start()
        analyst = login(base, "analyst")
        try:
            analyst.get("/trends")  # warm-up
            analyst.get("/trends/reviews")
            for i in range(requests):
                key = flagged[rng.randrange(len(flagged))]
                store.reviews.record_decision(Decision(*key, "bench-trends", rng.choice(("confirm", "dismiss")),
                                                       "bench", utcnow()))
                for name, path in (("/trends (the page)", "/trends"),
                                   ("/trends/reviews after a decision", "/trends/reviews"),
                                   ("/trends/reviews again", "/trends/reviews")):
                    t = time.perf_counter()
                    page = analyst.get(path)
                    times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
                    assert page.status_code == 200 and 'id="review-trends"' in page.text, page.text[:300]
        finally:
            analyst.close()
            server.stop()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store-url", default="")
    ap.add_argument("--listings", type=int, default=1_000_000)
    ap.add_argument("--flagged", type=int, default=100_000)
    ap.add_argument("--decisions", type=int, default=100_000)
    ap.add_argument("--baseline", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=30)
    args = ap.parse_args()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    backend = "postgresql" if args.store_url.startswith("postgres") else "sqlite"
    stores = {}
    for n, flagged, decisions in ((args.listings, args.flagged, args.decisions),
                                  (args.baseline, max(1, args.baseline // 10),
                                   max(1, args.decisions * args.baseline // args.listings))):
        src = ROOT / "var" / "bench" / f"web-{backend}-{n}"
        source_url = prepare(src, args.store_url, n, flagged, log)
        url, data_dir = own_copy(src, ROOT / "var" / "bench" / f"reviews-{backend}-{n}", source_url, log)
        top_up(url, data_dir, decisions, log)
        stores[n] = (url, data_dir)
    log("measuring baseline ...")
    base_times = measure(*stores[args.baseline], args.requests)
    log("measuring ...")
    times = measure(*stores[args.listings], args.requests)
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"backend {backend}: {args.listings:,} listings / {args.flagged:,} flagged / {args.decisions:,} decisions, "
          f"baseline {args.baseline:,} listings; {args.requests} requests each (ms)")
    head = f"{'what':34} {'p50':>8} {'p95':>8} {'base p50':>9} {'base p95':>9} {'p95 ratio':>9}  target"
    print(head)
    print("-" * len(head))
    for name, values in times.items():
        p50, p95 = pct(values, 50), pct(values, 95)
        b50, b95 = pct(base_times[name], 50), pct(base_times[name], 95)
        print(f"{name:34} {p50:>8.1f} {p95:>8.1f} {b50:>9.1f} {b95:>9.1f} {p95 / b95:>9.2f}  "
              f"{'ok' if p95 <= TARGET_MS else 'OVER'} (<= {TARGET_MS:.0f})")


if __name__ == "__main__":
    main()
