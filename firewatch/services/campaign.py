"""The campaign report's figures for a period of Beijing days, from the store's SQL counts.

`Period.of(first, last)` is a range of Beijing calendar days (both included; ValueError with a Chinese
message when it is empty or reversed); `campaign_figures(store, period, config, platform="", tick=None)`
returns `CampaignFigures`: listings monitored, flagged, confirmed and removed by platform, category,
region and reason; time from first flag to verified removal (median, p90, a distribution); relisting
alerts; repeat offenders; typical cases; the week-by-week trend. Every count is a GROUP BY in
`store.campaign`; Python only turns UTC hours into Beijing days and weeks and sums groups. `tick(step)`
is called once per step (a progress bar). Repeat offenders are counted per shop by `repeat_offenders`,
the one place that decides who is one (until shops are grouped into sellers).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from firewatch.core.clock import BEIJING, iso, parse_iso, to_beijing, utcnow
from firewatch.core.labels import PLATFORM_NAMES, category_name, reason_name
from firewatch.core.datapaths import resolve_path
from firewatch.core.settings import CampaignSettings
from firewatch.store import Store

EVENT_NAMES = {"monitored": "监测商品", "flagged": "疑似违规（标记）", "confirmed": "确认违规", "removed": "平台下架",
               "relisted": "疑似重新上架"}
WEEKLY_SERIES = ("new", "flagged", "confirmed", "removed", "relisted")
WEEKLY_NAMES = {"new": "新发现商品", "flagged": "标记", "confirmed": "确认违规", "removed": "下架", "relisted": "疑似重新上架"}
# flag-to-removal distribution: bins of days, [low, high)
REMOVAL_BINS = ((0, 1), (1, 2), (2, 3), (3, 5), (5, 7), (7, 14), (14, 21), (21, 28), (28, None))
UNKNOWN_REGION = "未知地区"
STEPS = 17  # `tick` calls of one `campaign_figures` run of every platform (one fewer for one platform)


@dataclass(frozen=True)
class Period:
    """Beijing days `first`..`last` (both included) and the UTC instants bounding them (end excluded)."""

    first: date
    last: date

    @classmethod
    def of(cls, first: date, last: date) -> "Period":
        if last < first:
            raise ValueError(f"结束日期 {last} 早于开始日期 {first}")
        if (last - first).days > 3660:
            raise ValueError(f"日期范围过长（{first} 至 {last}），最多十年")
        return cls(first, last)

    @property
    def start(self) -> str:
        return iso(datetime.combine(self.first, time(0), BEIJING))

    @property
    def end(self) -> str:
        return iso(datetime.combine(self.last + timedelta(days=1), time(0), BEIJING))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def weeks(self) -> list[date]:
        """The Mondays of the ISO weeks the period touches."""
        monday = self.first - timedelta(days=self.first.weekday())
        out = []
        while monday <= self.last:
            out.append(monday)
            monday += timedelta(days=7)
        return out


@dataclass
class Case:
    platform: str
    listing_id: str
    title: str
    shop_name: str
    url: str
    price: str
    category: str
    risk_score: float
    reasons: list[tuple[str, str]]  # (Chinese reason name, its evidence sentence)
    flagged_at: datetime | None
    confirmed_at: datetime | None
    captured_at: datetime | None
    screenshot: str = ""  # the screenshot's path on disk ("" when none)


@dataclass
class CampaignFigures:
    campaign: str
    reporting_org: str
    kind: str  # 阶段总结 or 总体总结
    period: Period
    platform: str  # "" = every platform
    generated_at: datetime
    totals: dict[str, int] = field(default_factory=dict)  # monitored, flagged, confirmed, removed, relisted
    # event -> dimension (platform, category, region, reason) -> [(Chinese label, code, count)], largest first
    breakdown: dict[str, dict[str, list[tuple[str, str, int]]]] = field(default_factory=dict)
    weeks: list[date] = field(default_factory=list)
    weekly: dict[str, list[int]] = field(default_factory=dict)  # WEEKLY_SERIES -> count per week
    removal_days: list[tuple[float, int]] = field(default_factory=list)  # (days from flag to removal, listings)
    removal_median: float | None = None
    removal_p90: float | None = None
    removal_bins: list[tuple[str, int]] = field(default_factory=list)
    repeat_total: int = 0
    repeat_min: int = 2
    repeat_shops: list[dict[str, Any]] = field(default_factory=list)
    # sellers grouped across shops and platforms (issue 16, `store.sellers`); None for a one-platform report
    networks: int | None = None  # sellers with shops on two or more platforms whose newest shop appeared in the period
    repeat_sellers: int | None = None  # sellers (all their shops together) with repeat_min or more confirmed listings
    cases: list[Case] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.campaign}{self.kind}"

    @property
    def scope(self) -> str:
        return PLATFORM_NAMES.get(self.platform, self.platform) if self.platform else "全部平台"

    def week_label(self, monday: date) -> str:
        sunday = monday + timedelta(days=6)
        return f"{max(monday, self.period.first):%m-%d}至{min(sunday, self.period.last):%m-%d}"

    @property
    def week_labels(self) -> list[str]:
        return [self.week_label(w) for w in self.weeks]


def report_kind(config: CampaignSettings, last: date) -> str:
    """总体总结 when the period reaches the campaign's last day, else 阶段总结."""
    return "总体总结" if last >= date.fromisoformat(config.end) else "阶段总结"


def repeat_offenders(store: Store, end: str, config: CampaignSettings, platform: str = "", limit: int = 50
                     ) -> tuple[int, list[dict[str, Any]]]:
    """Repeat offenders up to `end`: shops (platform, shop id) with at least `repeat_offender_min` confirmed
    violations. The one place that says who is one; once shops are grouped into sellers, count sellers here."""
    return store.campaign.repeat_shops(end, config.repeat_offender_min, platform, limit)


def _hour(text: str) -> datetime:
    """A UTC hour `YYYY-MM-DDTHH` as an aware datetime."""
    return parse_iso(f"{text}:00:00+00:00")


def _beijing_day(hour_text: str) -> date:
    return to_beijing(_hour(hour_text)).date()


def _weighted_quantile(values: list[tuple[float, int]], q: float) -> float | None:
    """The q-quantile (nearest rank) of values given as (value, count)."""
    total = sum(n for _, n in values)
    if not total:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value, n in sorted(values):
        seen += n
        if seen >= rank:
            return value
    return None


def removal_bins(days: list[tuple[float, int]]) -> list[tuple[str, int]]:
    out = []
    for low, high in REMOVAL_BINS:
        n = sum(c for d, c in days if d >= low and (high is None or d < high))
        out.append((f"{low}天以上" if high is None else f"{low}–{high}天", n))
    return out


def _labelled(dimension: str, rows: list[tuple[str, int]]) -> list[tuple[str, str, int]]:
    if dimension == "platform":
        label = lambda c: PLATFORM_NAMES.get(c, c)  # noqa: E731
    elif dimension == "category":
        label = lambda c: category_name(c) if c else "未评估"  # noqa: E731
    elif dimension == "region":
        label = lambda c: c or UNKNOWN_REGION  # noqa: E731
    else:
        label = reason_name
    merged: Counter = Counter()
    for code, n in rows:
        merged[code] += n
    return [(label(c), c, n) for c, n in sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))]


def _reasons(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Counts per reason code from counts per set of codes (" a b " as the triage row writes them)."""
    out: Counter = Counter()
    for codes, n in rows:
        for code in codes.split():
            out[code] += n
    return list(out.items())


def campaign_figures(store: Store, period: Period, config: CampaignSettings, platform: str = "",
                     tick: Callable[[str], None] | None = None, monitored_categories: bool = True) -> CampaignFigures:
    """Every figure of the campaign report for `period` (and one platform, or all). Listings monitored by
    category join every listing of the period to its assessment (seconds at a million listings): the
    web page leaves it out (`monitored_categories=False`), the report files keep it."""
    step = tick or (lambda _name: None)
    start, end = period.start, period.end
    c = store.campaign
    f = CampaignFigures(config.name, config.reporting_org, report_kind(config, period.last), period, platform,
                        utcnow(), repeat_min=config.repeat_offender_min)
    f.weeks = period.weeks()
    week_index = {w: i for i, w in enumerate(f.weeks)}

    def weekly(rows: list[tuple[str, int]]) -> list[int]:
        counts = [0] * len(f.weeks)
        for hour, n in rows:
            day = _beijing_day(hour)
            counts[week_index[day - timedelta(days=day.weekday())]] += n
        return counts

    step("监测商品")
    monitored = c.monitored(start, end, platform, categories=monitored_categories)
    by_platform: Counter = Counter()
    by_category: Counter = Counter()
    for p, cat, n in monitored:
        by_platform[p] += n
        by_category[cat] += n
    f.breakdown["monitored"] = {"platform": _labelled("platform", list(by_platform.items()))}
    if monitored_categories:
        f.breakdown["monitored"]["category"] = _labelled("category", list(by_category.items()))
    f.totals["monitored"] = sum(by_platform.values())
    step("新发现商品")
    f.weekly["new"] = weekly(c.new_listings(start, end, platform))
    for event in ("flagged", "confirmed", "removed"):
        parts: dict[str, list[tuple[str, str, int]]] = {}
        for dimension in ("platform", "category", "region"):
            step(f"{EVENT_NAMES[event]}·{dimension}")
            parts[dimension] = _labelled(dimension, c.event_counts(event, dimension, start, end, platform))
        parts["reason"] = _labelled("reason", _reasons(c.event_counts(event, "reasons", start, end, platform)))
        f.breakdown[event] = parts
        f.totals[event] = sum(n for _, _, n in parts["platform"])
        f.weekly[event] = weekly(c.event_counts(event, "hour", start, end, platform))
    step("疑似重新上架")
    f.breakdown["relisted"] = {"platform": _labelled("platform", c.relistings("platform", start, end, platform))}
    f.totals["relisted"] = sum(n for _, _, n in f.breakdown["relisted"]["platform"])
    f.weekly["relisted"] = weekly(c.relistings("hour", start, end, platform))
    step("下架用时")
    days: Counter = Counter()
    for flagged_hour, removed_hour, n in c.removal_times(start, end, platform):
        hours = (_hour(removed_hour) - _hour(flagged_hour)).total_seconds() / 3600
        days[max(0.0, hours) / 24] += n
    f.removal_days = sorted(days.items())
    f.removal_median = _weighted_quantile(f.removal_days, 0.5)
    f.removal_p90 = _weighted_quantile(f.removal_days, 0.9)
    f.removal_bins = removal_bins(f.removal_days)
    step("重复违法店铺")
    f.repeat_total, f.repeat_shops = repeat_offenders(store, end, config, platform)
    if not platform:
        step("经营者网络")
        f.networks = store.sellers.networks_count(start, end)
        f.repeat_sellers = store.sellers.repeat_offenders_count(config.repeat_offender_min, start, end)
    step("典型案例")
    f.cases = typical_cases(store, period, config.typical_cases, platform)
    return f


def typical_cases(store: Store, period: Period, count: int, platform: str = "") -> list[Case]:
    """Up to `count` listings confirmed in the period with a screenshot, highest risk first, one per shop,
    one per platform before a platform's second."""
    if count <= 0:
        return []
    keys = store.campaign.case_candidates(period.start, period.end, platform, limit=count * 5)
    firsts = list({k[0]: k for k in reversed(keys)}.values())  # each platform's riskiest candidate
    keys = sorted(firsts, key=keys.index) + [k for k in keys if k not in firsts]
    evidence = store.evidence.latest_evidence_of(keys)
    assessments = store.assessments.get_assessments(keys)
    cases: list[Case] = []
    shops: set[tuple[str, str]] = set()
    for key in keys:
        listing, ev, a = store.listings.get_listing(key), evidence.get(key), assessments.get(key)
        if listing is None or ev is None or a is None or (key[0], listing.shop_id or listing.shop_name) in shops:
            continue
        shot = next((x.name for x in ev.artefacts if x.media_type == "image/png" and "screenshot" in x.name), "")
        if not shot:
            continue
        shops.add((key[0], listing.shop_id or listing.shop_name))
        decisions = [d for d in store.reviews.decisions(key) if d.verdict == "confirm"]
        price = listing.display_price
        cases.append(Case(
            key[0], key[1], listing.title, listing.shop_name, listing.url,
            "" if price is None else f"{price}元", category_name(a.category), a.risk_score,
            [(reason_name(r.code), r.evidence) for r in a.reasons], None,
            min((d.at for d in decisions), default=None), ev.captured_at,
            str(_screenshot_path(store, ev, shot))))
        if len(cases) >= count:
            break
    flagged_at = store.campaign.flagged_at([(x.platform, x.listing_id) for x in cases]) if cases else {}
    for case in cases:
        case.flagged_at = flagged_at.get((case.platform, case.listing_id))
    return cases


def _screenshot_path(store: Store, evidence, name: str):
    return resolve_path(evidence.directory, getattr(store, "data_dir", None)) / name
