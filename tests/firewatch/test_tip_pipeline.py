"""A tip's URL is fetched, captured and scored like any listing: a tip naming an item page of
the demo market (real URL, reached through the host map) becomes a stub, and one real
`firewatch process` (Chromium capture, the session's model) turns it into a read, scored
listing with evidence, after which the tip's status is 审核中 (under review)."""

from __future__ import annotations

import shutil

from firewatch.core.settings import load_settings
from firewatch.services.challenge import solve
from firewatch.services.tips import TipForm, TipPolicy, TipsChannel, tip_status
from firewatch.store import open_store
from tests.helpers import market_env, run_cli


def test_a_tipped_url_is_fetched_captured_and_scored(demo_market, trained_model, chromium, tmp_path):
    data = tmp_path / "data"
    item = next(x for x in demo_market.catalogue.search("灭火器", 0, ("jd",)))
    settings = load_settings(env={"FIREWATCH_DATA_DIR": str(data)})
    tips = TipsChannel(settings.tips_dir, TipPolicy(pow_bits=4))
    challenge = tips.challenge()["challenge"]
    with open_store(settings.store_path) as store:
        tip = tips.submit(store, TipForm(url=item.url, text="疑似年检专用", challenge=challenge,
                                         nonce=solve(challenge, 4)), "10.2.0.1")
        assert tip.key == ("jd", item.listing_id) and tip_status(store, tip) == "received"
    shutil.copytree(trained_model.directory, data / "models")
    process = run_cli("--data-dir", str(data), "process", env=market_env(demo_market))
    assert process.returncode == 0, process.stderr[-3000:]
    with open_store(settings.store_path) as store:
        listing = store.listings.get_listing(tip.key)
        assert listing.title == item.title and listing.status != "unknown"
        assert store.assessments.get_assessment(tip.key) is not None
        assert store.evidence.latest_evidence(tip.key) is not None
        assert store.queue.pending("fetch") == []
        assert tip_status(store, store.tips.get_tip(tip.receipt)) == "under_review"
