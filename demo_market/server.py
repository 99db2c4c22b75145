"""The demo market server: one FastAPI app replicating JD, Taobao/Tmall, Pinduoduo and 1688.

`DemoMarket(seed, size)` owns the catalogue, the simulated day and the real-site behaviour (rate
limit, server errors, captcha walls, login walls); `start()` serves it in background threads and
returns the base URL, `stop()` ends it (also a context manager). `serve()` runs it in the foreground.

It listens twice on 127.0.0.1: `base_url` (plain HTTP, the internal routes `/jd/search` and the
`/_admin/` endpoints) and one TLS port (`address`) answering the platforms' real hostnames
(`demo_market.hosts`) with a certificate from a CA made at start-up (`ca_file`). A client's host
map `resolve` ({"*.jd.com": "127.0.0.1:PORT", ...}) sends the real hostnames there.
"""
from __future__ import annotations

import logging
import secrets
import tempfile
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from demo_market import hosts, pages, scripted
from demo_market.behaviour import Behaviour
from demo_market.catalogue import Catalogue
from demo_market.generator import build_catalogue
from demo_market import images
from demo_market.render import encode, js_json, js_str, png
from demo_market.tls import make_certificates

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
                 exempt_prefixes: tuple[str, ...] = ("/robots.txt", "/_sec/", "/_admin/", "/img/", "/_login/"),
                 login_required: tuple[str, ...] = ("jd", "taobao")):
        self.seed = seed
        self.size = size
        self.catalogue = catalogue if catalogue is not None else build_catalogue(seed=seed, size=size)
        self._day = int(day)
        self._day_lock = threading.Lock()
        self._hits: Counter[str] = Counter()
        self._real_hits: Counter[str] = Counter()
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
        self.login_required = tuple(login_required)
        self._sessions: dict[str, set[str]] = {}
        self._sessions_lock = threading.Lock()
        self.app = self._create_app()
        self._servers: list[tuple[_Server, threading.Thread]] = []
        self._certs_dir: tempfile.TemporaryDirectory | None = None
        self.base_url: str | None = None
        self.address: str | None = None
        self.ca_file: str | None = None

    # sessions --------------------------------------------------------------------
    def issue_session(self, platform: str) -> dict:
        """A fresh logged-in session for `platform`, as a Playwright storage_state dict."""
        token = secrets.token_hex(12)
        with self._sessions_lock:
            self._sessions.setdefault(platform, set()).add(token)
        name = hosts.SESSION_COOKIES[platform]
        domain = "." + hosts.PLATFORM_DOMAINS[platform][0]
        cookies = [{"name": name, "value": token, "domain": domain, "path": "/", "expires": -1,
                    "httpOnly": True, "secure": True, "sameSite": "Lax"}]
        if platform in ("taobao", "tmall"):  # mtop's token cookie, readable by the page's script
            cookies.append({"name": "_m_h5_tk", "value": f"{token[:16]}_1999999999000", "domain": ".taobao.com",
                            "path": "/", "expires": -1, "httpOnly": False, "secure": True, "sameSite": "None"})
        return {"cookies": cookies, "origins": []}

    def expire_sessions(self, platform: str) -> None:
        """Log every session of `platform` out (the site now treats them as anonymous)."""
        with self._sessions_lock:
            self._sessions.pop(platform, None)

    def logged_in(self, platform: str, cookies: dict[str, str]) -> bool:
        token = cookies.get(hosts.SESSION_COOKIES[platform])
        with self._sessions_lock:
            return bool(token) and token in self._sessions.get(platform, set())

    @property
    def resolve(self) -> dict[str, str]:
        """The host map sending every platform domain to this replica's TLS port."""
        return {pattern: self.address for pattern in hosts.host_patterns()} if self.address else {}

    def settings_overrides(self) -> dict:
        """`[crawl]` settings that point firewatch at this replica (host map and its CA)."""
        return {"crawl": {"resolve": self.resolve, "trust_ca": self.ca_file or ""}}

    def write_sessions(self, data_dir, platforms=("jd", "taobao", "pdd", "1688")) -> list:
        """Write a fresh session per platform to <data_dir>/sessions/<platform>.json (as imported)."""
        from pathlib import Path
        import json as _json
        folder = Path(data_dir) / "sessions"
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for platform in platforms:
            path = folder / f"{platform}.json"
            path.write_text(_json.dumps(self.issue_session(platform)), encoding="utf-8")
            path.chmod(0o600)
            written.append(path)
        return written

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

    def real_requests(self) -> Counter[str]:
        """Requests received so far under the platforms' real hostnames, per real URL as asked for
        (`https://www.jd.com/?from=item`), whatever the answer (an unknown path included)."""
        with self._hits_lock:
            return Counter(self._real_hits)

    def _count(self, target: str) -> None:
        with self._hits_lock:
            self._hits[target] += 1

    def _count_real(self, url: str) -> None:
        with self._hits_lock:
            self._real_hits[url] += 1

    def render(self, template: str, **ctx) -> str:
        return self.env.get_template(template).render(**ctx)

    # app -------------------------------------------------------------------------
    def _create_app(self) -> FastAPI:
        app = FastAPI(title="firewatch demo market", docs_url=None, redoc_url=None, openapi_url=None)
        market = self

        @app.middleware("http")
        async def real_site_behaviour(request: Request, call_next):
            response = await answer(request, call_next)
            origin = request.headers.get("origin", "")
            if request.scope.get("fw_host") and origin.startswith("https://") and hosts.host_of(origin[8:]) in hosts.HOSTS:
                # the sites' APIs answer their own pages' scripts, errors and walls included
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Credentials"] = "true"
            return response

        async def answer(request: Request, call_next):
            path = request.url.path
            query = request.url.query
            host = request.scope.get("fw_host")
            real_url = request.scope.get("fw_url") or str(request.url)
            market._count(f"{path}?{query}" if query else path)
            if not path.startswith(market.exempt_prefixes):
                client = request.client.host if request.client else "unknown"
                verdict = market.behaviour.check(client)
                if verdict is not None:
                    if verdict.kind == "rate_limited":
                        return PlainTextResponse("Too Many Requests", status_code=429,
                                                 headers={"Retry-After": str(verdict.retry_after)})
                    if verdict.kind == "captcha":
                        if host is None:
                            target = "/_sec/captcha?from=" + quote(str(request.url), safe="")
                            return RedirectResponse(target, status_code=302)
                        status, headers, body = hosts.wall(host, real_url)
                        return Response(body, status_code=status, headers=headers)
                    return PlainTextResponse("Service Temporarily Unavailable",
                                             status_code=verdict.status)
                if host is not None and hosts.needs_login(host, path):
                    platform = hosts.HOSTS[host].platform
                    if platform in market.login_required and not market.logged_in(platform, request.cookies):
                        return RedirectResponse(hosts.login_url(platform, real_url), status_code=302)
            return await call_next(request)

        @app.get("/_login/{platform}")
        def login_page(platform: str):
            html = market.render("login.html", platform=platform)
            return Response(encode(html, "utf-8"), media_type=pages.HTML_UTF8)

        @app.get("/robots.txt")
        def robots(request: Request):
            host = request.scope.get("fw_host")
            if host is not None:
                return PlainTextResponse(hosts.robots(host))
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
            drawn = images.serve(market.catalogue, name)  # a listing's picture with its text (demo_market.images)
            return Response(drawn if drawn is not None else png(name), media_type="image/png",
                            headers={"Cache-Control": "max-age=86400"})

        @app.get("/cart/{rest:path}")
        def cart(rest: str):
            return Response("<html><body>购物车</body></html>".encode("utf-8"), media_type=pages.HTML_UTF8)

        pages.register(app, market)
        scripted.register(app, market)
        return app

    # lifecycle -------------------------------------------------------------------------
    def _serve(self, host: str, port: int, **ssl) -> int:
        ready = threading.Event()
        config = uvicorn.Config(HostRouter(self.app, self._count_real), host=host, port=port, log_level="warning",
                                lifespan="off", access_log=False, **ssl)
        server = _Server(config, ready)

        def run():
            try:
                server.run()
            finally:
                ready.set()

        thread = threading.Thread(target=run, name="demo-market", daemon=True)
        thread.start()
        self._servers.append((server, thread))
        if not ready.wait(timeout=30) or not server.started:
            self.stop()
            raise RuntimeError(f"demo market failed to start on {host}:{port}")
        return server.servers[0].sockets[0].getsockname()[1]

    def start(self, host: str = "127.0.0.1", port: int = 0, tls_port: int = 0) -> str:
        """Serve in background threads; return the base URL (plain HTTP, with the real bound port).

        The TLS port for the real hostnames is `address`; its CA certificate is `ca_file`."""
        if self._servers:
            return self.base_url or ""
        self._certs_dir = tempfile.TemporaryDirectory(prefix="demo-market-tls-")
        certs = make_certificates(Path(self._certs_dir.name), hosts.CERT_NAMES)
        bound = self._serve(host, port)
        self.base_url = f"http://{host}:{bound}"
        tls_bound = self._serve(host, tls_port, ssl_certfile=str(certs.chain), ssl_keyfile=str(certs.key))
        self.address = f"{host}:{tls_bound}"
        self.ca_file = str(certs.ca)
        log.info("demo market listening on %s and (TLS, real hostnames) %s", self.base_url, self.address)
        return self.base_url

    def stop(self) -> None:
        """Stop the background servers and wait for their threads."""
        for server, _ in self._servers:
            server.should_exit = True
        for _, thread in self._servers:
            thread.join(timeout=15)
        self._servers = []
        self.base_url = self.address = self.ca_file = None
        if self._certs_dir is not None:
            self._certs_dir.cleanup()
            self._certs_dir = None

    def __enter__(self) -> "DemoMarket":
        if not self._servers:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class HostRouter:
    """ASGI wrapper: a request for a real hostname goes to that host's internal route.

    The scope keeps the real host and URL (`fw_host`, `fw_url`) for the walls and login checks;
    an unknown path on a known host is a 404, as on the real site. `seen(real_url)` is told of
    every request under a real hostname."""

    def __init__(self, app, seen=None):
        self.app = app
        self.seen = seen

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            raw = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            host = hosts.host_of(raw)
            if host in hosts.HOSTS:
                query = scope.get("query_string", b"").decode("latin-1")
                real_url = f"https://{host}{scope['path']}" + (f"?{query}" if query else "")
                if self.seen is not None:
                    self.seen(real_url)
                internal = hosts.route(host, scope["path"])
                if internal is None:
                    response = PlainTextResponse("404 Not Found", status_code=404)
                    return await response(scope, receive, send)
                scope = dict(scope, path=internal, raw_path=internal.encode("utf-8"), fw_host=host, fw_url=real_url)
        await self.app(scope, receive, send)


def serve(port: int = 8000, seed: int = 7, day: int = 0, host: str = "127.0.0.1", size: int = 1600,
          tls_port: int = 0, sessions_to=None, announce=print, **knobs) -> None:
    """Run a demo market until interrupted (`firewatch market serve`): the internal routes on
    `port`, the platforms' real hostnames on `tls_port`; `announce` gets the lines that say how
    to point firewatch at it, and `sessions_to` (a data directory) gets a session per platform."""
    market = DemoMarket(seed=seed, size=size, day=day, **knobs)
    market.start(host=host, port=port, tls_port=tls_port)
    try:
        announce(f"internal routes and /_admin/: {market.base_url}/")
        announce(f"real hostnames (TLS): {market.address}; CA certificate: {market.ca_file}")
        announce(f"crawl it:  firewatch crawl --resolve '*={market.address}' --trust-ca {market.ca_file}")
        if sessions_to:
            for path in market.write_sessions(sessions_to):
                announce(f"session for {path.stem}: {path}")
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        market.stop()
