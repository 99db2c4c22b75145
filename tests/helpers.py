"""Helpers shared by the tests (not tests themselves, not fixtures).

- `run_cli`: the `firewatch` command line in this process, through `firewatch.cli.main`
  (so the exit codes and one-line errors are main()'s own) with Click's `CliRunner`
  isolating stdin, stdout, stderr and the environment;
- `firewatch_command`: the argv of `python -m firewatch` for the tests whose point is a
  real child process (Scrapy's reactor runs once per process, SIGKILL, the scheduler);
- `wait_until`: poll a condition against a deadline (never a bare sleep to coordinate);
- `png`: small distinct PNG pictures; `login_client` / `browser_login`: the web app's login.
"""

from __future__ import annotations

import io
import logging
import re
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Mapping, TypeVar

from tests.web.sample import PASSWORD  # every user of the web app's sample dataset

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
HAS_CHROMIUM = Path(CHROMIUM).exists()
NO_CHROMIUM = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
NOW = date(2026, 1, 15)  # "today" of the classifiers tests and of the session's model metrics

T = TypeVar("T")


# -- the command line --------------------------------------------------------------------------

@dataclass
class CliResult:
    """What a run of the command line left: the same fields as `subprocess.CompletedProcess`."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    exception: BaseException | None = None  # an error main() does not map (its traceback is in stderr)


def run_cli(*args: str, input: str | None = None, env: Mapping[str, str | None] | None = None) -> CliResult:
    """Run `firewatch ARGS` in this process and return its exit code and output.

    `main()` runs as the console script does (argv, SystemExit and all), inside
    `CliRunner.isolation`, so stdout and stderr are separate and `env` overrides the
    environment for the run only. Logging handlers the command line adds are removed
    afterwards (they would point at the closed streams).
    """
    from click.testing import CliRunner

    from firewatch.cli import main

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    argv = sys.argv
    code, error = 0, None
    with CliRunner().isolation(input=input, env=env) as (stdout, stderr, _):
        sys.argv = ["firewatch", *args]
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                sys.stderr.write(exc.code + "\n")
        except Exception as exc:  # noqa: BLE001 - a child process would print it and exit 1
            code, error = 1, exc
            sys.stderr.write("".join(traceback.format_exception(exc)))
        finally:
            sys.argv = argv
            root.handlers[:] = handlers
            root.setLevel(level)
            sys.stdout.flush()
            sys.stderr.flush()
        out, err = stdout.getvalue(), stderr.getvalue()
    return CliResult(["firewatch", *args], code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), error)


def market_args(market, data_dir: Path | None = None) -> list[str]:
    """`firewatch crawl` options that send every host to a demo market's TLS port (URLs stay real);
    with `data_dir`, also the market's logged-in sessions, imported there (JD and Taobao search
    need one, as the real sites do)."""
    if data_dir is not None:
        market.write_sessions(data_dir)
    return ["--resolve", f"*={market.address}", "--trust-ca", market.ca_file]


def market_crawl_settings(market) -> dict:
    """`[crawl]` values pointing at a demo market: its host map, its CA, and the legal basis the
    replica's Taobao robots.txt (Disallow: /, as the real one) asks for."""
    return {"resolve": {"*": market.address}, "trust_ca": market.ca_file, "legal_basis": {"taobao": "test replica"}}


def market_env(market) -> dict[str, str]:
    """Environment overrides with `market_crawl_settings` for a child `firewatch` process."""
    import json
    import os

    values = market_crawl_settings(market)
    return {**os.environ, "FIREWATCH_CRAWL__RESOLVE": json.dumps(values["resolve"]),
            "FIREWATCH_CRAWL__TRUST_CA": values["trust_ca"],
            "FIREWATCH_CRAWL__LEGAL_BASIS": json.dumps(values["legal_basis"])}


def store_env(store_url: str) -> dict[str, str]:
    """The environment naming a store (the `store_url` fixture's file or PostgreSQL schema) as
    `[store] url`, so a command line run uses it."""
    return {"FIREWATCH_STORE__URL": store_url if "://" in store_url else f"sqlite:///{store_url}"}


def firewatch_command(data_dir: Path, *args: str) -> list[str]:
    """argv of `firewatch --data-dir DATA ARGS` as a child process."""
    return [sys.executable, "-m", "firewatch", "--data-dir", str(data_dir), *args]


def crawl_in_child(spec_json: str) -> None:
    """In a child process: crawl one platform with the firewatch Scrapy settings (plus the
    spec's [crawl] values) and print the crawl's stats as one `STATS {json}` line. Spec keys:
    data_dir, platform, query, crawl (with the market's host map), max_pages (default 20)."""
    import json

    from scrapy.crawler import CrawlerProcess

    from crawler.run import browser_settings, scrapy_settings
    from crawler.sites import SITES
    from crawler.spiders import SPIDERS
    from firewatch.core.settings import load_settings

    spec = json.loads(spec_json)
    settings = load_settings(env={"FIREWATCH_DATA_DIR": spec["data_dir"]}).with_overrides({"crawl": spec["crawl"]})
    s = scrapy_settings(settings)
    assert "crawler.proxies.ProxyMiddleware" in dict(s.getdict("DOWNLOADER_MIDDLEWARES"))
    s.set("LOG_LEVEL", "INFO")
    process = CrawlerProcess(s, install_root_handler=True)
    crawler = process.create_crawler(SPIDERS[spec["platform"]])
    if SITES[spec["platform"]].search.browser:  # as run_crawl: the search loads in Chromium
        session = s.getdict("FIREWATCH_SESSIONS").get(spec["platform"])
        crawler.settings.setdict(browser_settings(settings, spec["platform"], session), priority="spider")
    process.crawl(crawler, keywords=[spec["query"]], max_pages=spec.get("max_pages", 20))
    process.start()
    print("STATS " + json.dumps(crawler.stats.get_stats(), default=str), flush=True)


# -- waiting -------------------------------------------------------------------------------------

def wait_until(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll `condition` until it returns something true (returned) or `timeout` seconds pass
    (AssertionError naming `what`). Bounded polling of state, not coordination by sleeping."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# -- pictures ------------------------------------------------------------------------------------

def png(seed: int, size: int = 64) -> bytes:
    """A PNG with a pattern that differs by seed (distinct dHashes for distinct seeds)."""
    from PIL import Image, ImageDraw

    im = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(im)
    for i in range(8):
        shade = (seed * 37 + i * 61) % 256
        x = (seed * 13 + i * 23) % size
        draw.rectangle([x, i * 8, min(size - 1, x + 20), i * 8 + 7], fill=shade)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


# -- the web app ---------------------------------------------------------------------------------

def seen_assessment(store_ref, key: tuple[str, str]) -> str:
    """The `assessed_at` a decision form carries for a listing now: its assessment's time, or "none"."""
    from firewatch.store import open_store  # the store only for the tests that decide

    with open_store(store_ref) as store:
        assessment = store.assessments.get_assessment(key)
    return assessment.assessed_at.isoformat() if assessment is not None else "none"


def login_client(base_url: str, name: str, password: str = PASSWORD):
    """An httpx client logged in as `name` (its CSRF token in `client.csrf`)."""
    import httpx

    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=60)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"username": name, "password": password, "csrf_token": token, "next": ""})
    assert response.status_code == 303, response.text
    home = client.get(response.headers["location"])
    client.csrf = re.search(r'<meta name="csrf-token" content="([^"]*)"', home.text).group(1)
    return client


def browser_login(page, name: str, password: str = PASSWORD) -> None:
    page.goto(page.base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("header nav")


def whole_queue(store, filters, limit: int = 1000) -> list:
    """The first `limit` rows of the review queue, in its order, read page after page as a
    reviewer pressing 下一页 would (`firewatch.web.queries.queue_page`)."""
    from firewatch.web.queries import queue_page

    rows: list = []
    after = ""
    while len(rows) < limit:
        page = queue_page(store, filters, after=after, size=min(500, limit - len(rows)), count=False)
        rows.extend(page.rows)
        if page.after is None:
            break
        after = page.after
    return rows


def first_on_sale(catalogue, platforms=None) -> dict:
    """Platform -> the first listing of a demo catalogue's opening day that its seller never delists (of
    `platforms` only, when given): what a test has a platform take down."""
    picks: dict = {}
    for x in catalogue.initial():
        if x.delisted_day is None and (platforms is None or x.platform in platforms) and x.platform not in picks:
            picks[x.platform] = x
    return picks
