"""What every web app answers: `/healthz` for the load balancer and monitoring, and a favicon.

`GET /healthz` (no login) answers 200 with `{"status": "ok", "store": {"ok": true}, "search": {"ok": true}}`
when the store answers a query and the search index a count, else 503 with `"ok": false` for the part
that failed. Without login it says ok/down per part only; a logged-in internal user also reads the
schema version, the indexed-document count and, for a part that is down, a Chinese `error`. The
probe (its own store connection and the search index) runs at most once per `HEALTH_TTL` seconds per
app; calls in between answer from that result, so anonymous callers cannot load the store. `/favicon.ico` is the small static icon (`static/favicon.ico`).
HEAD is answered wherever GET is, except exports and downloads (405; `firewatch.web.middleware.HeadAsGet`).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse

from firewatch.store import open_store
from firewatch.web.deps import SESSION_COOKIE, optional_user

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
FAVICON = Path(__file__).resolve().parents[1] / "static" / "favicon.ico"
HEALTH_TTL = 5.0  # seconds one probe's answer is reused
_probe_lock = threading.Lock()


def _store_health(config) -> dict[str, Any]:
    try:
        # its own connection, not the pool's: a store that is down answers at once (the pool would
        # wait its 30 s for a connection); PostgreSQL gives up connecting after 10 s (pgdb)
        with open_store(config.store, data_dir=config.data_root) as store:
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


def _probe(app) -> tuple[dict[str, Any], dict[str, Any]]:
    """The last probe's (store, search) when younger than HEALTH_TTL, else a new probe (one at a time)."""
    with _probe_lock:
        cached = getattr(app.state, "health", None)
        if cached is not None and time.monotonic() - cached[0] < HEALTH_TTL:
            return cached[1], cached[2]
        config = app.state.config
        store, search = _store_health(config), _search_health(config)
        app.state.health = (time.monotonic(), store, search)
        return store, search


def _internal_caller(request: Request) -> bool:
    """Whether an internal user (session cookie) asks; anonymous calls never touch the store for it."""
    if not request.cookies.get(SESSION_COOKIE):
        return False
    config = request.app.state.config
    try:
        with open_store(config.store, pooled=True, data_dir=config.data_root) as store:
            user = optional_user(request, store)
    except Exception:  # a store that is down, or an unknown session, is no one internal
        return False
    return user is not None and user.internal


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    store, search = _probe(request.app)
    ok = store["ok"] and search["ok"]
    if not _internal_caller(request):
        store, search = {"ok": store["ok"]}, {"ok": search["ok"]}
    return JSONResponse({"status": "ok" if ok else "unavailable", "store": store, "search": search},
                        status_code=200 if ok else 503)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})
