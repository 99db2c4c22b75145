"""A flagged listing whose evidence capture meets the item gone is judged like a notice's re-fetch.

The real pipeline (Chromium through the host map, against the demo market) captures two flagged listings that the
platforms took down meanwhile (JD's redirect to its home page, 1688's 404). The capture cannot show the listing
(`PageNotRenderedError`), so the listing's page is queued for the 'fetch' stage, whose reading judges it
(`crawler.platforms.gone.judge_page`): the 404 counts at once, the home page is only suspected (疑似下架) until a
later sighting, and no capture becomes the listing's page evidence.
"""

from __future__ import annotations

import shutil

import pytest

from crawler.sites import site
from demo_market.behaviour import TakedownDesk
from demo_market.generator import build_catalogue
from demo_market.server import QUIET
from firewatch.core.models import Listing
from firewatch.core.settings import load_settings
from firewatch.services.processing import run_processing
from firewatch.store import open_store
from tests.helpers import first_on_sale, market_env


@pytest.mark.timeout(300)
def test_a_capture_that_meets_the_item_gone_has_its_page_fetched_and_judged(start_market, trained_model, chromium,
                                                                             tmp_path):
    catalogue = build_catalogue(seed=9, size=200)  # its own: the takedowns change it
    market = start_market(seed=9, catalogue=catalogue, **QUIET)
    picks = first_on_sale(catalogue, ("jd", "1688"))
    data = tmp_path / "data"
    shutil.copytree(trained_model.directory, data / "models")
    settings = load_settings(env={**market_env(market), "FIREWATCH_DATA_DIR": str(data),
                                  "FIREWATCH_CAPTURE__CHROMIUM": chromium, "FIREWATCH_CAPTURE__TIMEOUT_MS": "6000"})
    keys = {platform: (platform, x.listing_id) for platform, x in picks.items()}
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        for platform, x in picks.items():
            store.listings.upsert_listing(Listing(platform, x.listing_id, url=site(platform).item_url(x.listing_id, platform),
                                                  title=x.title, price=x.price, shop_name=x.shop_name))
            store.queue.enqueue(keys[platform], "capture")  # flagged: its evidence is due
    TakedownDesk(catalogue, seed=9, min_days=1, max_days=1, ignore_rate=0.0).receive(list(keys.values()), day=0)
    market.day = 1  # the platforms took them down

    first = run_processing(settings, capture=True)
    assert first.captured == 0 and first.capture_failed == len(picks), first.errors
    assert all("PageNotRenderedError" in e for e in first.errors if e.startswith("capture"))
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        assert set(store.queue.pending("fetch")) >= set(keys.values())  # its page is to be read instead
        assert all(store.listings.latest_removal(k, counted=None) is None for k in keys.values())

    second = run_processing(settings, capture=True)
    assert second.fetched >= len(picks), second.errors
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        gone = store.listings.latest_removal(keys["1688"], counted=None)
        assert (gone.basis, gone.http_status, gone.counted) == ("http_status", 404, True)
        assert store.listings.get_listing(keys["1688"]).status == "removed"
        home = store.listings.latest_removal(keys["jd"], counted=None)
        assert (home.basis, home.counted) == ("home_redirect", False) and "www.jd.com" in home.final_url
        assert store.listings.get_listing(keys["jd"]).status == "active"  # one home page proves nothing yet
        for key in keys.values():
            assert store.evidence.latest_evidence(key) is None  # the gone pages are kept apart
            assert store.evidence.latest_removal_evidence(key) is not None
