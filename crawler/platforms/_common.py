"""Helpers shared by the platform parsers: prices, counts, URLs and inline script data.

Marketplace pages carry their data in three shapes: HTML (read with parsel), JSON
assigned to a script variable (`g_page_config = {...};`, `window.rawData = {...}`),
and JavaScript object literals that are almost JSON (bare numeric keys, single-quoted
strings). `script_object` extracts the balanced object after a marker and parses it
as JSON, repairing bare keys when needed. Money is always `Decimal` (`firewatch.core.money`).
"""

from __future__ import annotations

import json
import logging
import re
from decimal import Decimal
from typing import Any, Iterator
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from crawler.exceptions import ParseError
from firewatch.core.money import NUMBER_RE, from_fen, parse_yuan

log = logging.getLogger(__name__)

_BARE_KEY_RE = re.compile(r"([{,]\s*)([A-Za-z_$0-9][\w$]*)(\s*:)")
_JSON = json.JSONDecoder()
_IMG_SIZE_RE = re.compile(r"(\.(?:jpe?g|png|webp|gif))_[^/]*$", re.IGNORECASE)


def fen_to_yuan(value: Any) -> Decimal | None:
    """Integer fen (1990) to Decimal yuan (19.90); a string with a dot is taken as yuan."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str) and "." in value:
        return parse_yuan(value)
    try:
        return from_fen(int(str(value).strip()))
    except ValueError:
        return None


def price_fields(text: Any) -> tuple[Decimal | None, tuple[Decimal, Decimal] | None]:
    """(price, price_range) from "58.00", "149.00 - 159.00" or "5499.00-6799.00"."""
    if text is None:
        return None, None
    numbers = [Decimal(m.replace(",", "")) for m in NUMBER_RE.findall(str(text))]
    if not numbers:
        return None, None
    low, high = min(numbers), max(numbers)
    if len(numbers) >= 2 and low != high:
        return None, (low, high)
    return low, None


def parse_count(text: Any) -> int | None:
    """An integer count from "123人付款", "已拼1.2万件", "1万+", "51601"; None if absent."""
    if text is None:
        return None
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    match = re.search(r"(\d+(?:\.\d+)?)\s*([万亿wW]?)", str(text).replace(",", ""))
    if not match:
        return None
    number = Decimal(match.group(1))
    unit = match.group(2)
    if unit in ("万", "w", "W"):
        number *= 10000
    elif unit == "亿":
        number *= 100000000
    return int(number)


def absolute_url(href: Any, base: str = "") -> str:
    """An absolute URL: "//host/x" becomes https://host/x, relative paths join `base`."""
    if not href:
        return ""
    href = str(href).strip()
    if href.startswith("//"):
        return "https:" + href
    if base and not re.match(r"^[a-zA-Z][\w+.-]*:", href):
        return urljoin(base, href)
    return href


def full_image_url(src: Any, base: str = "") -> str:
    """An absolute image URL without a thumbnail suffix (x.jpg_50x50.jpg_.webp → x.jpg)."""
    return _IMG_SIZE_RE.sub(r"\1", absolute_url(src, base))


def clean_text(text: Any) -> str:
    """Whitespace (including no-break spaces) collapsed to single spaces, ends stripped."""
    return re.sub(r"\s+", " ", str(text or "").replace("\xa0", " ")).strip()


def node_text(selector: Any) -> str:
    """All text inside a parsel selector (or list), cleaned."""
    if isinstance(selector, Selector) and _is_element(selector.root):
        return clean_text("".join(selector.root.itertext()))  # what `.//text()` selects, without XPath
    if isinstance(selector, list) and all(isinstance(s, Selector) and _is_element(s.root) for s in selector):
        return clean_text("".join(t for s in selector for t in s.root.itertext()))
    return clean_text("".join(selector.xpath(".//text()").getall())) if selector else ""


def _is_element(node: Any) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)  # not text, a comment or a PI


def split_attribute(text: str) -> tuple[str, str] | None:
    """("品牌", "X") from "品牌：X" or "品牌: X"; None when there is no colon."""
    text = clean_text(text)
    match = re.match(r"^([^:：]{1,40})[:：]\s*(.*)$", text)
    if not match:
        return None
    key, value = match.group(1).strip(), match.group(2).strip()
    return (key, value) if key else None


def balanced_object(text: str, start: int) -> str:
    """The balanced `{...}` or `[...]` starting at `text[start]`, skipping quoted strings."""
    depth, quote, i, n = 0, None, start, len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    raise ValueError("unbalanced object (page truncated?)")


def _quote_bare_keys(literal: str) -> str:
    out, seg, quote, i, n = [], 0, None, 0, len(literal)
    while i < n:
        ch = literal[i]
        if quote is None and ch == '"':
            out.append(_BARE_KEY_RE.sub(r'\1"\2"\3', literal[seg:i]))
            seg, quote = i, ch
        elif quote and ch == "\\":
            i += 2
            continue
        elif quote and ch == quote:
            out.append(literal[seg : i + 1])
            seg, quote = i + 1, None
        i += 1
    out.append(_BARE_KEY_RE.sub(r'\1"\2"\3', literal[seg:]))
    return "".join(out)


def load_json(text: str, page: str) -> Any:
    """A data answer's JSON, or ParseError naming the page."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(page, f"valid JSON ({exc})") from exc


def pagination(current: Any, total: Any, **extra: Any) -> dict:
    """{"current", "total", "has_more", **extra} of a numbered search (unknown numbers: None)."""
    return {"current": current, "total": total,
            "has_more": bool(current and total and int(current) < int(total)), **extra}


def loads_js(literal: str) -> Any:
    """Parse JSON, or a JS object literal whose only deviation is unquoted keys."""
    try:
        return json.loads(literal)
    except json.JSONDecodeError:
        return json.loads(_quote_bare_keys(literal))


def script_object(html: str, marker: str | re.Pattern[str], opener: str = "{") -> Any | None:
    """The object (or array) that follows `marker` in the page, parsed; None if absent.

    `marker` is a plain string or a compiled regex; the first `opener` after it starts
    the object. Raises ValueError when the marker is there but the object is broken.
    """
    if isinstance(marker, str):
        pos = html.find(marker)
        end = pos + len(marker) if pos >= 0 else -1
    else:
        match = marker.search(html)
        end = match.end() if match else -1
    if end < 0:
        return None
    start = html.find(opener, end)
    if start < 0:
        raise ValueError(f"no {opener!r} after {marker!r}")
    try:  # JSON (most pages): parsed where it stands, without scanning for its end in Python first
        return _JSON.raw_decode(html, start)[0]
    except json.JSONDecodeError:
        return loads_js(balanced_object(html, start))


def iter_key(obj: Any, key: str) -> Iterator[Any]:
    """Every value stored under `key` anywhere in nested dicts and lists, in document order."""
    stack = [obj]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if key in node:
                yield node[key]
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def find_key(obj: Any, *keys: str, default: Any = None) -> Any:
    """The first non-empty value under any of `keys` (tried in order) in a nested structure."""
    for key in keys:
        for value in iter_key(obj, key):
            if value not in (None, "", [], {}):
                return value
    return default


def js_string(html: str, key: str) -> str | None:
    """The string value of `key: '...'` / `key: "..."` in a script, \\u escapes decoded."""
    match = re.search(
        r"""\b%s\s*:\s*(['"])((?:\\.|(?!\1).)*)\1""" % re.escape(key), html, re.DOTALL
    )
    if not match:
        return None
    raw = match.group(2)
    try:
        return json.loads('"' + raw.replace('"', '\\"').replace("\\'", "'") + '"')
    except json.JSONDecodeError:
        return raw


def js_number(html: str, key: str) -> str | None:
    """The digits of `key: 123` or `key: '123'` in a script."""
    match = re.search(r"""\b%s\s*[:=]\s*['"]?(\d+)""" % re.escape(key), html)
    return match.group(1) if match else None


def selector(html: str) -> Selector:
    """A parsel selector for the page text."""
    return Selector(text=html)


def require(value: Any, page: str, missing: str) -> Any:
    """`value`, or a ParseError naming the page and what is missing when it is empty."""
    if value in (None, "", [], {}):
        raise ParseError(page, missing)
    return value


def page_title(sel: Selector) -> str:
    """The cleaned `<title>` text."""
    return clean_text(sel.xpath("//title/text()").get())


# A listing the platform itself reports as gone: the flags the real pages carry
# (JD `warestatus: 1` when on sale, Tmall `"isOnline":true`) or the notice shown instead.
_REMOVED_FLAGS = re.compile(
    r"""warestatus\s*:\s*0\b|"isOnline"\s*:\s*false|"isOnSale"\s*:\s*false|"status"\s*:\s*"DELETED\"""")
_REMOVED_TEXT = re.compile(r"[该此]?(商品|宝贝)已(下架|下柜)")


def listing_status(html: str, sel: Selector) -> str:
    """"removed" when the page says the listing is off sale, else "active"."""
    if _REMOVED_FLAGS.search(html):
        return "removed"
    if not _REMOVED_TEXT.search(html):  # cheap: most pages never mention it
        return "active"
    visible = " ".join(sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())
    return "removed" if _REMOVED_TEXT.search(visible) else "active"


# Where a page shows the shop's business licence openly (Tmall's shop header, a Taobao 企业店's shop
# card; 1688 names the company on every offer), the parsers keep it as two attributes under these
# names; JD shows it only behind an image captcha and Pinduoduo only as an image, so nothing is read there.
LICENCE_COMPANY = "店铺经营者"
LICENCE_CODE = "店铺统一社会信用代码"


def licence_attributes(sel: Selector) -> dict[str, str]:
    """The licence block's company name and credit code ({} when the page shows none)."""
    block = sel.css("#J_ShopLicence, .tm-shop-licence, .tb-shop-licence")
    company = node_text(block.css(".licence-company")) if block else ""
    code = node_text(block.css(".licence-code")) if block else ""
    out = {}
    if company:
        out[LICENCE_COMPANY] = company
    if code:
        out[LICENCE_CODE] = code
    return out
