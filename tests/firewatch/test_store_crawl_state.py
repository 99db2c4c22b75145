"""The store's crawl state: runs with their process (pid, host, heartbeat) and the "killed"
outcome, the search page a blocked keyword resumes at, and the price a search page showed."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal

import pytest

from firewatch.core.models import Listing, PriceTier, utcnow
from firewatch.store import open_store
from firewatch.store.migrations import MIGRATIONS
from firewatch.store.sqlite import SQLiteStore


@pytest.fixture
def store(store_url):
    with open_store(store_url) as s:
        yield s


def offer(**kw) -> Listing:
    base = dict(platform="1688", listing_id="6001", url="https://detail.1688.com/offer/6001.html", title="干粉灭火器批发",
                price_tiers=[PriceTier(2, Decimal("30.00")), PriceTier(100, Decimal("25.00"))])
    base.update(kw)
    return Listing(**base)


# -- resume pages ---------------------------------------------------------------------------------

def test_resume_page_is_set_read_overwritten_and_cleared_per_platform_and_keyword(store, store_url):
    assert store.listings.resume_page("jd", "灭火器") == 1  # never blocked: start at page 1
    store.listings.set_resume_page("jd", "灭火器", 3)
    store.listings.set_resume_page("pdd", "灭火器", 5)
    store.listings.set_resume_page("jd", "烟雾报警器", 2)
    assert store.listings.resume_page("jd", "灭火器") == 3
    assert store.listings.resume_pages("jd") == {"灭火器": 3, "烟雾报警器": 2}
    store.listings.set_resume_page("jd", "灭火器", 4)  # resumed at 3, blocked again at 4: the latest wins
    assert store.listings.resume_page("jd", "灭火器") == 4
    with open_store(store_url) as other:  # kept in the store: the next run's process reads it
        assert other.listings.resume_page("jd", "灭火器") == 4
    store.listings.clear_resume_page("jd", "灭火器")
    assert store.listings.resume_page("jd", "灭火器") == 1
    assert store.listings.resume_page("pdd", "灭火器") == 5  # another platform's keyword untouched
    store.listings.clear_resume_page("jd", "灭火器")  # clearing twice is harmless
    with pytest.raises(ValueError):
        store.listings.set_resume_page("jd", "灭火器", 0)


# -- the search-page price signature ----------------------------------------------------------------

def test_search_price_is_kept_apart_from_content_and_left_alone_when_not_given(store):
    since = utcnow() - timedelta(minutes=1)
    first = store.listings.upsert_listing(offer(), search_price="r=2500-3000")
    assert first.created
    assert dict((l.key, s) for l, s in store.listings.iter_recently_seen(since)) == {("1688", "6001"): "r=2500-3000"}
    again = store.listings.upsert_listing(offer())  # stored again without a signature: the kept one stays
    assert not again.changed and not again.snapshot
    assert [s for _, s in store.listings.iter_recently_seen(since)] == ["r=2500-3000"]
    changed_sig = store.listings.upsert_listing(offer(), search_price="r=2400-3000")
    assert not changed_sig.changed  # not content: no snapshot, no rescoring
    assert [s for _, s in store.listings.iter_recently_seen(since)] == ["r=2400-3000"]
    assert len(store.listings.snapshots(("1688", "6001"))) == 1


def test_recently_seen_lists_only_active_listings_seen_since(store):
    now = utcnow()
    store.listings.upsert_listing(offer(listing_id="old"), observed_at=now - timedelta(days=3))
    store.listings.upsert_listing(offer(listing_id="gone", status="removed"), observed_at=now)
    store.listings.upsert_listing(offer(listing_id="new"), observed_at=now)
    seen = [(l.listing_id, s) for l, s in store.listings.iter_recently_seen(now - timedelta(days=1))]
    assert seen == [("new", None)]


# -- crawl runs -----------------------------------------------------------------------------------

def test_runs_record_their_process_heartbeat_and_end_killed_only_while_open(store):
    run = store.listings.start_crawl_run("jd", pid=4242, host="crawler-1")
    row = store.listings.open_crawl_runs("jd")[0]
    assert (row["id"], row["pid"], row["host"], row["outcome"]) == (run, 4242, "crawler-1", "running")
    assert row["heartbeat_at"] == row["started_at"]
    store.listings.heartbeat_crawl_runs([run])
    assert store.listings.open_crawl_runs("jd")[0]["heartbeat_at"] > row["heartbeat_at"]
    assert store.listings.open_crawl_runs("pdd") == []
    assert store.listings.mark_crawl_run_killed(run)
    assert store.listings.open_crawl_runs("jd") == []
    assert store.listings.crawl_runs()[0]["outcome"] == "killed"
    assert not store.listings.mark_crawl_run_killed(run)  # already ended: left as it was

    done = store.listings.start_crawl_run("jd", pid=4243, host="crawler-1")
    store.listings.finish_crawl_run(done, "finished", pages=3)
    assert not store.listings.mark_crawl_run_killed(done)  # a run that finished is never "killed"
    assert store.listings.crawl_runs()[0]["outcome"] == "finished"


def test_a_store_of_the_previous_schema_upgrades_with_its_runs_and_listings(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for version, name, sql in MIGRATIONS:
        if version >= 6:
            break
        conn.executescript(sql)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, "2026-01-01T00:00:00+00:00"))
    conn.execute("INSERT INTO crawl_runs (platform, started_at) VALUES ('jd', '2026-01-01T00:00:00+00:00')")
    conn.commit()
    conn.close()
    with SQLiteStore(path) as store:
        assert 6 in store.schema_versions()
        old = store.listings.open_crawl_runs("jd")[0]
        assert old["pid"] is None and old["host"] == "" and old["heartbeat_at"] is None
        store.listings.upsert_listing(offer(), search_price="p=2800")
        assert store.listings.resume_page("jd", "灭火器") == 1
