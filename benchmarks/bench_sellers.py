"""Benchmark: seller resolution and the seller pages' queries at 10,000 and at N listings (SQLite).

Two stores are filled with listings (10 per shop, shops on the five platforms, three shops of one
seller sharing a phone number) and with their resolved sellers (keys, links and groups written
directly, as the sellers step would have left them; its cursor at the end). Then, on each store:
the sellers step resolving 500 newly scored listings (new shops joining existing sellers by phone,
and new sellers), the seller page's queries (shops, links, confirmed count, first timeline page)
for one seller, and the review queue's marks for 50 listings. The figure to read is the ratio
large / small per operation (the machine is shared; absolute times are noisy): near 1 means the
cost does not grow with the store (indexes on key values, shops by seller, queue_done by stage).
Run: `.venv/bin/python benchmarks/bench_sellers.py [N]` (default 1000000).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from firewatch.core.settings import Settings  # noqa: E402
from firewatch.services.sellers import resolve_pending  # noqa: E402
from firewatch.store import open_store  # noqa: E402

PLATFORMS = ("jd", "taobao", "tmall", "pdd", "1688")
AT = "2026-11-01T00:00:00+00:00"
PER_SHOP = 10


def phone(group: int) -> str:
    return f"139{group:08d}"


def fill(path: Path, n: int) -> None:
    store = open_store(path, data_dir=path.parent)
    shops = n // PER_SHOP
    with store.transaction() as db:
        batch, done = [], []
        for i in range(n):
            shop = i // PER_SHOP
            p = PLATFORMS[shop % len(PLATFORMS)]
            batch.append((p, str(i), f"https://x/{i}", f"灭火器 {i}", f"S{shop}", f"店{shop}", f"电话{phone(shop // 3)}",
                          "active", AT, AT, f"{i:064x}"))
            done.append((p, str(i), "score", "w", AT))
            if len(batch) == 50_000:
                db.executemany("INSERT INTO listings (platform, listing_id, url, title, shop_id, shop_name, description, "
                               "status, first_seen, last_seen, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
                db.executemany("INSERT INTO queue_done (platform, listing_id, stage, worker, done_at) VALUES (?,?,?,?,?)",
                               done)
                batch, done = [], []
        if batch:
            db.executemany("INSERT INTO listings (platform, listing_id, url, title, shop_id, shop_name, description, "
                           "status, first_seen, last_seen, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
            db.executemany("INSERT INTO queue_done (platform, listing_id, stage, worker, done_at) VALUES (?,?,?,?,?)", done)
        groups = (shops + 2) // 3
        db.executemany("INSERT INTO sellers (id, created_at) VALUES (?, ?)", ((g + 1, AT) for g in range(groups)))
        db.executemany("INSERT INTO seller_shops (platform, shop_id, shop_name, seller_id, first_seen) VALUES (?,?,?,?,?)",
                       ((PLATFORMS[s % 5], f"S{s}", f"店{s}", s // 3 + 1, AT) for s in range(shops)))
        db.executemany("INSERT INTO seller_keys (platform, shop_id, kind, value, listing_id, source, first_seen) "
                       "VALUES (?,?,?,?,?,?,?)",
                       ((PLATFORMS[s % 5], f"S{s}", "phone", phone(s // 3), str(s * PER_SHOP), "text", AT)
                        for s in range(shops)))
        db.executemany("INSERT INTO seller_links (a_platform, a_shop, b_platform, b_shop, kind, value, listing_id, "
                       "created_at) VALUES (?,?,?,?,?,?,?,?)",
                       ((PLATFORMS[s % 5], f"S{s}", PLATFORMS[(s + 1) % 5], f"S{s + 1}", "phone", phone(s // 3),
                         str(s * PER_SHOP), AT) for s in range(shops - 1) if s // 3 == (s + 1) // 3))
        top = db.execute("SELECT MAX(id) FROM queue_done").fetchone()[0]
        db.execute("INSERT INTO seller_cursors (name, last_id) VALUES ('score', ?)", (top,))
    store._db.execute("ANALYZE")
    store.close()


def add_new(store, n: int, round_: int, count: int = 500) -> None:
    """`count` newly scored listings in new shops (5 each): half of the shops join an existing seller by
    phone, half are new sellers (by WeChat id)."""
    base = n + round_ * count
    with store.transaction() as db:
        for j in range(count):
            i = base + j
            shop = f"N{round_}-{j // 5}"
            k = j // 5  # one new shop per 5 listings: even shops join an existing seller by its phone
            text = f"电话{phone((k * 7919 + round_) % max(1, n // 30))}" if k % 2 == 0 else f"微信 w{round_}x{k:05d}"
            db.execute("INSERT INTO listings (platform, listing_id, url, title, shop_id, shop_name, description, status, "
                       "first_seen, last_seen, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (PLATFORMS[j % 5], str(i), f"https://x/{i}", f"灭火器 {i}", shop, f"新店{shop}", text, "active",
                        AT, AT, f"{i:064x}"))
            db.execute("INSERT INTO queue_done (platform, listing_id, stage, worker, done_at) VALUES (?,?,?,?,?)",
                       (PLATFORMS[j % 5], str(i), "score", "w", AT))


def timed(fn, repeat: int = 9) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(n: int) -> None:
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small.db", Path(tmp) / "large.db"
        fill(small, 10_000)
        started = time.perf_counter()
        fill(large, n)
        print(f"filled {n} listings ({n // PER_SHOP} shops, resolved) in {time.perf_counter() - started:.0f} s")
        results: dict[str, dict[str, float]] = {}
        for label, path, count in (("small", small, 10_000), ("large", large, n)):
            store = open_store(path, data_dir=path.parent)
            rounds = iter(range(1000))

            def step() -> None:
                add_new(store, count, next(rounds))
                t0 = time.perf_counter()
                resolve_pending(store, settings)
                step.last = time.perf_counter() - t0

            step_times = []
            for _ in range(5):
                step()
                step_times.append(step.last * 1000)
            results.setdefault("sellers step, 500 new listings", {})[label] = statistics.median(step_times)
            seller = store.sellers.seller_of_shop("tmall", "S2") or 1
            keys = [(PLATFORMS[(i // PER_SHOP) % 5], str(i)) for i in range(count // 2, count // 2 + 50)]
            results.setdefault("seller page: shops + links + count", {})[label] = timed(
                lambda: (store.sellers.shops(seller), store.sellers.links(seller), store.sellers.confirmed_count(seller)))
            results.setdefault("seller page: timeline page", {})[label] = timed(
                lambda: store.sellers.timeline(seller, limit=51))
            results.setdefault("queue marks, 50 listings", {})[label] = timed(lambda: store.sellers.sellers_of(keys))
            store.close()
        print(f"{'operation':38} {'10k ms':>9} {f'{n} ms':>12} {'ratio':>7}")
        for name, r in results.items():
            print(f"{name:38} {r['small']:9.2f} {r['large']:12.2f} {r['large'] / r['small']:7.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
