"""Seller/manufacturer watchlist: names from spot-check failure lists, matched leniently.

`Watchlist(names).match(name)` returns the watched name that `name` matches, or None: both are
compared by `normalize_name` (width, case, punctuation and company suffixes such as 有限公司 or
旗舰店 removed); a leading province or city (浙江, 浙江省, 温州市) may be missing on either side
(shops drop it from the company name), but two different stated regions never match; matching
by containment (`min_contain`) is off by default.
"""

from __future__ import annotations

import logging
import re
from typing import Iterable

from firewatch.core.text import normalize

logger = logging.getLogger(__name__)

SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "责任公司", "集团公司", "分公司", "公司",
            "集团", "股份", "官方旗舰店", "旗舰店", "专营店", "专卖店", "企业店", "工厂店", "总厂",
            "分厂", "厂", "co.,ltd", "co.ltd", "coltd", "ltd", "inc")
_PUNCT_RE = re.compile(r"[\s\W_]+", re.UNICODE)
_PAREN_RE = re.compile(r"[(\[【（][^)\]】）]*[)\]】）]")
# Provinces and province-level cities, as company names begin with them (浙江平安…, 浙江省平安…)
PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
             "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
             "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
_REGION_RE = re.compile(
    "^(?:(?:" + "|".join(sorted(PROVINCES, key=len, reverse=True)) + ")(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?)?"
    r"(?:[\u4e00-\u9fff]{2,3}市)?")
MIN_CORE = 4  # characters a name keeps without its region to be matched that way (平安消防器材)


def split_region(key: str) -> tuple[str, str]:
    """(leading province/city, the rest) of a normalised name: 浙江平安消防器材 -> (浙江, 平安消防器材)."""
    m = _REGION_RE.match(key)
    region = m.group(0) if m else ""
    core = key[len(region):]
    if len(core) < MIN_CORE:
        return "", key
    return region, core


def _same_region(a: str, b: str) -> bool:
    """Regions agree when either is missing or one names the other (浙江 / 浙江省温州市,
    深圳市 / 广东省深圳市)."""
    return not a or not b or a in b or b in a or a[:2] == b[:2]


def normalize_name(name: str) -> str:
    """Canonical form of a company or shop name for matching."""
    text = normalize(name or "")
    text = _PAREN_RE.sub("", normalize(text))
    text = _PUNCT_RE.sub("", text)
    changed = True
    while changed and text:
        changed = False
        for suffix in SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)]
                changed = True
    return text


class Watchlist:
    """A set of watched names; `match(name)` gives the watched name it matches, or None."""

    def __init__(self, names: Iterable[str] = (), min_contain: int | None = None) -> None:
        # Containment is off by default: it matches unrelated sellers that share a trade name
        # (鑫源消防, 创安消防科技).
        self.min_contain = min_contain
        self._names: dict[str, str] = {}
        self._cores: dict[str, list[tuple[str, str]]] = {}  # name without region -> [(region, name)]
        for name in names:
            key = normalize_name(str(name))
            if key:
                self._names.setdefault(key, str(name))
                region, core = split_region(key)
                self._cores.setdefault(core, []).append((region, str(name)))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.match(name) is not None

    @property
    def names(self) -> list[str]:
        return list(self._names.values())

    def match(self, name: str) -> str | None:
        """The original watched name that `name` matches, or None."""
        key = normalize_name(name or "")
        if not key:
            return None
        if key in self._names:
            return self._names[key]
        region, core = split_region(key)
        for watched_region, original in self._cores.get(core, ()):
            if _same_region(region, watched_region):
                return original
        for watched, original in self._names.items():
            if self.min_contain and len(watched) >= self.min_contain and watched in key:
                return original
        return None
