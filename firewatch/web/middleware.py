"""ASGI middleware of the web app, outside FastAPI's routing.

- `BodyLimit`: 413 for a request body beyond `limits.body_limit(path)` (declared in Content-Length, or
  counted as it streams) and 414 for a query string beyond `limits.MAX_QUERY`, before a route reads
  anything; the answer is the app's own error (Chinese page or JSON with its code).
- `HeadAsGet`: HEAD is answered wherever GET is (the GET route runs; its body is not sent), without
  side effects: export and download routes (`NO_HEAD`: they build files and audit) answer 405 with
  `Allow: GET`; pages that claim queue rows on GET skip the claim when `is_head(request)`.
- `ProxyHeadersMiddleware` (uvicorn's, re-exported): behind the reverse proxies named in `[web]
  trusted_proxies` (addresses or networks), X-Forwarded-For / X-Forwarded-Proto name the client, from
  those proxies only; `create_app` adds it when any are named, else the socket's peer is the client.
"""

from __future__ import annotations

import re
from typing import Callable

from starlette.exceptions import HTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware  # noqa: F401 (re-exported)

from firewatch.web.limits import MAX_QUERY, body_limit


class BodyLimit:
    """Refuse oversized bodies and query strings; `reject(scope, status, message)` gives the response."""

    def __init__(self, app, tips_bytes: int, reject: Callable):
        self.app, self.tips_bytes, self.reject = app, tips_bytes, reject

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if len(scope.get("query_string", b"")) > MAX_QUERY:
            return await self.reject(scope, 414, "请求地址过长：请减少筛选条件")(scope, receive, send)
        limit = body_limit(scope["path"], self.tips_bytes)
        too_large = f"请求内容过大：最多 {limit // 1024} KB"
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await self.reject(scope, 413, too_large)(scope, receive, send)
        seen = 0

        async def bounded():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # FastAPI passes an HTTPException from a body read on: answered 413
                    raise HTTPException(413, too_large)
            return message

        await self.app(scope, bounded, send)


# GET routes that build an export or hand out a file and audit it: HEAD would do the same work and
# leave an audit entry for a download that never happened, so HEAD is refused there.
NO_HEAD = re.compile(r"""^(?:
    /search\.csv | /trends\.csv | /search\.xlsx | /queue\.[^/]+ | /audit\.[^/]+
  | /api/v1/platforms/[^/]+/takedown
  | /platform/[^/]+/takedown\.[^/]+ | /platform/[^/]+/notices/[^/]+/[^/]+
  | /cases/[^/]+/packs/[^/]+ | /files/.+ | /assist/[^/]+/[^/]+ | /exports/credit\.[^/]+
)/?$""", re.VERBOSE)
HEAD_KEY = "firewatch.head"  # set in the scope of a HEAD run as GET


def is_head(request) -> bool:
    """Whether this GET is really a HEAD (a route then skips what it would change, e.g. claims)."""
    return bool(request.scope.get(HEAD_KEY))


class HeadAsGet:
    """Run HEAD requests as GET and send the headers only; 405 on export and download routes."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)
        if NO_HEAD.match(scope.get("path", "")):
            await send({"type": "http.response.start", "status": 405,
                        "headers": [(b"allow", b"GET"), (b"content-length", b"0"), (b"cache-control", b"no-store")]})
            return await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def headers_only(message):
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET", HEAD_KEY: True}, receive, headers_only)

