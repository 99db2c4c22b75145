"""The pipeline's capture stage: results saved as they come, blocked pages re-queued."""

from __future__ import annotations

from datetime import datetime, timezone

from crawler.exceptions import BlockedPageError, CaptureError
from firewatch.core.models import Evidence, Listing
from firewatch.services.pipeline import Pipeline, PipelineStats
from firewatch.store import open_store


class FakeCapturer:
    def __init__(self, outcomes):
        self.outcomes = outcomes
        self.calls = []

    def capture_many(self, items, concurrency=None, on_result=None):
        results = []
        for platform, listing_id, url, title in items:
            assert title == "灭火器"  # the listing's title goes with it, for the capture's content check
            self.calls.append(listing_id)
            outcome = self.outcomes[listing_id]
            item = type("Item", (), {"platform": platform, "listing_id": listing_id, "url": url})
            if outcome == "ok":
                outcome = Evidence(platform, listing_id, datetime.now(timezone.utc), url, url, 200,
                                   "127.0.0.1", "ua", "1", "/tmp/none")
            on_result(item, outcome)
            results.append(outcome)
        return results


def test_blocked_capture_stays_queued_without_burning_attempts(tmp_path):
    with open_store(tmp_path / "db.sqlite") as store:
        for lid in ("a", "b", "c"):
            store.listings.upsert_listing(Listing(platform="jd", listing_id=lid, url=f"http://x/{lid}", title="灭火器"))
            store.queue.enqueue(("jd", lid), "capture")
        capturer = FakeCapturer({"a": "ok", "b": BlockedPageError("http://x/b", "captcha"),
                                 "c": CaptureError("boom")})
        pipeline = Pipeline(store, index=None, scorer=None, capturer=capturer,
                            capture_errors=(CaptureError,), blocked_errors=(BlockedPageError,))
        for _ in range(5):  # five runs: the blocked one is never given up on
            stats = PipelineStats()
            pipeline._capture_stage(stats, None)
            store.queue.release(pipeline.worker)  # as the end of each drain (`Pipeline.run`) does
        assert store.evidence.latest_evidence(("jd", "a")) is not None
        pending = store.queue.pending("capture")
        assert ("jd", "b") in pending  # still queued for a later capture
        assert ("jd", "c") not in pending  # a real failure uses up its attempts (3)
        assert capturer.calls.count("b") == 5 and capturer.calls.count("c") == 3
        assert stats.capture_blocked == 1
