"""Scrapy item pipeline: every Listing goes into the store of record, one transaction each.

The store upserts by (platform, listing_id), writes a snapshot only on change and
enqueues the listing for processing, all in one transaction; so a crawl killed at any
moment leaves whole listings or none. With `FIREWATCH_ECHO_COMMITS` set, the key of each
committed listing is printed to stdout after its commit (used by the crash test). A
`crawler.skip.SearchFound` is stored as its listing, keeping what its search result showed.
Each listing stored records its provenance: a crawl of the spider's platform, with the run
(`FIREWATCH_RUN_ID`) in its detail. A `crawler.revisit.GoneItem` (an item page that showed the item gone)
is kept as a removal sighting (`ListingStore.record_removal`, confirmed by a later sighting at least
`FIREWATCH_REMOVAL_CONFIRM_HOURS` later, `[notices] removal_confirm_hours`): the stored listing, else the one
the search page showed, is stored removed only when the sighting counts.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from crawler.revisit import GoneItem
from crawler.skip import SearchFound
from firewatch.core.models import Listing, Source
from firewatch.core.settings import NoticesSettings
from firewatch.store import open_store

_NOTICES = NoticesSettings()  # the schema's defaults, when a value is not configured


class StorePipeline:
    def __init__(self, store_path: str, echo: bool, run_id: int | None = None, data_dir: str | None = None,
                 confirm_after: timedelta = timedelta(0)):
        self.confirm_after = confirm_after  # how much later a suspected removal must be seen again
        self.store_path = store_path
        self.data_dir = data_dir  # the data folder (a PostgreSQL store's migrations need it)
        self.echo = echo
        self.run_id = run_id
        self.store = None

    @classmethod
    def from_crawler(cls, crawler):
        run = crawler.settings.getint("FIREWATCH_RUN_ID", 0) or None
        pipeline = cls(crawler.settings.get("FIREWATCH_STORE"), crawler.settings.getbool("FIREWATCH_ECHO_COMMITS"), run,
                       crawler.settings.get("FIREWATCH_DATA_DIR") or None,
                       timedelta(hours=crawler.settings.getfloat("FIREWATCH_REMOVAL_CONFIRM_HOURS",
                                                                   _NOTICES.removal_confirm_hours)))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider=None):
        self.store = open_store(self.store_path, data_dir=self.data_dir)

    def close_spider(self, spider=None):
        if self.store is not None:
            self.store.close()

    def process_item(self, item, spider=None):
        if isinstance(item, GoneItem):
            return self.record_gone(item, spider)
        search_price = None
        if isinstance(item, SearchFound):
            item, search_price = item.listing, item.search_price
        if isinstance(item, Listing):
            source = self.source(spider, item)
            result = self.store.listings.upsert_listing(item, search_price=search_price, source=source)
            crawler = getattr(self, "crawler", None)
            if crawler is not None:
                crawler.stats.inc_value("firewatch/stored")
            if self.echo:
                sys.stdout.write(f"committed {item.platform} {item.listing_id}\n")
                sys.stdout.flush()
            if result.created and crawler is not None:
                crawler.stats.inc_value("firewatch/new")
        return item

    def source(self, spider, item) -> Source:
        """This crawl as the provenance of what it stores."""
        crawled = getattr(spider, "platform", "") or item.platform
        return Source("crawl", crawled, detail={"run": self.run_id} if self.run_id else {})

    def record_gone(self, item: GoneItem, spider=None) -> GoneItem:
        """Keep the sighting; the listing (stored, else as its search result showed) is removed when it counts."""
        key = item.listing.key
        listing = self.store.listings.get_listing(key) or item.listing
        stored = self.store.listings.record_removal(listing, item.removal, self.confirm_after,
                                                    source=self.source(spider, item.listing))
        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            crawler.stats.inc_value("firewatch/removal_counted" if stored.counted else "firewatch/removal_suspected")
        if self.echo:
            sys.stdout.write(f"removal {key[0]} {key[1]} {'counted' if stored.counted else 'suspected'}\n")
            sys.stdout.flush()
        return item
