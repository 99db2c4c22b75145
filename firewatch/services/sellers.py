"""Who is behind a shop (issue 16): read keys out of listings and provenance, and group shops into sellers.

`listing_keys(row, ...)` reads one listing's keys: the licence the page showed openly (company and
统一社会信用代码, attributes `店铺经营者`/`店铺统一社会信用代码` set by the platform parsers; a code
counts only with a correct check character), operator and credit code from platform reports
(`listing_sources` detail) and assistance replies, mobile phone numbers, WeChat and QQ ids in the
title and description written the way sellers hide them ("V:", "薇信", "扣扣", spaced or full-width
digits), the address after 地址, the image hashes already in `image_hashes`, and the shop name
without place names and shop-type suffixes. `resolve_pending(store, settings)` is the sellers step
of `firewatch process`: it reads the listings scored since its cursor (`queue_done`, stage 'score')
and the assistance replies imported since its other cursor, a batch at a time, and links their
shops (`store.sellers.add_keys_in`) in the transaction that moves the cursor: incremental, never a
full recompute. `rebuild(store, settings)` starts from nothing and reads every listing (keyset pages).

Which kinds link on their own and how many weak ones must coincide are `[sellers]` settings
(docs/sellers.md). `suggested_track(confirmed, codes, settings)` is the campaign's rule of thumb.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from crawler.platforms._common import LICENCE_CODE, LICENCE_COMPANY  # the attributes the parsers give a licence
from firewatch.core.creditcode import credit_code_problem, normalize_code
from firewatch.core.priority import PROVINCES
from firewatch.store.sellers import Key, LinkRule, shop_of

STRONG_DEFAULT = ("credit_code", "operator", "phone", "wechat", "qq")

_SEP = r"[\s\-－—.·]*"
_PHONE = re.compile(r"(?<![\d])1" + _SEP + r"[3-9](?:" + _SEP + r"\d){9}(?!" + _SEP + r"\d)")
_WECHAT = re.compile(r"(?:(?<![A-Za-z0-9])(?:vx|wx|v|weixin|wechat)|微信|薇信|威信|徽信|加微|v信|vx号|微信号)"
                     r"[\s:：号]*([a-z][-_a-z0-9]{5,19})(?![-_a-z0-9])", re.IGNORECASE)
_QQ = re.compile(r"(?:(?<![A-Za-z0-9])qq|扣扣|企鹅|(?<![A-Za-z0-9])q(?=[:：]))[\s:：号]*(\d(?:\s?\d){4,10})(?!\d)",
                 re.IGNORECASE)
_ADDRESS = re.compile(r"(?:地址|地點|厂址|公司地址)[\s:：]*([^，,。；;！!\s]{6,80})")
_CODE_IN_TEXT = re.compile(r"(?:统一社会信用代码|信用代码)[\s:：]*([0-9A-Za-z]{18})")
_COMPANY_PAREN = str.maketrans({"（": "(", "）": ")"})
_SHOP_SUFFIX = re.compile(r"(官方旗舰店|旗舰店|专营店|专卖店|企业店|官方店|工厂店|直营店|经营部|商行|小铺|百货|专营|"
                          r"用品店|器材店|设备店|店|馆|有限公司|公司|厂)$")
_SHOP_WORDS = re.compile(r"(消防器材|消防设备|消防用品|消防科技|安防科技|消防|安防|器材|设备|用品|五金|家居安全|安全|"
                         r"商贸|贸易|科技|实业|电子商务|电商)$")  # a company name's business words too
_CITIES = ("南京", "杭州", "宁波", "温州", "福州", "泉州", "广州", "佛山", "东莞", "深圳", "成都", "武汉", "郑州", "济南",
           "潍坊", "石家庄", "天津", "沈阳", "长沙", "合肥", "苏州", "无锡", "徐州", "义乌", "北京", "上海", "重庆",
           "西安", "青岛", "厦门", "昆明", "南昌", "大连", "哈尔滨", "长春", "太原", "贵阳", "南宁", "兰州", "台州")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def norm_operator(name: str) -> str:
    """A company name as compared: half-width, no spaces, one kind of brackets."""
    return re.sub(r"\s+", "", _nfkc(name)).translate(_COMPANY_PAREN)


def norm_address(text: str) -> str:
    out = re.sub(r"[\s,，。;；:：]+", "", _nfkc(text))
    for p in PROVINCES:
        if out.startswith(p + "省") or out.startswith(p + "市") or out.startswith(p):
            out = out[len(p):].lstrip("省市")
            break
    return out


_PLACE = re.compile("^(?:" + "|".join(sorted(PROVINCES + _CITIES, key=len, reverse=True)) + ")[省市]?")


def norm_shop_name(name: str) -> str:
    """The shop name's stem: no place name in front, no shop-type words behind ("" when too short)."""
    out = re.sub(r"[\s\-_·()（）【】\[\]]+", "", _nfkc(name))
    for _ in range(2):
        cut = _PLACE.sub("", out, count=1)
        if len(cut) < 2:
            break
        out = cut
    for _ in range(4):
        cut = _SHOP_SUFFIX.sub("", out)
        cut = _SHOP_WORDS.sub("", cut)
        if cut == out:
            break
        out = cut
    return out if len(out) >= 2 else ""


def contact_keys(text: str) -> list[tuple[str, str]]:
    """(kind, value) of the phones, WeChat and QQ ids and addresses written in a text."""
    t = _nfkc(text)
    out: list[tuple[str, str]] = []
    for m in _PHONE.finditer(t):
        out.append(("phone", re.sub(r"\D", "", m.group(0))))
    for m in _WECHAT.finditer(t):
        value = m.group(1).lower()
        if not value.isdigit():
            out.append(("wechat", value))
    for m in _QQ.finditer(t):
        out.append(("qq", re.sub(r"\D", "", m.group(1))))
    for m in _ADDRESS.finditer(t):
        addr = norm_address(m.group(1))
        if len(addr) >= 6:
            out.append(("address", addr))
    for m in _CODE_IN_TEXT.finditer(t):
        code = normalize_code(m.group(1))
        if credit_code_problem(code) is None:
            out.append(("credit_code", code))
    return out


def _json(text: Any, default: Any) -> Any:
    if isinstance(text, (dict, list)):
        return text
    try:
        return json.loads(text or "")
    except (TypeError, ValueError):
        return default


def listing_keys(row: dict[str, Any], details: list[str] = (), hashes: dict[str, str] | None = None) -> list[Key]:
    """Every key one listing gives its shop (see the module docstring)."""
    lid = row["listing_id"]
    found: dict[tuple[str, str], str] = {}

    def add(kind: str, value: str, source: str) -> None:
        if value:
            found.setdefault((kind, value), source)

    attrs = _json(row.get("attributes"), {})
    attrs = attrs if isinstance(attrs, dict) else {}
    company = norm_operator(str(attrs.get(LICENCE_COMPANY, "")))
    if len(company) >= 4:
        add("operator", company, "licence")
    code = normalize_code(str(attrs.get(LICENCE_CODE, "")))
    if code and credit_code_problem(code) is None:
        add("credit_code", code, "licence")
    for text in details:  # platform report rows and assistance replies name the operator
        detail = _json(text, {})
        if not isinstance(detail, dict):
            continue
        seller = detail.get("seller") if isinstance(detail.get("seller"), dict) else detail
        for k in ("operator", "operator_name", "经营者", "经营主体"):
            if isinstance(seller.get(k), str) and len(norm_operator(seller[k])) >= 4:
                add("operator", norm_operator(seller[k]), "source")
        for k in ("credit_code", "统一社会信用代码"):
            if isinstance(seller.get(k), str):
                c = normalize_code(seller[k])
                if credit_code_problem(c) is None:
                    add("credit_code", c, "source")
    for kind, value in contact_keys(f"{row.get('title', '')}\n{row.get('description', '')}"):
        add(kind, value, "text")
    stem = norm_shop_name(row.get("shop_name", ""))
    if stem:
        add("shop_name", stem, "shop")
    for url in _json(row.get("image_urls"), []) or []:
        if hashes and isinstance(url, str) and hashes.get(url):
            add("image", hashes[url], "image")
    return [Key(kind, value, lid, source) for (kind, value), source in found.items()]


def link_rule(settings) -> LinkRule:
    s = settings.sellers
    return LinkRule(frozenset(s.strong_keys), s.weak_keys_needed, s.key_max_shops)


def _items(store, rows: list[dict[str, Any]]) -> list[tuple[tuple[str, str], str, list[Key], str | None]]:
    keys = [(r["platform"], r["listing_id"]) for r in rows]
    details = store.sellers.source_details(keys)
    urls = [u for r in rows for u in (_json(r.get("image_urls"), []) or []) if isinstance(u, str)]
    hashes = store.sellers.image_hashes(urls) if urls else {}
    return [(shop_of(r["platform"], r["shop_id"], r["shop_name"]), r["shop_name"],
             listing_keys(r, details.get((r["platform"], r["listing_id"]), []), hashes), r.get("first_seen"))
            for r in rows if r["shop_id"] or (r["shop_name"] or "").strip()]  # a page naming no shop: no seller


@dataclass
class ResolveStats:
    listings: int = 0
    replies: int = 0
    new_keys: int = 0


def resolve_pending(store, settings, limit: int | None = None) -> ResolveStats:
    """The sellers step: the listings scored and the assistance replies imported since the last run,
    `[sellers] batch` at a time, each batch with its cursor in one transaction."""
    rule, batch = link_rule(settings), settings.sellers.batch
    stats = ResolveStats()
    while limit is None or stats.listings < limit:
        last = store.sellers.cursor("score")
        rows = store.sellers.scored_after(last, batch)
        end = store.sellers.last_scored_id(last, batch)
        if end is None:
            break
        stats.new_keys += store.sellers.save_batch(_items(store, rows), rule, ("score", end))
        stats.listings += len(rows)
    while True:
        last = store.sellers.cursor("assist")
        replies = store.sellers.replies_after(last, batch)
        if not replies:
            break
        items = []
        for r in replies:
            if not (r["shop_id"] or (r["shop_name"] or "").strip()):
                continue  # a listing whose page names no shop: no seller to add the keys to
            keys = []
            if len(norm_operator(r["operator"])) >= 4:
                keys.append(Key("operator", norm_operator(r["operator"]), r["listing_id"], "assist"))
            code = normalize_code(r["credit_code"])
            if credit_code_problem(code) is None:
                keys.append(Key("credit_code", code, r["listing_id"], "assist"))
            items.append((shop_of(r["platform"], r["shop_id"], r["shop_name"]), r["shop_name"], keys, None))
        stats.new_keys += store.sellers.save_batch(items, rule, ("assist", max(r["id"] for r in replies)))
        stats.replies += len(replies)
    return stats


def rebuild(store, settings) -> ResolveStats:
    """Forget every seller and resolve every listing again (keyset pages); the cursors end at the newest rows."""
    rule, batch = link_rule(settings), settings.sellers.batch
    store.sellers.reset()
    stats = ResolveStats()
    after = None
    top = store.sellers.last_scored_id(0, 10**12) or 0
    while True:
        rows = store.sellers.listings_after(after, batch)
        if not rows:
            break
        stats.new_keys += store.sellers.save_batch(_items(store, rows), rule, None)
        stats.listings += len(rows)
        after = (rows[-1]["platform"], rows[-1]["listing_id"])
    store.sellers.save_batch([], rule, ("score", top))
    store.sellers.save_batch([], rule, ("assist", 0))
    resolve_pending(store, settings)  # the replies
    return stats


TRACK_NONE = "无已确认违法"
TRACK_FIRST = "首次违法：教育指导 / 责令改正"
TRACK_STRICT = "多次或严重违法：从严查处"


def suggested_track(confirmed: int, codes: set[str], settings) -> str:
    """The campaign's rule of thumb: guidance for a first violation, strict penalties for repeated
    (`[sellers] repeat_confirmed` confirmed listings or more) or serious ones (`serious_reasons`)."""
    s = settings.sellers
    if confirmed <= 0:
        return TRACK_NONE
    if confirmed >= s.repeat_confirmed or codes & set(s.serious_reasons):
        return TRACK_STRICT
    return TRACK_FIRST


def pairwise_scores(predicted: dict[tuple[str, str], Any], truth: dict[tuple[str, str], Any]) -> dict[str, float]:
    """Pairwise precision and recall of a grouping of shops against the true one, over the shops both
    know (a shop missing from `predicted` is alone): pairs of shops put together vs pairs truly together."""
    shops = sorted(truth)
    pred_groups: dict[Any, list] = {}
    true_groups: dict[Any, list] = {}
    for s in shops:
        pred_groups.setdefault(predicted.get(s, ("alone", s)), []).append(s)
        true_groups.setdefault(truth[s], []).append(s)

    def pairs(groups: dict[Any, list]) -> set[tuple]:
        out = set()
        for members in groups.values():
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    out.add((a, b))
        return out

    p, t = pairs(pred_groups), pairs(true_groups)
    both = len(p & t)
    return {"precision": both / len(p) if p else 1.0, "recall": both / len(t) if t else 1.0,
            "predicted_pairs": len(p), "true_pairs": len(t), "correct_pairs": both}
