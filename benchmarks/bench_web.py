"""Web pages at national volume: p50/p95 of every review page against a real server.

Generates a store of N listings (default 1,000,000) with F flagged (default 100,000): listings
on five platforms over 26 weeks, an assessment for each (reasons, categories, risk scores with
ties), decisions on a quarter of the flagged (some decided twice), public tips (some after the
decision, which puts the listing back in the queue), price snapshots for a tenth, notices and
platforms' removal reports, one user per role and a platform API token. Rows go in by bulk
INSERTs through the store's own connection (`store.transaction()`), the review queue's keys
(`firewatch.store.triage`) are computed once, and the search index (SQLite FTS) is built from
the same generated listings. Everything is cached under `var/bench/web-<backend>-<N>/` (with
`--store-url postgresql://...`, the store is the schema bench_web_<N> of that database and the
folder keeps the search index), so reruns reuse it.

Then it runs the real app (uvicorn on 127.0.0.1, port 0, in a thread), logs in as each role
and requests each page `--requests` times, varying filters, pages (keyset cursors taken from
the previous page) and listings: the queue, its next page, a listing page, a confirm/dismiss
POST (not following the redirect: its target is the listing page, timed as such), the
platform takedown page and its next page (regulator and platform user), search, trends and
the JSON API (queue, listing, takedown, trends, search). The search page is asked three ways: the
same six searches every round (their counts and facets may be reused: `sqlite_summaries`), a next
page of one of them, and a search asked in no earlier round ("new query": counted afresh). It prints p50/p95 per page per
backend, next to the same pages over a baseline store of `--baseline` listings (default
10,000) measured in the same run, and the ratio of the p95s (the machine is shared: the
ratio is the figure that travels). Targets: every page p95 <= 300 ms, a decision <= 100 ms.

Run: `python benchmarks/bench_web.py [--store-url postgresql://...]
[--listings 1000000] [--flagged 100000] [--baseline 10000] [--requests 40] [--index-only]
[--code DIR]`. `--index-only` times only the pages the search index answers; `--code DIR` runs
another checkout's `firewatch` (e.g. `git archive main firewatch index_config` unpacked in DIR) on
the same cached data, for main's figures beside this tree's in one session. The load average
is printed with the table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "--code" in sys.argv[:-1]:  # another checkout's firewatch (e.g. main's) against the same cached data
    sys.path.insert(0, str(Path(sys.argv[sys.argv.index("--code") + 1]).resolve()))

import httpx  # noqa: E402

from firewatch.core.labels import CATEGORY_NAMES, REASON_NAMES  # noqa: E402
from firewatch.core.models import Assessment, Listing, Reason, Snapshot  # noqa: E402
from firewatch.core.priority import PROVINCES  # noqa: E402
from firewatch.core.settings import load_settings  # noqa: E402
from firewatch.search import open_index  # noqa: E402
from firewatch.store import open_store, triage  # noqa: E402
from firewatch.web import create_app  # noqa: E402
from firewatch.web.security import hash_password  # noqa: E402
from firewatch.web.serving import AppServer  # noqa: E402

PASSWORD = "bench-web-2026"
TOKEN = "bench-web-jd-token-0123456789abcdef"
PLATFORMS = ("jd", "taobao", "tmall", "pdd", "1688")
START = datetime(2026, 5, 4, 1, 0, tzinfo=timezone.utc)
WORDS = ["手提式", "干粉", "灭火器", "4kg", "二氧化碳", "消防", "应急照明灯", "安全出口", "指示灯", "烟感", "报警器",
         "独立式", "家用", "商用", "年检专用", "3C认证", "逃生面具", "过滤式", "自救呼吸器", "洒水喷头", "防火门",
         "灭火毯", "厨房", "燃气", "探测器", "消防栓", "水带", "特价", "厂家直销", "包邮", "工厂", "批发", "新款"]
CATEGORIES = sorted(CATEGORY_NAMES)
REASONS = sorted(REASON_NAMES)
TARGET_MS = 300.0
DECISION_TARGET_MS = 100.0


def _ts(dt: datetime) -> str:
    return dt.isoformat()


@dataclass
class Row:
    listing: Listing
    assessment: Assessment
    snapshots: list[Snapshot]


def generate(n: int, flagged_every: int, seed: int = 7):
    """The generated listings, in chunks of 10,000: Row objects (deterministic in `seed`)."""
    rng = random.Random(seed)
    shops = max(50, n // 50)
    chunk: list[Row] = []
    for i in range(n):
        platform = PLATFORMS[i % len(PLATFORMS)]
        listing_id = f"{100000000 + i}"
        words = rng.sample(WORDS, 5)
        shop = rng.randrange(shops)
        first = START + timedelta(minutes=rng.randrange(26 * 7 * 24 * 60))
        last = first + timedelta(days=rng.randrange(30))
        price = Decimal(rng.randrange(300, 200000)) / 100
        status = "removed" if rng.random() < 0.05 else "active"
        listing = Listing(platform, listing_id, url=f"https://item.example/{platform}/{listing_id}",
                          title=" ".join(words) + f" {i % 97}号", price=price, shop_id=f"s{shop}",
                          shop_name=f"{WORDS[shop % len(WORDS)]}{shop}号店", description="，".join(rng.sample(WORDS, 8)),
                          sales=rng.randrange(1000), stock=rng.randrange(500), status=status,
                          first_seen=first, last_seen=last, attributes={"province": PROVINCES[shop % len(PROVINCES)]})
        flagged = i % flagged_every == 0
        risk = round(rng.uniform(0.5, 1.0), 2) if flagged else round(rng.uniform(0.0, 0.49), 2)  # ties on purpose
        codes = rng.sample(REASONS, rng.randint(1, 2)) if flagged else []
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        assessment = Assessment(platform, listing_id, category, round(rng.uniform(0.5, 1), 3), risk, flagged,
                                [Reason(c, words[0], "title") for c in codes], {}, {"bench": "1"}, last)
        snapshots = []
        if i % 10 == 3:
            for k in range(3):
                snapshots.append(Snapshot(platform, listing_id, first + timedelta(days=k), price + k, listing.title,
                                          listing.stock, status, f"h{i}-{k}"))
        chunk.append(Row(listing, assessment, snapshots))
        if len(chunk) == 10_000:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _listing_row(l: Listing) -> tuple:
    fen = int(l.price * 100)
    digest = hashlib.sha256(f"{l.platform}{l.listing_id}{l.title}".encode()).hexdigest()
    return (l.platform, l.listing_id, l.url, l.title, fen, None, None, "[]", 0, "CNY", l.shop_id, l.shop_name,
            json.dumps(l.attributes, ensure_ascii=False), l.description, "[]", l.sales, l.stock, l.status, _ts(l.first_seen), _ts(l.last_seen), digest)


def _assessment_row(a: Assessment) -> tuple:
    reasons = json.dumps([{"code": r.code, "evidence": r.evidence, "source": r.source} for r in a.reasons],
                         ensure_ascii=False)
    return (a.platform, a.listing_id, _ts(a.assessed_at), a.category, a.category_confidence, a.risk_score,
            int(a.flagged), reasons, "{}", json.dumps(a.model_versions))


LISTING_COLS = ["platform", "listing_id", "url", "title", "price_fen", "price_low_fen", "price_high_fen", "price_tiers",
                "price_pending", "currency", "shop_id", "shop_name", "attributes", "description", "image_urls", "sales",
                "stock", "status", "first_seen", "last_seen", "content_hash"]
ASSESSMENT_COLS = ["platform", "listing_id", "assessed_at", "category", "category_confidence", "risk_score", "flagged",
                   "reasons", "specs", "model_versions"]
SNAPSHOT_COLS = ["platform", "listing_id", "observed_at", "price_fen", "title", "stock", "status", "content_hash"]


def build_index(index, n: int, flagged: int, log) -> None:
    """The search index of the generated listings (SQLite FTS)."""
    t0 = time.perf_counter()
    for k, chunk in enumerate(generate(n, max(1, n // flagged)), 1):
        index.index_many([(r.listing, r.assessment, r.snapshots or None) for r in chunk])
        if k % 10 == 0:
            log(f"  indexed {k * 10_000:,} listings ({time.perf_counter() - t0:.0f} s)")


def build(store, n: int, flagged: int, log) -> None:
    """Bulk-load the generated data into the empty `store` (`store.write_rows`: INSERTs in the
    store's transaction; PostgreSQL's store COPYs)."""
    every = max(1, n // flagged)
    rng = random.Random(11)
    t0 = time.perf_counter()
    flagged_keys: list[tuple[str, str]] = []
    judged: dict[tuple[str, str], str] = {}  # a flagged listing's reasons JSON: what its decisions judge
    unflagged_sample: list[tuple[str, str]] = []
    done = 0
    for chunk in generate(n, every):
        with store.transaction() as db:
            store.write_rows(db, "listings", LISTING_COLS, [_listing_row(r.listing) for r in chunk])
            store.write_rows(db, "assessments", ASSESSMENT_COLS, [_assessment_row(r.assessment) for r in chunk])
            store.write_rows(db, "snapshots", SNAPSHOT_COLS,
                             [(s.platform, s.listing_id, _ts(s.observed_at), int(s.price * 100), s.title, s.stock,
                               s.status, s.content_hash) for r in chunk for s in r.snapshots])
        for r in chunk:
            (flagged_keys if r.assessment.flagged else unflagged_sample).append(r.listing.key)
            if r.assessment.flagged:
                judged[r.listing.key] = _assessment_row(r.assessment)[7]
        del unflagged_sample[2000:]
        done += len(chunk)
        if done % 100_000 == 0:
            log(f"  {done:,} listings ({time.perf_counter() - t0:.0f} s)")
    # decisions on a quarter of the flagged, a tenth of those decided twice
    decided = rng.sample(flagged_keys, len(flagged_keys) // 4)
    decisions, confirmed = [], []
    for k, key in enumerate(decided):
        at = START + timedelta(days=180, minutes=k)
        verdict = rng.choices(("confirm", "dismiss", "escalate"), (6, 3, 1))[0]
        if k % 10 == 0:
            decisions.append((*key, "reviewer2", "escalate", "", _ts(at - timedelta(days=1)), judged[key], "decision"))
        decisions.append((*key, "reviewer", verdict, "批量", _ts(at), judged[key], "decision"))
        if verdict == "confirm":
            confirmed.append(key)
    tips = []
    tipped = rng.sample(flagged_keys, min(len(flagged_keys), max(10, len(flagged_keys) // 50))) + unflagged_sample[:max(5, n // 1000)]
    for k, key in enumerate(tipped):
        at = START + timedelta(days=170 + (k % 20))
        tips.append((f"T{k:015d}", _ts(at), f"https://item.example/{key[0]}/{key[1]}", key[0], key[1], 1, "",
                     "这个商品是假的，年检专用", "", f"ip{k % 500}", "[]"))
    with store.transaction() as db:
        db.executemany("INSERT INTO decisions (platform, listing_id, reviewer, verdict, note, at, reasons, reasons_basis) "
                       "VALUES (?,?,?,?,?,?,?,?)", decisions)
        db.executemany("INSERT INTO tips (receipt, created_at, url, platform, listing_id, on_platform, shop_name, text, "
                       "contact, ip_hash, photos) VALUES (?,?,?,?,?,?,?,?,?,?,?)", tips)
        by_platform: dict[str, list[tuple[str, str]]] = {}
        for key in confirmed:
            by_platform.setdefault(key[0], []).append(key)
        for platform, keys in by_platform.items():
            for j in range(0, min(len(keys), 4000), 20):
                notice_id = db.execute("INSERT INTO notices (platform, created_at, created_by, status, sent_at, sent_by, "
                                       "channel, deadline_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
                                       (platform, _ts(START + timedelta(days=190)), "regulator", "sent",
                                        _ts(START + timedelta(days=190)), "regulator", "email",
                                        _ts(START + timedelta(days=197)))).fetchone()[0]
                db.executemany("INSERT INTO notice_items (notice_id, platform, listing_id) VALUES (?,?,?)",
                               [(notice_id, *key) for key in keys[j:j + 20]])
            db.executemany("INSERT INTO removal_reports (platform, listing_id, reported_by, at, note) VALUES (?,?,?,?,?)",
                           [(*key, f"{platform}_team", _ts(START + timedelta(days=195)), "") for key in keys[::10]])
        log(f"  triage rows: {triage.rebuild_in(db):,}")
    pw = hash_password(PASSWORD)
    for name, role, platform in (("regulator", "regulator", ""), ("analyst", "analyst", ""),
                                 ("investigator", "investigator", ""), ("admin", "admin", ""),
                                 ("jd_team", "platform", "jd")):
        store.users.add_user(name, role, pw, platform)
    store.users.add_api_token("bench", "jd", TOKEN, "admin")
    if type(store).__name__ == "PostgresStore":  # planner statistics now, as autovacuum gives them later
        with store.transaction() as db:
            db.execute("ANALYZE")
    log(f"  built {n:,} listings in {time.perf_counter() - t0:.0f} s")


def schema_url(server_url: str, n: int) -> str:
    """A store of its own in the PostgreSQL database `server_url`: schema bench_web_<n> (created if missing)."""
    import psycopg

    schema = f"bench_web_{n}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    return f"{server_url}{'&' if '?' in server_url else '?'}options=-csearch_path%3D{schema}"


def prepare(data_dir: Path, store_url: str, n: int, flagged: int, log) -> str:
    """The store URL of a populated store of `n` listings (built unless cached): a SQLite file in
    `data_dir`, or with a PostgreSQL `store_url`, the schema bench_web_<n> of that database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url = schema_url(store_url, n) if store_url else f"sqlite:///{data_dir / 'firewatch.db'}"
    with open_store(url, data_dir=data_dir) as store:
        count = sum(store.listings.count_listings().values())
        if count and count != n:
            raise SystemExit(f"{url} holds {count:,} listings, not {n:,}: give an empty store (or delete the cache)")
        if not count:
            log(f"building {n:,} listings / {flagged:,} flagged in {url} ...")
            (data_dir / "search.db").unlink(missing_ok=True)
            build(store, n, flagged, log)
        else:
            current_triage(store, log)
    if not index_complete(data_dir / "search.db", n):
        twin = ROOT / "var" / "bench" / f"web-sqlite-{n}" / "search.db"
        if twin != data_dir / "search.db" and index_complete(twin, n):
            log(f"  search index: a copy of {twin} (the same generated listings)")
            shutil.copyfile(twin, data_dir / "search.db")
        else:
            log(f"  search index of {n:,} listings in {data_dir / 'search.db'} ...")
            (data_dir / "search.db").unlink(missing_ok=True)
            index = open_index("sqlite", data_dir / "search.db")
            try:
                build_index(index, n, flagged, log)
            finally:
                index.close()
    return url


def current_triage(store, log) -> None:
    """A cached store gets the triage table as it is now: rows from before migration 16 get their
    priority and filter keys (`triage.ensure_built`) before anything is timed; a table from an
    earlier draft of migration 11 is recreated."""
    from firewatch.store.migrations import MIGRATIONS, DataStep

    try:
        with store.transaction() as db:
            db.execute("SELECT shop_name_lc, shop_id_lc, neg_priority, region FROM triage LIMIT 1").fetchall()
        have = {r[0] for r in store._db.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename='triage'" if store.dialect == "postgresql"
            else "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='triage'")}
        if "triage_category_p" in have:
            t0 = time.perf_counter()
            triage.ensure_built(store._db)
            log(f"  triage rows current ({time.perf_counter() - t0:.1f} s)")
            return
    except Exception:  # noqa: BLE001 -- the old table: rebuilt below
        pass
    log("  triage table from an earlier draft: recreating it ...")
    with store.transaction() as db:
        db.execute("DROP TABLE IF EXISTS triage")
        for version in (11, 16):
            sql = next(text for v, _, text in MIGRATIONS if v == version)
            sql = sql.sql if isinstance(sql, DataStep) else sql  # migration 16: its SQL (rows are rebuilt below)
            for statement in sql.split(";"):
                if "triage" in statement and statement.strip():
                    db.execute(store.ddl(statement))
        log(f"  triage rows: {triage.rebuild_in(db):,}")


def index_complete(path: Path, n: int) -> bool:
    """Whether the SQLite FTS index at `path` holds all `n` generated listings."""
    if not path.exists():
        return False
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0] == n
    except sqlite3.Error:
        return False


def login(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=120)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token, "next": ""})
    assert response.status_code == 303, response.text[:300]
    home = client.get(response.headers["location"])
    client.csrf = re.search(r'<meta name="csrf-token" content="([^"]*)"', home.text).group(1)
    return client


def _link(html: str, anchor_id: str) -> str | None:
    m = re.search(rf'id="{anchor_id}" href="([^"]+)"', html)
    return m.group(1).replace("&amp;", "&") if m else None


# The search page's queries: the same six every round (their counts and facets may be reused),
# their next pages, and a search asked in no earlier round (`new_search`; the warm-up takes k >= 1000).
SEARCHES = [{"q": "灭火器"}, {"q": "年检专用 灭火器", "flagged": "1"}, {"q": "烟感", "platform": "jd"},
            {"category": CATEGORIES[2], "sort": "price_asc"}, {"q": "消防", "sort": "newest"}, {}]


def new_search(k: int) -> dict[str, str]:
    """The k-th search asked once: two words, a date and now and then a platform or flagged."""
    since = (START + timedelta(days=(k * 13) % 150)).date().isoformat()
    extra = ({"since": since}, {"platform": PLATFORMS[k % 5], "since": since}, {"flagged": str(k % 2), "since": since})
    return {"q": f"{WORDS[k % len(WORDS)]} {WORDS[(k * 7 + 5) % len(WORDS)]}", **extra[k % 3]}


NEW_FILTERS = [
    ("region", lambda i: {"region": PROVINCES[i % len(PROVINCES)]}),
    ("price range", lambda i: {"price_min": str(10 + i % 50), "price_max": str(200 + 37 * i)}),
    ("flagged dates", lambda i: {"flagged_since": f"2026-{6 + i % 4:02d}-01", "flagged_until": f"2026-{6 + i % 4:02d}-20"}),
    ("first seen dates", lambda i: {"since": f"2026-{5 + i % 5:02d}-10", "until": f"2026-{5 + i % 5:02d}-17"}),
    ("region+price+dates", lambda i: {"region": PROVINCES[i % len(PROVINCES)], "price_min": "5", "price_max": "900",
                                      "flagged_since": "2026-06-01", "flagged_until": "2026-09-30"}),
]


def measure(base: str, requests: int, index_requests: int, seed: int = 5,
            index_only: bool = False) -> dict[str, list[float]]:
    """Milliseconds per request, per page; the pages answered by the search index (search, its
    API, similar listings) only in the first `index_requests` rounds (`index_only`: only those)."""
    rng = random.Random(seed)
    reg, analyst, jd = login(base, "regulator"), login(base, "analyst"), login(base, "jd_team")
    api_jd = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    times: dict[str, list[float]] = {}

    def timed(name: str, client: httpx.Client, method: str, url: str, ok=(200,), **kw) -> httpx.Response:
        t = time.perf_counter()
        response = client.request(method, url, **kw)
        times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
        assert response.status_code in ok, (name, url, response.status_code, response.text[:300])
        return response

    first = reg.get("/api/v1/queue?limit=1000").json()["items"]
    shops = sorted({r["listing"]["shop_name"][:3] for r in first})
    filters = [{}, {"platform": "jd"}, {"category": CATEGORIES[0]}, {"reason": REASONS[1]}, {"shop": shops[0]},
               {"since": "2026-06-01", "until": "2026-07-31"}, {"state": "decided"}, {"state": "escalated"},
               {"state": "all"}, {"platform": "pdd", "reason": REASONS[0]}]
    searches = SEARCHES
    keys = [(r["listing"]["platform"], r["listing"]["listing_id"]) for r in first]
    shown = {(r["listing"]["platform"], r["listing"]["listing_id"]): (r["assessment"] or {}).get("assessed_at") or "none"
             for r in first}  # what each row showed: a decision carries it

    def index_pages(i: int, key: tuple[str, str]) -> None:
        timed("search (index)", analyst, "GET", "/search", params=searches[i % len(searches)])
        timed("search (index, new query)", analyst, "GET", "/search", params=new_search(i + (1000 if seed == 99 else 0)))
        timed("search (index, next page)", analyst, "GET", "/search", params={**searches[i % 3], "page": 2 + i % 3})
        timed("api search (index)", analyst, "GET", "/api/v1/search", params=searches[i % len(searches)])
        timed("similar (index, loaded after the page)", reg, "GET", f"/listings/{key[0]}/{key[1]}/similar")
    for i in range(index_requests if index_only else requests):
        if index_only:
            index_pages(i, keys[rng.randrange(len(keys))])
            continue
        f = filters[i % len(filters)]
        page = timed("queue", reg, "GET", "/queue", params=f)
        nxt = _link(page.text, "next-page")
        if nxt:
            timed("queue next page", reg, "GET", nxt)
        # issue 15's filters, each beside the plain queue above (pending rows; the page claims them)
        for name, extra in NEW_FILTERS:
            timed(f"queue ({name})", reg, "GET", "/queue", params=extra(i))
        key = keys[rng.randrange(len(keys))]
        timed("listing", reg, "GET", f"/listings/{key[0]}/{key[1]}", params={"state": "pending"})
        pending = keys.pop(rng.randrange(len(keys)))
        timed("decision", reg, "POST", f"/listings/{pending[0]}/{pending[1]}/decision", ok=(303,),
              params={"state": "pending"}, data={"verdict": rng.choice(("confirm", "dismiss")), "note": "bench",
                                                 "csrf_token": reg.csrf, "assessed_at": shown[pending]})
        platform = PLATFORMS[i % len(PLATFORMS)]
        page = timed("takedown page", reg, "GET", f"/platform/{platform}")
        nxt = _link(page.text, "next-page")
        if nxt:
            timed("takedown next page", reg, "GET", nxt)
        timed("takedown page (platform user)", jd, "GET", "/platform/jd")
        timed("trends", analyst, "GET", "/trends")
        if i < index_requests:
            index_pages(i, key)
        timed("api queue", reg, "GET", "/api/v1/queue", params={**f, "limit": 100})
        timed("api listing", reg, "GET", f"/api/v1/listings/{key[0]}/{key[1]}")
        data = timed("api takedown", api_jd, "GET", "/api/v1/platforms/jd/takedown").json()
        if data.get("next"):
            timed("api takedown next", api_jd, "GET", "/api/v1/platforms/jd/takedown",
                  params={"after": data["next"]})
        timed("api trends", analyst, "GET", "/api/v1/trends")
    for c in (reg, analyst, jd, api_jd):
        c.close()
    return times


def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(url: str, data_dir: Path, requests: int, index_requests: int,
        index_only: bool = False) -> dict[str, list[float]]:
    settings = load_settings(env={}).with_overrides({"paths": {"data_dir": str(data_dir)}, "store": {"url": url}})
    server = AppServer(create_app(settings))
    base = server.start()
    try:
        measure(base, 2, 1, seed=99, index_only=index_only)  # warm-up (templates, caches, connections)
        return measure(base, requests, index_requests, index_only=index_only)
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store-url", default="", help="default: SQLite files under var/bench/; postgresql://... : "
                    "the database holding both stores, as schemas bench_web_<listings> and bench_web_<baseline>")
    ap.add_argument("--listings", type=int, default=1_000_000)
    ap.add_argument("--flagged", type=int, default=100_000)
    ap.add_argument("--baseline", type=int, default=10_000, help="listings in the baseline store (a tenth flagged)")
    ap.add_argument("--requests", type=int, default=40, help="requests per page")
    ap.add_argument("--index-requests", type=int, default=5,
                    help="requests per page answered by the search index (seconds each at 1M on SQLite FTS today)")
    ap.add_argument("--index-only", action="store_true",
                    help="time only the pages answered by the search index (search, API search, similar)")
    ap.add_argument("--code", default="", help="run another checkout's firewatch (e.g. a copy of main's) on the "
                    "same cached data, for a same-run comparison")
    args = ap.parse_args()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    backend = "postgresql" if args.store_url.startswith("postgres") else "sqlite"
    big_dir = ROOT / "var" / "bench" / f"web-{backend}-{args.listings}"
    small_dir = ROOT / "var" / "bench" / f"web-{backend}-{args.baseline}"
    big = prepare(big_dir, args.store_url, args.listings, args.flagged, log)
    small = prepare(small_dir, args.store_url, args.baseline,
                    max(1, args.baseline // 10), log)
    log("measuring baseline ...")
    base_times = run(small, small_dir, args.requests, args.index_requests, args.index_only)
    log("measuring ...")
    times = run(big, big_dir, args.requests, args.index_requests, args.index_only)

    import firewatch

    code = Path(firewatch.__file__).resolve().parents[1]
    print(f"\ncode {code}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"backend {backend}: {args.listings:,} listings / {args.flagged:,} flagged, baseline "
          f"{args.baseline:,} listings; {args.requests} requests per page (ms)")
    head = f"{'page':32} {'n':>4} {'p50':>8} {'p95':>8} {'base p50':>9} {'base p95':>9} {'p95 ratio':>9}  target"
    print(head)
    print("-" * len(head))
    failed = []
    for name, values in times.items():
        p50, p95 = pct(values, 50), pct(values, 95)
        b = base_times.get(name, [])
        b50, b95 = (pct(b, 50), pct(b, 95)) if b else (float("nan"), float("nan"))
        target = DECISION_TARGET_MS if name == "decision" else TARGET_MS
        ok = p95 <= target
        if not ok:
            failed.append(name)
        print(f"{name:32} {len(values):>4} {p50:>8.1f} {p95:>8.1f} {b50:>9.1f} {b95:>9.1f} {p95 / b95:>9.2f}  "
              f"{'ok' if ok else 'OVER'} (<= {target:.0f})")
    print("all pages within target" if not failed else f"over target: {', '.join(failed)}")


if __name__ == "__main__":
    main()
