"""The application factory: routers per role, static files, templates, error mapping,
the security headers every response carries, and the middleware around it all (request size
limits, HEAD as GET, client addresses from trusted proxies: `firewatch.web.middleware`).

`create_app` takes a `Settings` or a `WebConfig` (plain values), so tests build an app
on a temporary store without touching the environment.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from firewatch.web import docs, errors
from firewatch.web.middleware import BodyLimit, HeadAsGet, ProxyHeadersMiddleware
from firewatch.web.config import WebConfig
from firewatch.web.render import make_environment
from firewatch.services.tips import TipsChannel
from firewatch.web.routes import (analyst, api, assist, audit, auth, basics, campaign, cases, exports, files, images,
                                   investigator, platform, review, sellers, sharing, tips)
from firewatch.web.security import add_security_headers

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings) -> FastAPI:
    """Build the app from `Settings` or a `WebConfig`."""
    config = settings if isinstance(settings, WebConfig) else WebConfig.from_settings(settings)
    app = FastAPI(title="firewatch 审核系统 API", version="1", description=(
        "消防产品假冒伪劣线索的审核、下架清单、案件与检索接口。平台集成使用 `Authorization: Bearer <令牌>`"
        "（`firewatch token add`）；浏览器会话的写操作需带 `X-CSRF-Token` 头。"),
        openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    app.state.config = config
    app.state.templates = make_environment()
    app.state.tips = TipsChannel(config.tips_folder, config.tips)
    # innermost first: the size limits answer inside the security headers
    app.add_middleware(BodyLimit, tips_bytes=config.tips.max_request_bytes, reject=errors.reject)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        try:
            response = await call_next(request)
        except Exception:  # answered here, so the 500 page gets the headers and the connection survives
            response = errors.unexpected(request)
        return add_security_headers(request, response)

    app.add_middleware(HeadAsGet)
    if config.trusted_proxies:  # outermost: every part of the app sees the client, not the proxy
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(config.trusted_proxies))
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    docs.install(app)  # Swagger UI from this server, not a CDN
    for module in (basics, auth, audit, review, platform, cases, investigator, sharing, analyst, campaign, exports, files, images,
                   assist, sellers, api):
        app.include_router(module.router)
    app.include_router(cases.api)
    app.include_router(sharing.api)
    for router in tips.routers:
        app.include_router(router)
    return app

