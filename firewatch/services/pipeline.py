"""The processing pipeline: drain the store's queue through score, capture, index and alerts.

Each stage completes a listing's queue row in the transaction that saves its result, so
a crash loses nothing and a rerun picks up what was left. A failing listing is counted
and its error kept on its queue row; a blocked capture goes back to the queue; an
unreachable search backend pauses the index stage with every listing still queued.

Several pipelines (worker processes, on any machines) drain one store together: each stage
claims its rows in batches under the pipeline's worker id for a lease (`store.queue.claim`),
renews the lease while it works (every third of it) and completes each row only while it still
holds it; a row whose holder died is claimed again once its lease ran out. What a worker
claimed but did not complete (failed, blocked, or stopped early) is released when its drain ends.
`run_loop` keeps one worker draining until asked to stop.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Iterable, Iterator, Protocol

from firewatch.core.exceptions import ClaimLost, SearchUnavailable
from firewatch.core.models import Assessment, Evidence, Listing, Removal
from firewatch.core.settings import NoticesSettings

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
    claims_lost: int = 0  # rows this worker's lease lost to another worker before it completed them
    ocr: int = 0  # listings whose images were read and judged (firewatch.services.ocr)

    @property
    def completed(self) -> int:
        """Stage completions this drain committed (what a worker loop counts as progress)."""
        return self.fetched + self.scored + self.captured + self.indexed + self.ocr

    def absorb(self, other: "PipelineStats") -> None:
        """Add another drain's figures to these (a worker loop's totals)."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, int):
                setattr(self, f.name, mine + theirs)
            elif isinstance(mine, list):
                mine.extend(theirs)
            elif isinstance(mine, dict):
                for k, v in theirs.items():
                    mine[k] = mine.get(k, 0) + v
            elif theirs:
                setattr(self, f.name, theirs)

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


def default_worker_id() -> str:
    """This process's worker id: host name and process id (unique across machines sharing a store)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Pipeline:
    """Fetch the pages of leads known only by URL, score every queued listing, capture the
    flagged ones, index them all, then run the alerts.

    The 'fetch' stage captures a lead's page through the capturer (the capture is kept as
    evidence) and reads the listing from it with `read_page(listing, evidence)`; the changed
    listing is then queued for scoring like a crawled one. `read_page` may instead return a `Removal`
    (the page shows the item gone): the sighting is kept with that evidence (role 'removal', never the listing's
    latest page capture), and the listing is stored removed only when the sighting counts (a 404/410 at once; a
    home or error page or gone wording only when seen again `removal_confirm_after` later, [notices]
    removal_confirm_hours). Without a capturer or `read_page`
    fetches stay queued. A flagged listing whose capture failed with one of `refetch_errors` (its page did
    not show the listing: `PageNotRenderedError`, as when the item is gone) is queued for 'fetch' too, so
    that `read_page` judges the page it now answers with (removal sightings go the same way as a notice's).

    `capturer` (None: captures stay queued) reports each result through `on_result`;
    `capture_errors` fail one listing, `blocked_errors` send it to the back of the queue;
    `alerts(store)` runs after the drain and returns an object with `new_per_rule` and
    `new_ids` (None: no alert stage).

    `worker` (default `default_worker_id()`) names this pipeline's claims; each claim takes
    `batch` rows (fetch and capture at most `capture_batch`: a capture takes seconds, smaller
    claims spread them over the workers) for `lease` seconds. `stop` (a `threading.Event`), once
    set, ends the drain after the listing in hand; what is still claimed is released.
    """

    def __init__(self, store, index, scorer, threshold: float = 0.5, watchlist: Any = None,
                 capturer: Any = None, capture_errors: tuple[type[BaseException], ...] = (Exception,),
                 capture_limit: int | None = None, capture_concurrency: int | None = None,
                 score_batch: int = 500, blocked_errors: tuple[type[BaseException], ...] = (),
                 alerts: Callable[[Any], Any] | None = None,
                 read_page: Callable[[Listing, Evidence], Listing | Removal] | None = None,
                 read_errors: tuple[type[BaseException], ...] = (ValueError, OSError),
                 worker: str | None = None, batch: int = 100, lease: float = 300.0, capture_batch: int = 16,
                 stop: threading.Event | None = None, ocr: Any = None,
                 sellers: Callable[[Any], Any] | None = None, removal_confirm_after: timedelta | None = None,
                 refetch_errors: tuple[type[BaseException], ...] = ()):
        self.store = store
        self.refetch_errors = refetch_errors  # a capture that failed so: its page is fetched and read instead
        # how much later a home/error page or gone wording must be seen again to count as a removal
        self.removal_confirm_after = removal_confirm_after if removal_confirm_after is not None else \
            timedelta(hours=NoticesSettings().removal_confirm_hours)
        self.ocr = ocr  # the 'ocr' stage (firewatch.services.ocr.OcrStage) or None
        self.sellers = sellers  # the sellers step (services.sellers.resolve_pending), after the index stage
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
        self.worker = worker or default_worker_id()
        self.batch = max(1, int(batch))
        self.lease = float(lease)
        self.capture_batch = max(1, int(capture_batch))
        self.stop = stop if stop is not None else threading.Event()
        self._renewed = time.monotonic()
        self._claimed_any = False  # whether this drain claimed anything (else nothing to release)

    def run(self, progress: Any = None, alerts_when_idle: bool = True) -> PipelineStats:
        """One drain: every stage until nothing is left that this worker may claim; then the
        alert rules (unless nothing was completed and not `alerts_when_idle`)."""
        stats = PipelineStats()
        self._claimed_any = False
        try:
            if self.capturer is not None and self.read_page is not None:
                self._fetch_stage(stats, progress)
            self._score_stage(stats, progress)
            if self.ocr is not None:
                self.ocr.drain(self, stats, progress)
            if self.capturer is not None:
                self._capture_stage(stats, progress)
            try:
                self._index_stage(stats, progress)
            except SearchUnavailable as exc:  # not the listings' fault: no attempt counted, all stay queued
                stats.index_unavailable = str(exc)
                log.warning("index stage stopped, %d listings stay queued for `firewatch index sync`: %s",
                            len(self.store.queue.pending("index")), exc)
            if self.sellers is not None and not self.stop.is_set():
                self.sellers(self.store)
        finally:
            if self._claimed_any:
                self.store.queue.release(self.worker)  # failed, blocked or not reached: for a later drain
        if self.alerts is not None and (alerts_when_idle or stats.completed):
            result = self.alerts(self.store)
            stats.new_alerts = dict(result.new_per_rule)
            stats.new_alert_ids = list(result.new_ids)
        return stats

    def run_loop(self, idle: float = 5.0, on_drain: Callable[[PipelineStats], Any] | None = None) -> PipelineStats:
        """Drain again and again until `stop` is set, waiting `idle` seconds (or until stopped)
        after a drain that completed nothing; returns the totals. `on_drain` gets each drain
        that completed something."""
        total = PipelineStats()
        while not self.stop.is_set():
            stats = self.run(alerts_when_idle=False)
            total.absorb(stats)
            if stats.completed and on_drain is not None:
                on_drain(stats)
            if not stats.completed:
                self.stop.wait(idle)
        return total

    # -- claims ----------------------------------------------------------------------------------

    def _claimed(self, stage: str, size: int, limit: int | None = None) -> Iterator[list[tuple[str, str]]]:
        """Batches of keys claimed for this worker, until none is left to claim, `limit` keys
        were claimed, or the pipeline is stopped."""
        remaining = limit
        while not self.stop.is_set() and (remaining is None or remaining > 0):
            keys = self.store.queue.claim(stage, self.worker, size if remaining is None else min(size, remaining),
                                          self.lease)
            if not keys:
                return
            self._claimed_any = True
            if remaining is not None:
                remaining -= len(keys)
            yield keys

    def _heartbeat(self) -> None:
        """Renew this worker's leases once a third of the lease has passed since the last renewal."""
        now = time.monotonic()
        if now - self._renewed >= self.lease / 3:
            self.store.queue.extend(self.worker, self.lease)
            self._renewed = now

    def _lost(self, key: tuple[str, str], stage: str, exc: ClaimLost, stats: PipelineStats) -> None:
        """Another worker holds the row now (this lease ran out): its result was not saved; skip it."""
        log.warning("%s", exc)
        stats.claims_lost += 1

    def _task(self, progress: Any, description: str, stage: str) -> Any:
        """A progress bar for `stage`, its total what is queued now (other workers may take some)."""
        if progress is None:
            return None
        total = self.store.queue.queue_counts().get(stage, 0)
        return progress.add_task(description, total=total) if total else None

    # -- stages ----------------------------------------------------------------------------------

    def _index_stage(self, stats: PipelineStats, progress: Any) -> None:
        """Index claimed listings one at a time (the index is idempotent by listing), then
        complete the batch's rows in one transaction."""
        task = self._task(progress, "建立索引", "index")
        for keys in self._claimed("index", self.batch):
            done: list[tuple[str, str]] = []
            try:
                for key in keys:  # one listing in memory at a time
                    if self.stop.is_set():
                        break
                    self._heartbeat()
                    listing = self.store.listings.get_listing(key)
                    try:
                        if listing is not None:  # else queued then deleted: nothing to index
                            self.index.index_listing(listing, self.store.assessments.get_assessment(key),
                                                     self.store.listings.snapshots(key))
                        done.append(key)
                    except (ValueError, KeyError, TypeError) as exc:
                        self._failed(key, "index", exc, stats)
                    if task is not None:
                        progress.advance(task)
            finally:  # what was indexed is completed, also when the search backend went away meanwhile
                lost = self._complete_held(done, "index", stats)
                stats.indexed += len(done) - len(lost)
            if self.stop.is_set():
                return

    def _complete_held(self, keys: list[tuple[str, str]], stage: str, stats: PipelineStats) -> set[tuple[str, str]]:
        """Complete the rows of `keys` this worker still holds, in one transaction; the others
        (taken over meanwhile) are counted as lost claims and returned."""
        lost = set(self.store.queue.complete_held(keys, stage, self.worker)) if keys else set()
        for key in lost:
            self._lost(key, stage, ClaimLost(f"{stage} {key[0]}:{key[1]} is no longer claimed by {self.worker}; "
                                             "its completion was not recorded"), stats)
        return lost

    def _score_stage(self, stats: PipelineStats, progress: Any) -> None:
        """Score claimed listings `score_batch` at a time through `scorer.assess_many`, and save
        each batch's assessments in one transaction (each only while this worker holds its row).

        When a batch raises an item error, that batch is scored again one listing at a time so
        only the bad one fails.
        """
        task = self._task(progress, "评分", "score")
        item_errors = (ValueError, KeyError, TypeError)
        for keys in self._claimed("score", self.batch):
            for lo in range(0, len(keys), self.score_batch):
                if self.stop.is_set():
                    return
                listings = self._queued_listings("score", keys[lo:lo + self.score_batch], progress, task, stats)
                try:
                    assessments = self.scorer.assess_many(listings, watchlist=self.watchlist,
                                                          threshold=self.threshold)
                except item_errors as exc:
                    log.warning("score batch failed (%s: %s); scoring it one by one", type(exc).__name__, exc)
                    assessments = [None] * len(listings)
                items = []
                for listing, assessment in zip(listings, assessments):
                    try:
                        if assessment is None:
                            assessment = self.scorer.assess(listing, watchlist=self.watchlist,
                                                            threshold=self.threshold)
                        if self.ocr is not None:  # image text read before still counts until read again
                            assessment = self.ocr.known_text(listing, assessment, self.watchlist, self.threshold)
                        items.append((assessment, self._after_score(listing, assessment)))
                    except item_errors as exc:
                        self._failed(listing.key, "score", exc, stats)
                        if task is not None:
                            progress.advance(task)
                self._heartbeat()
                lost = set(self.store.assessments.save_assessments(items, self.worker)) if items else set()
                for assessment, _ in items:
                    key = (assessment.platform, assessment.listing_id)
                    if key in lost:
                        self._lost(key, "score", ClaimLost(f"score {key[0]}:{key[1]} is no longer claimed by "
                                                           f"{self.worker}; its assessment was not saved"), stats)
                    else:
                        stats.scored += 1
                        stats.flagged += int(assessment.flagged)
                    if task is not None:
                        progress.advance(task)

    def _after_score(self, listing: Listing, assessment: Assessment) -> tuple[str, ...]:
        """The stages to queue once a listing is scored: capture (flagged, on sale, no evidence yet), index."""
        stages: tuple[str, ...] = ("index",)
        if assessment.flagged and listing.status == "active" and self.store.evidence.latest_evidence(listing.key) is None:
            stages = ("capture", "index")
        if self.ocr is not None and self.ocr.wants(listing, assessment):  # read its images; OCR queues index again
            stages = stages + ("ocr",)
        return stages

    def _capture_stage(self, stats: PipelineStats, progress: Any) -> None:
        """Capture claimed listings through the capturer's pool, saving as they come."""
        task = self._task(progress, "截图取证", "capture")

        def saved(key: tuple[str, str], evidence: Evidence) -> None:
            self.store.evidence.save_evidence(evidence, worker=self.worker)
            stats.captured += 1

        for keys in self._claimed("capture", self.capture_batch, self.capture_limit):
            # (platform, listing id, url, title): the title must show in the page for the capture to count
            items = [(l.platform, l.listing_id, l.url, l.title or "")
                     for l in self._queued_listings("capture", keys, progress, task, stats)]
            self._capture_items("capture", items, saved, stats, progress, task)

    def _fetch_stage(self, stats: PipelineStats, progress: Any) -> None:
        """Capture each claimed lead's page and read the listing from it (kept as evidence too)."""
        task = self._task(progress, "抓取线索页面", "fetch")

        def read(key: tuple[str, str], evidence: Evidence) -> None:
            try:
                fetched = self.read_page(self.store.listings.get_listing(key), evidence)
            except self.read_errors as exc:  # a blocked page (BlockedPageError) goes to the back of the queue
                self._failed(key, "fetch", exc, stats)
                return
            # kept only when it is this listing's page (or its removal, kept apart)
            self.store.evidence.save_evidence(evidence, role="removal" if isinstance(fetched, Removal) else "page")
            # queues 'score' when it changed; completes 'fetch' only while this worker holds it
            if isinstance(fetched, Removal):  # the page shows the item gone: the sighting kept, counted when proven
                self.store.listings.record_removal(self.store.listings.get_listing(key), fetched,
                                                   self.removal_confirm_after, complete="fetch", worker=self.worker)
            else:
                self.store.listings.upsert_listing(fetched, complete="fetch", worker=self.worker)
            stats.fetched += 1

        for keys in self._claimed("fetch", self.capture_batch, self.capture_limit):
            items = [(l.platform, l.listing_id, l.url, "")
                     for l in self._queued_listings("fetch", keys, progress, task, stats)]
            self._capture_items("fetch", items, read, stats, progress, task)

    def _capture_items(self, stage: str, items: list[tuple[str, str, str, str]],
                       on_evidence: Callable[[tuple[str, str], Evidence], None], stats: PipelineStats,
                       progress: Any, task: Any) -> None:
        """Capture `items` through the capturer's pool: each evidence goes to `on_evidence`, each
        capture error fails the listing's `stage`; any other error stops the run."""

        def done(item: Any, result: Any) -> None:
            key = (item.platform, item.listing_id)
            self._heartbeat()
            if isinstance(result, Evidence):
                try:
                    on_evidence(key, result)
                except ClaimLost as exc:
                    self._lost(key, stage, exc, stats)
            elif isinstance(result, self.capture_errors):
                self._failed(key, stage, result, stats)
            else:  # not an item error: stop the run
                raise result
            if task is not None:
                progress.advance(task)

        if items:
            self.capturer.capture_many(items, concurrency=self.capture_concurrency, on_result=done)

    def _queued_listings(self, stage: str, keys: list[tuple[str, str]], progress: Any, task: Any,
                         stats: PipelineStats) -> list[Listing]:
        """The listings behind queue keys; a key whose listing was deleted is completed."""
        listings = []
        for key in keys:
            listing = self.store.listings.get_listing(key)
            if listing is not None:
                listings.append(listing)
                continue
            try:
                self.store.queue.complete_stage(key, stage, worker=self.worker)  # queued then deleted: nothing to do
            except ClaimLost as exc:
                self._lost(key, stage, exc, stats)
            if task is not None:
                progress.advance(task)
        return listings

    def _failed(self, key: tuple[str, str], stage: str, exc: BaseException, stats: PipelineStats) -> None:
        """Count one listing's failure at a stage and keep its error on the queue row.

        A blocked capture (captcha, login wall) goes to the back of the queue with its
        attempts untouched: the listing stays flagged for a later capture. This worker keeps
        the row claimed (so it does not retry it in this drain) until the drain ends.
        """
        message = f"{stage} {key[0]}:{key[1]}: {type(exc).__name__}: {exc}"
        log.warning("%s", message)
        stats.errors.append(message)
        if stage in ("capture", "fetch") and isinstance(exc, self.blocked_errors):
            stats.capture_blocked += 1
            self.store.queue.requeue(key, stage, message, worker=self.worker)  # back of the queue
            return
        if stage in ("capture", "fetch"):
            stats.capture_failed += 1
        self.store.queue.fail_stage(key, stage, message, worker=self.worker)
        if stage == "capture" and self.read_page is not None and isinstance(exc, self.refetch_errors):
            # the page no longer shows the listing: read what it shows now (gone? changed?)
            self.store.queue.enqueue_missing([key], "fetch")
