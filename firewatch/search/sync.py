"""Sync the search index from the process queue's "index" stage (`firewatch index sync`).

The pipeline queues every scored listing for indexing. When the search backend is down
the queue simply keeps them (no attempt is counted); `sync_queue` later writes them in
bulk, batch by batch, and completes each batch's queue rows only after the backend
acknowledged it, so a crash or a new outage mid-way loses nothing.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from firewatch.store import Store

log = logging.getLogger(__name__)


def sync_queue(store: Store, index: Any, batch: int = 500, progress: Callable[[int, int], None] | None = None) -> int:
    """Index every listing queued for the "index" stage; returns how many were indexed.

    `progress(done, total)` is called after each batch. Raises `SearchUnavailable` when
    the backend goes away; what was not acknowledged stays queued.
    """
    keys = store.queue.pending("index")
    done = 0
    for lo in range(0, len(keys), max(1, int(batch))):
        items = []
        for key in keys[lo:lo + batch]:
            listing = store.listings.get_listing(key)
            if listing is None:  # queued then deleted: nothing to index
                store.queue.complete_stage(key, "index")
                continue
            items.append((listing, store.assessments.get_assessment(key), store.listings.snapshots(key)))
        if items:
            index.index_many(items)
            for listing, _, _ in items:
                store.queue.complete_stage(listing.key, "index")
        done += len(items)
        if progress:
            progress(done, len(keys))
    index.refresh()
    log.info("index sync: %d listings indexed", done)
    return done
