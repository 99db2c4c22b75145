"""Price model: unit-price baselines per (category, specification) and the price_too_low check.

`PriceModel.fit(X)` learns, from `(listing, category[, specs])` items, the median and MAD of the
log unit price per group, shrunk towards `data/price_priors.yaml` where few were observed;
`explain` returns one listing's comparison (or None), `reasons` the `price_too_low` Reason (or []).
`option_specs` puts the size of the SKU option the price names (SKU价格：1kg 到手22 / 8kg 128 at 22) in place
of the title's, so the price is compared with that option's reference.
`unit_price` reads what one price buys: the unit the listing states (元/米, 按平方, 计价单位; not where the text says the page
price is a whole pack's, 整卷18元 beside 5元一米), else
the amount in its text in the category's unit (100米/盘, 20kg/桶, 1200x1500mm), a count tied to the price (5卷55元,
一箱二十只六十块) or the detectors of a set (主机+4探头), else nothing (a supplier's tier or minimum order, 10具起28元,
起批: 50只, is no count: its figure is one piece's price; nor is a pack beside a price the text names as one piece's,
单个30 三个装更划算, 1只 到手58 / 4只 到手210; a packing row, 包装数量: 100只/盒, counts only where the listing prices the
box or its title names that count with no minimum order), and
leaves out prices that are not the product's (accessories, services, rentals, used goods, quote
placeholders, deposits and postage links; an accessory among the SKU options, 颜色分类: 挂钩;4kg灭火器, whose price the
page may show; a price the text names as a part's, 4块9是挂钩的价格; not a deposit the text denies or calls the whole
price, 无需定金, 定金16元即全款; a service the text prices at the page's price, 检修每具12元). A price said to be one piece's
or one measure's (价格是一只的价格, 4.8是一米的价格) states its unit; a 单价 row (单价: 2.8元/只) says what one piece costs.
"""

from __future__ import annotations

import logging
from functools import lru_cache
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.ensemble import IsolationForest

from firewatch.core.labels import AGENT_NAMES, category_name
from firewatch.core.models import Listing, Reason
from firewatch.core.money import yuan_text

from .datafiles import load_yaml
from .numerals import arabic_before
from .specs import NOT_PER_MEASURE, attribute_key, extinguisher_size, load_facts, parse_specs, without_questions
from firewatch.core.text import normalize

from firewatch.store import Store
from .corpus import listing_text
from .exceptions import ModelNotTrainedError

logger = logging.getLogger(__name__)
# the same title, attribute and description texts are read by several checks of one listing, and
# attribute texts repeat across listings: normalised once each
_norm = lru_cache(maxsize=8192)(normalize)

PRICE_PRIORS_PATH = Path(__file__).parent / "data" / "price_priors.yaml"
MAD_SCALE = 1.4826  # MAD -> standard deviation for normal data

_CN_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUM = r"(\d{1,4}|[一两二三四五六七八九十])"
# _NUM where no digit or point comes before it; the lookbehinds follow the first character, so the engine
# can skip ahead to a digit or numeral (an expression opening with a lookbehind is tried at every position)
_NUM_AFTER_NONE = r"(\d(?<![\d.]\d)\d{0,3}|[一两二三四五六七八九十](?<![\d.][一两二三四五六七八九十]))"
# _NUM where no digit, point or dash comes before it: not the tail of a code or an edition (14907-2002), nor a
# standard's number after its letters (XF 1205 盒装: no count)
_NUM_NOT_CODE = r"(?<!xf)(?<!xf\s)(?<!gb)(?<!gb\s)(?<!ga)(?<!ga\s)(?<!/t)(?<!/t\s)(\d(?<![\d.\-]\d)\d{0,3}|[一两二三四五六七八九十](?<![\d.\-][一两二三四五六七八九十]))"
_UNIT_WORD = r"(?:只|个|瓶|具|支|条|套|件|台|卷|桶|盒|罐|盘|根|把|块|樘|副|双|顶|片)"
_BOX_RES = [
    re.compile(r"(?:一|每|1)\s*(?:箱|件|盒|包|组|份)\s*(?:装)?\s*" + _NUM + r"\s*" + _UNIT_WORD),   # 一箱12个, 一组10个
    re.compile(_NUM + r"\s*" + _UNIT_WORD + r"\s*(?:/|一|每)\s*(?:箱|件|盒|包|套|组|捆|份)"),  # 12个/箱, 十盘一套, 10只/份
    # 4只装; not the tail of a code or an edition year (GB14907-2002 桶装: no count)
    re.compile(_NUM_NOT_CODE + r"\s*" + _UNIT_WORD + r"\s*装"),
    re.compile(r"装(?<!包装)\s*" + _NUM + r"\s*" + _UNIT_WORD),                            # 装4只 (not 包装100只/箱)
    re.compile(r"[x*×](?<![a-z0-9.][x*×])\s*(\d{1,3})\s*" + _UNIT_WORD),                          # x4只
    # 2具4kg干粉, 两瓶4公斤: a count of units, then each one's size
    re.compile(_NUM_AFTER_NONE + r"\s*(?:具|瓶|只|个|台)\s*(?=\d+(?:\.\d+)?\s*(?:kg|公斤|千克|升|l)(?![a-z]))"),
]
_PACK_CUES = ("箱", "件", "盒", "包", "装", "套", "组", "捆", "份", "x", "*", "×", "具", "瓶")  # every _BOX_RES match holds one
_PACK_CUE_RE = re.compile("|".join(map(re.escape, _PACK_CUES)))  # one scan for all of them
_LENGTH_RE = re.compile(r"(\d(?<!\d\d)\d*+(?:\.\d++)?)\s*+(?:米|m)(?![m²2a-z])(?!\s*+起(?:订|批|售|购))")
_KW_RE = re.compile(r"(?<!\d)(\d++(?:\.\d++)?)\s*+kw(?![a-z])")  # never from inside a digit run (session 37)
# a hose's GB 6246 code: pressure class - diameter - length in metres (8-65-20: 20 m of DN65)
_HOSE_CODE_RE = re.compile(r"(?<![\d.])(?:8|10|13|16|20|25)\s*-\s*(?:25|40|50|65|80|100)\s*-\s*(\d{2})(?![\d.])")
_PER_METRE_RE = re.compile(r"(?:每|/|一)\s*(?:米|m)(?![m²2a-z])|按米")
# words after an amount that make it a least order (一吨起批, 1吨以上; heldout22, opened): not what the price buys
_LEAST_ORDER_AFTER = r"\s*(?:起|以上|及以上)"
_PER_KG_RE = re.compile(r"(?:每|/|一)\s*(公斤|kg|千克|斤|吨|升|l)(?![a-z])(?!" + _LEAST_ORDER_AFTER + ")")
_PER_AREA_RE = re.compile(r"(?:每|/|一)\s*(?:平方米|平米|平方|㎡|m²|m2)(?![a-z0-9])|按(?:平方|平米|面积)")
_AREA_RE = re.compile(r"(\d(?<!\d\d)\d*+(?:\.\d++)?)\s*+(?:平方米|平米|㎡|m²|m2)(?![a-z0-9])")
# width x height, the unit after the second figure or after each (1200x1500mm, 3米×3米, 3m×3m); a figure is
# never read from inside a run of digits (linear on a long run)
_DIMS_RE = re.compile(r"(\d(?<![\d.]\d)\d*+(?:\.\d++)?)\s*+(?:(mm|cm|m|米)\s*+)?[x*×]\s*(\d++(?:\.\d++)?)(?![\d.])\s*(mm|cm|m|米)?(?![a-z])")
# a density or a rate (密度1150kg/m³, 1.1kg/L) is no amount sold (specs.NOT_PER_MEASURE)
_KG_RE = re.compile(r"(\d(?<!\d\d)\d*+(?:\.\d++)?)\s*+(kg|公斤|千克|l|升|斤)(?![a-z])" + NOT_PER_MEASURE)
# tonnes only as what is sold (1吨 in a title), never a works' output or stock (日产50吨, 库存200吨)
# (the lookbehind after the first digit: the engine skips ahead to a digit; test_regex_rewrites.py)
_TONNE_RE = re.compile(r"(\d(?<![\d.]\d)\d*(?:\.\d+)?)\s*吨")
_OUTPUT_WORDS = ("日产", "月产", "年产", "产能", "产量", "库存", "现货", "存货", "销量", "已售", "供应", "供货", "储备")
# kilograms in one of a unit a price or an amount is stated in (1吨: 1000 kg, 1斤: 0.5 kg)
_KG_PER = {"斤": 0.5, "jin": 0.5, "吨": 1000.0, "t": 1000.0}
_MIN_ORDER_RE = re.compile(r"(\d{1,5})\s*" + _UNIT_WORD + r"?\s*起(?:批|订|售)|起(?:批|订)(?:量)?\s*[:：]?\s*(\d{1,5})")
MIN_ORDER_KEYS = ("起订量", "起批量", "最小起订量", "起订", "起批", "最小起批量", "min_order")

# The unit a price is stated for: 元/米, 20元一米, 每平方, 按米卖, 35一平, attribute 计价单位: 元/平方米 or
# 销售单位: 米. Longest words first; the basis is what `units` and the priors' `basis` name.
_UNIT_WORDS = {"平方米": "m2", "平米": "m2", "平方": "m2", "㎡": "m2", "m²": "m2", "m2": "m2", "平": "m2",
               "米": "m", "m": "m", "吨": "t", "公斤": "kg", "千克": "kg", "kg": "kg", "斤": "jin", "升": "kg", "l": "kg",
               "樘": "piece", "扇": "piece", "套": "piece", "个": "piece", "只": "piece", "件": "piece",
               "具": "piece", "瓶": "piece", "台": "piece", "把": "piece", "顶": "piece", "支": "piece",
               "桶": "pack", "箱": "pack", "卷": "pack", "盘": "pack", "捆": "pack", "盒": "pack", "包": "pack"}
_UNIT_ALT = "|".join(sorted(map(re.escape, _UNIT_WORDS), key=len, reverse=True))
_STATED_PARTS = [
    # 元/米, ¥/㎡, 元每米, 元一平 (a 2.5平方 cable size never follows 元)
    r"(?:元|块|¥)\s*+(?:钱\s*+)?(?:/|每|一)\s*+(" + _UNIT_ALT + r")(?![a-z0-9²])",
    # 20一米, 35一平, 每米20: a number then 一/每 and a unit; 按米卖, 按平方计价
    r"\d\s*(?:/|一|每)\s*(" + _UNIT_ALT + r")(?![a-z0-9²])(?!\s*\d)",
    # (按米卖的可以剪: "those sold by the metre", a shop's terms in a pasted answer, not this price's unit)
    r"按\s*(米|平方米|平米|平方|面积|公斤|千克|重量|斤|樘|套|个|只|件|桶|卷|盘)"
    r"(?!\s*(?:计价|计算|卖|销售|出售|算|报价|收费)?\s*的)\s*(?:计价|计算|卖|销售|出售|算|报价|收费)?",
    r"(?<![0-9.])(?:每|单价/?)\s*(米|平方米|平米|平方|㎡)(?![0-9])",
    # 每米6.4元, 每平方85元: the unit, then the price in yuan (never 每米10根)
    r"(?<![0-9.])每\s*(米|平方米|平米|平方|㎡)\s*\d+(?:\.\d+)?\s*(?:元|块)",
    # the price (or a figure) said to be one piece's or one measure's (价格是一只的价格, 价格为单个灯的价格, 4.8是一米的价格,
    # 价格是一平方的价): what the page's price buys, whatever pack or length the title names (10只装, 100米一卷); a few
    # words may name the piece (一个灯的价格)
    r"(?:价格?|价钱|标价|售价|\d\s*+(?:元|块)?)\s*+(?:是|为|指|按)\s*+(?:一|1|单|每)\s*+"
    r"(只|个|具|套|台|瓶|把|樘|顶|支|平方米|平米|平方|㎡|米|公斤|千克|斤)"
    r"[\u4e00-\u9fff]{0,4}?\s*+的?\s*+(?:价格|价钱|价|售价)",
]
# one pass per text: the first alternative that matches names the unit in its own group
_STATED_RE = re.compile("|".join(f"(?:{p})" for p in _STATED_PARTS))
_AREA_WORDS = {"面积": "m2", "重量": "kg"}
UNIT_KEYS = ("计价单位", "计价", "计价方式", "销售单位", "单位", "售卖单位", "价格单位", "报价单位", "计量单位")
# conductors that are not copper: priced at a fraction of copper's cost (the per-mm² prior is copper's)
_ALUMINIUM_RE = re.compile(r"铝芯|铝线|铝合金|铝导体|铜包铝|(?<![a-z])(?:yjlv|yjhlv|vlv|blv|blvv|jklyj|zr-?yjlv|nh-?yjlv)")


def _cn_int(text: str) -> int:
    return int(text) if text.isdigit() else _CN_NUM.get(text, 1)


def load_priors(path: str | Path = PRICE_PRIORS_PATH) -> dict[str, Any]:
    """The price priors file (a mapping with `priors`, `ratio`, `enabled`, `units`)."""
    return load_yaml(path)


def conductor_area_mm2(specs: dict[str, Any]) -> float | None:
    """Total copper cross-section of one metre of cable: 3*4+1*2.5 -> 14.5, 7*1.5 -> 10.5, 4平方 -> 4."""
    conductors = specs.get("conductors") or []
    if conductors:
        c = conductors[0]
        sizes = c.get("sections_mm2") or [c.get("section_mm2")]
        if len(sizes) == 2:  # main cores + a smaller earth/neutral: 3*4+1*2.5
            return c["cores"] * float(sizes[0]) + (c["total_cores"] - c["cores"]) * float(sizes[1])
        return c.get("total_cores", c.get("cores", 1)) * float(sizes[0])
    sections = specs.get("sections_mm2") or []
    return float(sections[0]) if sections else None


def blanket_area_m2(specs: dict[str, Any]) -> float | None:
    sizes = specs.get("blanket_sizes") or []
    if not sizes:
        return None
    return float(sizes[0]["width_m"]) * float(sizes[0]["length_m"])


def wheeled_kg(specs: dict[str, Any]) -> float | None:
    """The agent mass of a wheeled extinguisher (MFTZ/ABC35, or 20 kg and more stated)."""
    for c in specs.get("extinguisher_codes") or []:
        if c.get("wheeled") and c.get("unit") == "kg":
            return float(c["amount"])
    big = [w for w in specs.get("weights_kg") or [] if w >= 20]
    return float(big[0]) if big else None


def agent_kg(specs: dict[str, Any]) -> float | None:
    """The stated agent charge of a gaseous unit (含药40kg, XQQW 8kg): the largest mass stated."""
    weights = specs.get("weights_kg") or []
    return float(max(weights)) if weights else None


def cylinder_l(specs: dict[str, Any]) -> float | None:
    """The stated cylinder volume of a gaseous unit (100L 柜式, GQQ70/2.5): the largest volume stated,
    times the cylinders one price buys (柜式双瓶组: 2)."""
    volumes = list(specs.get("volumes_l") or []) + [c["volume_l"] for c in specs.get("gas_cylinders") or []]
    if not volumes:
        return None
    return float(max(volumes)) * max(1, int(specs.get("cylinder_count") or 1))


def rated_hours(specs: dict[str, Any]) -> float | None:
    """The least fire-resistance rating a listing states (耐火极限1.5h, Ft1.50), in hours: a coating priced per m²
    needs the film that rating takes (the least one: the seller's most favourable reading)."""
    hours = [float(h) for h in list(specs.get("coating_hours") or []) + list(specs.get("stated_hours") or []) if h]
    return min(hours) if hours else None


# prior key -> (the size it is priced per, read from the specs; that size's unit)
_SCALES = {"per_rated_hour": (rated_hours, "h 耐火极限"),
           "per_mm2": (conductor_area_mm2, "mm²"),
           "per_m2": (blanket_area_m2, "m²"),
           "per_wheeled_kg": (wheeled_kg, "kg"),
           "per_agent_kg": (agent_kg, "kg 药剂"),
           "per_cylinder_l": (cylinder_l, "L 瓶组")}


# several sizes offered on one page (1.5/2.5/4/6平方, 2.5 4 6平方): the price shown is the least one's
_OFFERED_RE = re.compile(r"(?<![\d.*×x])((?:\d+(?:\.\d+)?(?:\s*+[/、,，]|\s)\s*+)+\d+(?:\.\d+)?)\s*(?:平方|平|mm²|mm2)(?![a-z0-9])")
# a single-core wire's code carries its section: BV2.5, ZR-BVR6, NH-BV 4
_WIRE_CODE_RE = re.compile(r"(?<![a-z])(?:bv|bvr|bvv|rv|br)\s?(\d+(?:\.\d+)?)(?![\d.*×x])")


def offered_section(title: str) -> float | None:
    """The least conductor section a title (or a description's option list) offers when it lists several
    (1.5/2.5/4/6平方) or names a single-core wire by code (ZR-BV2.5); None otherwise."""
    norm = _norm(title or "")
    sizes: list[float] = []
    for m in _OFFERED_RE.finditer(norm):
        values = [float(v) for v in re.findall(r"\d+(?:\.\d+)?", m.group(1))]
        if len(values) >= 2 and all(0 < v <= 400 for v in values):
            sizes += values
    sizes += [float(v) for v in _WIRE_CODE_RE.findall(norm) if 0 < float(v) <= 400]
    return min(sizes) if sizes else None


def _scaled(prior: dict[str, Any], specs: dict[str, Any], title: str | None = None,
            description: str | None = None) -> dict[str, Any] | None:
    """A prior priced per mm² of conductor or per m² of blanket, turned into a median for
    this listing's stated size (None when the size is not stated). Per mm², a title offering several
    sections, or naming a wire's section in its code, is priced for the least (the seller's most
    favourable reading: the price shown is the smallest size's)."""
    for key, (size_of, unit) in _SCALES.items():
        if key in prior:
            size = size_of(specs)
            if key == "per_mm2":
                for text in (title, description):
                    offered = offered_section(text) if text else None
                    if offered is not None and (not size or offered < size):
                        size = offered
            if not size:
                return None
            return {**prior, "median": round(float(prior[key]) * size, 2),
                    "label": f"{prior['label']} {size:g} {unit}"}
    return prior


_BY_CATEGORY: dict[int, tuple[Any, dict[str, list[dict[str, Any]]], dict[tuple, tuple[list, bool]]]] = {}


def _priors_cache(priors: dict[str, Any]) -> tuple:
    """(entries, {category: entries}, {(category, basis): (its entries in that basis, whether one has names)}),
    built once per priors object (the last filled as asked)."""
    entries = priors.get("priors", [])
    cached = _BY_CATEGORY.get(id(priors))
    if cached is None or cached[0] is not entries:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for p in entries:
            if p.get("enabled", True) is False:
                continue  # an entry's own switch (an unverified estimate turned off)
            if p.get("names") or p.get("not_names"):  # normalised once, beside the entry
                p = {**p, "_names": tuple(_norm(w) for w in p.get("names", ())),
                     "_not_names": tuple(_norm(w) for w in p.get("not_names", ()))}
            grouped.setdefault(p.get("category"), []).append(p)
        cached = (entries, grouped, {})
        _BY_CATEGORY[id(priors)] = cached
    return cached


def _priors_by_category(priors: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The priors file's entries grouped by category, built once per priors object."""
    return _priors_cache(priors)[1]


def _priors_in_basis(priors: dict[str, Any], category: str, basis: str | None) -> tuple[list[dict[str, Any]], bool]:
    """(the category's entries whose basis is `basis` (None: the category's default), whether one has names),
    remembered per priors object."""
    _, grouped, by_basis = _priors_cache(priors)
    hit = by_basis.get((category, basis))
    if hit is None:
        default = bases(priors.get("units"), category)[0]
        wanted = basis or default
        entries = [p for p in grouped.get(category) or () if p.get("basis", default) == wanted]
        hit = by_basis[(category, basis)] = (entries, any("_names" in p for p in entries))
    return hit


def has_prior(priors: dict[str, Any], category: str) -> bool:
    """Whether the priors file prices the category at all."""
    return bool(_priors_by_category(priors).get(category))


def find_prior(priors: dict[str, Any], category: str, specs: dict[str, Any],
               basis: str | None = None, title: str | None = None,
               description: str | None = None) -> dict[str, Any] | None:
    """The price prior for this category and stated size, else the category fallback.

    Entries with `per_mm2` (cables, per metre) or `per_m2` (blankets, per piece) scale with
    the stated size and are skipped when the size is unknown. `basis`: the unit the price was
    read in (None: the category's default); an entry's `basis` (default: the category's first
    unit in `units`) must match it. `description`: sections it offers as options (规格：1.5/2.5/4/6平方) count as the
    title's do."""
    if not _priors_by_category(priors).get(category):
        return None
    entries, named = _priors_in_basis(priors, category, basis)
    if title is not None and named:
        # a prior with `names` prices only a listing whose title names its product (`not_names`: not
        # one naming another use)
        norm = _norm(title)
        entries = [p for p in entries if "_names" not in p or (
            (not p["_names"] or any(_named(norm, w) for w in p["_names"])) and not _names_other(norm, p))]
    if category == "portable_extinguisher":
        agent, amount = extinguisher_size(specs)
        weights = [float(w) for w in specs.get("weights_kg") or [] if w]
        codes = [c for c in specs.get("extinguisher_codes") or [] if not c.get("wheeled")]
        if amount is not None and codes and weights and min(weights) < amount:
            # MFZ/ABC4 in the model, 2kg in the text: priced as the smaller size the listing states (the
            # seller's most favourable reading; the contradiction itself is spec_mismatch's)
            amount = min(weights)
        if amount is not None:
            agent = agent or ("dry_powder" if specs.get("weights_kg") else None)
            sized = [float(p["amount"]) for p in entries if "amount" in p and p.get("agent") in (agent, None)]
            if sized and amount < min(sized):
                return None  # a 0.5斤 (250 g) mini unit: smaller than any size priced, not the smallest one's price
            for p in entries:
                if p.get("agent") == agent and float(p.get("amount", -1)) == amount:
                    return p
        elif weights and max(weights) < 1:
            return None  # only sub-kilogram masses stated: not priced as the smallest full-size unit
    for p in entries:
        if "per_kw" in p:  # pumps: priced by the motor power the title states (XBD … 55kW)
            m = _KW_RE.search(_norm(title or ""))
            if m and float(m.group(1)) > 0:
                kw = float(m.group(1))
                return {**p, "median": round(float(p["per_kw"]) * kw, 2), "label": f"{p['label']} {kw:g} kW"}
            continue
        if "agent" not in p and "amount" not in p and _when(p, specs):
            scaled = _scaled(p, specs, title, description)
            if scaled is not None:
                return scaled
    return None


_WITH_CUES = ("带", "含", "配", "附", "加", "送", "+", "连")
# a name the title denies (家用增压泵 … 非消防泵, 不是消防水带) does not name the product a prior prices
_DENIED_NAME_RE = re.compile(r"(?:非|不是|并非|不属于|不能作为?|不可作为?|不作为?|不可用于|不能用于)\s*$")


def _named(norm: str, word: str) -> bool:
    """Whether the title names `word` other than right after a denial (非消防泵 does not name 消防)."""
    i = norm.find(word)
    while i >= 0:
        if not _DENIED_NAME_RE.search(norm[max(0, i - 5):i]):
            return True
        i = norm.find(word, i + 1)
    return False



def _names_other(norm: str, prior: dict[str, Any]) -> bool:
    """Whether the title names another product than the prior prices (`not_names`): not a part named as
    coming with the product (双泵 带控制柜, 含互感器), nor when it also names the product itself as what is
    sold (`keep_names`: 探测器 … 互感器 全套)."""
    for w in prior.get("_not_names", ()):
        i = norm.find(w)
        while i >= 0:
            if not any(c in norm[max(0, i - 2):i] for c in _WITH_CUES):
                return not any(k in norm for k in prior.get("keep_names", ()))
            i = norm.find(w, i + 1)
    return False


def _when(prior: dict[str, Any], specs: dict[str, Any]) -> bool:
    """A prior's `when` condition ({spec key: value}): every value among the listing's parsed
    values for its key (丙级 in door_grades); a prior without one always applies."""
    for key, value in (prior.get("when") or {}).items():
        stated = specs.get(key) or []
        if value not in (stated if isinstance(stated, (list, tuple, set)) else [stated]):
            return False
    return True


def spec_key(category: str, specs: dict[str, Any]) -> str:
    """The normalised specification a price is compared within ('' = the whole category)."""
    if category == "portable_extinguisher":
        agent, amount = extinguisher_size(specs)
        if amount is not None:
            agent = agent or ("dry_powder" if specs.get("weights_kg") else "unknown")
            return f"{agent}:{amount:g}"
    if category == "escape_respirator":
        minutes = set(specs.get("tzl_minutes", []))
        if len(minutes) == 1:
            return f"tzl{minutes.pop()}"
    return ""


def _spec_label(key: str) -> str:
    """A `spec_key` as a person reads it: dry_powder:4 -> 4 kg 干粉, tzl30 -> TZL30."""
    agent, _, amount = key.partition(":")
    if amount:
        unit = "kg" if agent in ("dry_powder", "co2", "clean_agent", "unknown") else "L"
        return f"{amount} {unit} {AGENT_NAMES.get(agent, '')}".strip()
    return key.upper()


def listing_specs(listing: Listing, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """Specs from the title; attributes and description fill the gaps (as RiskRules does)."""
    facts = facts or load_facts()
    specs = parse_specs(listing.title or "", facts)
    extra = [f"{k} {v}" for k, v in (listing.attributes or {}).items()] + [listing.description or ""]
    for text in extra:
        if text:
            for key, value in parse_specs(text, facts).items():
                specs.setdefault(key, value)
    return specs


def min_order(listing: Listing) -> int | None:
    """The minimum order quantity stated in the attributes or the title, if any."""
    for key, value in (listing.attributes or {}).items():
        if attribute_key(key) in MIN_ORDER_KEYS:
            m = re.search(r"\d+", str(value))
            if m:
                return int(m.group(0))
    title = listing.title or ""
    m = _MIN_ORDER_RE.search(_norm(title)) if "起" in title else None
    if m:
        return int(m.group(1) or m.group(2))
    return None


def _moq_in_metres(listing: Listing) -> str | None:
    """The minimum-order row when it is counted in metres (起订量: 100米), else None."""
    for key, value in (listing.attributes or {}).items():
        if attribute_key(key) in MIN_ORDER_KEYS and re.search(r"\d\s*(?:米|m)(?![m²2a-z])", _norm(str(value))):
            return f"{key}：{value}"
    m = re.search(r"\d+\s*米\s*起(?:订|批|售)", _norm(listing.title or ""))
    return m.group(0) if m else None


def pack_count(text: str, specs: dict[str, Any]) -> int:
    """Pieces sold for the price: 4只装, 2个装, 一箱12个, 12个/箱, x4只; 1 when none is stated."""
    norm = _norm(text)
    if _PACK_CUE_RE.search(norm) is None:
        return int(specs.get("pack_qty", 1) or 1)  # none of the patterns can match
    for rx in _BOX_RES:
        m = rx.search(norm)
        if m:
            n = _cn_int(m.group(1))
            if n > 0:
                return n
    return int(specs.get("pack_qty", 1) or 1)


# attribute rows that say how the goods ship (包装: 100只/箱, 装箱数: 50只), not what one price buys: a 1688
# supplier quotes the piece and packs a hundred to a carton; they count only where the listing says
# the price is the carton's (价格为一箱价格, 按箱卖, 整箱出售)
PACKING_KEYS = ("包装", "包装规格", "包装方式", "包装数量", "装箱", "装箱数", "装箱数量", "装箱规格", "外箱", "外箱规格",
                "箱规", "每箱数量", "整箱数量", "箱装数量", "出货包装", "运输包装")
# a bare quantity row (数量: 3000只) is as often the lot or the stock on offer as what one price buys:
# never read as a pack (a pack it names in a form, 6卷/组, still is)
QTY_KEYS = ("数量", "件数", "库存", "库存数量", "可售数量", "供货数量", "供货总量")
_CARTON_PRICE_RE = re.compile(
    r"(?:价格|售价|单价|标价|报价)\s*(?:为|是|按)?\s*(?:一|1|整|每)\s*(?:箱|件|盒|包)\s*(?:的)?\s*(?:价|总价)"
    r"|(?:一|1|整|每)\s*(?:箱|件|盒|包)\s*(?:的)?\s*(?:价格|总价|售价)|按\s*(?:箱|件|盒|包)\s*(?:卖|销售|出售|计价|售|报价)"
    r"|整\s*(?:箱|件)\s*(?:价|出售|销售|卖|发货价)|箱价")
# a count tied to the listing's own price: 5卷55元, 整箱20条39元, 39元20条 (the price figure must be the
# price asked, so a count beside another figure says nothing)
_TIED_RES = [re.compile(_NUM + r"\s*" + _UNIT_WORD + r"(?![a-z])[^\d元块]{0,8}?(\d+(?:\.\d+)?)\s*(?:元|块)"),
             re.compile(r"(\d(?<![\d.]\d)\d*(?:\.\d+)?)\s*(?:元|块)\s*(?:/|共|一共|买|得)?\s*" + _NUM + r"\s*" + _UNIT_WORD)]


# a count or a price written in Chinese numerals (一箱二十只六十块, 十片二十五): read in digits
_COUNT_OR_PRICE_FOLLOW = re.compile(r"\s*(?:" + _UNIT_WORD[3:-1] + r"|元|块|钱|[，,。;；]|$)")
# a count, then a bare figure closing the clause (十片二十五，): the figure is a price only when it is the listing's
_BARE_TIED_RE = re.compile(_NUM + r"\s*" + _UNIT_WORD + r"\s*(\d+(?:\.\d+)?)(?=[，,。;；！!]|$)")


# a price said with its tenths after 块 (9块9, 十九块九): yuan and jiao, read as a decimal figure
_SPOKEN_PRICE_RE = re.compile(r"(?<![\d.])(\d{1,5})\s*块\s*(\d)(?![\d.]|\s*(?:元|块|毛|角|[条只个件套卷盘箱片瓶桶袋支根米]))")


# the kind of price a figure is, said before it (到手, 券后价, 秒杀, 只要); the option readers below add their own few
_PRICE_KIND = r"到手价?|券后价?|拼单价?|秒杀价?|活动价|特价|售价|价格?|只要|仅"
# after a count, that count's own price (4只 到手210, 3个装 85元): the count labels another option
_NEXT_OPTION_PRICE_RE = re.compile(r"\s*(?:装)?\s*(?:" + _PRICE_KIND + r")?"
                                   r"\s*[:：]?\s*[¥￥]?\d+(?:\.\d+)?(?![\d.])\s*(?!米|m|kg|公斤|千克|升|l(?![a-z])|只|个|具|瓶|套|件|台)")


def _tied_count(text: str, price: float) -> int | None:
    """The count of pieces a text says the listing's own price buys (5卷55元 at 55 yuan: 5; 一件一百只八十块
    at 80: 100; 十片二十五 at 25: 10), or None."""
    norm = _norm(text)
    if any(ch in norm for ch in "一二两三四五六七八九十百千"):
        norm = arabic_before(norm, _COUNT_OR_PRICE_FOLLOW)[0]
    if "块" in norm:
        norm = _SPOKEN_PRICE_RE.sub(r"\1.\2元", norm)  # 9块9: 9.9 yuan
    for m in _BARE_TIED_RE.finditer(norm):
        if abs(float(m.group(2)) - price) <= 0.005 and _cn_int(m.group(1)) > 1 \
                and not _MIN_ORDER_BEFORE_RE.search(norm[max(0, m.start() - 6):m.start()]):
            return _cn_int(m.group(1))
    if "元" not in norm and "块" not in norm:
        return None
    for i, rx in enumerate(_TIED_RES):
        for m in rx.finditer(norm):
            count, figure = (m.group(1), m.group(2)) if i == 0 else (m.group(2), m.group(1))
            if norm[m.end():m.end() + 1] == "起" or abs(float(figure) - price) > 0.005:
                continue
            if i == 0 and (norm[max(0, m.start() - 1):m.start()] in ("-", "~", "～", "—", "≥", ">", "至", "到")
                           or any(w in m.group(0) for w in ("以上", "以下", "以内", "起", "及"))
                           or _MIN_ORDER_BEFORE_RE.search(norm[max(0, m.start() - 6):m.start()])):
                continue  # a tier's range (1-99只52元, 100只以上48元) or the least order (起订100只 23.5元): one piece's price
            if i == 1 and norm[m.end():m.end() + 3].lstrip().startswith(("以上", "以下", "以内", "起", "及", "-", "~")):
                continue  # 55元 50只以上50元: the next tier's bound
            if i == 1 and _NEXT_OPTION_PRICE_RE.match(norm, m.end()):
                continue  # 58元 / 4只 到手210: the count names the next option, priced on its own
            n = _cn_int(count)
            if n > 1:
                return n
    return None


# a SKU option the page prices (规格：单只32；三只装90, 挂架/挂钩 4.9元): its label runs back from the figure to the
# previous separator; an option list names each option before its price
_OPTION_SEP = "；;，,。|\n：:【】"
# a figure standing alone, perhaps with 元/块, not followed by a unit of measure or count (32, 4.9元; not 32米, 4.9kg)
_OPTION_FIGURE_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])\s*(?:元|块)?(?!\s*(?:米|m|kg|公斤|千克|升|l|只|个|具|瓶|平|㎡|分钟|min|"
                               r"小时|h|年|℃|度|%|v|a|w|mm|cm)(?![a-z]))")
# (session 39) 一盒10只: a box holding a count is no single piece
_SINGLE_RE = re.compile(r"单(?:只|个|具|瓶|支|条|套|件|台|卷|盒|把|樘|片|拍)|(?:^|[^\d])(?:1|一)\s*(?:只|个|具|瓶|支|条|套|件|台|盒|把|樘|片)"
                        r"(?!装)(?!\s*\d+\s*(?:只|个|具|瓶|支|条|片))")
# a price tier's bound or a minimum order (10具起, 500只起批, 20台起订, 100只以上, ≥500件, 100-499件, 满100只): on a
# supplier's page the figure after it is one piece's price when buying that many, not the price of that many
_TIER_LABEL_RE = re.compile(
    r"(?:(?<!一)起(?:批|订|售|购|拍|卖|发)?(?:价|单价)?|(?:及|或)?以上|以内|以下)$"  # (session 39) 3支一起39元: together
    r"|^(?:≥|>|＞|满|大于|超过|不少于)\s*\d"
    r"|\d\s*(?:-|~|～|—|至|到)\s*\d+\s*" + _UNIT_WORD + r"?$")
# a minimum order's name just before a count (起批量：100只 23.5元, 起订 50只 13元): that count is what one must buy
_MIN_ORDER_BEFORE_RE = re.compile(r"(?:起(?:批|订|售|购|拍)(?:量|数量)?|最(?:小|低)(?:起订|起批|订购|订货|采购)(?:量|数量)?)"
                                  r"\s*[:：]?\s*$")


# the kind of price a figure is (到手, 券后, 拼单价, 秒杀): said after an option's label (1kg 到手22), not part of it
_PRICE_WORDS = ("价", "价格", "售价", "秒杀", "券后", "到手", "只要", "仅", "拼单", "拼团", "特价", "活动价", "直降")
_PRICE_WORDS_TAIL_RE = re.compile(r"(?:\s*(?:拼团价?|直降|单价|" + _PRICE_KIND + r")"
                                  r"\s*[:：]?)+$")


def _labels_for_price(text: str, price: float) -> Iterator[tuple[str, bool]]:
    """(label, whether it is a tier's bound or a least order) of each place a text prices at the listing's own
    price: the figure stands alone (not part of a code, a size or a larger number), right after a label of a few
    characters with no price of its own."""
    norm = _norm(text)
    if "块" in norm:
        norm = _SPOKEN_PRICE_RE.sub(r"\1.\2元", norm)  # 4块9: 4.9 yuan
    figure = f"{price:.2f}".rstrip("0").rstrip(".")
    if figure not in norm:
        return
    for m in _OPTION_FIGURE_RE.finditer(norm):
        if abs(float(m.group(1)) - price) > 0.005:
            continue
        start = m.start()
        i = start - 1
        while i >= 0 and norm[i] not in _OPTION_SEP:
            i -= 1
        label = norm[i + 1:start].strip(" =-—¥￥")
        if label.endswith(_PRICE_WORDS):
            # 1kg 到手22, 1只 券后58: the option's label, then the kind of price it is; 到手价32 alone: no label
            label = _PRICE_WORDS_TAIL_RE.sub("", label).strip(" =-—¥￥")
        if not label or len(label) > 24 or label.endswith(_PRICE_WORDS):
            continue  # no label, a sentence rather than an option, or the price itself (到手价32)
        if re.search(r"\d+(?:\.\d+)?\s*(?:元|块)", label):
            continue  # another price inside: not one option's label
        # 10具起28元, 100只以上26元, 起批量：100只 23.5: a tier's bound or the least order, not an option
        yield label, bool(_TIER_LABEL_RE.search(label) or _MIN_ORDER_BEFORE_RE.search(norm[max(0, i - 6):i + 1]))


# one piece named right before a figure, perhaps with the kind of price between (单个30, 1只 到手58, 单只价：32, 每只6元)
_SINGLE_TAIL_RE = re.compile(
    r"(?:(?:单|(?<![\d.十百千两二三四五六七八九])(?:1|一|每))\s*(?:只|个|具|瓶|支|条|套|件|台|盒|把|樘|片|顶|双)(?:装)?"
    r"|(?<![\u4e00-\u9fff])单价)"  # (session 34) a bare 单价 standing as a word (整箱100条 单价18): one piece's price
    r"(?:\s*(?:拼团价?|单价|仅售|" + _PRICE_KIND + r"))*\s*[:：=]?\s*[¥￥]?\s*$")


def single_for_price(text: str, price: float) -> str | None:
    """The words saying the listing's own price is one piece's (单个30 at 30; 1只 到手58元 at 58; 单只价：32), or
    None: one piece is named right before the figure, whatever packs the page also offers (3个装更便宜)."""
    norm = _norm(text)
    if "块" in norm:
        norm = _SPOKEN_PRICE_RE.sub(r"\1.\2元", norm)
    figure = f"{price:.2f}".rstrip("0").rstrip(".")
    if figure not in norm:
        return None
    for m in _OPTION_FIGURE_RE.finditer(norm):
        if abs(float(m.group(1)) - price) > 0.005:
            continue
        before = _SINGLE_TAIL_RE.search(norm[max(0, m.start() - 14):m.start()])
        if before:
            return (before.group(0) + m.group(0)).strip()
    return None


def option_for_price(text: str, price: float) -> str | None:
    """The label of the option a text prices at the listing's own price (单只 in 规格：单只32；三只装90 at 32; 挂架/挂钩
    in 挂架/挂钩 4.9元 at 4.9), or None: the figure must stand alone (not part of a code, a size or a larger number),
    right after a label of a few characters with no figure of its own but a count; a price tier's bound or a minimum
    order (10具起 28元, 100只以上, 起批量：100只) is no option."""
    return next((label for label, tier in _labels_for_price(text, price) if not tier), None)


def _priced_options(listing: Listing, price: float) -> Iterator[str]:
    """The label of each option the page prices at `price` (`option_for_price`), in the description first, then in
    each attribute (its key read with its value: 规格 单只32；三只装90)."""
    for key, value in [("", listing.description or "")] + list((listing.attributes or {}).items()):
        label = option_for_price(f"{key} {value}" if key else value, price) if value else None
        if label:
            yield label


# the size families an option's label can name (1kg, 4公斤装(ABC8), 9L, TZL20) that decide which prior prices it
_OPTION_SIZE_KEYS = ("extinguisher_codes", "weights_kg", "volumes_l", "tzl_minutes")


def option_specs(listing: Listing, specs: dict[str, Any], price: float | None = None,
                 facts: dict[str, Any] | None = None) -> tuple[dict[str, Any], str | None]:
    """(specs, the option's label): when the listing's own price is one SKU option's (SKU价格：1kg 到手22 / 4kg 券后55
    / 8kg 128 at 22) and that option's label names a size, the specs with that size in place of the title's (the price
    buys the option, so the option's size is what it is compared for); else (specs, None). An extinguisher's agent is
    kept from the listing when the label names only a mass (MT3 … 1kg: 1 kg of CO2)."""
    price = float(price if price is not None else (listing.display_price or 0))
    if price <= 0:
        return specs, None
    for label in _priced_options(listing, price):
        found = parse_specs(label, facts or load_facts())
        sized = {k: found[k] for k in _OPTION_SIZE_KEYS if found.get(k)}
        if not sized or all(specs.get(k) == v for k, v in sized.items()):
            return specs, None
        new = {k: v for k, v in specs.items() if k not in _OPTION_SIZE_KEYS}
        new.update(sized)
        codes = [c for c in specs.get("extinguisher_codes") or [] if not c.get("wheeled")]
        if "extinguisher_codes" not in sized and codes and len({c["agent"] for c in codes}) == 1:
            amount = (sized.get("weights_kg") or sized.get("volumes_l") or [None])[0]
            if amount is not None:  # the listing's agent, the option's amount
                new["extinguisher_codes"] = [{**codes[0], "code": label, "amount": float(amount)}]
        return new, label
    return specs, None


# what a tier or a minimum order counts: single pieces (只, 具, 台) or packs (箱, 件, 盒: a 件 on a supplier's page is
# as often a carton as a piece)
_PIECE_COUNT_RE = re.compile(r"\d\s*(?:只|个|具|瓶|支|条|套|台|把|樘|副|双|顶|片|根)")


def tier_for_price(text: str, price: float) -> str | None:
    """The bound of a price tier or the minimum order a text prices the listing's own price at, counted in single
    pieces (20台起批 in 20台起批45元 at 45; 100只以上 in 100只以上26元 at 26), or None: the price is then one piece's,
    whatever pack the page also names (not when it counts packs: 5件起批 150元, 10箱起)."""
    return next((label for label, tier in _labels_for_price(text, price) if tier and _PIECE_COUNT_RE.search(label)),
                None)


def option_count(label: str) -> int | None:
    """Pieces an option's label says its price buys: a pack (三只装, 10只装, 4kg×2+箱), 1 (单只, 1个), or None when the
    label counts nothing (包邮, 显示)."""
    if _SINGLE_RE.search(label):
        return 1
    n = pack_count(label, {})
    if n > 1:
        return n
    m = re.match(_NUM + r"\s*(?:只|个|具|瓶|支|条|套|件|台|盒|把|樘|片)", label) or \
        re.search(r"[x×*]\s*(\d{1,2})(?![\d.])", label)
    return _cn_int(m.group(1)) if m and _cn_int(m.group(1)) > 1 else None


@lru_cache(maxsize=4096)
def _row_pack(key: str, value: str) -> int:
    """`pack_count` of an attribute row ("K V"), remembered (rows repeat across listings)."""
    return pack_count(f"{key} {value}", {})


# an attribute row stating one piece's price (单价: 28元, 单只价格: 2.8元/只); not one per metre, m² or kg
PIECE_PRICE_KEYS = ("单价", "单只价格", "单个价格", "每只价格", "每个价格", "单价(元)", "单价（元）", "单件价格")
_PIECE_PRICE_VALUE_RE = re.compile(r"^\s*+[¥￥]?\s*+(\d+(?:\.\d+)?)\s*+(?:元|块)?\s*+(/\s*+(?:只|个|具|套|件|台|瓶|把|樘|支|顶|条))?\s*+$")


def _piece_price_row(listing: Listing, named: bool = False) -> float | None:
    """One piece's price an attribute row states (单价: 28元, 单只价格: 2.8元/只), or None; with `named`, only a
    row that names the piece (2.8元/只): a bare 单价 of a cable or a hose may be one metre's."""
    for key, value in (listing.attributes or {}).items():
        if attribute_key(key) in PIECE_PRICE_KEYS:
            m = _PIECE_PRICE_VALUE_RE.match(_norm(str(value)))
            if m and float(m.group(1)) > 0 and (m.group(2) or not named):
                return float(m.group(1))
    return None


def sold_count(listing: Listing, price: float | None = None) -> int:
    """Pieces one price buys: a pack in the title (4只装, 一箱12个), a count tied to the price (5卷55元),
    a pack in an attribute row (规格: 6卷/组; not a bare quantity row nor a minimum order) or the description (4只装);
    a packing row (包装: 100只/箱) only where the listing says the price is the carton's. 1 when none is stated, or
    when the title or description prices the listing's price as a tier counted in pieces (20台起批45元)."""
    title = listing.title or ""
    if price is not None and any(tier_for_price(t, float(price)) for t in (title, listing.description or "") if t):
        # 10具起28元 at 28: one piece's price from ten pieces up, whatever pack the page also names (5具/箱, 3只装):
        # the reading most favourable to the seller
        return 1
    if price is not None:
        each = _piece_price_row(listing)
        if each:  # 单价: 28元 at 28 (one piece), 单价: 2.8元/只 at 28 (ten): the shop's own price of one piece
            n = float(price) / each
            # several pieces only from a row naming the piece: a bare 单价 of a cable or a hose may be one metre's
            if n >= 0.98 and abs(n - round(n)) <= 0.02 * n and (round(n) <= 1 or _piece_price_row(listing, named=True)):
                return max(1, round(n))
    if price is not None and any(single_for_price(t, float(price)) for t in (title, listing.description or "") if t):
        # 单个30 三个装更划算 at 30, 1只 到手58 / 4只 到手210 at 58: the text says the price is one piece's
        return 1
    if price is not None:  # the option the page prices (规格：单只32；三只装90 at 32): what that option buys
        for label in _priced_options(listing, float(price)):
            count = option_count(label)
            if count is not None:
                return count
    n = pack_count(title, {})
    if n > 1:
        return n
    if price is not None:
        for text in (title, listing.description or ""):
            n = _tied_count(text, float(price)) if text else None
            if n:
                return n
    attrs = listing.attributes or {}
    packing = []
    for key, value in attrs.items():
        k = attribute_key(key)
        if k in PACKING_KEYS:
            packing.append(value)
            continue
        if k in QTY_KEYS or k in MIN_ORDER_KEYS:
            continue  # 起订量: 10件装 is how much one must buy, not what one price buys
        if _SINGLE_RE.search(_norm(str(value))):
            continue  # SKU options, a single one among them (颜色分类: 单只;三只装): the price shown may be the single's
        n = _row_pack(str(key), str(value))
        if n > 1:
            return n
    # the carton's words are looked for only when a packing row could be what the price buys
    texts = [title, listing.description or ""] + [f"{k} {v}" for k, v in attrs.items()] if packing else []
    if any(_CARTON_PRICE_RE.search(_norm(t)) for t in texts if t):
        for value in packing:
            carton = pack_count(str(value), {})
            if carton > 1:
                return carton
    # 包装数量: 50只/盒 and the title's own count, 喷头 … 50只: the title names the box as what is sold; not
    # where the listing states a minimum order (起订量: 1箱, 10盒起批): the box is then the least one must buy and the
    # price a piece's, as on a supplier's page
    least = any(attribute_key(k) in MIN_ORDER_KEYS for k in attrs) or any(
        _MIN_ORDER_RE.search(_norm(t)) for t in (title, listing.description or "") if t and "起" in t)
    for value in packing if not least else ():
        carton = pack_count(str(value), {})
        if carton > 1 and re.search(r"(?<![\d.\-/x*×])" + str(carton) + r"\s*" + _UNIT_WORD
                                    + r"(?![\d/]|\s*(?:起|以上))", _norm(title)):
            return carton
    if listing.description:
        # in the description only a pack sold as one (4只装, 装4只): 50只/箱 there is the carton again
        # (session 37) not a pack a buyer asks about (问：是6瓶装的价格吗？答：不是，单瓶价格)
        norm = _norm(without_questions(listing.description, keep_affirmed=True))
        for rx in (_BOX_RES[2], _BOX_RES[3]):
            m = rx.search(norm)
            if m and _cn_int(m.group(1)) > 1:
                return _cn_int(m.group(1))
    return 1


# the listing's price said as a whole pack's (整卷18元, 一卷25米只要18, 18元一卷): a per-measure figure beside it
# (5元一米) is not what the page price buys. A figure followed by a per-measure word (一卷25米 5元一米) is that
# measure's price, not the pack's.
_PACKS = r"(?:卷|盘|捆|桶|箱|袋)"
_FIGURE = (r"(\d+(?:\.\d+)?)(?![\d.])(?!\s*(?:元|块)?\s*(?:/|一|每)\s*(?:米|m(?!m)|平|㎡|公斤|kg|千克|斤|升|l(?![a-z])))"
           r"(?!\s*(?:只|个|条|根|卷|盘|件|套|支|瓶|桶|袋|米|m|kg|公斤|千克|升|l(?![a-z])))")  # 每箱12只, 一卷25米: a count
_WHOLE_PACK_RES = [
    re.compile(r"(?:整|一|每|1)\s*" + _PACKS + r"\s*(?:\d+(?:\.\d+)?\s*(?:米|m|kg|公斤|千克|升|l)(?![a-z0-9²])\s*)?"
               r"(?:只要|只需|仅需|仅要|仅售|仅|才|共|价|售价|卖)?\s*" + _FIGURE + r"\s*(?:元|块)?"),
    re.compile(_FIGURE + r"\s*(?:元|块)\s*(?:/|一|每|1)\s*" + _PACKS + r"(?![\u4e00-\u9fff]?\s*(?:起|以上))"),
]


def whole_pack_price(listing: Listing, price: float) -> str | None:
    """The words saying the listing's own price buys a whole pack (整卷18元, 整卷25米只要18, 18元一卷) in its title,
    attributes or description, or None."""
    texts = [listing.title or "", listing.description or ""] + [f"{k} {v}" for k, v in (listing.attributes or {}).items()]
    for text in texts:
        norm = _norm(text)
        if not re.search(_PACKS, norm):
            continue
        for rx in _WHOLE_PACK_RES:
            for m in rx.finditer(norm):
                if abs(float(m.group(1)) - price) <= 0.005:
                    return m.group(0).strip()
    return None


def _unit_of(word: str) -> str | None:
    return _AREA_WORDS.get(word) or _UNIT_WORDS.get(word)


# a shop's answer in pasted Q&A (答：, a：, 【客服回复】): what follows answers the buyer's question
_ANSWER_RE = re.compile(r"(?:答|回复|回答|(?<![a-z])a)\s*[】\]]?\s*[:：]?\s*(?:[^，,。；;！!？?\d]{0,6})$")


def _unit_in(text: str, answers: bool = False) -> tuple[str, str] | None:
    """(basis, the words read) of the first price unit a normalised text states, or None. `answers`: a unit said
    with no figure in a shop's answer (问：能单独买药剂吗 答：可以 按公斤算) is the terms for what the buyer asked
    about, not the unit of the page's price: skipped."""
    if text:
        for m in _STATED_RE.finditer(text):
            if answers and not re.search(r"\d", text[m.start():m.end() + 4]) \
                    and _ANSWER_RE.search(text[max(0, m.start() - 12):m.start()]):
                continue
            word = next(g for g in m.groups() if g is not None)
            if _unit_of(word):
                return _unit_of(word), m.group(0).strip()
    return None


@lru_cache(maxsize=4096)
def _attribute_unit(key: str, value: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """(the unit a unit row names (计价单位: 元/平方米), the unit the row's text states) of one attribute,
    remembered (attribute rows repeat across listings)."""
    value = _norm(value).strip()
    named = None
    if attribute_key(key) in UNIT_KEYS and _unit_of(value.removeprefix("元/").removeprefix("/")):
        named = _unit_of(value.removeprefix("元/").removeprefix("/")), f"{key}：{value}"
    return named, _unit_in(f"{_norm(key)} {value}")


def stated_unit(listing: Listing) -> tuple[str, str] | None:
    """(basis, the words read) of the unit the listing says its price is for, or None: 元/米 -> m,
    35一平 -> m2, 按公斤 -> kg, 元/樘 -> piece, 元/桶 -> pack (the pack's content decides): a unit row
    (计价单位: 元/平方米; 销售单位: 米) first, then the title, the attributes, the description."""
    rows = []
    for key, value in (listing.attributes or {}).items():
        named, said = _attribute_unit(str(key), str(value))
        if named:
            return named
        rows.append(said)
    for said in [_unit_in(_norm(listing.title or ""))] + rows:
        if said:
            return said
    return _unit_in(_norm(listing.description or ""), answers=True)


def aluminium(listing: Listing) -> str | None:
    """The words saying a cable's conductors are aluminium (铝芯, YJLV), or None."""
    for text in [listing.title or ""] + [f"{k}{v}" for k, v in (listing.attributes or {}).items()]:
        m = _ALUMINIUM_RE.search(_norm(text))
        if m:
            return m.group(0)
    return None


def _amount(text: str, basis: str) -> float | None:
    norm = _norm(text)
    if basis == "m":
        values = [float(v) for v in _LENGTH_RE.findall(norm)] or [float(v) for v in _HOSE_CODE_RE.findall(norm)]
        if values:
            return values[0]
        return 1.0 if _PER_METRE_RE.search(norm) else None
    if basis == "kg":
        values = [float(v) * _KG_PER.get(u, 1.0) for v, u in _KG_RE.findall(norm)]
        if values:
            return values[0]
        # (heldout22, opened) not a least order (一吨起批: the price is a drum's or a kg's, not the tonne's)
        tonnes = [m for m in _TONNE_RE.finditer(norm)
                  if not any(w in norm[max(0, m.start() - 6):m.start()] for w in _OUTPUT_WORDS)
                  and not re.match(_LEAST_ORDER_AFTER, norm[m.end():])]
        if tonnes:
            return float(tonnes[0].group(1)) * _KG_PER["吨"]
        m = _PER_KG_RE.search(norm)  # 3元一公斤, 元/kg: the price is for one kg (half per 斤, 1000 per 吨)
        return _KG_PER.get(m.group(1), 1.0) if m else None
    if basis == "m2":
        if _PER_AREA_RE.search(norm):  # 元/平方米, 按平方计价: the price is for one m²
            return 1.0
        m = _AREA_RE.search(norm)
        if m:
            return float(m.group(1))
        m = _DIMS_RE.search(norm)
        if m:
            unit = m.group(4) or m.group(2)
            scale = {"mm": 0.001, "cm": 0.01}.get(unit or "m", 1.0)
            w, h = float(m.group(1)) * scale, float(m.group(3)) * scale
            if unit is None and (w > 10 or h > 10):  # bare 1200x1500: millimetres
                w, h = w / 1000, h / 1000
            return w * h if w * h > 0 else None
    return None


_NOT_COMPARABLE: dict[int, tuple[Any, tuple]] = {}
_KIND_WORDS = ("款", "式", "型", "版", "供电", "一体")
_PRESENT_WORDS = ("齐全", "完整", "清晰", "参数", "照做", "标注")


def _not_comparable_tables(rules: dict[str, Any]) -> tuple:
    """(accessory regex, included cues, quote regex, service regex, title-only quote regex, used-goods
    regex, bulk-order cue regex) of the priors file's `not_comparable` words, normalised and compiled once per rules object."""
    cached = _NOT_COMPARABLE.get(id(rules))
    if cached is None or cached[0] is not rules:
        def rx(key: str) -> re.Pattern | None:
            words = sorted({_norm(w) for w in rules.get(key, ())}, key=len, reverse=True)
            return re.compile("|".join(map(re.escape, words))) if words else None
        cues = tuple(_norm(c) for c in rules.get("included_cues", ()))
        cached = _NOT_COMPARABLE[id(rules)] = (rules, (rx("accessory_words"), cues, rx("quote_words"),
                                                        rx("service_words"), rx("quote_title_words"),
                                                        rx("used_words"), rx("quote_bulk_cues")))
    return cached[1]


_PRICE_NAMING: dict[int, tuple[Any, tuple]] = {}


def _price_naming_tables(rules: dict[str, Any]) -> tuple:
    """(quote-denial regex, whole-price regex, SKU option keys, price-named-as-part regex, accessory-option regex, the
    regex of any part or service word) of the priors file's `not_comparable`, compiled once per rules object."""
    cached = _PRICE_NAMING.get(id(rules))
    if cached is None or cached[0] is not rules:
        def alt(key: str) -> str:
            return "|".join(map(re.escape, sorted({_norm(w) for w in rules.get(key, ())}, key=len, reverse=True)))
        denial = alt("quote_denials")
        whole = alt("quote_whole")
        parts = "|".join(x for x in (alt("accessory_words"), alt("priced_part_words")) if x)
        options = "|".join(x for x in (alt("accessory_words"), alt("option_part_words")) if x)
        named = None
        service = alt("service_price_words")
        words = "|".join(x for x in (parts, service) if x)
        if service:
            # a service priced in the text at the page's price (检修每具12元, 年检每具8元, 充装费10元/具): the price is the
            # service's; words may not stand between the service and its price (年检专用 每具12元 is the goods')
            service = r"|(?:" + service + r")(?:服务费|费用|费|服务|价格|价)?\s*+(?:每|一|/)?\s*+(?:具|瓶|个|只|台|次)?\s*+" \
                      r"(?:是|为|收)?\s*+(?<![\d.])(\d+(?:\.\d+)?)\s*+(?:元|块)"
        if parts:
            # the price (价格, 最低价, the page's figure: 6.5, 4.9元) said to be (是/为, not 不是) a part's: 6.5是支架的价格,
            # 页面最低价为灭火器箱价格, 此价格为电池价格, 价格为单个滤罐的价格, 最便宜的那个是挂钩; a few words may stand between,
            # never a clause's end nor a figure (最便宜的是这款4kg，挂钩另拍)
            named = re.compile(r"(?:价(?:格|钱)?|最便宜的?(?:那个|那款|款|规格|选项)?|(?<![\d.])(\d+(?:\.\d+)?)\s*+(?:元|块)?钱?\s*+的?)\s*+(?:(?<![不非])是|(?<![不非])为|仅为|只是|指的?是)"
                               r"\s*+([^，,。；;！!？?\s\d]{0,8}?)(" + parts + r")" + (service or ""))
        cached = _PRICE_NAMING[id(rules)] = (rules, (
            re.compile(r"(?:" + denial + r")\s*(?:付|交|缴|支付|收取?)?\s*$") if denial else None,
            re.compile(r"^[^。；;！!？?]{0,12}?(?:" + whole + r")") if whole else None,
            tuple(_norm(k) for k in rules.get("option_keys", ())),
            named, re.compile(options) if options else None, re.compile(words) if words else None))
    return cached[1]


_OPTION_SPLIT_RE = re.compile(r"[;；、|/，,\n]")
_LIST_SPLIT_RE = re.compile(r"[;；、|/]")


@lru_cache(maxsize=8)
def _option_list_re(keys: tuple[str, ...]) -> re.Pattern:
    """An option key, a colon and its list up to the sentence's end (可选规格：挂钩、4kg灭火器。), compiled once per key list."""
    alt = "|".join(map(re.escape, sorted(keys, key=len, reverse=True)))
    return re.compile(r"(" + alt + r")\s*+[:：]\s*+([^。！!？?\n]{1,80})")


def accessory_option(listing: Listing, rules: dict[str, Any]) -> str | None:
    """The SKU option (颜色分类: 挂钩;4kg灭火器;8kg灭火器) that is an accessory sold alone, among two or more options a
    row of the priors' `option_keys` lists (an `accessory_words` or `option_part_words` one: 阀芯, 手轮), or None: the
    marketplace shows the least option's price, so the page's price may be the accessory's. Not an option with the
    product (4kg+支架, 1kg带支架: an included cue before it)."""
    cues = _not_comparable_tables(rules)[1]
    tables = _price_naming_tables(rules)
    keys, accessory = tables[2], tables[4]
    if accessory is None or not keys:
        return None
    rows = [(k, v, _OPTION_SPLIT_RE) for k, v in (listing.attributes or {}).items() if attribute_key(k) in keys]
    description = _norm(listing.description or "")
    if description and any(k in description for k in keys):
        # an option list in the description (可选规格：挂钩、4kg灭火器、8kg灭火器。): up to the sentence's end, split at list
        # marks only (规格：4kg，支架另购，包邮 is prose)
        rows += [(m.group(1), m.group(2), _LIST_SPLIT_RE) for m in _option_list_re(keys).finditer(description)]
    for key, value, split in rows:
        options = [o.strip() for o in split.split(_norm(str(value))) if o.strip()]
        if len(options) < 2:
            continue
        for option in options:
            if len(option) > 16:
                continue  # a sentence, not an option's name
            m = accessory.search(option)
            if m and not any(c in option[:m.start()] for c in cues) \
                    and not option[m.end():m.end() + 2].startswith(_KIND_WORDS):
                return f"{key}：{option}"
    return None


def price_named_as_part(listing: Listing, price: float | None, rules: dict[str, Any]) -> str | None:
    """The words saying the page's price is an accessory's or a part's (4块9是挂钩的价格, 问：6.5元是一个吗 答：6.5是支架的价格,
    此价格为电池价格, 页面最低价为灭火器箱价格) in the description or an attribute, or None. A figure must be the page's
    price; a part named with the product (价格为4kg灭火器+支架, 含支架) is not."""
    tables = _price_naming_tables(rules)
    named, present = tables[3], tables[5]
    if named is None:
        return None
    cues = _not_comparable_tables(rules)[1]
    texts = [listing.description or ""] + [f"{k} {v}" for k, v in (listing.attributes or {}).items()]
    for text in texts:
        norm = _norm(text)
        if present is None or not present.search(norm):
            continue  # no part nor service named: one pass, before the slower reading below
        if "块" in norm and any(ch in norm for ch in "一二两三四五六七八九十"):
            norm = arabic_before(norm, _COUNT_OR_PRICE_FOLLOW)[0]  # a spoken price, 五块钱的是收纳盒: 5
        if "块" in norm:
            norm = _SPOKEN_PRICE_RE.sub(r"\1.\2元", norm)  # 4块9: 4.9 yuan
        for m in named.finditer(norm):
            if m.group(4) is not None:  # a service's price: only the page's own
                if price is not None and abs(float(m.group(4)) - price) <= 0.005:
                    return m.group(0).strip()
                continue
            if m.group(1) is not None and (price is None or abs(float(m.group(1)) - price) > 0.005):
                continue  # another figure (58是灭火器的): not the page's price
            if any(c in m.group(2) for c in cues):
                continue  # 价格为4kg灭火器+支架: the part comes with the product
            return m.group(0).strip()
    return None


def _quote_undone(text: str, m: re.Match, rules: dict[str, Any]) -> bool:
    """Whether a quote word found in `text` is denied right before it (无需定金, 拍下不改价) or said to be the whole price
    right after it (定金16元即全款, 订金…无需补款): the page's price then is the goods'."""
    denial, whole = _price_naming_tables(rules)[:2]
    return bool(denial is not None and denial.search(text[max(0, m.start() - 4):m.start()])
                or whole is not None and whole.search(text[m.end():m.end() + 24]))


# an extinguishing agent (not an extinguisher) sold by its weight in the title: 七氟丙烷灭火剂 100公斤
_AGENT_BY_WEIGHT_RE = re.compile(r"^(?!.*灭火器)(?=.*(?:灭火剂|药剂)).*\d+(?:\.\d+)?\s*(?:kg|公斤|千克|吨)(?![a-z])")


# the quote words an attribute row ("K V") holds (None: none), per quote expression (kept, so its id stays its
# own): rows repeat across listings, each is searched once
_QUOTE_ROWS: dict[int, tuple[re.Pattern, dict[str, str | None]]] = {}
_UNSEEN = object()


def _quote_rows(quote: re.Pattern) -> dict[str, str | None]:
    hit = _QUOTE_ROWS.get(id(quote))
    if hit is None or hit[0] is not quote:
        if len(_QUOTE_ROWS) > 16:
            _QUOTE_ROWS.clear()
        hit = _QUOTE_ROWS[id(quote)] = (quote, {})
    return hit[1]


_CLAUSE_SEPS = "，,。；;！!？?\n【】"


def _clause_before(text: str, end: int) -> str:
    """The text of `text`'s clause before position `end` (back to the previous comma, full stop or bracket)."""
    i = end - 1
    while i >= 0 and text[i] not in _CLAUSE_SEPS:
        i -= 1
    return text[i + 1:end]


def _lit_sign(listing: Listing, word: str, rules: dict[str, Any]) -> bool:
    """Whether an accessory word naming a sign (指示牌, 标志牌) names the lamp itself: the priors' `lit_signs` lists the
    sign words, the lamp words the title must also hold (灯) and the words of a lamp's own power (电池, 应急时间) the
    listing must state. A lamp's title is stuffed with its sign's names (安全出口指示灯 消防应急标志灯 疏散指示牌); a
    sign sold alone has no battery."""
    cfg = rules.get("lit_signs") or {}
    if not cfg or _norm(word) not in {_norm(w) for w in cfg.get("words", ())}:
        return False
    title = _norm(listing.title or "")
    if not any(_norm(w) in title for w in cfg.get("title_words", ())):
        return False
    text = _norm(" ".join([listing.title or "", listing.description or ""]
                          + [f"{k} {v}" for k, v in (listing.attributes or {}).items()]))
    return any(_norm(w) in text for w in cfg.get("power_words", ()))


def not_comparable(listing: Listing, rules: dict[str, Any] | None, by_weight: bool = False) -> str | None:
    """Why the listing's price says nothing about the product's cost, or None: an accessory of
    the product (a bracket, a box, a base: 灭火器支架) rather than one that comes with it
    (送支架, 含箱), a price that is a placeholder for a quote (价格面议, 拍前咨询), or a service
    named in the title (充装服务, 上门回收, 出租) priced against the product it serves, or used goods
    (二手, 九成新) whose price is not a new unit's. A quote word in the description after a larger order's words
    in its clause (批量采购请联系客服报价, 大批量以客服报价为准: the priors' `quote_bulk_cues`) quotes those orders only. `by_weight`: the listing prices its goods by the kg
    (七氟丙烷灭火剂 按公斤卖 机房充装): an agent sold by weight is the goods, whatever filling it is for,
    so service words do not apply."""
    if not rules:
        return None
    accessory, cues, quote, service, quote_title, used, bulk = _not_comparable_tables(rules)
    title = _norm(listing.title or "")
    if accessory is not None:
        for m in accessory.finditer(title):
            before = title[max(0, m.start() - 3):m.start()]
            if title[m.end():m.end() + 2].startswith(_KIND_WORDS):
                continue  # 电池款, 支架式, 底座型: a kind of the product, not a part sold alone
            if title[m.end():m.end() + 1] == "+":
                continue  # 灭火器箱+2具4kg干粉: the accessory comes with the product, priced as a set
            if title[m.end():m.end() + 2] in _PRESENT_WORDS:
                continue  # 铭牌齐全, 标牌清晰: the product's own part is there, not sold alone
            if not any(c in before for c in cues):
                if _lit_sign(listing, m.group(0), rules):
                    continue  # 安全出口指示灯 … 疏散指示牌 with a battery: the lit sign is the lamp
                return f"配件 {m.group(0)}"
    if accessory is not None and listing.display_price:
        # the option the page's price names is an accessory (挂架/挂钩 4.9元; 替换电池9V(单拍不含报警器) 5.9)
        for label in _priced_options(listing, float(listing.display_price)):
            m = accessory.search(label)
            if m and not any(c in label[max(0, m.start() - 3):m.start()] for c in cues):
                return f"配件规格 {label}"
    if accessory is not None:
        said = accessory_option(listing, rules)
        if said:
            return f"配件选项 {said}"
        said = price_named_as_part(listing, float(listing.display_price) if listing.display_price else None, rules)
        if said:
            return f"配件价格 {said}"
    if used is not None:
        for text in (title, _norm(listing.description or "")):
            m = used.search(text)
            if m and text[max(0, m.start() - 1):m.start()] not in ("非", "不", "绝", "无"):  # 非二手, 拒绝二手
                return f"二手 {m.group(0)}"
    if quote_title is not None:
        m = quote_title.search(title)
        if m:
            return f"报价 {m.group(0)}"
    if quote is not None:
        for m in quote.finditer(title):
            if not _quote_undone(title, m, rules):
                return f"报价 {m.group(0)}"
        description = _norm(listing.description or "")
        for m in quote.finditer(description):
            if bulk is not None and bulk.search(_clause_before(description, m.start())):
                continue  # 批量采购请联系客服报价: a quote for larger orders; the page's price stands for its own
            if _quote_undone(description, m, rules):
                continue  # 无需定金, 定金16元即全款: the page's price is the goods'
            return f"报价 {m.group(0)}"
        memo = _quote_rows(quote)
        for k, v in (listing.attributes or {}).items():
            row = f"{k} {v}"
            said = memo.get(row, _UNSEEN)
            if said is _UNSEEN:
                if len(memo) >= 4096:
                    memo.clear()
                nrow = _norm(row)
                m = next((m for m in quote.finditer(nrow) if not _quote_undone(nrow, m, rules)), None)
                said = memo[row] = m.group(0) if m else None
            if said is not None:
                return f"报价 {said}"
    if service is not None and not by_weight:
        for m in service.finditer(title):
            # 充装100kg: the amount filled, not a service; 七氟丙烷灭火剂 100公斤 … 充装: an agent sold by weight
            # is the goods, whatever filling it is for (as `by_weight`)
            if re.match(r"(?:量\s*)?\d", title[m.end():]) or _AGENT_BY_WEIGHT_RE.search(title):
                continue
            return f"服务 {m.group(0)}"
    return None


def bases(units: dict[str, Any] | None, category: str) -> list[str]:
    """The units a category's prices are compared in, its default first: the priors file's `units`
    gives one (cables: m) or a list (fire doors: [piece, m2], priced per leaf or per m²)."""
    value = (units or {}).get(category, "piece")
    return [value] if isinstance(value, str) else list(value) or ["piece"]


@lru_cache(maxsize=32)
def _set_count_re(parts: tuple[str, ...]) -> re.Pattern:
    """`set_count`'s expression for one category's part words, compiled once per word list: a count before a
    part or after it with a count word."""
    alt = "|".join(map(re.escape, parts))
    # words may stand between a count and the part only after a count word (8只剩余电流探测器); a controller's
    # channels (8路主机带探头) or a warranty (3年质保探头) count no parts
    return re.compile(r"(?<![\d.])(\d{1,3})\s*(?:(?:只|个|台|套)\s*[\u4e00-\u9fff]{0,6}?)?(?:" + alt + r")"
                      r"|(?:" + alt + r")\s*[:：x×*]?\s*(\d{1,3})\s*(?:只|个|台|套)")


def set_count(listing: Listing, parts: tuple[str, ...]) -> int | None:
    """How many of the category's own units (`parts`: 探测器, 探头) a set names beside its controller
    (主机+4探头, 主机1台+探测器4只, 主机加八只剩余电流探测器), or None when it names none or one."""
    count_rx = _set_count_re(tuple(parts))
    texts = [listing.title or "", listing.description or ""] + [f"{k} {v}" for k, v in (listing.attributes or {}).items()]
    for text in texts:
        norm = _norm(text)
        if not any(p in norm for p in parts):
            continue
        norm = arabic_before(norm, _COUNT_OR_PRICE_FOLLOW)[0]
        for m in count_rx.finditer(norm):
            n = int(m.group(1) or m.group(2))
            if 1 < n <= 200:
                return n
    return None


def unit_price(listing: Listing, category: str, specs: dict[str, Any],
               units: dict[str, str] | None = None, skip: dict[str, Any] | None = None,
               least: dict[str, float] | None = None, parts: dict[str, list[str]] | None = None) -> dict[str, Any] | None:
    """The comparable unit price of a listing, or None when there is none.

    Returns {price, qty, unit_price, basis, stated, tier, min_order}: `price` is what the listing
    asks, `qty` how many basis units (pieces, m, kg, m²) that buys, `stated` the words that said
    the unit (元/米, 计价单位：元/平方米) or None. A unit the listing states wins over lengths and
    pack sizes found in its text; a stated unit the category has no prior in gives None. `skip`:
    the priors file's `not_comparable` words (accessories, quote placeholders), whose listings get
    None; `least`: per category, the least amount one price can be for (the priors' `min_amount`),
    used when the amount cannot be read; `parts`: per category, the words naming its own units in a set
    (the priors' `set_parts`), whose count a set's price is divided by.
    """
    allowed = bases(units, category)
    stated = stated_unit(listing)
    if skip and not_comparable(listing, skip, by_weight=bool(stated and stated[0] in ("kg", "jin", "t") and "kg" in allowed)):
        return None
    basis = allowed[0]
    if basis == "m" and category.endswith("_cable") and aluminium(listing):
        # the per-mm² prior is copper's; aluminium conductors cost a fraction of it (a hose's aluminium couplings,
        # 接口：KD65铝合金, are no conductor: heldout23, opened)
        return None
    moq = min_order(listing)
    tier_used = None
    if listing.price_tiers:
        tiers = sorted(listing.price_tiers, key=lambda t: t.min_quantity)
        # the tier that applies when buying the minimum order (at least the smallest tier)
        want = max(moq or 1, tiers[0].min_quantity)
        tier_used = [t for t in tiers if t.min_quantity <= want][-1]
        price = tier_used.price
    elif listing.price is not None:
        price = listing.price
    elif listing.price_range is not None:
        price = listing.price_range[0]
    else:
        return None
    if price is None or price <= 0:
        return None
    if stated and stated[0] in ("m", "m2", "kg", "jin", "t") and basis != "piece":
        whole = whole_pack_price(listing, float(price))
        if whole:  # 5元一米 … 整卷18元: the page price is the roll's, its length read below
            stated = ("pack", whole)
    said = stated[1] if stated else None
    if stated and stated[0] in ("m", "m2", "kg", "jin", "t"):
        # the listing prices one metre, m², kg, 斤 or 吨: compared per that unit, or not at all
        wanted = "kg" if stated[0] in _KG_PER else stated[0]
        if wanted not in allowed:
            return None
        qty = _KG_PER.get(stated[0], 1.0)
        return {"price": Decimal(price), "qty": qty, "pieces": 1, "basis": wanted, "stated": said,
                "unit_price": float(price) / qty, "tier": tier_used.min_quantity if tier_used else None,
                "min_order": moq}
    tied = None
    if basis == "piece" and (parts or {}).get(category) and (said and "套" in said or "套" in (listing.title or "")):
        tied = set_count(listing, tuple(parts[category]))
    if not tied and stated and stated[0] == "piece" and basis == "piece":
        # a count the text ties to the listing's own price (一件一百只八十块, 整箱五十只三百块 beside 六块一只 or 按只)
        # says what that price buys, whatever unit the text names for one piece
        tied = next((n for t in (listing.title or "", listing.description or "") if t
                     for n in [_tied_count(t, float(price))] if n), None)
        each = None if tied else _piece_price_row(listing)
        n = float(price) / each if each else 0.0
        if n >= 1.98 and abs(n - round(n)) <= 0.02 * n:
            tied = round(n)  # 单价: 2.8元/只 at 28: the price buys ten
    if tied:
        return {"price": Decimal(price), "qty": float(tied), "pieces": tied, "basis": "piece", "stated": said,
                "unit_price": float(price) / tied, "tier": tier_used.min_quantity if tier_used else None,
                "min_order": moq}
    if stated and stated[0] == "piece" and basis == "piece":
        # 元/个, 元/樘: one piece, whatever pack sizes the text also mentions
        return {"price": Decimal(price), "qty": 1.0, "pieces": 1, "basis": "piece", "stated": said,
                "unit_price": float(price), "tier": tier_used.min_quantity if tier_used else None,
                "min_order": moq}
    text = listing.title or ""
    pieces = sold_count(listing, float(price))
    qty = float(pieces)
    if basis != "piece":
        amount = _amount(text, basis)
        if amount is None and basis == "m" and _moq_in_metres(listing):
            # 起订量: 1000米: a supplier's minimum order is counted in the unit it prices (the metre)
            amount, said = 1.0, f"起订量以米计（{_moq_in_metres(listing)}），按每米计价"
        if amount is None:
            for key, value in (listing.attributes or {}).items():
                if attribute_key(key) in MIN_ORDER_KEYS:
                    continue  # 起订: 1000米 is how much one must buy, not what the price buys
                amount = _amount(f"{key} {value}", basis)
                if amount is not None:
                    break
        if amount is None and listing.description:
            amount = _amount(listing.description, basis)
        if (amount is None or amount <= 0) and (least or {}).get(category):
            amount = float(least[category])  # the least it can be for: the seller's most favourable reading
            said = f"未标明数量，按最少 {amount:g} {BASIS_NAMES.get(basis, basis)} 计"
        if amount is None or amount <= 0:
            return None  # cannot compare a cable without its length
        qty = amount * pieces
    return {"price": Decimal(price), "qty": qty, "pieces": pieces, "basis": basis, "stated": said,
            "unit_price": float(price) / qty, "tier": tier_used.min_quantity if tier_used else None,
            "min_order": moq}


def _fmt(value: float) -> str:
    """58 -> '58', 58.456 -> '58.46'."""
    return f"{round(float(value), 2):g}" if abs(value) < 1e6 else f"{value:.0f}"


BASIS_UNIT = {"piece": "", "m": "/m", "kg": "/kg", "m2": "/m²"}
BASIS_NAMES = {"piece": "件", "m": "米", "kg": "千克", "m2": "平方米", "l": "升"}


class PriceModel(BaseEstimator):
    """Robust price baselines per (category, spec) with priors and an IsolationForest check."""

    def __init__(self, min_samples: int = 20, shrinkage: float = 10.0, z_threshold: float = 3.5,
                 max_ratio: float = 0.5, prior_spread: float = 0.3, min_spread: float = 0.1,
                 use_isolation_forest: bool = True, contamination: float | str = "auto",
                 n_estimators: int = 100, random_state: int = 0, priors: dict[str, Any] | None = None) -> None:
        self.min_samples = min_samples
        self.shrinkage = shrinkage
        self.z_threshold = z_threshold
        self.max_ratio = max_ratio
        self.prior_spread = prior_spread
        self.min_spread = min_spread
        self.use_isolation_forest = use_isolation_forest
        # The share of training listings the IsolationForest may call outliers. "auto" (its own
        # threshold) seldom vetoes a z-score flag; an explicit share (e.g. 0.05) suits a market
        # known to hold cheap product lines.
        self.contamination = contamination
        self.n_estimators = n_estimators
        self.random_state = random_state
        self.priors = priors

    # -- fitting -------------------------------------------------------------------------
    def _items(self, X: Iterable[Sequence[Any]]) -> Iterable[tuple[Listing, str, dict[str, Any]]]:
        facts = load_facts()
        for item in X:
            listing, category = item[0], item[1]
            specs = item[2] if len(item) > 2 and item[2] is not None else listing_specs(listing, facts)
            yield listing, category, specs

    def fit(self, X: Iterable[Sequence[Any]], y: Any = None) -> "PriceModel":
        """Learn per-(category, spec) log-price medians and MADs from observed listings."""
        self.priors_ = self.priors if self.priors is not None else load_priors()
        self.units_ = dict(self.priors_.get("units", {}))
        self.ratio_ = float(self.priors_.get("ratio", 0.3))
        logs: dict[tuple[str, str], list[float]] = {}
        n = 0
        for listing, category, specs in self._items(X):
            up = unit_price(listing, category, specs, self.units_, self.priors_.get("not_comparable"),
                        self.priors_.get("min_amount"), self.priors_.get("set_parts"))
            if up is None or category in ("not_fire", None, ""):
                continue
            specs = option_specs(listing, specs, float(up["price"]))[0]
            logs.setdefault(self._key(category, specs, up["basis"]), []).append(math.log(up["unit_price"]))
            n += 1
        self.groups_: dict[tuple[str, str], dict[str, float]] = {}
        self.forests_: dict[tuple[str, str], IsolationForest] = {}
        for key, values in logs.items():
            arr = np.asarray(values)
            med = float(np.median(arr))
            mad = float(np.median(np.abs(arr - med)))
            self.groups_[key] = {"n": len(values), "median_log": med, "mad_log": mad}
            # identical prices give IsolationForest nothing to split on: no second opinion then
            if self.use_isolation_forest and len(values) >= self.min_samples and np.ptp(arr) > 0:
                forest = IsolationForest(n_estimators=self.n_estimators, contamination=self.contamination,
                                         random_state=self.random_state)
                self.forests_[key] = forest.fit(arr.reshape(-1, 1))
        self.n_listings_ = n
        logger.info("price model: %d listings in %d groups", n, len(self.groups_))
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "groups_"):
            raise ModelNotTrainedError("PriceModel (call fit first)")

    # -- baselines -----------------------------------------------------------------------
    def _key(self, category: str, specs: dict[str, Any], basis: str | None) -> tuple[str, str]:
        """The group a unit price belongs to: category and spec, plus the unit when it is not the
        category's default (a door priced per m² is not grouped with doors priced per leaf)."""
        key = spec_key(category, specs)
        if basis and basis != bases(self.units_, category)[0]:
            key = f"{key}@{basis}"
        return category, key

    def baseline(self, category: str, specs: dict[str, Any], basis: str | None = None,
                 title: str | None = None, description: str | None = None) -> dict[str, Any] | None:
        """The median unit price to compare with, its spread (log units), count and source."""
        self._check_fitted()
        key = self._key(category, specs, basis)
        group = self.groups_.get(key)
        prior = find_prior(self.priors_, category, specs, basis, title, description)
        label = (prior or {}).get("label") or f"{category_name(category)} {_spec_label(key[1])}".strip()
        own_ratio = (prior or {}).get("ratio")
        if group is None:
            if prior is None:
                return None
            return {"key": key, "label": label, "source": "prior", "n": 0,
                    "median": float(prior["median"]), "spread": self.prior_spread,
                    "prior_median": float(prior["median"]), "ratio": own_ratio}
        n = int(group["n"])
        med_log, spread = group["median_log"], max(MAD_SCALE * group["mad_log"], self.min_spread)
        source = "observed"
        if n < self.min_samples:
            spread = max(spread, self.prior_spread)
            if prior is not None:
                med_log = (n * med_log + self.shrinkage * math.log(float(prior["median"]))) / (n + self.shrinkage)
                source = "shrunk"
            else:
                source = "few"
        return {"key": key, "label": label, "source": source, "n": n, "median": math.exp(med_log),
                "spread": spread, "prior_median": float(prior["median"]) if prior else None, "ratio": own_ratio}

    def explain(self, listing: Listing, category: str, specs: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The whole comparison for one listing (None when it cannot be compared)."""
        self._check_fitted()
        if not self.priors_.get("enabled", True):
            return None
        specs = listing_specs(listing) if specs is None else specs
        up = unit_price(listing, category, specs, self.units_, self.priors_.get("not_comparable"),
                        self.priors_.get("min_amount"), self.priors_.get("set_parts"))
        if up is None:
            return None
        specs = option_specs(listing, specs, float(up["price"]))[0]  # the price is one SKU option's: its size
        base = self.baseline(category, specs, up["basis"], listing.title or "", listing.description)
        if base is None:
            return None
        ratio = up["unit_price"] / base["median"]
        z = math.log(ratio) / base["spread"]
        forest = self.forests_.get(base["key"]) if base["source"] == "observed" else None
        outlier = None
        if forest is not None:
            outlier = bool(forest.predict(np.array([[math.log(up["unit_price"])]]))[0] == -1)
        if base["source"] == "observed":
            # Enough observations: robust z-score and ratio to the median, with the
            # IsolationForest as second opinion: a cluster of cheap listings (a cheaper
            # product line) is not an outlier, even where the MAD is tight and the z-score
            # alone would flag it.
            flagged = z <= -self.z_threshold and ratio < self.max_ratio and (outlier is not False)
        elif base["source"] in ("shrunk", "few"):
            # Few observations: the shrunk median, with at least `prior_spread` as the spread.
            flagged = z <= -self.z_threshold and ratio < float(base.get("ratio") or self.ratio_)
        else:
            # No observations: the prior median alone (the rule `RiskRules` applies).
            flagged = ratio < float(base.get("ratio") or self.ratio_)
        return {**base, **up, "ratio": ratio, "z": z, "isolation_forest_outlier": outlier,
                "flagged": bool(flagged), "evidence": self._evidence(base, up, ratio, z, outlier)}

    @staticmethod
    def _evidence(base: dict[str, Any], up: dict[str, Any], ratio: float, z: float,
                  outlier: bool | None) -> str:
        unit = BASIS_UNIT.get(up["basis"], "")
        if up["basis"] == "piece" and up["qty"] > 1:
            each = f"{yuan_text(up['price'])} 元 / {up['pieces']} 件，合每件 {yuan_text(up['unit_price'])} 元"
        elif up["basis"] != "piece":
            each = (f"{yuan_text(up['price'])} 元 / {_fmt(up['qty'])} {BASIS_NAMES.get(up['basis'], up['basis'])}"
                    f"，合 {yuan_text(up['unit_price'])} 元{unit}")
        else:
            each = f"{yuan_text(up['unit_price'])} 元"
        if up.get("tier"):
            each += f"（1688 阶梯价，{up['tier']} 件起批）"
        elif up["basis"] == "piece" and up["qty"] == 1 and (up.get("min_order") or 0) > 1:
            each += f"（{up['min_order']} 件起批，按每件计）"  # the least order is no pack: the price is one piece's
        if base["source"] == "prior":
            head = f"参考中位价 {_fmt(base['median'])} 元{unit}（尚无观测数据）"
        elif base["source"] == "shrunk":
            head = (f"{base['n']} 件同类商品的中位价 {_fmt(base['median'])} 元{unit}"
                    f"（向参考价 {_fmt(base['prior_median'])} 元收缩）")
        else:
            head = f"{base['n']} 件同类商品的中位价 {_fmt(base['median'])} 元{unit}"
        tail = ""
        if base["source"] != "prior":
            tail = f"（稳健 z 值 {z:.1f}" + ("，孤立森林判为离群" if outlier else "") + "）"
        return f"{base['label']}：{head}；本商品 {each}，为中位价的 {ratio:.2f} 倍{tail}"

    def reasons(self, listing: Listing, category: str, specs: dict[str, Any] | None = None) -> list[Reason]:
        """[Reason('price_too_low', ...)] when `explain` flags the listing, else []."""
        info = self.explain(listing, category, specs)
        if info is None or not info["flagged"]:
            return []
        return [Reason("price_too_low", info["evidence"], "price")]


def fit_price_model(listings: Iterable[Listing], categories: Iterable[str], **params: Any) -> PriceModel:
    """A PriceModel fitted on listings and their (predicted or reviewed) categories."""
    return PriceModel(**params).fit(list(zip(listings, categories)))


def fit_price_model_from_store(store: Store, scorer: Any = None, **params: Any) -> PriceModel:
    """Fit on every listing in the store; its category from its assessment, else the scorer."""
    listings, categories = [], []
    for listing in store.listings.iter_listings():
        assessment = store.assessments.get_assessment(listing.key)
        if assessment is not None:
            category = assessment.category
        elif scorer is not None:
            category = str(scorer.category_model_.predict([listing_text(listing)])[0])
        else:
            continue
        listings.append(listing)
        categories.append(category)
    return fit_price_model(listings, categories, **params)
