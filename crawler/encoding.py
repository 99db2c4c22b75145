"""Decode the bytes of a saved or fetched page into text, whatever its encoding.

Chinese marketplace pages come as UTF-8 with a byte-order mark, GBK, GB18030 declared
as "gbk", and UTF-8 declared as "gbk". `decode_page` trusts a BOM first; then strict
UTF-8 (a GBK page with Chinese text practically never validates as UTF-8, while a
mislabelled UTF-8 page is common); then the HTTP-declared charset and the `<meta>`
charset from the first few KB (deeper for browser-saved pages), with gbk/gb2312
widened to GB18030 (its superset); then charset_normalizer's guess. It never looks
at a file name. Bytes that nothing decodes raise `PageEncodingError`.
"""

from __future__ import annotations

import codecs
import logging
import re

from crawler.exceptions import PageEncodingError

log = logging.getLogger(__name__)

SNIFF_BYTES = 4096
# Browser-saved pages (like the real Tmall and Taobao item pages) have their <meta>
# pushed 150 KB down by injected scripts: look further when the first KB say nothing.
DEEP_SNIFF_BYTES = 1024 * 1024
_META_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Widened charsets: the declared one is a subset of the one actually used.
_WIDER = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "ascii": "utf-8"}


def normalize_charset(name: str | None) -> str | None:
    """The Python codec name for a declared charset, widened (gbk → gb18030); None if unknown."""
    if not name:
        return None
    name = name.strip().strip("'\"").lower()
    if name in ("x-gbk", "gb_2312", "gb_2312-80", "x-gb2312", "euc-cn"):
        name = "gbk"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        log.debug("ignoring unknown charset %r", name)
        return None
    return _WIDER.get(codec, codec)


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset named by `<meta charset>` or `http-equiv`: first few KB, then deeper."""
    match = _META_RE.search(body[:SNIFF_BYTES]) or _META_RE.search(body[:DEEP_SNIFF_BYTES])
    return match.group(1).decode("ascii", "ignore") if match else None


def charset_from_content_type(value: str | None) -> str | None:
    """The `charset=` parameter of a Content-Type header value (or the bare name given)."""
    if not value:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", value, re.IGNORECASE)
    if match:
        return match.group(1)
    return None if ("/" in value or ";" in value) else value


_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f]")  # control characters other than white space


def _looks_binary(text: str) -> bool:
    head = text[:20000]
    return len(_CONTROL_RE.findall(head)) > max(2, len(head) // 100)


def decode_page(body: bytes, declared: str | None = None, page: str = "") -> str:
    """Decode page bytes to text.

    `declared` is the HTTP charset (a bare name such as "gbk" or a whole Content-Type
    value). `page` only names the page in the error message. Raises
    `PageEncodingError` when no charset decodes the bytes into text.
    """
    if isinstance(body, str):
        return body
    body = bytes(body)
    for bom, codec in _BOMS:
        if body.startswith(bom):
            try:
                return body.decode(codec)
            except UnicodeDecodeError as exc:
                raise PageEncodingError(page, f"starts with a {codec} BOM but {exc}") from exc
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not _looks_binary(text):
            return text
    tried: list[str] = []
    for name in (charset_from_content_type(declared), sniff_meta_charset(body)):
        codec = normalize_charset(name)
        if not codec or codec in tried or codec == "utf-8":
            continue
        tried.append(codec)
        try:
            text = body.decode(codec)
        except UnicodeDecodeError as exc:
            log.debug("declared charset %s does not decode %s: %s", codec, page or "page", exc)
            continue
        if not _looks_binary(text):
            return text
    return _guess(body, page, tried)


def _guess(body: bytes, page: str, tried: list[str]) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is not None and best.encoding:
        codec = normalize_charset(best.encoding) or best.encoding
        try:
            text = body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            text = str(best)
        if not _looks_binary(text):
            log.debug("charset of %s guessed as %s", page or "page", codec)
            return text
    tried_text = ", ".join(["utf-8", *tried]) if tried else "utf-8"
    raise PageEncodingError(
        page, f"{len(body)} bytes are not text in any charset (tried {tried_text} and detection)"
    )
