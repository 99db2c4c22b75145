"""Relisting detection: a removed or confirmed listing that reappears as another listing.

`find_relistings(store, cfg, hasher=None)` returns the best `RelistingMatch` per active listing
first seen after its source was removed or confirmed; title (MinHash), shop and main image (dHash,
cached in the store by `ImageHasher`) add their weights. A failed image fetch leaves it unknown.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

import httpx
import imagehash
from datasketch import LeanMinHash, MinHash, MinHashLSH
from PIL import Image, ImageOps

from crawler.exceptions import ImageRefused
from crawler.images import ImageFetcher
from firewatch.core.text import normalize, tokenize
from firewatch.core.models import Listing, utcnow
from firewatch.core.settings import AlertsSettings
from firewatch.store import Store

log = logging.getLogger(__name__)
_DEFAULTS = AlertsSettings()  # the schema's defaults, for a RelistingConfig built directly

PERMUTATIONS = 128
_WORD_RE = re.compile(r"[\w\u4e00-\u9fff]+")
# words that say what kind of shop it is, not whose: removed before comparing names
# (longest first); single characters only at the end of a name
_SHOP_GENERIC = ("有限责任公司", "电子商务", "官方旗舰店", "劳保用品", "有限公司", "消防器材", "消防设备", "消防用品",
                 "旗舰店", "专营店", "专卖店", "企业店", "工厂店", "直营店", "直销店", "经营部", "官方", "小店", "小铺",
                 "商行", "公司", "科技", "实业", "贸易", "商贸", "五金", "安防", "消防", "器材", "设备", "批发", "厂家",
                 "店铺")
_SHOP_SUFFIX_CHARS = "店铺厂部"


# -- title: MinHash ----------------------------------------------------------------------
# MinHash rather than SimHash: on titles of 15 to 30 characters SimHash could not tell a
# reordered title from an unrelated one.
MINHASH_SEED = 1  # fixed: signatures must agree across runs
LSH_MAX_MISS = 1e-4  # the most often a pair exactly at the title threshold may escape the LSH index


def title_features(title: str) -> set[str]:
    """jieba tokens plus character bigrams of the normalised title (punctuation dropped)."""
    norm = normalize(title or "")
    chars = "".join(_WORD_RE.findall(norm))
    bigrams = {chars[i:i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())
    return {f"t:{t}" for t in tokenize(norm)} | {f"b:{b}" for b in bigrams}


def minhash(features: Iterable[str]) -> LeanMinHash:
    """The MinHash signature of a set of features (datasketch, `PERMUTATIONS` permutations)."""
    m = MinHash(num_perm=PERMUTATIONS, seed=MINHASH_SEED)
    m.update_batch([f.encode("utf-8") for f in features])
    return LeanMinHash(m)


@functools.lru_cache(maxsize=65536)
def title_minhash(title: str) -> LeanMinHash:
    """The signature of a title, computed once per process."""
    return minhash(title_features(title))


def minhash_similarity(a: MinHash, b: MinHash) -> float:
    """Estimated Jaccard similarity: the share of permutations whose minima agree."""
    return float(a.jaccard(b))


def lsh_bands(threshold: float, num_perm: int = PERMUTATIONS, max_miss: float = LSH_MAX_MISS) -> tuple[int, int]:
    """(bands, rows) of the longest bands for which a pair at `threshold` escapes the index at most `max_miss`
    of the time (it is a candidate when all the rows of one band agree)."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if (1 - threshold ** rows) ** bands <= max_miss:
            return bands, rows
    return num_perm, 1


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


# -- shop --------------------------------------------------------------------------------
@functools.lru_cache(maxsize=65536)
def normalize_shop(name: str) -> str:
    """Shop name without width, case, punctuation, spaces and generic shop words."""
    text = "".join(_WORD_RE.findall(normalize(unicodedata.normalize("NFKC", name or ""))))
    for word in _SHOP_GENERIC:
        text = text.replace(word, "")
    return text.rstrip(_SHOP_SUFFIX_CHARS)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def shop_similarity(a: Listing, b: Listing) -> dict[str, Any]:
    """{similarity 0..1, same_shop_id, names}: 1.0 for the same shop_id on one platform."""
    same_id = bool(a.shop_id) and a.platform == b.platform and a.shop_id == b.shop_id
    na, nb = normalize_shop(a.shop_name), normalize_shop(b.shop_name)
    if same_id:
        sim = 1.0
    elif not na or not nb:
        sim = 0.0
    elif na == nb:
        sim = 1.0
    else:
        ga, gb = _bigrams(na), _bigrams(nb)
        sim = 2 * len(ga & gb) / (len(ga) + len(gb))
        if min(len(na), len(nb)) >= 2 and (na in nb or nb in na):
            sim = max(sim, 0.8)
    return {"similarity": round(sim, 3), "same_shop_id": same_id, "normalized": [na, nb]}


# -- image: dHash ------------------------------------------------------------------------
def dhash(data: bytes, size: int = 8) -> int:
    """Difference hash (imagehash): grey, shrink to (size+1) x size, one bit per left > right neighbour.

    imagehash sets a bit where the right pixel is brighter; hashing the mirrored image and
    putting the columns back gives the left > right bits that the hashes already cached in
    the store use (the two differ wherever neighbours are equal, as in flat pictures).
    """
    with Image.open(io.BytesIO(data)) as im:
        bits = imagehash.dhash(ImageOps.mirror(im), hash_size=size).hash[:, ::-1]
    value = 0
    for bit in bits.flatten():
        value = (value << 1) | int(bit)
    return value


class ImageHasher:
    """dHash of image URLs, cached in the store (`image_hashes`); failures are recorded.

    Images come only from the watched platforms' hosts (`crawler.images.ImageFetcher`; an image URL
    is seller-written). A failed fetch (network error, non-200, too large, another host, not an image)
    is stored with its error and not tried again for `retry_hours`; `hash_url` then returns None. After
    `max_host_failures` network errors in a row from one host (it looks down), no more
    fetches go to that host in this run, so a dead image host costs a few timeouts, not
    one per listing; those images are not recorded and are tried on the next run.
    """

    def __init__(self, store: Store, timeout: float = 10.0, max_bytes: int = 5_000_000, retry_hours: float = 24,
                 user_agent: str = "firewatch", max_host_failures: int = 5,
                 transport: httpx.BaseTransport | None = None, allowed_hosts: tuple[str, ...] = ()) -> None:
        self.store = store
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.retry_hours = retry_hours
        self.user_agent = user_agent
        self._fetcher: ImageFetcher | None = None
        self._transport = transport  # the host map's (firewatch.core.hostmap), else plain DNS
        self.allowed_hosts = allowed_hosts  # default: the watched platforms' hosts (crawler.images)
        self.max_host_failures = max_host_failures
        self.fetched = 0
        self.failed = 0
        self.skipped = 0
        self._host_failures: dict[str, int] = {}

    def _fetch(self, url: str) -> bytes:
        if self._fetcher is None:
            self._fetcher = ImageFetcher(self.timeout, self.max_bytes, self.user_agent, self._transport,
                                         self.allowed_hosts)
        return self._fetcher.fetch(url)

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None

    def hash_url(self, url: str, now: datetime | None = None) -> int | None:
        """The image's dHash, from the cache or fetched now; None when it cannot be had."""
        now = now or utcnow()
        cached = self.store.alerts.image_hash(url)
        if cached is not None:
            if cached["dhash"]:
                return int(cached["dhash"], 16)
            if cached["fetched_at"] and now - cached["fetched_at"] < timedelta(hours=self.retry_hours):
                return None
        host = urlsplit(url).netloc
        if self._host_failures.get(host, 0) >= self.max_host_failures:
            self.skipped += 1  # the host looks down: not tried again in this run, nor recorded
            return None
        try:
            value = dhash(self._fetch(url))
        except (httpx.HTTPError, ImageRefused, ValueError, OSError, Image.DecompressionBombError) as exc:
            self.failed += 1
            if isinstance(exc, httpx.TransportError):
                self._host_failures[host] = self._host_failures.get(host, 0) + 1
                if self._host_failures[host] == self.max_host_failures:
                    log.warning("image host %s failed %d times in a row; no more fetches from it in this run",
                                host, self.max_host_failures)
            log.info("image %s: cannot hash (%s)", url, exc)
            self.store.alerts.save_image_hash(url, None, f"{type(exc).__name__}: {exc}")
            return None
        self._host_failures[host] = 0
        self.fetched += 1
        self.store.alerts.save_image_hash(url, f"{value:016x}")
        return value

    def error(self, url: str) -> str:
        cached = self.store.alerts.image_hash(url)
        return cached["error"] if cached else ""


def main_image_url(listing: Listing) -> str | None:
    """The first image URL, made absolute against the listing's URL."""
    if not listing.image_urls:
        return None
    first = listing.image_urls[0]
    if first.startswith("//"):
        return "https:" + first
    return urljoin(listing.url, first) if listing.url else first


# -- matching ----------------------------------------------------------------------------
@dataclass
class RelistingConfig:
    """Thresholds and weights (settings [alerts] relisting_*; the defaults are the schema's)."""

    min_score: float = _DEFAULTS.relisting_min_score
    title_min_similarity: float = _DEFAULTS.relisting_title_min_similarity
    shop_min_similarity: float = _DEFAULTS.relisting_shop_min_similarity
    image_max_distance: int = _DEFAULTS.relisting_image_max_distance
    removed_slack_hours: float = 12.0
    weights: dict[str, float] = field(default_factory=_DEFAULTS.relisting_weights.model_dump)


@dataclass
class RelistingMatch:
    """A target listing that looks like a relisting of `source`, with every signal explained."""

    source: Listing
    source_kind: str  # "removed" or "confirmed"
    target: Listing
    score: float
    signals: dict[str, dict[str, Any]]
    other_sources: list[str] = field(default_factory=list)

    @property
    def matched(self) -> list[str]:
        return [name for name, s in self.signals.items() if s.get("matched")]


def _image_signal(hasher: ImageHasher | None, a: Listing, b: Listing, max_distance: int) -> dict[str, Any]:
    ua, ub = main_image_url(a), main_image_url(b)
    if hasher is None or not ua or not ub:
        return {"matched": None, "error": "no image" if hasher is not None else "image check off"}
    ha, hb = hasher.hash_url(ua), hasher.hash_url(ub)
    if ha is None or hb is None:
        errors = [f"{u}: {hasher.error(u)}" for u, h in ((ua, ha), (ub, hb)) if h is None]
        return {"matched": None, "error": "; ".join(errors)}
    d = hamming(ha, hb)
    return {"matched": d <= max_distance, "distance": d, "max_distance": max_distance,
            "dhash": [f"{ha:016x}", f"{hb:016x}"]}


def compare(source: Listing, target: Listing, cfg: RelistingConfig, hasher: ImageHasher | None) -> tuple[
        float, dict[str, dict[str, Any]]]:
    """Score one pair; returns (score, signals). The image is only fetched when it matters."""
    sim = minhash_similarity(title_minhash(source.title), title_minhash(target.title))
    signals: dict[str, dict[str, Any]] = {
        "title": {"matched": sim >= cfg.title_min_similarity, "similarity": round(sim, 3),
                  "min_similarity": cfg.title_min_similarity},
    }
    shop = shop_similarity(source, target)
    signals["shop"] = {"matched": shop["similarity"] >= cfg.shop_min_similarity, **shop,
                       "min_similarity": cfg.shop_min_similarity}
    w = cfg.weights
    partial = sum(w.get(name, 0.0) for name, s in signals.items() if s["matched"])
    if partial > 0 and partial + w.get("image", 0.0) >= cfg.min_score:
        signals["image"] = _image_signal(hasher, source, target, cfg.image_max_distance)
    else:
        signals["image"] = {"matched": None, "error": "not checked (title and shop too different)"}
    score = sum(w.get(name, 0.0) for name, s in signals.items() if s.get("matched"))
    return round(score, 3), signals


def _removed_at(store: Store, listing: Listing) -> datetime | None:
    """When the listing was first observed removed (its first 'removed' snapshot), else its last sighting."""
    for snap in store.listings.snapshots(listing.key):
        if snap.status == "removed":
            return snap.observed_at
    return listing.last_seen


class _ShopIndex:
    """Which sources a target can score against at all: those whose title already matches,
    plus those sharing its shop_id or a character bigram of its normalised shop name (the
    only ways `shop_similarity` reaches a non-zero threshold), sparing a shop comparison per
    source and target."""

    def __init__(self, src: list[tuple[Listing, str, datetime | None]], cfg: RelistingConfig) -> None:
        self.cfg, self.count = cfg, len(src)
        self.by_id: dict[tuple[str, str], list[int]] = {}
        self.by_bigram: dict[str, list[int]] = {}
        for i, (source, _, _) in enumerate(src):
            if source.shop_id:
                self.by_id.setdefault((source.platform, source.shop_id), []).append(i)
            for gram in _bigrams(normalize_shop(source.shop_name)):
                self.by_bigram.setdefault(gram, []).append(i)

    def of(self, target: Listing, title_matched: Iterable[int]) -> list[int]:
        if self.cfg.shop_min_similarity <= 0:
            return list(range(self.count))
        found = set(title_matched)
        if target.shop_id:
            found.update(self.by_id.get((target.platform, target.shop_id), ()))
        for gram in _bigrams(normalize_shop(target.shop_name)):
            found.update(self.by_bigram.get(gram, ()))
        return sorted(found)


class _TitleIndex:
    """The sources' title signatures in a MinHashLSH index: `similar(target)` gives the sources
    whose estimated title similarity reaches the threshold (index -> similarity), checking only
    the LSH candidates instead of every source."""

    def __init__(self, sources: list[Listing], threshold: float) -> None:
        self.threshold = threshold
        self.sigs = [title_minhash(s.title) for s in sources]
        self.lsh: MinHashLSH | None = None
        if threshold > 0:  # at 0 every source matches: no index needed
            self.lsh = MinHashLSH(num_perm=PERMUTATIONS, params=lsh_bands(threshold))
            with self.lsh.insertion_session() as session:
                for i, sig in enumerate(self.sigs):
                    session.insert(i, sig, check_duplication=False)

    def similarity(self, i: int, target: Listing) -> float:
        return minhash_similarity(self.sigs[i], title_minhash(target.title))

    def similar(self, target: Listing) -> dict[int, float]:
        keys = range(len(self.sigs)) if self.lsh is None else self.lsh.query(title_minhash(target.title))
        sims = {i: self.similarity(i, target) for i in keys}
        return {i: sim for i, sim in sims.items() if sim >= self.threshold}


def find_relistings(store: Store, cfg: RelistingConfig, hasher: ImageHasher | None = None) -> list[RelistingMatch]:
    """Active listings that look like a removed or confirmed listing and were first seen after
    it was removed or confirmed (minus `cfg.removed_slack_hours` for removals: the crawl that
    sees the old page gone may meet the new one first); best source per target. Similar
    listings that were on sale at the same time are a seller's range, not a relisting."""
    sources: dict[tuple[str, str], tuple[Listing, str, datetime | None]] = {}
    targets: list[Listing] = []
    slack = timedelta(hours=cfg.removed_slack_hours)
    for listing in store.listings.iter_listings():
        if listing.status == "removed":
            at = _removed_at(store, listing)
            sources[listing.key] = (listing, "removed", at - slack if at else None)
        elif listing.status == "active":
            targets.append(listing)
    for listing, _assessment, decision in store.reviews.confirmed():
        sources.setdefault(listing.key, (listing, "confirmed", decision.at))
    targets = [t for t in targets if t.key not in sources]
    if not sources or not targets:
        return []
    src = list(sources.values())
    titles = _TitleIndex([s for s, _, _ in src], cfg.title_min_similarity)
    candidates = _ShopIndex(src, cfg)
    matches: list[RelistingMatch] = []
    for target in targets:
        title_sims = titles.similar(target)
        found: list[RelistingMatch] = []
        for i in candidates.of(target, title_sims):
            source, kind, since = src[i]
            title_sim = title_sims[i] if i in title_sims else titles.similarity(i, target)
            if since is not None and target.first_seen is not None and target.first_seen < since:
                continue  # on sale before the source was removed or confirmed: not a relisting
            # cheap pre-check: a pair with neither title nor shop matching scores 0
            if title_sim < cfg.title_min_similarity and \
                    shop_similarity(source, target)["similarity"] < cfg.shop_min_similarity:
                continue
            score, signals = compare(source, target, cfg, hasher)
            if score >= cfg.min_score:
                found.append(RelistingMatch(source, kind, target, score, signals))
        if found:
            found.sort(key=lambda m: (-m.score, -m.signals["title"]["similarity"], m.source.key))
            best = found[0]
            best.other_sources = [f"{m.source.platform}:{m.source.listing_id}" for m in found[1:]]
            matches.append(best)
    log.info("relisting: %d sources, %d targets, %d matches", len(sources), len(targets), len(matches))
    return matches
