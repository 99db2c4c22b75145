"""Benchmark: the audit log page's queries at 1,000 and at 1,000,000 entries (SQLite).

Two stores are filled with audit entries one minute apart (actors and actions cycling), then each
query the `/audit` page and its export make is timed on both: the newest page, a Beijing-day window
in the middle of the log, one actor's entries, a keyset page deep in the log (continuing after an
entry half-way down), and the bounded hash-chain check of the newest 10,000 entries. The figure to
read is the ratio 1M / 1k per query (the machine is shared; absolute times are noisy): near 1 means
the page costs the same however long the log (migration 17's indexes on (at, id), (actor, at, id),
(action, at, id)). Run: `.venv/bin/python benchmarks/bench_audit.py [N]` (default 1000000).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from firewatch.store import open_store  # noqa: E402

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
ACTORS = [f"user{i}" for i in range(40)]
ACTIONS = ["login", "decision", "export_takedown", "case_add", "download_artefact", "logout"]


def fill(path: Path, n: int) -> None:
    store = open_store(path, data_dir=path.parent)
    rows = ((T0 + timedelta(minutes=i)).isoformat() for i in range(n))
    batch = []
    with store.transaction() as db:
        for i, at in enumerate(rows):
            batch.append((at, ACTORS[i % len(ACTORS)], ACTIONS[i % len(ACTIONS)], f"jd:{i}", '{"verdict": "confirm"}',
                          "10.0.0.1", "0" * 64, f"{i:064x}"))
            if len(batch) == 50_000:
                db.executemany("INSERT INTO audit_log (at, actor, action, subject, detail, ip, prev_sha256, entry_sha256) "
                               "VALUES (?,?,?,?,?,?,?,?)", batch)
                batch = []
        if batch:
            db.executemany("INSERT INTO audit_log (at, actor, action, subject, detail, ip, prev_sha256, entry_sha256) "
                           "VALUES (?,?,?,?,?,?,?,?)", batch)
    store._db.execute("ANALYZE")
    store.close()


def queries(n: int) -> dict:
    middle = T0 + timedelta(minutes=n // 2)
    day = middle.replace(hour=16, minute=0, second=0, microsecond=0)  # a Beijing day starts at 16:00 UTC
    return {
        "newest page": dict(limit=101),
        "one Beijing day": dict(since=day.isoformat(), until=(day + timedelta(days=1)).isoformat(), limit=101),
        "one actor": dict(actor="user7", limit=101),
        "actor + action + day": dict(actor="user7", action="decision", since=day.isoformat(),
                                     until=(day + timedelta(days=30)).isoformat(), limit=101),
        "keyset page half-way": dict(before=(middle.isoformat(), n // 2), limit=101),
    }


def timed(fn, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small.db", Path(tmp) / "large.db"
        fill(small, 1_000)
        started = time.perf_counter()
        fill(large, n)
        print(f"filled {n} audit entries in {time.perf_counter() - started:.0f} s")
        results = {}
        for label, path, count in (("1k", small, 1_000), ("large", large, n)):
            store = open_store(path, data_dir=path.parent)
            for name, kwargs in queries(count).items():
                results.setdefault(name, {})[label] = timed(lambda: store.users.audit_page(**kwargs))
            results.setdefault("chain check, newest 10,000", {})[label] = timed(
                lambda: store.users.audit_verify(newest=10_000), repeat=5)
            store.close()
        print(f"{'query':32} {'1k ms':>8} {f'{n} ms':>12} {'ratio':>7}")
        for name, r in results.items():
            print(f"{name:32} {r['1k']:8.2f} {r['large']:12.2f} {r['large'] / r['1k']:7.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
