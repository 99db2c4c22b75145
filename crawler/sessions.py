"""Logged-in browser sessions: import, validate and send a Playwright `storage_state` per platform.

`load_session(path)` validates a storage_state file (`SessionError` names the bad field) and drops
expired cookies; `import_session` copies one to `<data_dir>/sessions/<platform>.json` (mode 0600);
`SessionCookiesMiddleware` seeds Scrapy's cookie jars with it, so the standard cookie rules apply.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from http.cookiejar import Cookie
from pathlib import Path
from typing import Any, Mapping

from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.exceptions import NotConfigured

from firewatch.core.settings import CRAWL_PLATFORMS
from firewatch.core.files import atomic_write

from crawler.exceptions import SessionError, UnknownPlatformError
from firewatch.core.settings import Settings

log = logging.getLogger(__name__)

SAME_SITE = ("Strict", "Lax", "None")
SESSIONS_DIR = "sessions"


@dataclass(frozen=True)
class Session:
    """A validated session file: its live cookies (Playwright dicts) and the names dropped as expired."""

    path: Path
    cookies: tuple[dict[str, Any], ...]
    expired: tuple[str, ...]
    origins: int

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(sorted({c["domain"] for c in self.cookies}))


def _check_cookie(path: Path, index: int, cookie: Any) -> dict[str, Any]:
    where = f"cookies[{index}]"
    if not isinstance(cookie, dict):
        raise SessionError(str(path), f"{where} is {type(cookie).__name__}, expected an object")
    name = cookie.get("name")
    if isinstance(name, str) and name:
        where += f" ({name!r})"
    expected = {"name": str, "value": str, "domain": str, "path": str, "expires": (int, float),
                "httpOnly": bool, "secure": bool}
    for key, kind in expected.items():
        if key not in cookie:
            raise SessionError(str(path), f"{where} has no {key!r}; re-export it with Playwright's storage_state()")
        value = cookie[key]
        if not isinstance(value, kind) or (kind != bool and isinstance(value, bool)):
            want = "a number" if key == "expires" else ("true or false" if kind is bool else "a string")
            raise SessionError(str(path), f"{where} field {key!r} is {value!r}, expected {want}")
    if not cookie["name"]:
        raise SessionError(str(path), f"{where} has an empty name")
    if not cookie["domain"].strip("."):
        raise SessionError(str(path), f"{where} has an empty domain")
    if not cookie["path"].startswith("/"):
        raise SessionError(str(path), f"{where} path {cookie['path']!r} does not start with '/'")
    if not math.isfinite(cookie["expires"]):
        raise SessionError(str(path), f"{where} expires {cookie['expires']!r} is not a finite number")
    same_site = cookie.get("sameSite", "Lax")
    if same_site not in SAME_SITE:
        raise SessionError(str(path), f"{where} sameSite {same_site!r} is not one of {', '.join(SAME_SITE)}")
    return {**cookie, "domain": cookie["domain"].lower(), "sameSite": same_site}


def parse_storage_state(data: Any, path: Path, now: float | None = None) -> Session:
    """Validate a decoded storage_state; keep the cookies that have not expired.

    The format is what Playwright's `context.storage_state(path=...)` writes after a person
    logs in: `{"cookies": [{name, value, domain, path, expires, httpOnly, secure, sameSite}],
    "origins": [{origin, localStorage: [{name, value}]}]}`.
    """
    if not isinstance(data, dict):
        raise SessionError(str(path), f"top level is {type(data).__name__}, expected an object with 'cookies' and 'origins'")
    if "cookies" not in data:
        raise SessionError(str(path), "no 'cookies' list (is this a Playwright storage_state file?)")
    if not isinstance(data["cookies"], list):
        raise SessionError(str(path), f"'cookies' is {type(data['cookies']).__name__}, expected a list")
    origins = data.get("origins", [])
    if not isinstance(origins, list) or not all(isinstance(o, dict) and isinstance(o.get("origin"), str) for o in origins):
        raise SessionError(str(path), "'origins' must be a list of objects each with an 'origin' string")
    now = time.time() if now is None else now
    live, expired = [], []
    for index, raw in enumerate(data["cookies"]):
        cookie = _check_cookie(path, index, raw)
        # Playwright writes expires = -1 for a session cookie (no expiry).
        if cookie["expires"] != -1 and cookie["expires"] <= now:
            expired.append(cookie["name"])
        else:
            live.append(cookie)
    return Session(path, tuple(live), tuple(expired), len(origins))


def load_session(path: str | Path, now: float | None = None, warn: bool = True) -> Session:
    """Read and validate a session file; expired cookies are dropped (with a warning when `warn`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(str(path), "file not found (import one with `firewatch session import`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(str(path), f"cannot be read ({exc})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionError(str(path), f"not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from exc
    session = parse_storage_state(data, path, now)
    if warn and session.expired:
        log.warning("session file %s: dropped %d expired cookie(s): %s", path, len(session.expired),
                    ", ".join(session.expired))
    if warn and not session.cookies:
        log.warning("session file %s has no live cookies: log in again and re-export it", path)
    return session


def import_session(platform: str, path: str | Path, data_dir: str | Path, now: float | None = None) -> Session:
    """Validate `path` and copy it to `<data_dir>/sessions/<platform>.json`; return the validated session.

    A file whose cookies have all expired is refused: it would only get the crawler
    blocked as a logged-out visitor.
    """
    if platform not in CRAWL_PLATFORMS:
        raise UnknownPlatformError(platform, CRAWL_PLATFORMS)
    session = load_session(path, now)
    if not session.cookies:
        raise SessionError(str(path), "every cookie has expired; log in again and re-export the session")
    target_dir = Path(data_dir) / SESSIONS_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{platform}.json"
    # Mode 0600: the cookies are credentials.
    atomic_write(target, Path(path).read_bytes(), mode=0o600, suffix=".json")
    log.info("imported session for %s: %d cookies (%s) -> %s", platform, len(session.cookies),
             ", ".join(session.domains), target)
    return Session(target, session.cookies, session.expired, session.origins)


def session_paths(settings: Settings) -> dict[str, Path]:
    """Platform -> its session file, not yet validated: `[crawl.sessions]` first (relative paths are
    in the data directory), then `<data_dir>/sessions/<platform>.json` for a platform not named there."""
    configured: Mapping[str, str] = settings.crawl.sessions
    found: dict[str, Path] = {p: settings.data_path(str(f)) for p, f in configured.items() if f}
    imported = settings.data_path(SESSIONS_DIR)
    if imported.is_dir():
        for file in sorted(imported.glob("*.json")):
            found.setdefault(file.stem, file)
    return found


def session_files(settings: Settings, platforms: Any = None) -> dict[str, str]:
    """Platform -> session file for a crawl, validated now so a bad file stops the run before it starts.

    `[crawl.sessions]` maps a platform to a file (relative paths are in the data
    directory); a platform not named there uses `<data_dir>/sessions/<platform>.json`
    when that file exists.
    """
    names = set(platforms) if platforms is not None else None
    out = {}
    for platform, file in session_paths(settings).items():
        if names is not None and platform not in names:
            continue
        load_session(file, warn=False)
        out[platform] = str(file)
    return out


def session_expired(crawler, platform: str) -> None:
    """A login page or a not-logged-in answer met while crawling `platform`: the platform pauses for
    this run (its spider closes with reason "session_expired") and the run carries a 会话失效
    alert saying what to do; the login page itself is never stored."""
    if crawler.stats.get_value("firewatch/session_expired"):
        return
    crawler.stats.set_value("firewatch/session_expired", 1)
    crawler.stats.set_value("firewatch/alert", f"会话失效 session expired: 请重新登录并导入会话 "
                                               f"firewatch session import --platform {platform} FILE")
    log.error("会话失效 %s session expired or missing: the platform is paused for this run; log in again and "
              "run `firewatch session import --platform %s FILE`", platform, platform)
    crawler.engine.close_spider(crawler.spider, "session_expired")


def to_cookie(c: Mapping[str, Any]) -> Cookie:
    """A Playwright cookie dict as an `http.cookiejar.Cookie` (a leading dot means the subdomains too)."""
    domain = c["domain"]
    dotted = domain.startswith(".")
    session_cookie = c["expires"] == -1
    return Cookie(
        version=0, name=c["name"], value=c["value"], port=None, port_specified=False,
        domain=domain, domain_specified=dotted, domain_initial_dot=dotted,
        path=c["path"], path_specified=True, secure=bool(c["secure"]),
        expires=None if session_cookie else int(c["expires"]), discard=session_cookie,
        comment=None, comment_url=None, rest={"HttpOnly": ""} if c.get("httpOnly") else {},
    )


class SessionCookiesMiddleware(CookiesMiddleware):
    """Scrapy's CookiesMiddleware whose jars start with the spider's platform session.

    Settings: `FIREWATCH_SESSIONS` (platform -> session file). The platform is the
    spider's `platform` attribute (its name otherwise). Each cookie jar (the default one
    and every `meta["cookiejar"]` key) is seeded once, before its first request.
    """

    def __init__(self, debug: bool = False, sessions: Mapping[str, str] | None = None):
        super().__init__(debug)
        self.sessions = dict(sessions or {})
        self._cookies: list[dict[str, Any]] | None = None
        self._seeded: set[Any] = set()

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("COOKIES_ENABLED"):
            raise NotConfigured
        o = cls(crawler.settings.getbool("COOKIES_DEBUG"), crawler.settings.getdict("FIREWATCH_SESSIONS"))
        o.crawler = crawler
        return o

    def _platform(self) -> str:
        spider = getattr(self.crawler, "spider", None)
        return getattr(spider, "platform", "") or getattr(spider, "name", "") or ""

    def _session_cookies(self) -> list[dict[str, Any]]:
        if self._cookies is None:
            self._cookies = []
            platform = self._platform()
            path = self.sessions.get(platform)
            if path:
                session = load_session(path)
                self._cookies = list(session.cookies)
                stats = self.crawler.stats
                stats.set_value("firewatch/session/cookies", len(session.cookies))
                stats.set_value("firewatch/session/expired_dropped", len(session.expired))
                log.info("%s: using session %s (%d cookies for %s)", platform, path, len(session.cookies),
                         ", ".join(session.domains) or "no domain")
        return self._cookies

    def process_request(self, request, spider=None):
        if not request.meta.get("dont_merge_cookies", False):
            key = request.meta.get("cookiejar")
            if key not in self._seeded:
                self._seeded.add(key)
                jar = self.jars[key]
                for cookie in self._session_cookies():
                    jar.set_cookie(to_cookie(cookie))
        return super().process_request(request)
