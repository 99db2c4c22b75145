"""Wire and run the processing pipeline from settings: fetch leads, score, capture, index, alerts.

`build_pipeline` is the one place that turns settings into a `Pipeline`; `run_processing`
opens the store and search index, drains the queue (once, or as a long-running worker until
stopped) under a worker id, and closes what it opened. `Claims` carries a worker's claim
options (id, batch, lease); several processes on any machines drain one store together.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from dataclasses import dataclass
from typing import Any, Callable

from alerts.rules import AlertsConfig, run_rules
from crawler.capture import Capturer
from crawler.exceptions import BlockedPageError, CaptureError, PageNotRenderedError, ParseError
from crawler.platforms.blocked import detect_block
from crawler.sites import platform_domains
from firewatch.core.hostmap import HostMap
from firewatch.core.settings import Settings
from firewatch.search import open_index_from_settings
from firewatch.services.leads import read_captured
from firewatch.services.loaders import load_scorer, load_watchlist
from firewatch.services.ocr import OcrConfig, OcrStage
from firewatch.services.pipeline import Pipeline, PipelineStats, default_worker_id
from firewatch.services.sellers import resolve_pending
from firewatch.store import open_store

log = logging.getLogger(__name__)


def build_capturer(settings: Settings, allowed_hosts: tuple[str, ...] = ()) -> Capturer:
    """The evidence capturer from `[capture]`; requests only to `allowed_hosts` (default: the
    platforms' domains from the site maps), connected through the host map."""
    cap = settings.capture
    hosts = allowed_hosts or platform_domains()
    hostmap = HostMap.from_settings(settings)
    return Capturer(cap.chromium, settings.evidence_dir, settings.crawl.user_agent, hosts,
                    max_height=cap.max_height, timeout_ms=cap.timeout_ms, is_blocked=detect_block,
                    concurrency=cap.concurrency, settle_ms=cap.settle_ms, host_map=hostmap,
                    legal_basis=settings.crawl.legal_basis)


@dataclass(frozen=True)
class Claims:
    """How a worker claims queue rows: its id (default host:pid), rows per claim, lease seconds."""

    worker: str = ""
    batch: int = 100
    lease: float = 300.0

    @property
    def worker_id(self) -> str:
        return self.worker or default_worker_id()


def build_pipeline(settings: Settings, store, index, scorer=None, capturer: Capturer | None = None,
                   max_captures: int | None = None, claims: Claims | None = None,
                   stop: threading.Event | None = None, ocr_refetch: bool = False) -> Pipeline:
    """Every stage from settings; the alert rules run after the drain when `alerts.run_on_process`.
    `ocr_refetch`: the 'ocr' stage fetches every image in full (no `[ocr] refetch_hours`, no validators)."""
    scorer = scorer if scorer is not None else load_scorer(settings)
    claims = claims or Claims()
    alerts: Callable[[Any], Any] | None = None
    if settings.alerts.run_on_process:
        config = AlertsConfig.from_settings(settings)

        def alerts(s: Any) -> Any:
            return run_rules(s, config)

    ocr = None
    if settings.ocr.enabled:
        ocr = OcrStage(store, scorer, OcrConfig.from_settings(settings, refetch=ocr_refetch),
                       transport=HostMap.from_settings(settings).httpx_transport())
    return Pipeline(store, index, scorer, settings.scoring.threshold,
                    load_watchlist(settings, store), capturer, capture_errors=(CaptureError,),
                    blocked_errors=(BlockedPageError,), capture_limit=max_captures, alerts=alerts,
                    read_page=read_captured, read_errors=(ParseError, OSError, ValueError),
                    worker=claims.worker_id, batch=claims.batch, lease=claims.lease, stop=stop, ocr=ocr,
                    sellers=lambda s: resolve_pending(s, settings),
                    removal_confirm_after=timedelta(hours=settings.notices.removal_confirm_hours),
                    refetch_errors=(PageNotRenderedError,))


def run_processing(settings: Settings, capture: bool = True, max_captures: int | None = None,
                   allowed_hosts: tuple[str, ...] = (), progress: Any = None,
                   report: Callable[[str], Any] = log.warning, index_url: str | None = None,
                   claims: Claims | None = None, loop: bool = False, idle: float = 5.0,
                   stop: threading.Event | None = None,
                   on_drain: Callable[[PipelineStats], Any] | None = None,
                   ocr_refetch: bool = False) -> PipelineStats:
    """Drain the process queue once; `progress` is a rich `Progress` (or None), `report` gets notices,
    `index_url` overrides search.url, `ocr_refetch` as `build_pipeline`'s. Whether it ran degraded is
    `stats.degraded`.

    With `loop`, keep draining (waiting `idle` seconds when there was nothing to do) until `stop`
    is set, then return the totals; `on_drain` gets each drain that completed something."""
    scorer = load_scorer(settings, report)
    capturer = build_capturer(settings, allowed_hosts) if capture else None
    try:
        with open_store(settings.store_url, data_dir=settings.data_dir) as store:
            index = open_index_from_settings(settings, index_url)
            try:
                pipeline = build_pipeline(settings, store, index, scorer, capturer, max_captures, claims, stop,
                                          ocr_refetch)
                try:
                    if loop:
                        return pipeline.run_loop(idle, on_drain)
                    return pipeline.run(progress)
                finally:
                    if pipeline.ocr is not None:
                        pipeline.ocr.close()
            finally:
                index.close()
    finally:
        if capturer is not None:
            capturer.close()
