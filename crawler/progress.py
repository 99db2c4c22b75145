"""A Scrapy extension that shows crawl progress with rich and counts pages per spider.

It listens to Scrapy's signals (response_received, item_scraped) and advances one rich
progress task per spider. The command line owns the display and hands it over with
`set_display()` (Scrapy deep-copies its settings, and a live display cannot be copied).
"""

from __future__ import annotations

from scrapy import signals


_display: dict[str, object] = {"progress": None}


def set_display(progress) -> None:
    """Use this rich Progress for the crawls started next (None: no display)."""
    _display["progress"] = progress


class ProgressExtension:
    def __init__(self, crawler, progress):
        self.crawler = crawler
        self.progress = progress
        self.task = None
        self.pages = 0
        self.items = 0

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler, _display["progress"])
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response, signal=signals.response_received)
        crawler.signals.connect(ext.item, signal=signals.item_scraped)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def _update(self):
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=self.items,
                                 description=f"{self.crawler.spider.name:>6}: {self.pages} 页 / {self.items} 条商品")

    def opened(self, spider):
        if self.progress is not None:
            self.task = self.progress.add_task(f"{spider.name:>6}: 开始抓取", total=None)

    def response(self, response, request, spider):
        self.pages += 1
        self._update()

    def item(self, item, response, spider):
        self.items += 1
        self._update()

    def closed(self, spider, reason):
        if self.progress is not None and self.task is not None:
            self._update()
            self.progress.update(self.task, total=max(self.items, 1), completed=max(self.items, 1))
