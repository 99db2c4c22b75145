"""Rendering helpers for the demo market: script-safe JSON, JS string literals, highlighting,
encodings and tiny deterministic PNG images (zlib + struct, no imaging library).

Seller text is hostile input: everything that lands inside a `<script>` goes through
`js_json` or `js_str`, which never emit `<`, `>`, `&` or line separators, so a title such as
`</script><script>alert(1)</script>` cannot close the script element.
"""
from __future__ import annotations

import json
import logging
import struct
import zlib
from functools import lru_cache

from markupsafe import Markup, escape

log = logging.getLogger(__name__)

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                   "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SAFE_JS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,:/")


def _json_default(obj):
    return str(obj)  # Decimal and anything else odd becomes a string


def js_json(obj, escape_eq: bool = False) -> Markup:
    """JSON for embedding in a script element; `escape_eq` also writes `=` as \\u003d (Taobao)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    for ch, rep in _SCRIPT_ESCAPES.items():
        text = text.replace(ch, rep)
    if escape_eq:
        text = text.replace("=", "\\u003d")
    return Markup(text)


def js_str(value) -> Markup:
    """A single-quoted JS string literal with every unsafe or non-ASCII character as \\uXXXX."""
    out = []
    for ch in str(value):
        if ch in _SAFE_JS:
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            code = ord(ch) - 0x10000
            out.append("\\u%04X\\u%04X" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)))
        else:
            out.append("\\u%04X" % ord(ch))
    return Markup("'" + "".join(out) + "'")


def highlight(text: str, keyword: str, open_tag: str, close_tag: str) -> Markup:
    """Escape `text` and wrap each occurrence of each keyword term in the given tags."""
    terms = sorted({t for t in (keyword or "").split() if t}, key=len, reverse=True)
    lower = text.lower()
    marks = [False] * len(text)
    for term in terms:
        start = lower.find(term.lower())
        while start >= 0:
            for i in range(start, start + len(term)):
                marks[i] = True
            start = lower.find(term.lower(), start + len(term))
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        piece = str(escape(text[i:j]))
        out.append(f"{open_tag}{piece}{close_tag}" if marks[i] else piece)
        i = j
    return Markup("".join(out))


def encode(html: str, encoding: str, bom: bool = False) -> bytes:
    """Encode a page; characters missing from GBK become numeric character references."""
    data = html.encode(encoding, errors="xmlcharrefreplace")
    return (b"\xef\xbb\xbf" + data) if bom else data


@lru_cache(maxsize=512)
def png(name: str, size: int = 48) -> bytes:
    """A small deterministic PNG whose colours depend only on `name`."""
    h = zlib.crc32(name.encode("utf-8"))
    c1 = bytes(((h >> 16) & 0xFF, (h >> 8) & 0xFF, h & 0xFF))
    c2 = bytes((255 - c1[0], 255 - c1[1], 255 - c1[2]))
    rows = b"".join(
        b"\x00" + b"".join(c1 if ((x // 8) + (y // 8)) % 2 == 0 else c2 for x in range(size))
        for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
