"""Scrapy spiders, one per platform, all built on `MarketSpider`.

Each spider only fetches: it turns responses into text and hands them to the pure
parsers in `crawler.platforms`. Tmall listings are found through Taobao search (as on
the real sites), so the taobao spider yields both platforms.
"""

from crawler.spiders.market import SPIDERS, MarketSpider

__all__ = ["SPIDERS", "MarketSpider"]
