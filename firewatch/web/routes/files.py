"""Safe serving of captured evidence: a listing's screenshot and its other artefacts.

`GET /files/{platform}/{listing_id}/{name}` serves a file only if the user may see the listing, the
name is an artefact of its latest Evidence (a path answers 400) and the file lies in the capture and
evidence folders (else 403); a capture folder stored relative to the data folder is found in the
current one, so a moved or restored data folder keeps serving. Only images show inline; the rest downloads under a sandboxing CSP.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response

from firewatch.core.datapaths import resolve_path
from firewatch.store import Store
from firewatch.web import queries
from firewatch.web.deps import User, client_ip, current_user, get_store
from firewatch.web.exceptions import BadRequest, Forbidden, NotFound

router = APIRouter(include_in_schema=False)
INLINE = {"image/png", "image/jpeg"}


def evidence_file(store: Store, user: User, key: tuple[str, str], name: str, evidence_root: Path,
                  data_dir: Path | None = None):
    """(path, artefact) of a servable file, or the matching WebError. The capture's folder is stored
    relative to the data folder: it is resolved against the current one (`data_dir`)."""
    if not name or "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise BadRequest("无效的文件名")
    queries.visible_listing(user, store, key)
    evidence = store.evidence.latest_evidence(key)
    if evidence is None:
        raise NotFound("此商品尚无取证文件")
    artefact = next((a for a in evidence.artefacts if a.name == name), None)
    if artefact is None:
        raise NotFound("取证记录中没有此文件")
    root = Path(evidence_root).resolve()
    folder = resolve_path(evidence.directory, data_dir).resolve()
    path = (folder / artefact.name).resolve()
    if not folder.is_relative_to(root) or not path.is_relative_to(folder):
        raise Forbidden("取证文件不在取证目录内")
    if not path.is_file():
        raise NotFound("取证文件已不在磁盘上")
    return path, artefact


@router.get("/files/{platform}/{listing_id}/{name:path}")
def serve_file(request: Request, platform: str, listing_id: str, name: str, store: Store = Depends(get_store),
               user: User = Depends(current_user)) -> Response:
    config = request.app.state.config
    path, artefact = evidence_file(store, user, (platform, listing_id), name, config.evidence_dir, config.data_root)
    if artefact.media_type in INLINE:
        return FileResponse(path, media_type=artefact.media_type)  # no-store, like every authenticated answer
    store.users.audit(user.name, "download_artefact", f"{platform}:{listing_id}", {"file": artefact.name}, client_ip(request))
    return FileResponse(path, media_type="application/octet-stream", filename=f"{platform}_{listing_id}_{artefact.name}",
                        headers={"Content-Security-Policy": "sandbox; default-src 'none'"})
