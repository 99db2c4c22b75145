"""Can each platform be crawled right now? The checks behind `firewatch sites check`.

`check_sites(settings, platforms, runs)` returns one `SiteCheck` per platform, from requests a
person could make in a browser, through the same host map as the crawl (`[crawl] resolve`,
`HostMap.httpx_transport`):

- **reachable**: robots.txt of each host of the platform's search, item and price flows, and the
  search page itself, answer over HTTPS within the timeout;
- **robots**: each flow's URL form (`crawler.sites`) parsed against its host's robots.txt with
  Protego (Scrapy's parser) for the crawl's user agent; a disallowed flow needs a legal basis
  in `[crawl] legal_basis`, shown when set;
- **session**: the platform's session file (`crawler.sessions.session_paths`) has a live
  session cookie (`SiteMap.session_cookie`), and the search page for a harmless keyword,
  requested with those cookies and without following redirects, is not a login page or a
  redirect to one (`detect_block`). A search robots.txt disallows is not requested unless
  the settings name a legal basis;
- **last block**: the newest recorded crawl run of the platform with blocks > 0.

`SiteCheck.problems` say what stops or hampers a crawl and what to do; `SiteCheck.crawlable`
is False when one of them is fatal (unreachable, robots disallow without a legal basis, a login
flow without a valid session). Nothing here bypasses a wall: a captcha met by the probe is
reported, never answered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from crawler.exceptions import SessionError
from crawler.platforms.blocked import detect_block
from crawler.sessions import Session, load_session, session_paths, to_cookie
from crawler.sites import SiteMap, site
from firewatch.core.clock import parse_iso
from firewatch.core.hostmap import HostMap

__all__ = ["DEFAULT_KEYWORD", "SESSION_STATES", "Fetch", "FlowRobots", "LastBlock", "Problem", "SessionState", "SiteCheck",
           "check_site", "check_sites", "last_block"]

log = logging.getLogger(__name__)

DEFAULT_KEYWORD = "灭火器"  # what the session probe searches: an ordinary word for the sites
_BODY_LIMIT = 256 * 1024  # bytes of a probed page looked at for a login or captcha wall

# Session states: no file; a live logged-in cookie the site accepts; logged out (cookie expired in
# the file, or the site sends the probe to its login page); a file that is unusable or not a
# logged-in session of this site; not probed (unreachable, or robots.txt forbids the search);
# probed but the answer was a captcha or an error, so nothing can be said.
SESSION_STATES = ("none", "valid", "expired", "invalid", "unchecked", "unknown")


@dataclass(frozen=True)
class Fetch:
    """One request of the check: the HTTP status, or the transport error when nothing answered."""

    url: str
    status: int | None = None
    location: str = ""  # where a redirect points (absolute)
    error: str = ""

    @property
    def answered(self) -> bool:
        return self.status is not None


@dataclass(frozen=True)
class FlowRobots:
    """robots.txt's verdict on one flow's URL form; `allowed` is None when robots.txt was not fetched."""

    flow: str  # "search", "item", "item:tmall", "price"
    url: str
    allowed: bool | None


@dataclass(frozen=True)
class SessionState:
    state: str  # one of SESSION_STATES
    path: str = ""
    configured: bool = False  # named in [crawl.sessions] (not the imported file)
    detail: str = ""


@dataclass(frozen=True)
class LastBlock:
    """The newest crawl run of a platform that met blocks."""

    run_id: int
    at: datetime | None  # when it ended (started, if it never ended), UTC
    blocks: int
    latest: bool  # it is the platform's most recent run


@dataclass(frozen=True)
class Problem:
    """What stops (`fatal`) or hampers a crawl of the platform, and what to do about it."""

    code: str  # unreachable, robots_disallowed, session_missing, session_expired, session_invalid,
    #            login_required, probe_blocked, session_expired_optional, recent_blocks
    fatal: bool
    message: str  # Chinese first, the English gist beside it
    fix: str


@dataclass(frozen=True)
class SiteCheck:
    platform: str
    name: str
    reachable: bool
    fetches: tuple[Fetch, ...]
    robots: tuple[FlowRobots, ...]
    legal_basis: str
    obey_robots: bool
    login_needed: bool
    session: SessionState
    last_block: LastBlock | None
    problems: tuple[Problem, ...] = field(default=())

    @property
    def robots_allowed(self) -> bool | None:
        """True when robots.txt allows every flow, False when it disallows one, None when unknown."""
        verdicts = [r.allowed for r in self.robots]
        if any(v is False for v in verdicts):
            return False
        return None if any(v is None for v in verdicts) else True

    @property
    def crawlable(self) -> bool:
        return not any(p.fatal for p in self.problems)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (times as ISO UTC)."""
        return {
            "platform": self.platform, "name": self.name, "crawlable": self.crawlable,
            "reachable": self.reachable, "robots_allowed": self.robots_allowed,
            "robots": [vars(r) for r in self.robots], "legal_basis": self.legal_basis,
            "obey_robots": self.obey_robots, "login_needed": self.login_needed,
            "session": vars(self.session),
            "last_block": None if self.last_block is None else {
                "run_id": self.last_block.run_id, "blocks": self.last_block.blocks, "latest": self.last_block.latest,
                "at": self.last_block.at.isoformat() if self.last_block.at else None},
            "fetches": [vars(f) for f in self.fetches],
            "problems": [vars(p) for p in self.problems],
        }


def last_block(runs: Iterable[Mapping[str, Any]], platform: str) -> LastBlock | None:
    """The newest run of `platform` with blocks > 0 among `runs` (rows of `store.listings.crawl_runs`)."""
    mine = sorted((r for r in runs if r["platform"] == platform), key=lambda r: r["id"], reverse=True)
    for index, run in enumerate(mine):
        if (run.get("blocks") or 0) > 0:
            return LastBlock(int(run["id"]), parse_iso(run.get("ended_at") or run.get("started_at")),
                             int(run["blocks"]), latest=index == 0)
    return None


def check_sites(settings, platforms: Iterable[str] | None = None, runs: Iterable[Mapping[str, Any]] = (),
                timeout: float = 10.0, keyword: str = DEFAULT_KEYWORD) -> list[SiteCheck]:
    """One `SiteCheck` per platform (default: `crawl.platforms`), in that order."""
    hostmap = HostMap.from_settings(settings)
    sessions = session_paths(settings)
    runs = list(runs)
    return [check_site(site(p), hostmap=hostmap, user_agent=settings.crawl.user_agent,
                       legal_basis=settings.crawl.legal_basis.get(p, ""), obey_robots=settings.crawl.obey_robots,
                       session_path=sessions.get(p), session_configured=p in settings.crawl.sessions,
                       resolve=settings.crawl.resolve, last=last_block(runs, p), timeout=timeout, keyword=keyword)
            for p in (platforms or settings.crawl.platforms)]


def check_site(sitemap: SiteMap, *, hostmap: HostMap, user_agent: str, legal_basis: str = "",
               obey_robots: bool = True, session_path=None, session_configured: bool = False,
               resolve: Mapping[str, str] | None = None, last: LastBlock | None = None,
               timeout: float = 10.0, keyword: str = DEFAULT_KEYWORD) -> SiteCheck:
    """Check one platform; plain values in, a `SiteCheck` out (requests go through `hostmap`)."""
    platform = sitemap.platform
    session, cookies = _session_file(sitemap, session_path, session_configured)
    flows = flows_of(sitemap, keyword)
    search_url = flows[0][1]
    jar = httpx.Cookies()
    for cookie in cookies:
        jar.jar.set_cookie(to_cookie(cookie))
    with httpx.Client(transport=hostmap.httpx_transport(), timeout=timeout, follow_redirects=False,
                      headers={"User-Agent": user_agent}, cookies=jar) as client:
        fetches, robots, down = _robots(client, flows, user_agent)
        search_allowed = robots[0].allowed
        probe: Fetch | None = None
        block: str | None = None
        if not down and (search_allowed or legal_basis):
            probe, body = _get(client, search_url)
            fetches.append(probe)
            if probe.answered:
                block = detect_block("" if probe.location else body, probe.location or search_url)
    reachable = all(f.answered for f in fetches) and not down
    login_needed = sitemap.search.login or (probe is not None and not cookies and block == "login")
    session = _probed_session(session, cookies, probe, block, search_allowed, legal_basis, reachable)
    problems = _problems(sitemap, reachable, fetches, robots, legal_basis, obey_robots, login_needed, session,
                         probe, block, last, resolve or {})
    return SiteCheck(platform, sitemap.name, reachable, tuple(fetches), robots, legal_basis, obey_robots,
                     login_needed, session, last, tuple(problems))


def flows_of(sitemap: SiteMap, keyword: str = DEFAULT_KEYWORD) -> list[tuple[str, str]]:
    """(flow, URL form) of each flow a crawl of the platform uses."""
    flows = [("search", sitemap.search_url(keyword, 1))]
    flows += [("item" if p == sitemap.platform else f"item:{p}", sitemap.item_url("1", p)) for p in sitemap.items]
    if sitemap.price is not None:
        flows.append(("price", sitemap.price_url("1")))
    return flows


def _robots(client: httpx.Client, flows, user_agent: str) -> tuple[list[Fetch], tuple[FlowRobots, ...], bool]:
    """robots.txt of each flow's host and its verdict per flow; (fetches, verdicts, a host was down)."""
    fetches: list[Fetch] = []
    parsers: dict[str, Protego | None] = {}  # host -> its robots.txt (None: not fetched)
    down = False
    for _, url in flows:
        host = urlsplit(url).hostname or ""
        if host in parsers:
            continue
        if down:  # one host did not answer: do not wait out every other timeout
            parsers[host] = None
            continue
        # robots.txt as Scrapy fetches it: no session cookies, redirects followed
        fetch, text = _get(client, f"https://{host}/robots.txt", cookies=False, follow=True)
        fetches.append(fetch)
        down = not fetch.answered
        # As Scrapy's RobotsTxtMiddleware: the body of any answer is parsed (a 404 page has no rules).
        parsers[host] = Protego.parse(text if fetch.status and fetch.status < 300 else "") if fetch.answered else None
    robots = tuple(FlowRobots(flow, url, _allowed(parsers.get(urlsplit(url).hostname or ""), url, user_agent))
                   for flow, url in flows)
    return fetches, robots, down


def robots_refusal(sitemap: SiteMap, hostmap: HostMap, user_agent: str, timeout: float = 10.0) -> str | None:
    """Why a crawl of the platform is refused under its robots.txt (the flows it disallows, in
    Chinese and English, with what to do), or None when robots.txt allows every flow or could not
    be read (the crawl's own robots.txt handling then applies)."""
    with httpx.Client(transport=hostmap.httpx_transport(), timeout=timeout, follow_redirects=False,
                      headers={"User-Agent": user_agent}) as client:
        _, robots, _ = _robots(client, flows_of(sitemap), user_agent)
    refused = [r for r in robots if r.allowed is False]
    if not refused:
        return None
    flows = ", ".join(f"{r.flow} ({_short(r.url)})" for r in refused)
    return (f"{sitemap.name} 的 robots.txt 不允许抓取 {flows}；已拒绝抓取该平台。如有书面授权等法律依据，请在 [crawl] "
            f"legal_basis 中写明（例如 legal_basis = {{ {sitemap.platform} = \"……\" }}），它会记录在每次抓取和每份取证清单中 / "
            f"robots.txt of {sitemap.platform} disallows {flows}: crawl refused; name a legal basis in [crawl] legal_basis "
            "to crawl it")


def _get(client: httpx.Client, url: str, cookies: bool = True, follow: bool = False) -> tuple[Fetch, str]:
    """GET `url` (redirects followed only when `follow`): what answered, and the start of its body."""
    try:
        request = client.build_request("GET", url)
        if not cookies:
            request.headers.pop("Cookie", None)
        response = client.send(request, stream=True, follow_redirects=follow)
        try:
            raw = b""
            for chunk in response.iter_bytes():
                raw += chunk
                if len(raw) >= _BODY_LIMIT:
                    break
        finally:
            response.close()
    except httpx.TimeoutException as exc:
        return Fetch(url, error=f"超时 timeout ({type(exc).__name__})"), ""
    except httpx.HTTPError as exc:
        return Fetch(url, error=f"{type(exc).__name__}: {exc}".rstrip(": ")), ""
    location = response.headers.get("location", "") if response.is_redirect else ""
    text = raw.decode(response.encoding or "utf-8", "replace")
    return Fetch(url, response.status_code, urljoin(url, location) if location else ""), text


def _allowed(parser: Protego | None, url: str, user_agent: str) -> bool | None:
    return None if parser is None else parser.can_fetch(url, user_agent)


def _session_file(sitemap: SiteMap, path, configured: bool) -> tuple[SessionState, list[dict[str, Any]]]:
    """The state the file alone shows, and the live cookies to probe with ([] when there is nothing to probe)."""
    if path is None:
        return SessionState("none"), []
    path = str(path)
    try:
        session: Session = load_session(path, warn=False)
    except SessionError as exc:
        return SessionState("invalid", path, configured, exc.problem), []
    name = sitemap.session_cookie
    mine = [c for c in session.cookies if c["name"] == name and sitemap.owns(c["domain"].lstrip("."))]
    if mine:
        return SessionState("unchecked", path, configured, f"{name} cookie live in the file"), list(session.cookies)
    if name in session.expired:
        return SessionState("expired", path, configured, f"cookie {name} has expired in the file"), []
    return SessionState("invalid", path, configured,
                        f"no {name} cookie for {sitemap.domains[0]}: not a logged-in session of {sitemap.name}"), []


def _probed_session(state: SessionState, cookies, probe: Fetch | None, block: str | None,
                    search_allowed: bool | None, legal_basis: str, reachable: bool) -> SessionState:
    if state.state != "unchecked" or not cookies:
        return state
    if probe is None or not probe.answered:
        why = ("robots.txt disallows the search page and no legal basis is set" if reachable and
               not (search_allowed or legal_basis) else "the site did not answer")
        return SessionState("unchecked", state.path, state.configured, f"not probed: {why}")
    where = probe.location or probe.url
    if block == "login":
        return SessionState("expired", state.path, state.configured,
                            f"the search page sent it to the login page ({_short(where)})")
    if block is not None:
        return SessionState("unknown", state.path, state.configured,
                            f"the search page answered with a {block} wall ({_short(where)})")
    if probe.status is not None and probe.status >= 400:
        return SessionState("unknown", state.path, state.configured, f"the search page answered HTTP {probe.status}")
    return SessionState("valid", state.path, state.configured, f"search page HTTP {probe.status} with the session")


def _short(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[:limit] + "…"


def _import_fix(platform: str, state: SessionState) -> str:
    steps = (f"在普通浏览器中登录后用 Playwright 保存 storage_state，再运行 `firewatch session import --platform "
             f"{platform} FILE` (log in, save the storage_state, import it; see docs/live.md)")
    if state.configured:
        steps += f"; [crawl.sessions] {platform} names {state.path}: replace that file, or remove the entry"
    return steps


def _problems(sitemap: SiteMap, reachable: bool, fetches: list[Fetch], robots: tuple[FlowRobots, ...],
              legal_basis: str, obey_robots: bool, login_needed: bool, session: SessionState,
              probe: Fetch | None, block: str | None, last: LastBlock | None,
              resolve: Mapping[str, str]) -> list[Problem]:
    p = sitemap.platform
    problems: list[Problem] = []
    if not reachable:
        failed = "; ".join(f"{urlsplit(f.url).hostname}: {f.error}" for f in fetches if not f.answered)
        mapped = ", ".join(f"{k}={v}" for k, v in resolve.items()) or "无 none (DNS)"
        problems.append(Problem(
            "unreachable", True, f"无法连接 unreachable: {failed or 'not tried'}",
            f"检查网络与主机映射 check the network and the host map ([crawl] resolve: {mapped}; empty in production, "
            "the demo market's address for a replica) and crawl.trust_ca for a replica's certificate"))
    disallowed = [r for r in robots if r.allowed is False]
    if disallowed and not legal_basis:
        flows = ", ".join(r.flow for r in disallowed)
        problems.append(Problem(
            "robots_disallowed", True,
            f"robots.txt 禁止抓取 disallows {flows} for the crawl's user agent; no legal basis is set",
            f"若有法律依据(如书面授权)，在设置中写明 add one: [crawl.legal_basis] {p} = \"…\" (recorded in every "
            f"crawl run and capture manifest); otherwise do not crawl {p}"))
    if login_needed and session.state in ("none", "expired", "invalid"):
        code = {"none": "session_missing", "expired": "session_expired", "invalid": "session_invalid"}[session.state]
        label = {"none": "无会话 no session", "expired": "会话失效 session expired",
                 "invalid": "会话文件无效 session file unusable"}[session.state]
        detail = f": {session.detail}" if session.detail else ""
        problems.append(Problem(code, True, f"{label}{detail}; the search flow needs a logged-in account",
                                _import_fix(p, session)))
    elif session.state in ("expired", "invalid"):
        problems.append(Problem("session_expired_optional", False,
                                f"会话失效 session {session.state}: {session.detail} (search works without one)",
                                _import_fix(p, session)))
    if probe is not None and block in ("captcha", "verification"):
        problems.append(Problem("probe_blocked", False,
                                f"检查请求遇到验证 the probe met a {block} wall ({_short(probe.location or probe.url)})",
                                "等待后再试 wait and check again; lower crawl.concurrency_per_domain or raise "
                                "crawl.download_delay; firewatch never solves captchas"))
    if last is not None and last.latest:
        problems.append(Problem("recent_blocks", False,
                                f"最近一次抓取遇到 {last.blocks} 次拦截 the latest run (#{last.run_id}) met blocks",
                                "lower crawl.concurrency_per_domain or raise crawl.download_delay; check the session"))
    return problems
