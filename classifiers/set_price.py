"""Set prices: a set (一套) whose listed contents cost more than its price.

Contract: `set_price_reason(listing, category, priors)` returns `[Reason('price_too_low', ...)]` or []. It reads
the priors file's `set_contents` (`data/price_priors.yaml`): for the categories named there, a listing whose
content attribute (配置, 含, 套装 ...) lists parts with a known least price (灭火器4具, 消防服2套, 上衣 裤子 ...) is
priced at no less than `ratio` x the sum of those parts (count x each part's price; a part named without a
count counts once, and parts without a price are left out: the seller's most favourable reading; what the goods
hold or fit, 可放灭火器4具, is no part). Listings
`price.not_comparable` leaves out (used goods, services, quotes) and titles naming a costume or toy
(`not_names`) are not judged. Called by `RiskRules.price_reason` when the per-unit comparison flags nothing.
"""

from __future__ import annotations

import re
from typing import Any

from firewatch.core.models import Listing, Reason
from firewatch.core.money import yuan_text

from .price import not_comparable
from .specs import attribute_key, normalized as _norm

_CN = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_COUNT = r"(\d{1,3}|[一两二三四五六七八九十])"
_UNIT = r"(?:具|个|只|套|件|瓶|台|把|双|顶|盘|条|支|组)"


def _count(text: str, start: int, end: int) -> int:
    """The count written right after a part (灭火器4具, 消防服×2, 消防服2套) or right before it (4具灭火器); 1 if none."""
    after = re.match(r"\s*[×x*]?\s*" + _COUNT + r"\s*" + _UNIT + "?", text[end:end + 8])
    if after and (after.group(0).strip()[:1] in "×x*" or re.search(_UNIT + "$", after.group(0))):
        n = after.group(1)
        return int(n) if n.isdigit() else _CN.get(n, 1)
    before = re.search(_COUNT + r"\s*" + _UNIT + r"\s*$", text[max(0, start - 6):start])
    if before:
        n = before.group(1)
        return int(n) if n.isdigit() else _CN.get(n, 1)
    return 1


# what the goods hold, carry or fit (柜体（可放置灭火器2具、防护服2套）, 可挂消防服上衣): no part of the set, up to the
# bracket or sentence that closes it
_HOLDS_RE = re.compile(r"(?:可放置?|可挂|可容纳|可收纳|收纳|可存放|存放|放置|可装|装得下|适用于|适配|用于|配套于)"
                       r"[^）)；;。]{0,40}")


def set_parts_total(contents: str, parts: list[dict[str, Any]], title: str = "") -> tuple[float, list[str]]:
    """The least cost of the parts `contents` lists (sum of count x each) and their descriptions. A part said as what
    the goods hold (可放灭火器4具) is not counted, nor a part with `title_words` when the title names none of them
    (上衣 is a firefighter's suit only in a listing of one)."""
    norm = _norm(contents)
    held = [m.span() for m in _HOLDS_RE.finditer(norm)]
    norm_title = _norm(title)
    total, named = 0.0, []
    for part in parts:
        if part.get("title_words") and not any(_norm(w) in norm_title for w in part["title_words"]):
            continue
        words = sorted((_norm(w) for w in part.get("words", [])), key=len, reverse=True)
        m = next((m for m in re.finditer("|".join(map(re.escape, words)), norm)
                  if not any(lo <= m.start() < hi for lo, hi in held)), None) if words else None
        if m is None:
            continue
        n = min(_count(norm, m.start(), m.end()), int(part.get("max_count", 20)))
        total += n * float(part["each"])
        named.append(f"{part.get('label', m.group(0))}×{n}（每件至少 {part['each']:g} 元）")
    return total, named


def set_price_reason(listing: Listing, category: str, priors: dict[str, Any]) -> list[Reason]:
    """price_too_low when a set costs less than `ratio` x the least cost of the parts it lists (module docstring)."""
    cfg = priors.get("set_contents") or {}
    if not priors.get("enabled", True) or not cfg.get("enabled", True) or category not in cfg.get("categories", []):
        return []
    price = listing.display_price
    if price is None or price <= 0 or not_comparable(listing, priors.get("not_comparable")):
        return []
    title = _norm(listing.title or "")
    if any(_norm(w) in title for w in cfg.get("not_names", [])):
        return []
    keys = {attribute_key(k) for k in cfg.get("content_keys", [])}
    contents = " ".join(str(v) for k, v in (listing.attributes or {}).items() if attribute_key(k) in keys)
    if not contents:
        return []
    total, named = set_parts_total(contents, list(cfg.get("parts", [])), listing.title or "")
    ratio = float(cfg.get("ratio", priors.get("ratio", 0.3)))
    if total <= 0 or float(price) >= ratio * total:
        return []
    return [Reason("price_too_low", f"成套商品所列部件至少值 {total:g} 元（{'，'.join(named)}）；"
                   f"本商品一套 {yuan_text(price)} 元，为其 {float(price) / total:.2f} 倍", "price")]
