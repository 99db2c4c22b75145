"""Exceptions of the crawler package, all in one documented module.

Every exception derives from `CrawlerError` (a `FirewatchError`) except `MissingCJKFontsError`,
re-exported from the core layer. A normal outcome (an explicit "no results" page, a listing without
a price) is a return value, never an exception.
"""

from __future__ import annotations

from firewatch.core.exceptions import FirewatchError
from firewatch.core.exceptions import MissingCJKFontsError  # noqa: F401  (re-exported)


class CrawlerError(FirewatchError):
    """Base class of every error raised by the crawler package."""


class ParseError(CrawlerError, ValueError):
    """A page could not be parsed: it lacks a structure the parser needs.

    `page` names the page (a URL, a file name or a description) and `missing` says
    what was not found (a selector, a script variable, a JSON key). The message names
    both, so a log line is enough to find the broken page and the broken part.
    """

    def __init__(self, page: str, missing: str) -> None:
        self.page = page or "<page>"
        self.missing = missing
        super().__init__(f"cannot parse {self.page}: missing {missing}")

    def __reduce__(self):  # keep pickling (Scrapy, multiprocessing) working
        return (type(self), (self.page, self.missing))


class CaptureError(CrawlerError):
    """A page could not be captured as evidence (navigation failed, host not allowed, no response)."""


class PageNotRenderedError(CaptureError):
    """The browser loaded the page but never showed the listing: the capture failed, nothing is kept.

    `url` is the page, `reason` what was wrong on the last attempt (the listing's title never
    appeared in the rendered text, or the screenshot was blank), `attempts` how many fresh
    browser contexts tried. The message says it in Chinese and English, with what to do.
    """

    def __init__(self, url: str, reason: str, attempts: int = 1) -> None:
        self.url, self.reason, self.attempts = url, reason, attempts
        super().__init__(
            f"页面未显示商品内容，未保存为证据 / the page did not show the listing, nothing was kept as evidence: "
            f"{reason} ({url}; {attempts} 次尝试 attempt(s)). 请在浏览器中打开该链接核对：需要登录请导入会话"
            "（firewatch session import），加载较慢请调大 [capture] timeout_ms，然后重新处理 / open the URL in a "
            "browser to check: import a session (firewatch session import) if it needs a login, raise [capture] "
            "timeout_ms if it loads slowly, then process again.")

    def __reduce__(self):
        return (type(self), (self.url, self.reason, self.attempts))


class BlockedPageError(ParseError, CaptureError):
    """The page is a captcha, verification or login wall instead of the content asked for.

    `reason` is the short code returned by `crawler.platforms.blocked.detect_block`
    ("captcha", "login" or "verification"). It is a `ParseError` so callers that only
    know about parse failures still never take a blocked page for an empty result, and
    a `CaptureError` so that a captcha page is never kept as evidence.
    """

    def __init__(self, page: str, reason: str) -> None:
        self.reason = reason
        super().__init__(page, f"content (blocked page: {reason})")

    def __reduce__(self):
        return (type(self), (self.page, self.reason))


class UnknownPlatformError(CrawlerError, KeyError):
    """A platform name (or a page kind for a platform) is not in the parser registry."""

    def __init__(self, platform: str, known: tuple[str, ...] = ()) -> None:
        self.platform = platform
        self.known = tuple(known)
        message = f"unknown platform or page kind {platform!r}"
        if self.known:
            message += f" (known: {', '.join(self.known)})"
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])

    def __reduce__(self):
        return (type(self), (self.platform, self.known))


class PageEncodingError(ParseError):
    """The bytes of a page cannot be decoded as text in any declared or detected charset.

    A `ParseError` too, so a caller that skips unparseable pages also skips this one;
    `detail` says which charsets were tried.
    """

    def __init__(self, page: str, detail: str) -> None:
        self.detail = detail
        super().__init__(page, f"decodable text ({detail})")

    def __reduce__(self):
        return (type(self), (self.page, self.detail))


class SessionError(CrawlerError):
    """A browser session file (Playwright `storage_state` JSON) is missing or invalid.

    `path` names the file and `problem` says what is wrong in it (which cookie, which
    field), so the message alone is enough to fix or re-export the file.
    """

    exit_code = 65  # EX_DATAERR

    def __init__(self, path: str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"session file {self.path}: {problem}")

    def __reduce__(self):
        return (type(self), (self.path, self.problem))


class ProxyError(CrawlerError):
    """The proxy list is invalid, or every proxy in it has been evicted for failing.

    The message says which proxy is wrong or that the list (`[crawl] proxies`) needs
    fixing; a run whose proxies are all evicted fails its requests with this message.
    """

    exit_code = 78  # EX_CONFIG


def _ignore_request() -> type[Exception]:
    # Scrapy is slow to import: only the crawl-time errors below need its base class
    from scrapy.exceptions import IgnoreRequest

    return IgnoreRequest


class ProxiesExhaustedError(ProxyError, _ignore_request()):  # type: ignore[misc]
    """Every proxy of the list is evicted: the request is dropped (Scrapy's IgnoreRequest).

    The proxy middleware logs one ALERT per episode and counts the dropped requests;
    the message tells the user to fix `[crawl] proxies`.
    """


class BlockedGiveUpError(CrawlerError, _ignore_request()):  # type: ignore[misc]
    """A platform kept answering one request with captcha/verification pages: dropped.

    Raised by `crawler.middlewares.BlockMiddleware` after `max_blocks`; the spider's
    errback stores what the search page showed with status "blocked", so a blocked
    listing is never taken for a removed one.
    """


class FrontierError(CrawlerError):
    """The shared crawl frontier (`[crawl] redis_url`, a Redis server) cannot be reached.

    Raised before a distributed crawl starts, so no run is recorded; the message names
    the URL and says to start Redis or clear `redis_url` to crawl alone.
    """

    exit_code = 69  # EX_UNAVAILABLE


class CrawlLockedError(CrawlerError):
    """Another crawl of this platform is running (it holds the platform's lock file).

    Raised by `crawler.lock.platform_lock` outside Redis mode, where two crawls of one
    platform would fetch every page twice. `platform` and the holder's `pid` (None when
    unknown) are in the message; the exit code says "try again later".
    """

    exit_code = 75  # EX_TEMPFAIL
    label = "抓取进行中 crawl running"

    def __init__(self, platform: str, pid: int | None = None) -> None:
        self.platform = platform
        self.pid = pid
        holder = f"进程 pid {pid}" if pid else "另一进程 another process"
        super().__init__(f"平台 {platform} 已有抓取在运行 ({holder})，请等它结束后再试 "
                         f"(another crawl of {platform} is running; try again when it has finished)")

    def __reduce__(self):
        return (type(self), (self.platform, self.pid))


class RobotsRefusedError(CrawlerError):
    """Every platform asked for is refused: its robots.txt disallows a flow the crawl needs and
    the settings name no legal basis for it (`[crawl] legal_basis`). The message says which."""

    exit_code = 77  # EX_NOPERM
    label = "robots.txt 拒绝 refused by robots.txt"


class ImageRefused(CrawlerError):
    """An image firewatch will not fetch or read (another host than the platforms', too large, not an
    image, unreadable), with the reason in Chinese."""

    exit_code = 65
