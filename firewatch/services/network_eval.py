"""Measure seller-network grouping against the replica market's known networks (issue 16).

`evaluate(store, settings, seed, size)` serves the replica (no rate limits) on a day when every
relisting is live, fetches every item page of its catalogue over HTTP, reads it with the
platform's own item parser, stores it, and resolves sellers one platform at a time through the
same `store.sellers.add_keys_in` the sellers step uses (incremental: each platform's shops link to
those stored before). It then scores the grouping pairwise over the shops stored: a pair of shops
is predicted together when they have the same seller, truly together when the replica's ground
truth puts them in one network (a shop in no network is alone). Returns the figures and the
links, each with the key that made it.
"""

from __future__ import annotations

import logging
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from crawler.encoding import decode_page
from crawler.platforms import parser_module
from demo_market.catalogue import PLATFORMS
from demo_market.server import QUIET, DemoMarket
from firewatch.services.sellers import _items, link_rule, pairwise_scores
from firewatch.store.sellers import shop_of

log = logging.getLogger(__name__)


def _fetch(base: str, x) -> tuple[Any, bytes, str]:
    with urllib.request.urlopen(base + x.path, timeout=30) as resp:  # noqa: S310 (the local replica)
        return x, resp.read(), resp.headers.get("Content-Type", "")


def evaluate(store, settings, seed: int = 7, size: int = 1600, workers: int = 8) -> dict[str, Any]:
    """Crawl the replica's item pages into `store`, resolve sellers, and score them (see module doc)."""
    with DemoMarket(seed=seed, size=size, day=0, **QUIET) as market:
        cat = market.catalogue
        day = max(x.listed_day for x in cat.listings)
        market.day = day
        rule = link_rule(settings)
        pages = 0
        for platform in PLATFORMS:
            items = [x for x in cat.listings if x.platform == platform]
            with ThreadPoolExecutor(workers) as pool:
                fetched = list(pool.map(lambda x: _fetch(market.base_url, x), items))
            parser = parser_module(platform)
            rows = []
            for x, body, ctype in fetched:
                listing = parser.parse_item(decode_page(body, ctype, x.url), x.url)
                store.listings.upsert_listing(listing)
                rows.append(listing)
                pages += 1
            keyed = [{"platform": lst.platform, "listing_id": lst.listing_id, "shop_id": lst.shop_id,
                      "shop_name": lst.shop_name, "title": lst.title, "description": lst.description,
                      "attributes": lst.attributes, "image_urls": lst.image_urls} for lst in rows]
            for lo in range(0, len(keyed), settings.sellers.batch):
                store.sellers.save_batch(_items(store, keyed[lo:lo + settings.sellers.batch]), rule, None)
        truth: dict[tuple[str, str], Any] = {}
        for x in cat.listings:
            truth[shop_of(x.platform, x.shop_id, x.shop_name)] = ("alone", x.platform, x.shop_id)
        for net in cat.networks:
            for platform, shop_id in net.shops:
                truth[(platform, shop_id)] = net.network_id
    predicted = {shop: store.sellers.seller_of_shop(*shop) for shop in truth}
    scores = pairwise_scores({k: v for k, v in predicted.items() if v is not None}, truth)
    scores.update(pages=pages, shops=len(truth), networks=len(cat.networks), day=day,
                  sellers_with_several_shops=sum(1 for n in {v for v in predicted.values() if v is not None}
                                                 if store.sellers.shop_count(n) > 1))
    return scores
