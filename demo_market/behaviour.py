"""Real-site behaviour for the demo market: per-client rate limits (429 + Retry-After),
deterministic server errors, a captcha wall after bursts of requests, and `TakedownDesk`: listings
a takedown notice names come down some simulated days later (the demo's campaign).

All state sits behind one lock, so the behaviour is correct under uvicorn's thread pool.
Errors are a pure function of the seed and the global request number, so a run with the
same seed and request order sees the same failures.
"""
from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class Verdict:
    """What to answer instead of the page: kind is `rate_limited`, `captcha` or `error`."""

    kind: str
    status: int
    retry_after: int = 0


class Behaviour:
    """Thread-safe counters deciding whether a request is throttled, challenged or failed."""

    def __init__(self, seed: int = 7, rate_limit: int | None = None, rate_window: float = 1.0,
                 error_rate: float = 0.0, error_status: int = 503,
                 captcha_burst: int | None = None, captcha_window: float = 1.0,
                 captcha_cooldown: int = 5, captcha_cooldown_seconds: float | None = None,
                 clock=time.monotonic):
        self.seed = seed
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.error_rate = error_rate
        self.error_status = error_status
        self.captcha_burst = captcha_burst
        self.captcha_window = captcha_window
        self.captcha_cooldown = captcha_cooldown
        self.captcha_cooldown_seconds = captcha_cooldown_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}
        self._recent: dict[str, deque] = {}
        self._walled: dict[str, tuple[int, float]] = {}
        self.requests = 0
        self.counts = {"rate_limited": 0, "captcha": 0, "error": 0}

    def check(self, client: str) -> Verdict | None:
        """Count one request from `client`; return a verdict, or None to serve the page."""
        with self._lock:
            now = self.clock()
            self.requests += 1
            number = self.requests
            verdict = self._rate(client, now) or self._captcha(client, now) or self._error(number)
            if verdict:
                self.counts[verdict.kind] += 1
            return verdict

    def _rate(self, client: str, now: float) -> Verdict | None:
        if not self.rate_limit:
            return None
        start, count = self._windows.get(client, (now, 0))
        if now - start >= self.rate_window:
            start, count = now, 0
        if count >= self.rate_limit:
            self._windows[client] = (start, count)
            return Verdict("rate_limited", 429, max(1, math.ceil(start + self.rate_window - now)))
        self._windows[client] = (start, count + 1)
        return None

    def _captcha(self, client: str, now: float) -> Verdict | None:
        if not self.captcha_burst:
            return None
        if client in self._walled:
            left, until = self._walled[client]
            if left > 0 or now < until:
                self._walled[client] = (left - 1, until)
                return Verdict("captcha", 302)
            del self._walled[client]
            self._recent.pop(client, None)
        recent = self._recent.setdefault(client, deque())
        recent.append(now)
        while recent and now - recent[0] > self.captcha_window:
            recent.popleft()
        if len(recent) > self.captcha_burst:
            until = now + (self.captcha_cooldown_seconds or 0)
            self._walled[client] = (self.captcha_cooldown - 1, until)
            log.info("captcha wall for %s after %d requests", client, len(recent))
            return Verdict("captcha", 302)
        return None

    def _error(self, number: int) -> Verdict | None:
        if self.error_rate <= 0:
            return None
        if random.Random(f"{self.seed}:error:{number}").random() < self.error_rate:
            return Verdict("error", self.error_status)
        return None

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
            self._recent.clear()
            self._walled.clear()


class TakedownDesk:
    """A platform's answer to takedown notices in the replica: a listing a notice names comes down
    (its page answers the way the platform answers for an item it took down, `demo_market.gone`, and it
    leaves search) some days after the notice, as real platforms
    take days, not seconds; a few are never taken down. Deterministic from the seed and listing id.

    `receive(keys, day)` takes a notice's listings on simulated `day` and returns, per key, the day it
    comes down (None: ignored); it only ever brings a listing's delisting forward."""

    def __init__(self, catalogue, seed: int = 7, min_days: int = 1, max_days: int = 14, ignore_rate: float = 0.1):
        self.catalogue = catalogue
        self.seed = seed
        self.min_days = min_days
        self.max_days = max_days
        self.ignore_rate = ignore_rate
        self._lock = threading.Lock()
        self.received: dict[tuple[str, str], tuple[int, int | None]] = {}  # key -> (notice day, removal day)

    def delay(self, key: tuple[str, str]) -> int | None:
        """Days from notice to removal for this listing (None: never), skewed short (most within a week)."""
        rng = random.Random(f"{self.seed}:takedown:{key[0]}:{key[1]}")
        if rng.random() < self.ignore_rate:
            return None
        return max(self.min_days, min(self.max_days, round(rng.triangular(self.min_days, self.max_days, 2))))

    def receive(self, keys, day: int) -> dict[tuple[str, str], int | None]:
        out: dict[tuple[str, str], int | None] = {}
        with self._lock:
            for key in keys:
                key = (key[0], str(key[1]))
                listing = self.catalogue.get(*key)
                if listing is None or key in self.received:
                    continue
                wait = self.delay(key)
                removal = None if wait is None else day + wait
                if removal is not None and (listing.delisted_day is None or listing.delisted_day > removal):
                    listing.delisted_day = removal
                if removal is not None:  # taken down by the platform: its page answers as gone (demo_market.gone)
                    listing.taken_down = True
                self.received[key] = (day, removal)
                out[key] = removal
        return out
