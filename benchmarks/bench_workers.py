"""Benchmark: the process queue's claims, one worker against three, on SQLite and on PostgreSQL.

N listings are queued for scoring in a fresh store; then worker processes drain the 'score' and
'index' stages through `Pipeline` with claims (`--batch` rows per claim), with a constant scorer
and an index that does nothing, so what is timed is the queue itself: claiming, completing (the
assessment saved, the row deleted, `queue_done` appended, 'index' queued) and the lease renewals.
Each backend is drained once by one worker and once by three, from equal fills, in the same run;
the figure to read is the ratio (the machine is shared, absolute times are noisy). Every run checks
that each listing was scored and indexed exactly once (`queue_done`).
PostgreSQL runs in a throwaway cluster started here (`firewatch.store.pg_node`, Debian's server).
Run: `.venv/bin/python benchmarks/bench_workers.py [N] [BATCH]` (defaults 2000, 50).
"""

from __future__ import annotations

import multiprocessing
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from firewatch.core.models import Assessment, Listing  # noqa: E402
from firewatch.services.pipeline import Pipeline  # noqa: E402
from firewatch.store import open_store  # noqa: E402


class ConstantScorer:
    def assess_many(self, listings, watchlist=None, threshold=0.5):
        now = datetime.now(timezone.utc)
        return [Assessment(platform=l.platform, listing_id=l.listing_id, category="extinguisher",
                           category_confidence=0.9, risk_score=0.1, flagged=False, reasons=[], specs={},
                           model_versions={}, assessed_at=now) for l in listings]


class NoIndex:
    def index_listing(self, listing, assessment, snapshots):
        pass


def fill(url: str, n: int) -> None:
    with open_store(url) as store:
        for i in range(n):
            platform = ("jd", "taobao", "pdd")[i % 3]
            store.listings.upsert_listing(Listing(platform=platform, listing_id=str(100000 + i),
                                                  url=f"https://example.invalid/{i}", title=f"干粉灭火器 {i}"))


def work(url: str, worker: str, batch: int, ready, start, results) -> None:
    with open_store(url) as store:
        pipeline = Pipeline(store, NoIndex(), ConstantScorer(), worker=worker, batch=batch)
        ready.put(worker)
        start.wait()
        stats = pipeline.run()
        results.put((worker, stats.scored, stats.indexed, stats.claims_lost))


def drain(url: str, workers: int, batch: int) -> tuple[float, dict[str, int]]:
    ctx = multiprocessing.get_context("spawn")
    ready, start, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=work, args=(url, f"w{i}", batch, ready, start, results)) for i in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:  # every process imported and opened the store before the clock starts
        ready.get(timeout=120)
    began = time.perf_counter()
    start.set()
    done = [results.get(timeout=600) for _ in procs]
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join(60)
    with open_store(url) as store:
        for stage in ("score", "index"):
            counts = Counter(key for key, _ in store.queue.completions(stage))
            assert set(counts.values()) == {1}, f"{stage}: a listing completed more than once"
        assert not store.queue.queue_counts(), store.queue.queue_counts()
    return elapsed, {w: scored for w, scored, _, _ in done}


def main(n: int = 2000, batch: int = 50) -> None:
    from firewatch.store.pg_node import PgCluster, free_port

    base = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    base.chmod(0o755)
    cluster = PgCluster(base / "pg", free_port(), fast=True)
    cluster.start()
    try:
        import psycopg

        def pg_url() -> str:
            schema = "b" + uuid.uuid4().hex[:10]
            with psycopg.connect(cluster.url(), autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            return f"{cluster.url()}?options=-csearch_path%3D{schema}"

        targets = {"sqlite": lambda: str(base / f"{uuid.uuid4().hex}.db"), "postgresql": pg_url}
        print(f"queue drain, {n} listings (score + index), batch {batch}, constant scorer, no index")
        for backend, make in targets.items():
            times = {}
            for workers in (1, 3):
                url = make()
                fill(url, n)
                elapsed, per_worker = drain(url, workers, batch)
                times[workers] = elapsed
                print(f"  {backend:10} {workers} worker(s): {elapsed:6.2f} s, {2 * n / elapsed:7.0f} completions/s, "
                      f"scored per worker {per_worker}")
            print(f"  {backend:10} three workers / one worker, time ratio: {times[3] / times[1]:.2f}")
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
