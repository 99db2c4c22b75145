"""The listing images OCR read, served from the copies kept in the data folder.

`GET /listings/{platform}/{listing_id}/images/{sha256}` serves the kept copy of the listing's image
with that SHA-256 (the one its OCR record names: the picture is always the bytes its boxes were read
from, whatever the listing's images are now) only to a user who may see the listing, only when the
file lies inside the data folder and still has that SHA-256 (else 403/404), and only as the raster
type the record names (PNG, JPEG, WEBP, GIF, BMP; the global `nosniff` header stops any other reading).
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from firewatch.core.datapaths import resolve_path
from firewatch.store import Store
from firewatch.web import queries
from firewatch.web.deps import User, current_user, get_store
from firewatch.web.exceptions import Forbidden, NotFound

router = APIRouter(include_in_schema=False)
RASTER = {"image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp"}


@router.get("/listings/{platform}/{listing_id}/images/{sha256}")
def listing_image(request: Request, platform: str, listing_id: str,
                  sha256: Annotated[str, Path(pattern="^[0-9a-f]{64}$")],
                  store: Store = Depends(get_store),
                  user: User = Depends(current_user)) -> Response:
    key = (platform, listing_id)
    queries.visible_listing(user, store, key)
    record = store.ocr.listing_image(key, sha256)
    if record is None or not record.file or record.media_type not in RASTER:
        raise NotFound("此商品没有这张已识别的图片")
    root = request.app.state.config.data_root.resolve()
    path = resolve_path(record.file, root).resolve()
    if not path.is_relative_to(root):
        raise Forbidden("图片文件不在数据目录内")
    if not path.is_file():
        raise NotFound("图片文件已不在磁盘上")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != record.sha256:
        raise Forbidden("图片文件与识别记录的 SHA-256 不符，可能已被改动")
    return Response(data, media_type=record.media_type)
