"""Redis memory of the shared crawl frontier (scrapy-redis), per request seen and per request queued.

Starts a throwaway redis-server (Debian's, no persistence), then through scrapy-redis's own classes
adds N request fingerprints to the duplicate filter (`RFPDupeFilter`, what every crawled URL leaves
until the job ends) and pushes N requests to the priority queue (`PriorityQueue`, what waits to be
fetched), measuring `used_memory` before and after each. Prints bytes per item, and the memory a
job of 10 million requests would hold at most. Run: `python benchmarks/bench_frontier.py [--n 200000]`.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from scrapy import Request, Spider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    work = Path(tempfile.mkdtemp(prefix="bench-frontier-"))
    port = free_port()
    server = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(work)], stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port)
        for _ in range(100):  # until it answers
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        spider = Spider("jd")
        urls = [f"https://item.jd.com/{100_000_000 + i}.html" for i in range(args.n)]

        before = client.info("memory")["used_memory"]
        dupefilter = RFPDupeFilter(client, "fw:jd:dupefilter")
        for url in urls:
            dupefilter.request_seen(Request(url))
        seen = (client.info("memory")["used_memory"] - before) / args.n

        before = client.info("memory")["used_memory"]
        queue = PriorityQueue(client, spider, "fw:jd:requests")
        for url in urls:
            queue.push(Request(url, meta={"keyword": "灭火器", "page": 1}))
        queued = (client.info("memory")["used_memory"] - before) / args.n
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.n:,} requests, scrapy-redis structures in a real redis-server")
    print(f"duplicate filter: {seen:.0f} bytes per request seen  -> 10,000,000 in a job: {seen * 1e7 / 2**30:.2f} GiB")
    print(f"request queue:    {queued:.0f} bytes per request waiting -> 1,000,000 waiting: {queued * 1e6 / 2**30:.2f} GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
