"""The processing pipeline: drain the store's queue through score, capture and index.

Each stage reads its own queue rows and completes them in the same transaction that
saves its result (see `firewatch.store.sqlite`), so a crash mid-way loses nothing and a
rerun picks up exactly what was left. A failing listing is counted, its error kept on
its queue row, and the run goes on with the others.

Scoring goes through the scorer's batch path (`assess_many`, `score_batch` listings at a
time, one model prediction per batch); each assessment is still saved in its own
transaction.

When the search backend is unreachable (`SearchUnavailable`), the index stage stops for
this run with one warning; its listings stay queued with their attempts untouched, and
`firewatch index sync` (or the next run) indexes them once the backend is back.

Captures go through the capturer's pool (`capture_many`) and each result is saved as it
arrives. A page that shows a captcha or login wall (`BlockedPageError`) is not a failure
of the listing: its capture is re-queued at the back with its attempts reset, so it
stays flagged and queued for a later run instead of using up `max_attempts`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from firewatch.core.exceptions import SearchUnavailable
from firewatch.core.models import Evidence, Listing

log = logging.getLogger(__name__)


@dataclass
class PipelineStats:
    scored: int = 0
    flagged: int = 0
    captured: int = 0
    capture_failed: int = 0
    capture_blocked: int = 0
    indexed: int = 0
    index_unavailable: str = ""  # why the index stage stopped early (its listings stay queued)
    errors: list[str] = field(default_factory=list)


class Pipeline:
    """Score every queued listing, capture the flagged ones, index them all.

    `capturer` is a `crawler.capture.Capturer` or None (captures stay queued);
    `capture_concurrency` is its pool size (None: the capturer's default);
    `scorer` has `assess(listing, watchlist=..., threshold=...) -> Assessment` and, when
    it also has `assess_many(listings, ...)`, listings are scored `score_batch` at a time.
    """

    def __init__(self, store, index, scorer, threshold: float = 0.5, watchlist: Any = None,
                 capturer: Any = None, capture_errors: tuple[type[BaseException], ...] = (Exception,),
                 capture_limit: int | None = None, capture_concurrency: int | None = None,
                 score_batch: int = 500):
        self.store = store
        self.index = index
        self.scorer = scorer
        self.threshold = threshold
        self.watchlist = watchlist
        self.capturer = capturer
        self.capture_errors = capture_errors
        self.capture_limit = capture_limit
        self.capture_concurrency = capture_concurrency
        self.score_batch = max(1, int(score_batch))
        # Errors that mark one listing as failed at a stage; anything else stops the run.
        self._item_errors = {"capture": capture_errors}

    def run(self, progress: Any = None) -> PipelineStats:
        stats = PipelineStats()
        if hasattr(self.scorer, "assess_many"):
            self._score_stage(stats, progress)
        else:
            self._stage("score", self._score, stats, progress, "评分")
        if self.capturer is not None:
            if hasattr(self.capturer, "capture_many"):
                self._capture_stage(stats, progress)
            else:
                self._stage("capture", self._capture, stats, progress, "截图取证")
        try:
            self._stage("index", self._index, stats, progress, "建立索引")
        except SearchUnavailable as exc:  # not the listings' fault: no attempt counted, all stay queued
            stats.index_unavailable = str(exc)
            log.warning("index stage stopped, %d listings stay queued for `firewatch index sync`: %s",
                        len(self.store.pending("index")), exc)
        return stats

    def _stage(self, stage: str, work: Callable[[Listing, PipelineStats], None], stats: PipelineStats,
               progress: Any, label: str) -> None:
        keys = self.store.pending(stage, limit=self.capture_limit if stage == "capture" else None)
        item_errors = self._item_errors.get(stage, (ValueError, KeyError, TypeError))
        task = progress.add_task(label, total=len(keys)) if progress is not None and keys else None
        for key in keys:
            listing = self.store.get_listing(key)
            try:
                if listing is None:  # queued then deleted: nothing to do
                    self.store.complete_stage(key, stage)
                else:
                    work(listing, stats)
            except item_errors as exc:
                self._failed(key, stage, exc, stats)
            if task is not None:
                progress.advance(task)

    def _score_stage(self, stats: PipelineStats, progress: Any) -> None:
        """Score queued listings `score_batch` at a time through `scorer.assess_many`.

        Each assessment is still saved in its own transaction; when a batch raises an item
        error, that batch is scored again one listing at a time so only the bad one fails.
        """
        keys = self.store.pending("score")
        task = progress.add_task("评分", total=len(keys)) if progress is not None and keys else None
        item_errors = (ValueError, KeyError, TypeError)
        for lo in range(0, len(keys), self.score_batch):
            listings = self._queued_listings("score", keys[lo:lo + self.score_batch], progress, task)
            try:
                assessments = self.scorer.assess_many(listings, watchlist=self.watchlist,
                                                      threshold=self.threshold)
            except item_errors as exc:
                log.warning("score batch failed (%s: %s); scoring it one by one", type(exc).__name__, exc)
                assessments = [None] * len(listings)
            for listing, assessment in zip(listings, assessments):
                try:
                    self._score(listing, stats, assessment)
                except item_errors as exc:
                    self._failed(listing.key, "score", exc, stats)
                if task is not None:
                    progress.advance(task)

    def _score(self, listing: Listing, stats: PipelineStats, assessment: Any = None) -> None:
        if assessment is None:
            assessment = self.scorer.assess(listing, watchlist=self.watchlist, threshold=self.threshold)
        next_stages: tuple[str, ...] = ("index",)
        if assessment.flagged:
            stats.flagged += 1
            if listing.status == "active" and self.store.latest_evidence(listing.key) is None:
                next_stages = ("capture", "index")
        self.store.save_assessment(assessment, next_stages)
        stats.scored += 1

    def _capture_stage(self, stats: PipelineStats, progress: Any) -> None:
        """Capture every queued listing through the capturer's pool, saving as they come."""
        keys = self.store.pending("capture", limit=self.capture_limit)
        task = progress.add_task("截图取证", total=len(keys)) if progress is not None and keys else None
        items = [(l.platform, l.listing_id, l.url) for l in self._queued_listings("capture", keys, progress, task)]

        def done(item: Any, result: Any) -> None:
            key = (item.platform, item.listing_id)
            if isinstance(result, Evidence):
                self.store.save_evidence(result)
                stats.captured += 1
            elif isinstance(result, self.capture_errors):
                self._failed(key, "capture", result, stats)
            else:  # not an item error: stop the run
                raise result
            if task is not None:
                progress.advance(task)

        self.capturer.capture_many(items, concurrency=self.capture_concurrency, on_result=done)

    def _queued_listings(self, stage: str, keys: list[tuple[str, str]], progress: Any, task: Any) -> list[Listing]:
        """The listings behind queue keys; a key whose listing was deleted is completed."""
        listings = []
        for key in keys:
            listing = self.store.get_listing(key)
            if listing is not None:
                listings.append(listing)
                continue
            self.store.complete_stage(key, stage)  # queued then deleted: nothing to do
            if task is not None:
                progress.advance(task)
        return listings

    def _failed(self, key: tuple[str, str], stage: str, exc: BaseException, stats: PipelineStats) -> None:
        """Count one listing's failure at a stage and keep its error on the queue row.

        A blocked capture (captcha, login wall) goes to the back of the queue with its
        attempts untouched: the listing stays flagged for a later capture.
        """
        from crawler.exceptions import BlockedPageError

        message = f"{stage} {key[0]}:{key[1]}: {type(exc).__name__}: {exc}"
        log.warning("%s", message)
        stats.errors.append(message)
        if stage == "capture" and isinstance(exc, BlockedPageError):
            stats.capture_blocked += 1
            self.store.complete_stage(key, "capture", ("capture",))  # back of the queue
            return
        if stage == "capture":
            stats.capture_failed += 1
        self.store.fail_stage(key, stage, message)

    def _capture(self, listing: Listing, stats: PipelineStats) -> None:
        evidence = self.capturer.capture(listing.platform, listing.listing_id, listing.url)
        self.store.save_evidence(evidence)
        stats.captured += 1

    def _index(self, listing: Listing, stats: PipelineStats) -> None:
        key = listing.key
        self.index.index_listing(listing, self.store.get_assessment(key), self.store.snapshots(key))
        self.store.complete_stage(listing.key, "index")
        stats.indexed += 1
