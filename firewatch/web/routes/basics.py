"""What every web app answers: `/healthz` for the load balancer and monitoring, and a favicon.

`GET /healthz` (no login) answers 200 with `{"status": "ok", "store": {...}, "search": {...}}` when
the store answers a query and the search index a count, else 503 with the part that failed and
why (`"ok": false`, a Chinese `error`); it shows no data beyond the schema version and the
indexed-document count. `/favicon.ico` is the small static icon (`static/favicon.ico`).
HEAD is answered wherever GET is (`firewatch.web.middleware.HeadAsGet`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse

from firewatch.store import open_store

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
FAVICON = Path(__file__).resolve().parents[1] / "static" / "favicon.ico"


def _store_health(config) -> dict[str, Any]:
    try:
        # its own connection, not the pool's: a store that is down answers at once (the pool would
        # wait its 30 s for a connection); PostgreSQL gives up connecting after 10 s (pgdb)
        with open_store(config.store) as store:
            versions = store.schema_versions()
        return {"ok": True, "schema": max(versions) if versions else 0}
    except Exception as exc:  # any failure means unreachable: say so, never raise
        log.warning("health: store unreachable: %s", exc)
        return {"ok": False, "error": "数据库无法访问", "detail": type(exc).__name__}


def _search_health(config) -> dict[str, Any]:
    try:
        index = config.open_index()
        try:
            return {"ok": True, "documents": int(index.count())}
        finally:
            index.close()
    except Exception as exc:  # any failure means unreachable: say so, never raise
        log.warning("health: search index unreachable: %s", exc)
        return {"ok": False, "error": "检索索引无法访问", "detail": type(exc).__name__}


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    config = request.app.state.config
    store, search = _store_health(config), _search_health(config)
    ok = store["ok"] and search["ok"]
    return JSONResponse({"status": "ok" if ok else "unavailable", "store": store, "search": search},
                        status_code=200 if ok else 503)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})
