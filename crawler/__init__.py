"""crawler: Scrapy spiders, pure platform parsers, middlewares and evidence capture.

Parsing lives in pure functions (`crawler.platforms`), so it can be tested on saved
pages without Scrapy; the spiders in `crawler.spiders` only fetch and hand pages over.
"""
