"""The analyst's data: search with facets over the search index, weekly flag trends by
category and platform, and CSV for any result.

Search goes through the search protocol (`firewatch.search`: `SearchQuery` in,
`SearchResult` with facet counts out), whichever backend the settings name; the index
is a projection of the store (`firewatch index rebuild`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from firewatch.core.labels import category_name
from firewatch.core.sheets import csv_bytes
from firewatch.core.money import from_fen, yuan_text
from firewatch.store import Store
from firewatch.web.exceptions import BadRequest
from firewatch.core.exceptions import SearchError
from firewatch.core.labels import LEAD_SOURCE_NAMES, LISTING_STATUS_NAMES, PLATFORM_NAMES, reason_short_name
from firewatch.search import SearchQuery

# what a person reads in Chinese, each code in a column beside it for machines
CSV_COLUMNS = [("platform_name", "平台"), ("platform", "平台代码"), ("listing_id", "商品ID"), ("title", "标题"),
               ("shop_name", "店铺"), ("price", "价格(元)"), ("category_name", "类别"), ("category", "类别代码"),
               ("flagged_text", "已标记"), ("risk_score", "风险分"), ("reason_names", "原因"), ("reasons", "原因代码"),
               ("status_name", "状态"), ("status", "状态代码"), ("sources", "线索来源"), ("url", "链接")]


SORT_NAMES = {"relevance": "相关度", "risk": "风险", "price_asc": "价格从低到高", "price_desc": "价格从高到低",
              "newest": "最近发现"}
PAGE_SIZE = 100


@dataclass
class SearchParams:
    q: str = ""
    platform: str = ""
    category: str = ""
    reason: str = ""
    shop: str = ""
    flagged: str = ""  # "", "1", "0"
    since: str = ""
    sort: str = ""

    def validate(self) -> "SearchParams":
        if self.flagged not in ("", "1", "0"):
            raise BadRequest("flagged 只能是 1 或 0")
        if self.sort and self.sort not in SORT_NAMES:
            raise BadRequest(f"未知的排序「{self.sort}」")
        if self.since:
            try:
                date.fromisoformat(self.since)
            except ValueError:
                raise BadRequest(f"日期格式应为 年-月-日（如 2026-12-01），收到：{self.since}") from None
        return self

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def query(self, page: int = 1, page_size: int = PAGE_SIZE, facets: bool = True):

        return SearchQuery(text=self.q.strip(), platform=self.platform or None, category=self.category or None,
                           flagged=None if self.flagged == "" else self.flagged == "1", reason=self.reason or None,
                           shop=self.shop or None, since=self.since or None,
                           sort=self.sort or ("relevance" if self.q.strip() else "risk"),
                           page=page, page_size=page_size, facets=facets)




@dataclass
class SearchResult:
    rows: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    total: int = 0
    total_exact: bool = True  # False: counting stopped at `total` (shown as "10000+")
    facet_sample: int | None = None  # the facets count only this many of the matches (None: all)

    @property
    def total_text(self) -> str:
        return f"{self.total}" if self.total_exact else f"{self.total}+"


def _hit_row(hit) -> dict[str, Any]:
    price = hit.price_fen
    return {"platform": hit.platform, "listing_id": hit.listing_id, "title": hit.title, "shop_name": hit.shop_name,
            "shop_id": getattr(hit, "shop_id", ""),
            "price": yuan_text(from_fen(price)), "category": hit.category or "",
            "flagged": bool(hit.flagged), "risk_score": round(hit.risk_score, 3) if hit.risk_score is not None else None,
            "reasons": list(hit.reasons), "status": hit.status, "url": hit.url}


def search(index, params: SearchParams, page: int = 1, page_size: int = PAGE_SIZE, facets: bool = True) -> SearchResult:
    """One page of rows matching the query and filters, with facet counts."""

    params.validate()
    try:
        result = index.search(params.query(page, page_size, facets))
    except SearchError as exc:
        raise BadRequest(f"检索条件无效：{exc}") from exc
    return SearchResult([_hit_row(h) for h in result.hits], dict(result.facets or {}), result.total,
                        result.total_exact, result.facet_sample)


def search_all(index, params: SearchParams, limit: int = 10_000) -> list[dict[str, Any]]:
    """Every row of a result (up to `limit`), page by page, for CSV export."""
    rows: list[dict[str, Any]] = []
    page = 1
    while len(rows) < limit:
        result = search(index, params, page=page, page_size=1000, facets=False)
        rows.extend(result.rows)
        if not result.rows or len(rows) >= result.total or page * 1000 >= limit:
            break
        page += 1
    return rows[:limit]


def with_sources(store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with `sources`: the kinds of source its listing came from, in Chinese (平台抓取 平台报送 …)."""
    kinds = store.sources.kinds_of((r["platform"], r["listing_id"]) for r in rows)
    order = list(LEAD_SOURCE_NAMES)
    for row in rows:
        found = kinds.get((row["platform"], row["listing_id"]), set())
        row["sources"] = [LEAD_SOURCE_NAMES[k] for k in order if k in found]
    return rows


def readable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Search rows with the Chinese of each code beside it (平台, 类别, 是/否, 原因, 状态), for the CSV."""
    for row in rows:
        row["platform_name"] = PLATFORM_NAMES.get(row["platform"], row["platform"])
        row["category_name"] = category_name(row.get("category"))
        row["flagged_text"] = "是" if row.get("flagged") else "否"
        row["reason_names"] = [reason_short_name(c) for c in row.get("reasons") or []]
        row["status_name"] = LISTING_STATUS_NAMES.get(row.get("status") or "", row.get("status") or "")
    return rows


def to_csv(rows: Iterable[dict[str, Any]], columns=CSV_COLUMNS) -> bytes:
    """CSV with a BOM (Excel reads the Chinese); every cell through the one export neutraliser."""
    return csv_bytes(columns, rows)


@dataclass
class Trends:
    weeks: list[str]
    by_category: dict[str, list[int]]
    by_platform: dict[str, list[int]]
    rows: list[dict[str, Any]]


def trends(store: Store, top_categories: int = 6) -> Trends:
    """Flagged listings per ISO week of first sight, by category (top N, rest pooled) and platform,
    counted in SQL (`assessments.flag_counts`: a GROUP BY over an index, never the rows)."""
    by_cat, by_plat = store.assessments.flag_counts()
    cat_counts: dict[str, Counter] = defaultdict(Counter)
    plat_counts: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    for week, category, n in by_cat:
        cat_counts[week][category] += n
        totals[category] += n
    for week, platform, n in by_plat:
        plat_counts[week][platform] += n
    weeks = sorted(cat_counts)
    top = [c for c, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:top_categories]]
    by_category: dict[str, list[int]] = {}
    for c in top:
        by_category[category_name(c)] = [cat_counts[w][c] for w in weeks]
    rest = [sum(n for c, n in cat_counts[w].items() if c not in top) for w in weeks]
    if any(rest):
        by_category["其他类别"] = rest

    platforms = sorted({p for w in weeks for p in plat_counts[w]})
    by_platform = {PLATFORM_NAMES.get(p, p): [plat_counts[w][p] for w in weeks] for p in platforms}
    rows = [{"week": w, "category": c, "category_name": category_name(c), "platform": "", "platform_name": "", "flags": n}
            for w in weeks for c, n in sorted(cat_counts[w].items())]
    rows += [{"week": w, "category": "", "category_name": "", "platform": p, "platform_name": PLATFORM_NAMES.get(p, p),
              "flags": n}
             for w in weeks for p, n in sorted(plat_counts[w].items())]
    return Trends(weeks, by_category, by_platform, rows)


TREND_COLUMNS = [("week", "周"), ("category", "类别代码"), ("category_name", "类别"), ("platform", "平台代码"),
                 ("platform_name", "平台"), ("flags", "标记数")]
