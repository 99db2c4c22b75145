"""Review precision by reason and week, flag rate and reason mix, and the drift note (the trends page).

`review_trends(store, settings.drift, now)` counts in SQL (`store.review_stats`) and returns plain figures:

- weeks run Monday to Sunday in Beijing time; the last is the current week (not over yet);
- **precision** of a reason in a week: among the listings whose latest decision was made that week and is
  a confirm or a dismiss, and whose flag gives that reason, confirmed / (confirmed + dismissed); escalated
  listings and undone decisions do not count (a listing with two reasons counts for both);
- **flag rate** of a week: flagged listings / listings first seen that week (each listing is scored as it
  arrives: its cohort);
- **reason mix** of a week: each reason's share of the reasons of the flags first seen that week;
- **drift**: the last complete week against the `baseline_weeks` complete weeks before it. The flag rate
  moved when |last - baseline| >= `rate_threshold` x baseline; the mix moved when the total-variation
  distance (half the sum over reasons of |share last - share baseline|, 0 = the same mix, 1 = no reason in
  common) is at least `mix_threshold`. Weeks with fewer than `min_flags` flags are not compared.

Results are cached per process, keyed by the store and its generation (`review_stats.generation`: the
newest decision and undone decision, the newest decision and flag times, the flagged count; and
`seen_generation`: the newest first sight per platform): any decision, undo, flag or new listing makes a new
one. The listings first seen per week, the costliest count, are kept by `seen_generation` alone, so a
decision does not count them again.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from firewatch.core.clock import BEIJING, show_time, to_beijing, utcnow
from firewatch.core.labels import reason_short_name as reason_name

CACHE_SIZE = 16


@dataclass
class ReasonRow:
    code: str
    name: str
    confirmed: list[int]
    dismissed: list[int]

    @property
    def precision(self) -> list[float | None]:
        return [c / (c + d) if c + d else None for c, d in zip(self.confirmed, self.dismissed)]

    @property
    def total(self) -> tuple[int, int, float | None]:
        c, d = sum(self.confirmed), sum(self.dismissed)
        return c, d, (c / (c + d) if c + d else None)


@dataclass
class ReviewTrends:
    weeks: list[str]  # labels, "11-16～11-22"
    starts: list[date]  # each week's Monday (Beijing)
    reasons: list[ReasonRow]  # by reason, most reviewed first
    overall: ReasonRow  # every decided listing once
    flags: list[int]
    seen: list[int]
    mix: list[dict[str, float]]  # per week: reason -> share of the week's reasons
    notes: list[str] = field(default_factory=list)  # drift notes (Chinese); empty: nothing moved
    checks: list[str] = field(default_factory=list)  # what was compared and the figures, also when nothing moved
    tv_distance: float | None = None
    rate_change: float | None = None

    @property
    def rates(self) -> list[float | None]:
        return [f / s if s else None for f, s in zip(self.flags, self.seen)]


def week_starts(now: datetime, weeks: int) -> list[date]:
    """The Mondays (Beijing) of the last `weeks` weeks, the current one last."""
    today = to_beijing(now).date()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _utc(day: date) -> str:
    return datetime.combine(day, time(0), BEIJING).astimezone(timezone.utc).isoformat()


def _codes(text: str) -> list[str]:
    return text.split() or ["-"]


def tv_distance(a: dict[str, float], b: dict[str, float]) -> float:
    """Total-variation distance of two distributions over reasons: half the sum of |a - b|."""
    return 0.5 * sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in set(a) | set(b))


def _shares(counts: Counter) -> dict[str, float]:
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total else {}


def compute(store: Any, drift: Any, now: datetime) -> ReviewTrends:
    """The figures, counted now (the listings first seen per week may be `_seen`'s, kept by their generation)."""
    starts = week_starts(now, drift.weeks)
    days = [d.isoformat() for d in starts] + [(starts[-1] + timedelta(days=7)).isoformat()]
    bounds = [_utc(d) for d in starts] + [_utc(starts[-1] + timedelta(days=7))]
    n = len(starts)
    confirmed: dict[str, list[int]] = {}
    dismissed: dict[str, list[int]] = {}
    overall = ReasonRow("", "全部理由", [0] * n, [0] * n)
    for w, codes, verdict, count in store.review_stats.verdicts(bounds):
        (overall.confirmed if verdict == "confirm" else overall.dismissed)[w] += count
        if codes is None:  # the reasons judged are not known: in the overall figures only
            continue
        for code in _codes(codes):
            target = confirmed if verdict == "confirm" else dismissed
            target.setdefault(code, [0] * n)[w] += count
    rows = [ReasonRow(code, "（无理由）" if code == "-" else reason_name(code),
                      confirmed.get(code, [0] * n), dismissed.get(code, [0] * n))
            for code in set(confirmed) | set(dismissed)]
    rows.sort(key=lambda r: (-(sum(r.confirmed) + sum(r.dismissed)), r.code))
    flags = [0] * n
    mix_counts = [Counter() for _ in range(n)]
    for w, codes, count in store.review_stats.flags(days):
        flags[w] += count
        for code in _codes(codes):
            mix_counts[w][code] += count
    seen = _seen(store, bounds)
    result = ReviewTrends([f"{d:%m-%d}～{d + timedelta(days=6):%m-%d}" for d in starts], starts, rows, overall,
                          flags, seen, [_shares(c) for c in mix_counts])
    _drift(result, mix_counts, drift)
    return result


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _drift(t: ReviewTrends, mix_counts: list[Counter], drift: Any) -> None:
    """Fill in the drift checks and notes: the last complete week against the weeks before it."""
    last = len(t.weeks) - 2  # the current week is not over
    base = list(range(max(0, last - drift.baseline_weeks), last))
    if last < 1 or not base:
        t.checks.append("周数不足，未比较")
        return
    label = f"上周（{t.weeks[last]}）与此前 {len(base)} 周（{t.weeks[base[0]]} 至 {t.weeks[base[-1]]}）相比"
    base_flags, base_seen = sum(t.flags[i] for i in base), sum(t.seen[i] for i in base)
    if t.flags[last] < drift.min_flags or base_flags < drift.min_flags:
        t.checks.append(f"{label}：标记不足 {drift.min_flags} 条（上周 {t.flags[last]}，此前 {base_flags}），未比较")
        return
    if t.seen[last] and base_seen:
        rate, base_rate = t.flags[last] / t.seen[last], base_flags / base_seen
        t.rate_change = (rate - base_rate) / base_rate if base_rate else None
        t.checks.append(f"{label}：标记率 {_pct(rate)}，此前 {_pct(base_rate)}（阈值：相对变化 ±{_pct(drift.rate_threshold)}）")
        if t.rate_change is not None and abs(t.rate_change) >= drift.rate_threshold:
            way = "升高" if t.rate_change > 0 else "降低"
            t.notes.append(f"标记率{way}：上周 {_pct(rate)}（{t.flags[last]}/{t.seen[last]}），此前 {len(base)} 周为 "
                           f"{_pct(base_rate)}，相对变化 {t.rate_change * 100:+.0f}%，达到阈值 {_pct(drift.rate_threshold)}")
    base_mix = _shares(sum((mix_counts[i] for i in base), Counter()))
    last_mix = t.mix[last]
    t.tv_distance = tv_distance(last_mix, base_mix)
    t.checks.append(f"{label}：理由构成的总变差距离 {t.tv_distance:.3f}（阈值 {drift.mix_threshold:g}）")
    if t.tv_distance >= drift.mix_threshold:
        moved = sorted(set(last_mix) | set(base_mix), key=lambda k: (-abs(last_mix.get(k, 0) - base_mix.get(k, 0)), k))[:3]
        parts = "；".join(f"{'（无理由）' if k == '-' else reason_name(k)} {_pct(base_mix.get(k, 0))} → "
                         f"{_pct(last_mix.get(k, 0))}" for k in moved)
        t.notes.append(f"理由构成变化：上周与此前 {len(base)} 周的总变差距离为 {t.tv_distance:.2f}，"
                       f"达到阈值 {drift.mix_threshold:g}。变化最大的理由：{parts}")


_cache: OrderedDict[tuple, ReviewTrends] = OrderedDict()
_seen_cache: OrderedDict[tuple, list[int]] = OrderedDict()
_lock = threading.Lock()


def _store_key(store: Any) -> tuple:
    name = getattr(store, "name", "")
    return (name, 0 if name else id(store))


def _seen(store: Any, bounds: list[str]) -> list[int]:
    """Listings first seen per week, reused while no listing was first seen since (a decision or a flag
    does not change them: counting them is the costliest part, an index range of every listing)."""
    key = (_store_key(store), tuple(bounds), store.review_stats.seen_generation())
    with _lock:
        hit = _seen_cache.get(key)
        if hit is not None:
            _seen_cache.move_to_end(key)
            return list(hit)
    seen = [0] * (len(bounds) - 1)
    for w, count in store.review_stats.seen(bounds):
        seen[w] += count
    with _lock:
        _seen_cache[key] = seen
        while len(_seen_cache) > CACHE_SIZE:
            _seen_cache.popitem(last=False)
    return list(seen)


def review_trends(store: Any, drift: Any, now: datetime | None = None) -> ReviewTrends:
    """`compute`, reused while the store's generation, the settings and the current week stay the same."""
    now = now or utcnow()
    key = (_store_key(store), store.review_stats.generation(), store.review_stats.seen_generation(),
           tuple(sorted(dict(drift).items())), week_starts(now, 1)[0])
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    result = compute(store, drift, now)
    with _lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def training_line(meta: dict) -> str:
    """What the saved model was trained on, in one Chinese line (corpus, reviewer records, when)."""
    line = f"模型训练于 {show_time(meta.get('trained_at'))}：手写语料 {meta.get('n_records', 0)} 条"
    reviews = meta.get("reviews")
    if not reviews:
        return line + "，未使用审核结论"
    gen = reviews.get("generation") or {}
    return (line + f"，审核结论 {reviews.get('used', 0)} 条（确认 {reviews.get('positives', 0)}，"
            f"驳回 {reviews.get('negatives', 0)}；重复 {reviews.get('duplicates', 0)}、留出集 {reviews.get('heldout', 0)}、"
            f"冲突 {reviews.get('conflicts', 0)} 条未用；权重合计 {reviews.get('total_weight', 0)}），"
            f"读取时数据库共 {gen.get('decisions', 0)} 条审核结论（最新编号 {gen.get('last_decision_id', 0)}，"
            f"{show_time(reviews.get('read_at'))}）")


def model_training(model_dir: Path | None) -> str | None:
    """`training_line` of the model saved in `model_dir` (its JSON sidecar, model.json); None without one."""
    if model_dir is None:
        return None
    try:
        meta = json.loads((Path(model_dir) / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return training_line(meta) if isinstance(meta, dict) else None
