"""The demo market's catalogue: listing and shop records, time-dependent state and search.

`Catalogue` (built by `demo_market.generator.build_catalogue(seed, size)`, each listing with its
ground truth `true_category`, `true_reasons`) says for a simulated day which listings are live,
their prices, which were delisted or came back under new ids, and searches titles by keyword.
"""
from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from demo_market.hosts import IMAGE_HOSTS, IMAGE_PATHS

log = logging.getLogger(__name__)

PLATFORMS = ("jd", "taobao", "tmall", "pdd", "1688")
CENT = Decimal("0.01")


def money(value) -> Decimal:
    """Round a number to a two-place Decimal (yuan)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Shop:
    """A seller on one platform."""

    platform: str
    shop_id: str
    name: str
    seller_id: str
    nick: str
    city: str
    watchlisted: bool = False


@dataclass
class Listing:
    """One product listing with its day-0 state and its ground truth."""

    platform: str
    listing_id: str
    title: str
    true_category: str
    shop_id: str
    shop_name: str
    seller_id: str
    seller_nick: str
    location: str
    brand: str
    model: str
    spec: str
    attributes: dict[str, str]
    certificate_no: str
    price: Decimal
    price_max: Decimal | None
    promo_ratio: Decimal | None
    stock: int
    sales: int
    description: str
    image_count: int
    true_reasons: list[str] = field(default_factory=list)
    listed_day: int = 0
    delisted_day: int | None = None
    relist_of: str | None = None
    taken_down: bool = False  # delisted by the platform after a notice: its page answers as gone (demo_market.gone)

    @property
    def category(self) -> str:
        return self.true_category

    @property
    def risky(self) -> bool:
        return bool(self.true_reasons)

    @property
    def url(self) -> str:
        """The item page's real URL (the replica answers it through the host map)."""
        return item_url(self.platform, self.listing_id)

    @property
    def path(self) -> str:
        """The item page's internal route, for requests by bare address."""
        return item_path(self.platform, self.listing_id)

    def image_urls(self) -> list[str]:
        """The images' real CDN URLs (img14.360buyimg.com, img.alicdn.com, ...)."""
        return [f"https://{IMAGE_HOSTS[self.platform]}{IMAGE_PATHS[self.platform]}{self.platform}_{self.listing_id}_{i}.png"
                for i in range(self.image_count)]


def item_url(platform: str, listing_id: str) -> str:
    return {
        "jd": f"https://item.jd.com/{listing_id}.html",
        "taobao": f"https://item.taobao.com/item.htm?id={listing_id}",
        "tmall": f"https://detail.tmall.com/item.htm?id={listing_id}",
        "pdd": f"https://mobile.yangkeduo.com/goods.html?goods_id={listing_id}",
        "1688": f"https://detail.1688.com/offer/{listing_id}.html",
    }[platform]


def item_path(platform: str, listing_id: str) -> str:
    return {
        "jd": f"/jd/item/{listing_id}.html",
        "taobao": f"/taobao/item.htm?id={listing_id}",
        "tmall": f"/tmall/item.htm?id={listing_id}",
        "pdd": f"/pdd/goods.html?goods_id={listing_id}",
        "1688": f"/1688/offer/{listing_id}.html",
    }[platform]


class Catalogue:
    """All listings (including future relistings) plus lookups that depend on the day."""

    def __init__(self, listings: list[Listing], shops: list[Shop], seed: int, watchlist: list[dict]):
        self.seed = seed
        self.listings = listings
        self.shops = shops
        self.watchlist = watchlist
        self.networks: list = []  # demo_market.networks.Network: the known seller networks (ground truth)
        self.licences: dict = {}  # (platform, shop_id) -> networks.Licence shown openly on its pages
        self._by_key = {(x.platform, x.listing_id): x for x in listings}
        self._by_platform: dict[str, list[Listing]] = {p: [] for p in PLATFORMS}
        for x in listings:
            self._by_platform[x.platform].append(x)
        self._mult_cache: dict[tuple[str, int], Decimal] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.listings)

    # lookups -----------------------------------------------------------------
    def get(self, platform: str, listing_id: str) -> Listing | None:
        return self._by_key.get((platform, str(listing_id)))

    def by_platform(self, platform: str) -> list[Listing]:
        return list(self._by_platform.get(platform, ()))

    def initial(self) -> list[Listing]:
        """The listings live on day 0 (the `size` asked for)."""
        return [x for x in self.listings if x.listed_day == 0]

    # time --------------------------------------------------------------------
    def status(self, listing: Listing, day: int) -> str:
        """`active`, `delisted` (page says 该商品已下架) or `unlisted` (not yet on the market)."""
        if day < listing.listed_day:
            return "unlisted"
        if listing.delisted_day is not None and day >= listing.delisted_day:
            return "delisted"
        return "active"

    def is_active(self, listing: Listing, day: int) -> bool:
        return self.status(listing, day) == "active"

    def active(self, day: int, platforms: tuple[str, ...] | None = None) -> list[Listing]:
        wanted = set(platforms) if platforms is not None else None
        pool = self.listings if wanted is None else [x for x in self.listings if x.platform in wanted]
        return [x for x in pool if self.is_active(x, day)]

    def _multiplier(self, listing_id: str, day: int) -> Decimal:
        key = (listing_id, day)
        with self._lock:
            if key in self._mult_cache:
                return self._mult_cache[key]
        mult = Decimal(1) if day <= 0 else self._multiplier(listing_id, day - 1)
        if day > 0:
            rng = random.Random(f"{self.seed}:price:{listing_id}:{day}")
            if rng.random() < 0.35:
                mult = Decimal(str(round(rng.uniform(0.85, 1.12), 3)))
        with self._lock:
            self._mult_cache[key] = mult
        return mult

    def price_on(self, listing: Listing, day: int) -> Decimal:
        """The lowest current price that day (yuan)."""
        return money(listing.price * self._multiplier(listing.listing_id, day))

    def price_max_on(self, listing: Listing, day: int) -> Decimal | None:
        if listing.price_max is None:
            return None
        return money(listing.price_max * self._multiplier(listing.listing_id, day))

    def promo_on(self, listing: Listing, day: int) -> Decimal:
        """The promotional price that day; the list price when there is no promotion."""
        price = self.price_on(listing, day)
        return money(price * listing.promo_ratio) if listing.promo_ratio else price

    # search ------------------------------------------------------------------
    def search(self, keyword: str, day: int, platforms: tuple[str, ...]) -> list[Listing]:
        """Live listings whose title contains every whitespace-separated term of `keyword`."""
        terms = [t.lower() for t in (keyword or "").split() if t]
        return [x for x in self.active(day, platforms)
                if all(t in x.title.lower() for t in terms)]
