"""Parallel `firewatch process` workers on one store: claims, leases, take-overs, exactly once.

"Processed exactly once" here means: each time a listing's stage is queued, exactly one
worker's result for it is committed. A stage's result and the deletion of its queue row are one
transaction, which also appends a row to `queue_done` (listing, stage, worker); so the number of
`queue_done` rows of a listing and stage is the number of results committed for it (the
assessments table keeps only the latest, so it cannot count them). A worker that completes a row
it no longer holds gets `ClaimLost` inside that transaction and commits nothing.

The in-process tests give a claim a lease that has already run out (a negative one) to stand for
"its worker died and the lease expired", so no test waits for a clock. The end-to-end test runs
two `firewatch crawl` processes sharing a scrapy-redis frontier and three `firewatch process
--loop` workers on one store, stops one worker (SIGSTOP) while the store shows it holding claimed
rows, checks it still holds them, kills it (SIGKILL) and lets the others take its rows over once
its lease runs out; capture is off there (`--no-capture`: five Chromiums on two cores would
dominate the time; the capture stage claims the same way and is covered in process here).
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections import Counter
from datetime import datetime, timezone

import pytest

from firewatch.core.exceptions import ClaimLost
from firewatch.core.models import Assessment, Evidence, Listing
from firewatch.services.pipeline import Pipeline, PipelineStats
from firewatch.store import open_store
from tests.helpers import ROOT, firewatch_command, market_args, store_env, wait_until
from tests.servers import PageServer, _PageHandler

QUERY = "灭火器"
GONE = -1.0  # a lease that has already run out: the worker holding it counts as dead


def _listing(lid: str, title: str = "干粉灭火器 4kg") -> Listing:
    return Listing(platform="jd", listing_id=lid, url=f"https://item.jd.com/{lid}.html", title=title)


def _assessment(lid: str, flagged: bool = False) -> Assessment:
    return Assessment(platform="jd", listing_id=lid, category="extinguisher", category_confidence=0.9,
                      risk_score=0.9 if flagged else 0.1, flagged=flagged, reasons=[], specs={},
                      model_versions={}, assessed_at=datetime.now(timezone.utc))


@pytest.fixture
def store(store_url):
    with open_store(store_url) as s:
        for i in range(10):
            s.listings.upsert_listing(_listing(str(100 + i)))  # each queued for 'score' once
        yield s


def test_claims_are_disjoint_and_an_expired_lease_is_claimed_again(store):
    a = store.queue.claim("score", "a", 4, lease=60)
    b = store.queue.claim("score", "b", 4, lease=60)
    c = store.queue.claim("score", "c", 4, lease=60)
    assert len(a) == len(b) == 4 and len(c) == 2
    assert not set(a) & set(b) and not set(a) & set(c) and not set(b) & set(c)
    assert store.queue.claim("score", "d", 4, lease=60) == []  # every lease still running
    assert store.queue.claims("score") == {"a": 4, "b": 4, "c": 2}

    dead = store.queue.claim("score", "d", 1, lease=60)  # nothing; now let c's leases run out:
    assert dead == []
    assert store.queue.extend("c", GONE) == 2
    taken = store.queue.claim("score", "d", 10, lease=60)
    assert sorted(taken) == sorted(c)
    assert store.queue.claims("score") == {"a": 4, "b": 4, "d": 2}
    assert store.queue.release("a") == 4
    assert sorted(store.queue.claim("score", "e", 10, lease=60)) == sorted(a)


def test_a_worker_whose_lease_was_taken_over_commits_nothing(store):
    (key,) = store.queue.claim("score", "slow", 1, lease=GONE)  # claimed, then the lease ran out
    assert store.queue.claim("score", "fast", 1, lease=60) == [key]  # taken over
    store.assessments.save_assessment(_assessment(key[1], flagged=True), ("capture", "index"), worker="fast")
    with pytest.raises(ClaimLost):
        store.assessments.save_assessment(_assessment(key[1]), ("index",), worker="slow")
    assert store.assessments.get_assessment(key).flagged  # the slow worker's result was rolled back
    assert store.queue.completions("score") == [(key, "fast")]
    assert sorted(store.queue.pending("capture") + store.queue.pending("index")) == [key, key]

    (cap,) = store.queue.claim("capture", "slow", 1, lease=GONE)
    assert store.queue.claim("capture", "fast", 1, lease=60) == [cap]
    evidence = Evidence("jd", key[1], datetime.now(timezone.utc), "u", "u", 200, "127.0.0.1", "ua", "1", "/x")
    with pytest.raises(ClaimLost):
        store.evidence.save_evidence(evidence, worker="slow")
    assert store.evidence.latest_evidence(key) is None
    store.evidence.save_evidence(evidence, worker="fast")
    assert store.queue.completions("capture") == [(key, "fast")]
    assert store.queue.fail_stage(key, "index", "boom", worker="slow") is False  # not its row: nothing counted


def test_queueing_a_claimed_row_again_refuses_the_holders_stale_result(store):
    (key,) = store.queue.claim("score", "w", 1, lease=60)
    store.listings.upsert_listing(_listing(key[1], title="干粉灭火器 8kg"))  # the content changed meanwhile
    with pytest.raises(ClaimLost):
        store.assessments.save_assessment(_assessment(key[1]), ("index",), worker="w")
    assert store.assessments.get_assessment(key) is None
    assert key in store.queue.claim("score", "w", 10, lease=60)  # to be scored again, on the new content


class _Scorer:
    """Scores every listing the same; counts what it saw (the pipeline's claimed batches)."""

    def __init__(self):
        self.seen: list[tuple[str, str]] = []

    def assess_many(self, listings, watchlist=None, threshold=0.5):
        self.seen.extend(l.key for l in listings)
        return [_assessment(l.listing_id) for l in listings]


class _Index:
    def index_listing(self, listing, assessment, snapshots):
        pass


def test_pipelines_drain_in_claimed_batches_and_leave_nothing_claimed(store):
    scorers = [_Scorer(), _Scorer()]
    first = Pipeline(store, _Index(), scorers[0], worker="one", batch=3)
    held = store.queue.claim("score", "other", 2, lease=60)  # a live worker busy with two
    stats = first.run()
    assert stats.scored == 8 and stats.indexed == 8 and not set(scorers[0].seen) & set(held)
    assert store.queue.claims() == {"other": 2}  # its own claims given back, the other's untouched
    store.queue.extend("other", GONE)  # the other worker died
    stats = Pipeline(store, _Index(), scorers[1], worker="two", batch=3).run()
    assert stats.scored == 2 and sorted(scorers[1].seen) == sorted(held)
    assert store.queue.queue_counts() == {} and store.queue.claims() == {}
    done = Counter(key for key, _ in store.queue.completions("score"))
    assert len(done) == 10 and set(done.values()) == {1}


class _TakeOverScorer(_Scorer):
    """While worker a scores its first batch, a's lease runs out and worker b takes one row over."""

    def __init__(self, store):
        super().__init__()
        self.store, self.taken = store, []

    def assess_many(self, listings, watchlist=None, threshold=0.5):
        if not self.taken:
            self.store.queue.extend("a", GONE)
            self.taken = self.store.queue.claim("score", "b", 1, lease=60)
        return super().assess_many(listings, watchlist, threshold)


def test_a_batch_saves_the_rows_still_held_and_skips_the_one_taken_over(store):
    scorer = _TakeOverScorer(store)
    stats = Pipeline(store, _Index(), scorer, worker="a", batch=4).run()
    (taken,) = scorer.taken
    assert stats.claims_lost == 1 and stats.scored == 9 and stats.indexed == 9
    assert store.assessments.get_assessment(taken) is None  # a's assessment of it was not saved
    assert store.queue.held("b") == [taken] and taken not in {k for k, _ in store.queue.completions("score")}
    store.assessments.save_assessments([(_assessment(taken[1]), ("index",))], worker="b")
    assert Counter(k for k, _ in store.queue.completions("score")) == {(p, l): 1 for p, l in scorer.seen}


def test_a_stopped_pipeline_gives_back_its_claims(store):
    pipeline = Pipeline(store, _Index(), _Scorer(), worker="w", batch=4)
    pipeline.stop.set()
    assert pipeline.run() == PipelineStats()
    assert store.queue.claims() == {} and store.queue.queue_counts() == {"score": 10}


class _TakeOverHandler(_PageHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self.owner.on_get(self.path)
        super().do_GET()


class TakeOverServer(PageServer):
    """Pages; the first GET of `path` runs `action` first (while the capture is in flight)."""

    handler = _TakeOverHandler

    def __init__(self, routes, path: str, action):
        self.path, self.action, self.fired = path, action, False
        super().__init__(routes)

    def on_get(self, path: str) -> None:
        with self.lock:
            if path != self.path or self.fired:
                return
            self.fired = True
        self.action()


def _page(title: str) -> tuple[bytes, str]:
    html = f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return html.encode("utf-8"), "text/html; charset=utf-8"


def test_a_capture_that_outlived_its_lease_is_not_saved_and_the_new_holder_captures_it(store_url, capturer):
    """Worker a captures two listings in a real Chromium; while one page is loading, a's lease runs
    out and worker b (another connection) takes that row over. a's evidence for it is refused
    (`ClaimLost`, nothing recorded), a's other capture is kept, and b captures the taken row once."""
    titles = {"201": "手提式干粉灭火器 MFZ/ABC4", "202": "消防应急照明灯 国标"}
    with open_store(store_url) as store, open_store(store_url) as other:
        def take_over():
            other.queue.extend("a", GONE)  # a is too slow: its lease ran out...
            assert other.queue.claim("capture", "b", 10, lease=60) == [("jd", "202")]  # ...and b took the row

        with TakeOverServer({f"/{lid}.html": _page(t) for lid, t in titles.items()}, "/202.html", take_over) as site:
            for lid, title in titles.items():
                store.listings.upsert_listing(Listing(platform="jd", listing_id=lid, url=f"{site.url}/{lid}.html",
                                                      title=title))
                store.queue.enqueue(("jd", lid), "capture")
            a = Pipeline(store, _Index(), None, capturer=capturer, capture_concurrency=1, worker="a")
            stats_a = PipelineStats()
            a._capture_stage(stats_a, None)
            assert site.fired and stats_a.captured == 1 and stats_a.claims_lost == 1
            assert store.evidence.latest_evidence(("jd", "201")) is not None
            assert store.evidence.latest_evidence(("jd", "202")) is None  # a's capture of it was refused
            other.queue.extend("b", GONE)  # b died too; a third pass (b's id again) takes it
            stats_b = PipelineStats()
            Pipeline(other, _Index(), None, capturer=capturer, worker="b")._capture_stage(stats_b, None)
        assert stats_b.captured == 1 and stats_b.claims_lost == 0
        assert sorted(store.queue.completions("capture")) == [(("jd", "201"), "a"), (("jd", "202"), "b")]
        assert store.evidence.latest_evidence(("jd", "202")) is not None and store.queue.pending("capture") == []


# -- end to end: two crawl processes, three workers, one killed ------------------------------------

def _spawn(data, args, env, log):
    with log.open("w") as out:
        return subprocess.Popen(firewatch_command(data, *args), stdout=out, stderr=subprocess.STDOUT, text=True,
                                cwd=ROOT, env=env)


def _tail(log) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]


def test_three_workers_two_crawls_one_worker_killed_every_listing_processed_once(
        store_url, redis_url, demo_market, install_model, tmp_path):
    data = tmp_path / "data"
    install_model(data)
    lease = 3.0
    prefix = f"fwtest-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, **store_env(store_url), "FIREWATCH_CRAWL__REDIS_URL": redis_url,
           "FIREWATCH_CRAWL__REDIS_KEY_PREFIX": prefix}
    crawl = ["crawl", "--platform", "jd", "--query", QUERY, *market_args(demo_market, data), "--no-progress"]
    expected = {(l.platform, l.listing_id) for l in demo_market.catalogue.search(QUERY, 0, ("jd",))}
    with open_store(store_url):
        pass  # migrated once here, before five processes open it
    crawls, workers, logs = [], {}, {}
    try:
        for i in range(2):
            logs[f"crawl{i}"] = tmp_path / f"crawl{i}.log"
            crawls.append(_spawn(data, crawl, env, logs[f"crawl{i}"]))
        for i in range(3):
            name = f"worker{i}"
            logs[name] = tmp_path / f"{name}.log"
            workers[name] = _spawn(data, ["process", "--no-capture", "--index", "sqlite", "--loop", "--idle", "0.1",
                                          "--batch", "3", "--lease", str(lease), "--worker-id", name], env, logs[name])

        with open_store(store_url) as store:
            def a_worker_holding_score_rows():
                for name, child in workers.items():
                    assert child.poll() is None, _tail(logs[name])
                held = store.queue.claims("score")
                return next((name for name in workers if held.get(name)), None)

            while True:  # freeze a worker seen holding rows; kill it if it still holds some, frozen
                victim = wait_until(a_worker_holding_score_rows, 120, "a worker to hold claimed score rows")
                workers[victim].send_signal(signal.SIGSTOP)
                orphaned = store.queue.held(victim, "score")
                if orphaned:
                    workers[victim].kill()  # SIGKILL, mid-batch: the rows it claimed are not done
                    workers[victim].wait(timeout=30)
                    break
                workers[victim].send_signal(signal.SIGCONT)
            for child, name in zip(crawls, ("crawl0", "crawl1")):
                assert child.wait(timeout=180) == 0, _tail(logs[name])
            wait_until(lambda: not {"score", "index"} & set(store.queue.queue_counts()), 120,
                       "the surviving workers to drain the queue (the killed one's rows after its lease)")
            live = [name for name in workers if name != victim]
            for name in live:
                workers[name].send_signal(signal.SIGTERM)  # stop after the listing in hand
            for name in live:
                assert workers[name].wait(timeout=60) == 0, _tail(logs[name])

            stored = {l.key for l in store.listings.iter_listings()}
            runs = [r for r in store.listings.crawl_runs() if r["platform"] == "jd"]
            scored = store.queue.completions("score")
            indexed = store.queue.completions("index")
            assessed = {key for key in stored if store.assessments.get_assessment(key) is not None}
            claims = store.queue.claims()
            queued = store.queue.queue_counts()
            flagged = {l.key for l, _ in store.assessments.flagged()}
            to_capture = set(store.queue.pending("capture"))
    finally:
        for child in [*crawls, *workers.values()]:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=30)

    assert stored == expected  # the two crawls stored every listing, nothing extra
    assert len(runs) == 2 and sum(r["items"] for r in runs) == len(expected), runs  # each stored (queued) once
    assert Counter(key for key, _ in scored) == {key: 1 for key in expected}  # each assessment committed once
    assert Counter(key for key, _ in indexed) == {key: 1 for key in expected}
    assert assessed == expected and claims == {}  # none lost, none left claimed
    assert queued == ({"capture": len(flagged)} if flagged else {}) and to_capture == flagged  # capture was off
    by_worker = Counter(worker for _, worker in scored)
    done_by = dict(scored)
    assert all(done_by[key] in live for key in orphaned)  # the killed worker's rows were done by the others
    assert set(by_worker) <= set(workers) and sum(by_worker[w] for w in live) >= len(orphaned)
    print(f"workers: {len(expected)} listings; score completions per worker {dict(by_worker)}; "
          f"{victim} killed holding {len(orphaned)} claimed score rows")
