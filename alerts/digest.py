"""The daily digest: one day's alerts summarised per rule, platform, category and state.

`build_digest(store, day, tz_name)` makes the JSON-ready payload (`type: digest`) of a calendar day
in the configured zone; `send_digest` sends it once per day and channel (under the channel's
delivery lock; again with `force`), and a delivery that fails every retry becomes a dead letter.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from firewatch.core import clock
from firewatch.core.labels import PLATFORM_NAMES, category_name
from firewatch.core.models import utcnow
from firewatch.store import Store

from .exceptions import AlertsConfigError
from .rules import rule_name
from .senders import DeliveryPolicy, Sender, clean, deliver_with_retry

log = logging.getLogger(__name__)

STATE_NAMES = {"new": "未发送", "sent": "已发送", "acknowledged": "已确认"}
MAX_LISTED = 200  # alerts listed one by one in a digest; the counts cover all


def zone(name: str) -> tzinfo:
    """The named time zone; China's zone is a fixed +08:00 when no tz database is installed."""
    try:
        return clock.zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AlertsConfigError(f"alerts.timezone: unknown time zone {name!r}") from None


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC."""
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def today(tz: tzinfo, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(tz).date()


def _counted(counts: dict[str, int], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"key": k, "name": names.get(k, k), "count": n}
            for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def build_digest(store: Store, day: date, tz_name: str = "Asia/Shanghai") -> dict[str, Any]:
    """The payload of one day's digest (every alert created that local day, in any state)."""
    tz = zone(tz_name)
    start, end = day_bounds(day, tz)
    alerts = store.alerts.alerts(since=start, until=end)
    by_rule: dict[str, int] = {}
    by_platform: dict[str, int] = {}
    by_category: dict[str, int] = {}
    by_state: dict[str, int] = {}
    categories: dict[str, str] = {}
    for a in alerts:
        by_rule[a.rule] = by_rule.get(a.rule, 0) + 1
        platform = a.platform or "-"
        by_platform[platform] = by_platform.get(platform, 0) + 1
        cat = a.details.get("category") or "-"
        categories[cat] = category_name(cat) if cat != "-" else "未分类"
        by_category[cat] = by_category.get(cat, 0) + 1
        by_state[a.state] = by_state.get(a.state, 0) + 1
    listed = [{"id": a.id, "rule": a.rule, "rule_name": rule_name(a.rule), "platform": a.platform,
               "listing_id": a.listing_id, "summary": a.summary, "state": a.state,
               "created_at": a.created_at.isoformat()} for a in alerts[:MAX_LISTED]]
    rules = {r: rule_name(r) for r in by_rule}
    platforms = {**PLATFORM_NAMES, "-": "（无平台）"}
    return clean({
        "type": "digest", "day": day.isoformat(), "timezone": tz_name or "UTC",
        "from": start.isoformat(), "until": end.isoformat(), "generated_at": utcnow().isoformat(),
        "total": len(alerts), "by_rule": _counted(by_rule, rules), "by_platform": _counted(by_platform, platforms),
        "by_category": _counted(by_category, categories), "by_state": _counted(by_state, STATE_NAMES),
        "alerts": listed, "truncated": max(0, len(alerts) - MAX_LISTED),
    })


def send_digest(store: Store, senders: list[Sender], policy: DeliveryPolicy, day: date,
                tz_name: str = "Asia/Shanghai", force: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Send one day's digest on every channel that has not sent it; returns (payload, per-channel results)."""
    payload = build_digest(store, day, tz_name)
    results = []
    for sender in senders:
        entry: dict[str, Any] = {"channel": sender.channel, "ok": False, "skipped": False, "error": "",
                                 "dead_letter": None}
        results.append(entry)
        with store.alerts.delivery_lock(sender.channel) as mine:
            if not mine:  # another process is sending on this channel: it sends the digest, or the next run does
                entry.update(ok=True, skipped=True, busy=True)
                continue
            if not force and store.alerts.digest_sent(payload["day"], sender.channel):
                entry.update(ok=True, skipped=True)
                continue
            ok, attempts, error = deliver_with_retry(sender, payload, policy)
            entry.update(ok=ok, error=error)
            if ok:
                store.alerts.mark_digest_sent(payload["day"], sender.channel)
            else:
                entry["dead_letter"] = store.alerts.add_dead_letter(sender.channel, "digest", [], payload, attempts, error)
    return payload, results
