"""The demo market server: one FastAPI app replicating JD, Taobao/Tmall, Pinduoduo and 1688.

`DemoMarket(seed, size)` owns the catalogue, the simulated day and the real-site behaviour (rate
limit, server errors, captcha wall); `start()` serves it in a background thread and returns the base
URL, `stop()` ends it (also a context manager). `serve()` runs it in the foreground.
"""
from __future__ import annotations

import logging
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from demo_market import pages
from demo_market.behaviour import Behaviour
from demo_market.catalogue import Catalogue
from demo_market.generator import build_catalogue
from demo_market.render import encode, js_json, js_str, png

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
QUIET = {"rate_limit": None, "error_rate": 0.0, "captcha_burst": None}
"""Constructor knobs that switch every hostile behaviour off."""


class _Server(uvicorn.Server):
    """uvicorn server that signals a threading.Event once it is listening (or has failed)."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event):
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets=None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()


class DemoMarket:
    """A local replica marketplace; see demo_market/README.md for URLs and knobs."""

    def __init__(self, seed: int = 7, size: int = 1600, day: int = 0, *,
                 catalogue: Catalogue | None = None,
                 rate_limit: int | None = 50, rate_window: float = 1.0,
                 error_rate: float = 0.01, error_status: int = 503,
                 captcha_burst: int | None = 300, captcha_window: float = 10.0,
                 captcha_cooldown: int = 3, captcha_cooldown_seconds: float | None = None,
                 robots_disallow: tuple[str, ...] = ("/_admin/", "/cart/", "/_sec/"),
                 crawl_delay: float | None = None,
                 exempt_prefixes: tuple[str, ...] = ("/robots.txt", "/_sec/", "/_admin/", "/img/")):
        self.seed = seed
        self.size = size
        self.catalogue = catalogue if catalogue is not None else build_catalogue(seed=seed, size=size)
        self._day = int(day)
        self._day_lock = threading.Lock()
        self._hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()
        self.behaviour = Behaviour(
            seed=seed, rate_limit=rate_limit, rate_window=rate_window, error_rate=error_rate,
            error_status=error_status, captcha_burst=captcha_burst, captcha_window=captcha_window,
            captcha_cooldown=captcha_cooldown, captcha_cooldown_seconds=captcha_cooldown_seconds)
        self.robots_disallow = tuple(robots_disallow)
        self.crawl_delay = crawl_delay
        self.exempt_prefixes = tuple(exempt_prefixes)
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                               autoescape=select_autoescape(default=True, default_for_string=True))
        self.env.filters["js"] = js_json
        self.env.filters["jss"] = js_str
        self.app = self._create_app()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url: str | None = None

    # state ---------------------------------------------------------------------
    @property
    def day(self) -> int:
        with self._day_lock:
            return self._day

    @day.setter
    def day(self, value: int) -> None:
        with self._day_lock:
            self._day = int(value)
        log.info("demo market day set to %d", value)

    def request_counts(self) -> Counter[str]:
        """Requests received so far per path with query (`/jd/item/1.html`, `/pdd/goods.html?goods_id=2`)."""
        with self._hits_lock:
            return Counter(self._hits)

    def _count(self, target: str) -> None:
        with self._hits_lock:
            self._hits[target] += 1

    def render(self, template: str, **ctx) -> str:
        return self.env.get_template(template).render(**ctx)

    # app -------------------------------------------------------------------------
    def _create_app(self) -> FastAPI:
        app = FastAPI(title="firewatch demo market", docs_url=None, redoc_url=None, openapi_url=None)
        market = self

        @app.middleware("http")
        async def real_site_behaviour(request: Request, call_next):
            path = request.url.path
            query = request.url.query
            market._count(f"{path}?{query}" if query else path)
            if not path.startswith(market.exempt_prefixes):
                client = request.client.host if request.client else "unknown"
                verdict = market.behaviour.check(client)
                if verdict is not None:
                    if verdict.kind == "rate_limited":
                        return PlainTextResponse("Too Many Requests", status_code=429,
                                                 headers={"Retry-After": str(verdict.retry_after)})
                    if verdict.kind == "captcha":
                        target = "/_sec/captcha?from=" + quote(str(request.url), safe="")
                        return RedirectResponse(target, status_code=302)
                    return PlainTextResponse("Service Temporarily Unavailable",
                                             status_code=verdict.status)
            return await call_next(request)

        @app.get("/robots.txt")
        def robots():
            lines = ["User-agent: *"] + [f"Disallow: {p}" for p in market.robots_disallow]
            lines += ["Allow: /"]
            if market.crawl_delay:
                lines.append(f"Crawl-delay: {market.crawl_delay:g}")
            return PlainTextResponse("\n".join(lines) + "\n")

        @app.get("/")
        def index():
            links = "".join(f'<li><a href="{u}">{u}</a></li>' for u in (
                "/jd/search?keyword=灭火器", "/taobao/search?q=灭火器", "/pdd/search?q=灭火器",
                "/1688/offer_search?keywords=灭火器"))
            html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>firewatch demo market'
                    f"</title></head><body><h1>demo market (day {market.day})</h1><ul>{links}</ul></body></html>")
            return Response(html.encode("utf-8"), media_type=pages.HTML_UTF8)

        @app.get("/_sec/captcha")
        def captcha(request: Request):
            html = market.render("captcha.html", from_url=request.query_params.get("from", ""))
            return Response(encode(html, "utf-8"), media_type=pages.HTML_UTF8)

        @app.get("/_admin/day")
        def get_day():
            return {"day": market.day}

        @app.post("/_admin/day")
        async def set_day(request: Request):
            try:
                body = await request.json()
                day = int(body["day"])
            except (ValueError, KeyError, TypeError):
                return JSONResponse({"error": 'expected JSON {"day": n}'}, status_code=400)
            if day < 0:
                return JSONResponse({"error": "day must be >= 0"}, status_code=400)
            market.day = day
            return {"day": market.day}

        @app.get("/_admin/stats")
        def stats():
            b = market.behaviour
            return {"requests": b.requests, **b.counts, "day": market.day,
                    "listings": len(market.catalogue)}

        @app.post("/_admin/reset")
        def reset():
            market.behaviour.reset()
            return {"ok": True}

        @app.get("/img/{name:path}")
        def image(name: str):
            if not name.endswith(".png"):
                return PlainTextResponse("not found", status_code=404)
            return Response(png(name), media_type="image/png",
                            headers={"Cache-Control": "max-age=86400"})

        @app.get("/cart/{rest:path}")
        def cart(rest: str):
            return Response("<html><body>购物车</body></html>".encode("utf-8"), media_type=pages.HTML_UTF8)

        pages.register(app, market)
        return app

    # lifecycle -------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; return the base URL (with the real bound port)."""
        if self._server is not None:
            return self.base_url or ""
        ready = threading.Event()
        config = uvicorn.Config(self.app, host=host, port=port, log_level="warning",
                                lifespan="off", access_log=False)
        self._server = _Server(config, ready)

        def run():
            try:
                self._server.run()
            finally:
                ready.set()

        self._thread = threading.Thread(target=run, name="demo-market", daemon=True)
        self._thread.start()
        if not ready.wait(timeout=30) or not self._server.started:
            self.stop()
            raise RuntimeError(f"demo market failed to start on {host}:{port}")
        sock = self._server.servers[0].sockets[0]
        bound = sock.getsockname()[1]
        self.base_url = f"http://{host}:{bound}"
        log.info("demo market listening on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop the background server and wait for its thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._server = self._thread = None
        self.base_url = None

    def run(self, host: str = "127.0.0.1", port: int = 8000) -> None:
        """Serve in the foreground until interrupted."""
        config = uvicorn.Config(self.app, host=host, port=port, log_level="info", lifespan="off")
        uvicorn.Server(config).run()

    def __enter__(self) -> "DemoMarket":
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(port: int = 8000, seed: int = 7, day: int = 0, host: str = "127.0.0.1",
          size: int = 1600, **knobs) -> None:
    """Run a demo market in the foreground (`firewatch market serve --port N`)."""
    DemoMarket(seed=seed, size=size, day=day, **knobs).run(host=host, port=port)
