"""Decode the bytes of a saved or fetched page into text, whatever its encoding.

`decode_page(body, declared=None)` trusts a BOM, then strict UTF-8, then w3lib's choice (HTTP
charset, `<meta>`, detection), accepting a charset only if every byte decodes under it; it never
looks at a file name and raises `PageEncodingError` when nothing decodes the bytes into text.
`response_text(response)` is the same for a Scrapy response, decoded once per response: the block
middleware and the spider callbacks share the text, and so does Scrapy's own `response.text`.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from weakref import WeakKeyDictionary

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, read_bom, resolve_encoding

from crawler.exceptions import PageEncodingError
from charset_normalizer import from_bytes

log = logging.getLogger(__name__)

# Browser-saved pages (like the real Tmall and Taobao item pages) have their <meta>
# pushed 150 KB down by injected scripts: look further when the first KB say nothing.
DEEP_SNIFF_BYTES = 1024 * 1024
_META_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f]")  # control characters other than white space


def _content_type(declared: str | None) -> str | None:
    """A Content-Type header value for w3lib from an HTTP charset given bare ("gbk") or whole."""
    if not declared:
        return None
    return declared if ("/" in declared or ";" in declared or "=" in declared) else f"text/html; charset={declared}"


def _deep_meta_charset(body: bytes) -> str | None:
    """The `<meta>` charset anywhere in the first MB (w3lib reads the first 4 KB only)."""
    match = _META_RE.search(body[:DEEP_SNIFF_BYTES])
    return resolve_encoding(match.group(1).decode("ascii", "ignore")) if match else None


def _guess(body: bytes) -> str | None:

    best = from_bytes(body).best()
    return resolve_encoding(best.encoding) if best is not None and best.encoding else None


def _detect(body: bytes) -> str | None:
    return _deep_meta_charset(body) or _guess(body)


def _looks_binary(text: str) -> bool:
    head = text[:20000]
    return len(_CONTROL_RE.findall(head)) > max(2, len(head) // 100)


def _strict(body: bytes, codec: str | None) -> str | None:
    """`body` decoded with `codec` when every byte decodes and the result looks like text."""
    if not codec:
        return None
    try:
        text = body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    return None if _looks_binary(text) else text


def decode_page(body: bytes, declared: str | None = None, page: str = "") -> str:
    """Decode page bytes to text.

    `declared` is the HTTP charset (a bare name such as "gbk" or a whole Content-Type
    value). `page` only names the page in the error message. Raises
    `PageEncodingError` when no charset decodes the bytes into text.
    """
    if isinstance(body, str):
        return body
    return _decode(bytes(body), declared, page)[1]


def _decode(body: bytes, declared: str | None, page: str) -> tuple[str, str]:
    """(codec, text) of `decode_page`."""
    bom_codec, bom = read_bom(body)
    if bom_codec is not None and bom is not None:
        try:
            return bom_codec, body[len(bom):].decode(bom_codec)
        except UnicodeDecodeError as exc:
            raise PageEncodingError(page, f"starts with a {bom_codec} BOM but {exc}") from exc
    # UTF-8 before the declared charset: pages come as GBK, GB18030 declared "gbk" and UTF-8
    # declared "gbk"; a GBK page with Chinese text practically never validates as UTF-8.
    text = _strict(body, "utf-8")
    if text is not None:
        return "utf-8", text
    # w3lib: the HTTP charset, the <meta> of the first 4 KB (gbk and gb2312 widened to GB18030,
    # their superset), then `_detect`.
    codec, text = html_to_unicode(_content_type(declared), body, auto_detect_fun=_detect)
    # w3lib decodes leniently (U+FFFD for bad bytes): accept only a clean decode. A text without
    # U+FFFD decoded cleanly; one with it is checked strictly (the page may carry a real U+FFFD).
    if "\ufffd" not in text:
        if not _looks_binary(text):
            return codec, text
    elif _strict(body, codec) is not None:
        return codec, text
    tried = ["utf-8", codec]
    log.debug("%s does not decode %s; trying the page's own declaration and detection", codec, page or "page")
    for candidate in (html_body_declared_encoding(body), _deep_meta_charset(body), _guess(body)):
        if candidate in tried:
            continue
        text = _strict(body, candidate)
        if text is not None:
            return candidate, text
        tried.append(candidate or "")
    raise PageEncodingError(
        page, f"{len(body)} bytes are not text in any charset (tried {', '.join(t for t in tried if t)} and detection)"
    )


_TEXTS: WeakKeyDictionary[Any, str] = WeakKeyDictionary()


def response_text(response: Any) -> str:
    """A Scrapy response's body decoded as `decode_page` does (HTTP charset, BOM, `<meta>`), once.

    The text is kept for the life of the response object, and handed to Scrapy's own
    `response.text` when Scrapy has not decoded the body yet (its redirect and meta-refresh
    middlewares read it), so a page is decoded once between the download and the callback.
    Raises `PageEncodingError` like `decode_page`.
    """
    text = _TEXTS.get(response)
    if text is not None:
        return text
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
    declared = ctype.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in ctype else None
    codec, text = _decode(bytes(response.body), declared, response.url)
    _TEXTS[response] = text
    if getattr(response, "_cached_ubody", "") is None:  # Scrapy's TextResponse, not decoded yet
        response._cached_ubody = text
        if getattr(response, "_cached_benc", "") is None:
            response._cached_benc = codec
    return text
