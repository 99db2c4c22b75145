"""Seller/manufacturer watchlist: names from spot-check failure lists, matched leniently.

`Watchlist(names).match(name)` returns the watched name that `name` matches, or None: both are
compared by `normalize_name` (width, case, punctuation and company suffixes such as 有限公司 or
旗舰店 removed); matching by containment (`min_contain`) is off by default.
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
        for name in names:
            key = normalize_name(str(name))
            if key:
                self._names.setdefault(key, str(name))

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
        for watched, original in self._names.items():
            if self.min_contain and len(watched) >= self.min_contain and watched in key:
                return original
        return None
