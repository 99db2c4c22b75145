"""Distributed crawling: one shared Redis frontier (queue and duplicate filter) for many spiders.

`redis_settings(url, prefix, worker_timeout)` gives the Scrapy settings for it ({} for url "");
`check_redis(url)` raises `FrontierError` unless Redis answers. `SharedFrontierScheduler` closes a
process only when the shared queue is empty and no live peer is busy; the last out deletes the keys.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.exceptions import FrontierError
from firewatch.core.settings import CrawlSettings

log = logging.getLogger(__name__)
_CRAWL = CrawlSettings()  # the schema's defaults, when a value is not configured

POLL_SECONDS = 0.5
"""How often an idle process waiting on busy peers looks at the shared frontier again."""

# Heartbeats: `...:workers` is a sorted set of worker ids scored by deadline in Redis server
# time, so a process that died stops holding the others open once its entry is
# `redis_worker_timeout` seconds stale.
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 "

# The first process to join with no live workers starts a new job: it clears what a crashed
# job left (the store's recrawl skip makes the restart cheap).
# KEYS: workers, queue, dupefilter; ARGV: worker id, timeout. Returns 1 when a new job starts.
_JOIN = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local fresh = 0
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3])
  fresh = 1
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return fresh
"""

# KEYS: workers; ARGV: worker id, timeout.
_BUSY = _NOW + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) return 1"

# KEYS: queue, workers; ARGV: worker id, timeout. Pop the best request and mark busy in one step.
_POP_AND_MARK = _NOW + """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
return r[1]
"""

# KEYS: queue, workers; ARGV: worker id. Unmark this worker; return {queued, busy peers}.
_IDLE = _NOW + """
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])}
"""

# KEYS: workers, queue, dupefilter; ARGV: worker id. Returns 1 when this was the last worker.
_LEAVE = _NOW + """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  return 1
end
return 0
"""


def check_redis(url: str, timeout: float = 5.0) -> None:
    """Raise `FrontierError` unless the Redis server at `url` answers (no-op for "")."""
    if not url:
        return
    import redis  # optional: only for a shared frontier (crawl.redis_url)

    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    except ValueError as exc:
        raise FrontierError(f"crawl.redis_url {url!r} is not a Redis URL ({exc})") from exc
    try:
        client.ping()
    except redis.RedisError as exc:
        raise FrontierError(f"crawl.redis_url {url}: Redis does not answer ({exc}); start it, "
                            "or set redis_url = \"\" to crawl in this process alone") from exc
    finally:
        client.close()


def redis_settings(url: str, prefix: str, worker_timeout: float) -> dict[str, Any]:
    """Scrapy settings for the shared Redis frontier (`[crawl] redis_url`, `redis_key_prefix`,
    `redis_worker_timeout`); empty when `url` is ""."""
    url = url.strip()
    if not url:
        return {}
    return {
        "SCHEDULER": "crawler.distributed.SharedFrontierScheduler",
        # Every process issues the start requests; the shared filter drops the repeats.
        # robots.txt is not shared: each process fetches it once for its own robots cache.
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "REDIS_URL": url,
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
        # One process finishing must not clear the frontier the others still use; the
        # last worker out deletes it (SharedFrontierScheduler.close).
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        # scrapy-redis's own idle wait is a blocking BRPOP that freezes the reactor (and every
        # download in flight) and cannot see peers' in-flight work: spider_idle waits instead.
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "FIREWATCH_REDIS_WORKERS_KEY": f"{prefix}:%(spider)s:workers",
        "FIREWATCH_REDIS_WORKER_TIMEOUT": float(worker_timeout),
    }


class SharedFrontierScheduler(Scheduler):
    """scrapy-redis's scheduler that closes only when the whole cluster is done.

    An empty shared queue does not mean the crawl is over: a peer may be parsing a page that
    will add requests. So a process is marked busy in `...:workers` when it joins and,
    atomically, when it pops a request after being idle; it is unmarked when its engine idles.
    """

    def __init__(self, server, *, workers_key: str = "", worker_timeout: float = _CRAWL.redis_worker_timeout, **kwargs):
        super().__init__(server, **kwargs)
        self.workers_key_template = workers_key
        self.worker_timeout = float(worker_timeout)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.crawler = None
        self._busy = False
        self._heartbeat: task.LoopingCall | None = None
        self._scripts = {name: server.register_script(src) for name, src in
                         (("join", _JOIN), ("busy", _BUSY), ("pop", _POP_AND_MARK), ("idle", _IDLE), ("leave", _LEAVE))}

    @classmethod
    def from_settings(cls, settings):
        base = Scheduler.from_settings(settings)  # builds the connection and checks it answers
        kwargs = {k: getattr(base, k) for k in ("persist", "flush_on_start", "queue_key", "queue_cls",
                                                 "dupefilter_key", "dupefilter_cls", "idle_before_close",
                                                 "serializer")}
        return cls(base.server, dupefilter=base.df, workers_key=settings.get("FIREWATCH_REDIS_WORKERS_KEY"),
                   worker_timeout=settings.getfloat("FIREWATCH_REDIS_WORKER_TIMEOUT", _CRAWL.redis_worker_timeout),
                   **kwargs)

    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        crawler.signals.connect(instance.spider_idle, signal=signals.spider_idle)
        return instance

    # keys ---------------------------------------------------------------------------
    @property
    def workers_key(self) -> str:
        return self.workers_key_template % {"spider": self.spider.name}

    def _keys(self) -> dict[str, str]:
        return {"queue": self.queue.key, "workers": self.workers_key, "dupefilter": self.df.key}

    # lifecycle ------------------------------------------------------------------------
    def open(self, spider):
        super().open(spider)
        k = self._keys()
        fresh = self._scripts["join"](keys=[k["workers"], k["queue"], k["dupefilter"]],
                                      args=[self.worker_id, self.worker_timeout])
        self._busy = True
        log.info("%s: %s the shared frontier %s as %s", spider.name, "started" if fresh else "joined",
                 k["queue"], self.worker_id)
        self._heartbeat = task.LoopingCall(self._refresh)
        self._heartbeat.start(max(self.worker_timeout / 4, 0.1), now=False)

    def close(self, reason):
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        k = self._keys()
        last = self._scripts["leave"](keys=[k["workers"], k["queue"], k["dupefilter"]], args=[self.worker_id])
        self._busy = False
        log.info("%s: left the shared frontier (%s)%s", self.spider.name, reason,
                 "; no peer busy, frontier keys deleted" if last else "")

    def _refresh(self) -> None:
        if self._busy:
            self._scripts["busy"](keys=[self.workers_key], args=[self.worker_id, self.worker_timeout])

    # queue (scrapy-redis's, without the stats `spider` argument Scrapy deprecates) -------
    def enqueue_request(self, request):
        # `dont_filter` requests (JD's price endpoint) are queued once, by the one process that
        # parsed the item page, so they too are fetched once.
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self):
        if self._busy:
            request = self.queue.pop()
        else:  # pop and mark this worker busy in one step, so no peer sees the work vanish
            data = self._scripts["pop"](keys=[self.queue.key, self.workers_key],
                                        args=[self.worker_id, self.worker_timeout])
            request = None if data is None else self.queue._decode_request(data)
            self._busy = request is not None
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    # closing ------------------------------------------------------------------------------
    def spider_idle(self, spider=None):
        """Scrapy found this process idle: close only if no peer can add requests."""
        queued, busy = self._scripts["idle"](keys=[self.queue.key, self.workers_key], args=[self.worker_id])
        self._busy = False
        if not queued and not busy:
            return
        log.debug("%s idle; shared frontier has %d queued and %d busy peers: waiting", self.spider.name, queued, busy)
        # Look again soon rather than at the engine's 5 s heartbeat (falls back to it if
        # Scrapy's engine internals change).
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule(POLL_SECONDS)
        raise DontCloseSpider(f"{busy} busy peers, {queued} queued requests")
