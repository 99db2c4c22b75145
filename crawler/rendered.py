"""Does a capture show the page? The checks a screenshot must pass before it is evidence.

`TEXT_PROBE` is the in-page function that says whether the listing's title is in the rendered,
visible text (`document.body.innerText`, whitespace and case ignored: `text_key` prepares the
title the same way); `blank_reason(png)` says why a screenshot shows nothing (one colour, or
almost: fewer than `MIN_INK_PIXELS` pixels differ from the background), or None.
"""

from __future__ import annotations

import io
import re

__all__ = ["MIN_INK_PIXELS", "TEXT_PROBE", "blank_reason", "text_key"]

# Fewer pixels than this differing from the background colour: the screenshot is blank. Two
# Chinese characters at 16 px ink about 220 pixels; an empty page, a small spinner or text painted
# in the background colour stay below it. (The listing's title in the text is the stronger check.)
MIN_INK_PIXELS = 150
_INK_DELTA = 24  # grey levels from the background colour that count as ink
_WHITESPACE = re.compile(r"\s+")

# (expected key) -> [found, page height, user agent]; one round trip for all three.
TEXT_PROBE = """(key) => {
  const body = document.body;
  const text = body ? (body.innerText || '') : '';
  const found = !key || text.replace(/\\s+/g, '').toLowerCase().includes(key);
  const height = Math.max(document.documentElement.scrollHeight, body ? body.scrollHeight : 0);
  return [found, height, navigator.userAgent];
}"""

# Resolves once the key is in the rendered text (for `page.wait_for_function`).
TEXT_WAIT = """(key) => !!document.body
  && (document.body.innerText || '').replace(/\\s+/g, '').toLowerCase().includes(key)"""


def text_key(text: str) -> str:
    """`text` as the probes compare it: without whitespace, lower case."""
    return _WHITESPACE.sub("", text or "").lower()


def blank_reason(png: bytes) -> str | None:
    """Why the PNG `png` shows nothing (a reason in Chinese and English), or None when it shows something."""
    from PIL import Image  # imported here: only a capture needs it

    with Image.open(io.BytesIO(png)) as image:
        grey = image.convert("L")
    histogram = grey.histogram()
    total = sum(histogram)
    if not total:
        return "截图为空（0 像素） / the screenshot has no pixels"
    background = max(range(256), key=histogram.__getitem__)
    ink = sum(count for level, count in enumerate(histogram) if abs(level - background) > _INK_DELTA)
    if ink < MIN_INK_PIXELS:
        return (f"截图几乎是一片空白（仅 {ink} 个像素不同于底色） / the screenshot is blank "
                f"(only {ink} pixels differ from the background)")
    return None
