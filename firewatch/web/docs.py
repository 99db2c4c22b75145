"""The API documentation at `/docs`, served entirely from this server.

Swagger UI's files (5.x, which reads OpenAPI 3.1) come from the `swagger-ui-py` package's static
folder (mounted at `/docs-assets`; the package itself is not imported), the
page's start-up script from our own static folder, so `/docs` renders without internet access (and
where a CDN is slow or blocked). The page carries its own CSP: this origin only, no inline script.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from markupsafe import escape

ASSETS = Path(find_spec("swagger_ui").submodule_search_locations[0]) / "static"
# Swagger UI sets style attributes from its script; nothing else is relaxed.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def docs_page(title: str, openapi_url: str) -> HTMLResponse:
    html = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css">
<link rel="icon" href="/docs-assets/favicon-32x32.png">
</head>
<body data-openapi="{escape(openapi_url)}">
<div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body></html>"""
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP})


def install(app: FastAPI, path: str = "/docs") -> None:
    """Serve the Swagger UI page at `path` and its assets at /docs-assets (app made with docs_url=None)."""
    app.mount("/docs-assets", StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get(path, include_in_schema=False)
    def docs() -> HTMLResponse:
        return docs_page(f"{app.title} 文档", app.openapi_url or "/openapi.json")
