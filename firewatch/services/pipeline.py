"""The processing pipeline: drain the store's queue through score, capture, index and alerts.

Each stage completes a listing's queue row in the transaction that saves its result, so
a crash loses nothing and a rerun picks up what was left. A failing listing is counted
and its error kept on its queue row; a blocked capture goes back to the queue; an
unreachable search backend pauses the index stage with every listing still queued.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol

from firewatch.core.exceptions import SearchUnavailable
from firewatch.core.models import Assessment, Evidence, Listing

log = logging.getLogger(__name__)


class BatchScorer(Protocol):
    def assess_many(self, listings: Iterable[Listing], watchlist: Any = None,
                    threshold: float = 0.5) -> list[Assessment]: ...

    def assess(self, listing: Listing, watchlist: Any = None, threshold: float = 0.5) -> Assessment: ...


class PoolCapturer(Protocol):
    def capture_many(self, items: list[tuple[str, str, str, str]], concurrency: int | None = None,
                     on_result: Callable[[Any, Any], None] | None = None) -> Any: ...


@dataclass
class PipelineStats:
    fetched: int = 0  # leads without content (a tip's or report's URL) whose page was fetched and read
    scored: int = 0
    flagged: int = 0
    captured: int = 0
    capture_failed: int = 0
    capture_blocked: int = 0
    indexed: int = 0
    index_unavailable: str = ""  # why the index stage stopped early (its listings stay queued)
    errors: list[str] = field(default_factory=list)
    new_alerts: dict[str, int] = field(default_factory=dict)  # rule -> alerts raised after the drain
    new_alert_ids: list[int] = field(default_factory=list)

    @property
    def degraded(self) -> list[str]:
        """Why this drain ran degraded, one Chinese phrase with its code each (empty: it did
        not): the index stage paused (search backend unreachable), captures failed or were
        blocked, listings failed scoring or indexing. Their queue rows stay for a rerun."""
        reasons = []
        if self.index_unavailable:
            reasons.append(f"索引暂停 index_unavailable: {self.index_unavailable}")
        if self.capture_failed:
            reasons.append(f"截图失败 capture_failed: {self.capture_failed}")
        if self.capture_blocked:
            reasons.append(f"截图被拦截 capture_blocked: {self.capture_blocked}")
        failed = len(self.errors) - self.capture_failed - self.capture_blocked
        if failed > 0:
            reasons.append(f"处理失败 stage_errors: {failed}")
        return reasons


class Pipeline:
    """Fetch the pages of leads known only by URL, score every queued listing, capture the
    flagged ones, index them all, then run the alerts.

    The 'fetch' stage captures a lead's page through the capturer (the capture is kept as
    evidence) and reads the listing from it with `read_page(listing, evidence)`; the changed
    listing is then queued for scoring like a crawled one. Without a capturer or `read_page`
    fetches stay queued.

    `capturer` (None: captures stay queued) reports each result through `on_result`;
    `capture_errors` fail one listing, `blocked_errors` send it to the back of the queue;
    `alerts(store)` runs after the drain and returns an object with `new_per_rule` and
    `new_ids` (None: no alert stage).
    """

    def __init__(self, store, index, scorer, threshold: float = 0.5, watchlist: Any = None,
                 capturer: Any = None, capture_errors: tuple[type[BaseException], ...] = (Exception,),
                 capture_limit: int | None = None, capture_concurrency: int | None = None,
                 score_batch: int = 500, blocked_errors: tuple[type[BaseException], ...] = (),
                 alerts: Callable[[Any], Any] | None = None,
                 read_page: Callable[[Listing, Evidence], Listing] | None = None,
                 read_errors: tuple[type[BaseException], ...] = (ValueError, OSError)):
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
        self.blocked_errors = blocked_errors
        self.alerts = alerts
        self.read_page = read_page
        self.read_errors = read_errors

    def run(self, progress: Any = None) -> PipelineStats:
        stats = PipelineStats()
        if self.capturer is not None and self.read_page is not None:
            self._fetch_stage(stats, progress)
        self._score_stage(stats, progress)
        if self.capturer is not None:
            self._capture_stage(stats, progress)
        try:
            self._index_stage(stats, progress)
        except SearchUnavailable as exc:  # not the listings' fault: no attempt counted, all stay queued
            stats.index_unavailable = str(exc)
            log.warning("index stage stopped, %d listings stay queued for `firewatch index sync`: %s",
                        len(self.store.queue.pending("index")), exc)
        if self.alerts is not None:
            result = self.alerts(self.store)
            stats.new_alerts = dict(result.new_per_rule)
            stats.new_alert_ids = list(result.new_ids)
        return stats

    def _index_stage(self, stats: PipelineStats, progress: Any) -> None:
        keys = self.store.queue.pending("index")
        task = progress.add_task("建立索引", total=len(keys)) if progress is not None and keys else None
        for key in keys:  # one listing in memory at a time: the queue may hold millions
            listing = self.store.listings.get_listing(key)
            try:
                if listing is None:  # queued then deleted: nothing to do
                    self.store.queue.complete_stage(key, "index")
                else:
                    self._index(listing, stats)
            except (ValueError, KeyError, TypeError) as exc:
                self._failed(key, "index", exc, stats)
            if task is not None:
                progress.advance(task)

    def _score_stage(self, stats: PipelineStats, progress: Any) -> None:
        """Score queued listings `score_batch` at a time through `scorer.assess_many`.

        Each assessment is still saved in its own transaction; when a batch raises an item
        error, that batch is scored again one listing at a time so only the bad one fails.
        """
        keys = self.store.queue.pending("score")
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
            if listing.status == "active" and self.store.evidence.latest_evidence(listing.key) is None:
                next_stages = ("capture", "index")
        self.store.assessments.save_assessment(assessment, next_stages)
        stats.scored += 1

    def _capture_stage(self, stats: PipelineStats, progress: Any) -> None:
        """Capture every queued listing through the capturer's pool, saving as they come."""
        keys = self.store.queue.pending("capture", limit=self.capture_limit)
        task = progress.add_task("截图取证", total=len(keys)) if progress is not None and keys else None
        # (platform, listing id, url, title): the title must show in the page for the capture to count
        items = [(l.platform, l.listing_id, l.url, l.title or "")
                 for l in self._queued_listings("capture", keys, progress, task)]

        def saved(key: tuple[str, str], evidence: Evidence) -> None:
            self.store.evidence.save_evidence(evidence)
            stats.captured += 1

        self._capture_items("capture", items, saved, stats, progress, task)

    def _fetch_stage(self, stats: PipelineStats, progress: Any) -> None:
        """Capture each queued lead's page and read the listing from it (kept as evidence too)."""
        keys = self.store.queue.pending("fetch", limit=self.capture_limit)
        task = progress.add_task("抓取线索页面", total=len(keys)) if progress is not None and keys else None
        items = [(l.platform, l.listing_id, l.url, "") for l in self._queued_listings("fetch", keys, progress, task)]

        def read(key: tuple[str, str], evidence: Evidence) -> None:
            try:
                fetched = self.read_page(self.store.listings.get_listing(key), evidence)
            except self.read_errors as exc:  # a blocked page (BlockedPageError) goes to the back of the queue
                self._failed(key, "fetch", exc, stats)
                return
            self.store.evidence.save_evidence(evidence)  # kept only when it is this listing's page
            self.store.listings.upsert_listing(fetched, complete="fetch")  # queues 'score' when it changed
            stats.fetched += 1

        self._capture_items("fetch", items, read, stats, progress, task)

    def _capture_items(self, stage: str, items: list[tuple[str, str, str, str]],
                       on_evidence: Callable[[tuple[str, str], Evidence], None], stats: PipelineStats,
                       progress: Any, task: Any) -> None:
        """Capture `items` through the capturer's pool: each evidence goes to `on_evidence`, each
        capture error fails the listing's `stage`; any other error stops the run."""

        def done(item: Any, result: Any) -> None:
            key = (item.platform, item.listing_id)
            if isinstance(result, Evidence):
                on_evidence(key, result)
            elif isinstance(result, self.capture_errors):
                self._failed(key, stage, result, stats)
            else:  # not an item error: stop the run
                raise result
            if task is not None:
                progress.advance(task)

        self.capturer.capture_many(items, concurrency=self.capture_concurrency, on_result=done)

    def _queued_listings(self, stage: str, keys: list[tuple[str, str]], progress: Any, task: Any) -> list[Listing]:
        """The listings behind queue keys; a key whose listing was deleted is completed."""
        listings = []
        for key in keys:
            listing = self.store.listings.get_listing(key)
            if listing is not None:
                listings.append(listing)
                continue
            self.store.queue.complete_stage(key, stage)  # queued then deleted: nothing to do
            if task is not None:
                progress.advance(task)
        return listings

    def _failed(self, key: tuple[str, str], stage: str, exc: BaseException, stats: PipelineStats) -> None:
        """Count one listing's failure at a stage and keep its error on the queue row.

        A blocked capture (captcha, login wall) goes to the back of the queue with its
        attempts untouched: the listing stays flagged for a later capture.
        """
        message = f"{stage} {key[0]}:{key[1]}: {type(exc).__name__}: {exc}"
        log.warning("%s", message)
        stats.errors.append(message)
        if stage in ("capture", "fetch") and isinstance(exc, self.blocked_errors):
            stats.capture_blocked += 1
            self.store.queue.complete_stage(key, stage, (stage,))  # back of the queue
            return
        if stage in ("capture", "fetch"):
            stats.capture_failed += 1
        self.store.queue.fail_stage(key, stage, message)

    def _index(self, listing: Listing, stats: PipelineStats) -> None:
        key = listing.key
        self.index.index_listing(listing, self.store.assessments.get_assessment(key), self.store.listings.snapshots(key))
        self.store.queue.complete_stage(listing.key, "index")
        stats.indexed += 1
