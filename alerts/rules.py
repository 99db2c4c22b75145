"""Alert rules: turn the store's state into alert candidates, each with a dedupe key.

`run_rules(store, cfg)` evaluates the rules named in settings `[alerts] rules` (`RULES`) and stores
the candidates whose dedupe key is new, so running twice raises nothing new; `evaluate` only lists
them. Seller-written text (titles, shop names) goes only into `details`; senders escape it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Callable

from firewatch.core.hostmap import HostMap
from firewatch.core.labels import PLATFORM_NAMES, category_name, reason_name
from firewatch.core.models import Assessment, Listing, utcnow
from firewatch.core.settings import ALERT_RULES, AlertsSettings, CrawlSettings, Settings
from firewatch.store import Store

from .relisting import ImageHasher, RelistingConfig, find_relistings
from classifiers.specs import load_facts

log = logging.getLogger(__name__)

RULES = ALERT_RULES  # the names the settings schema accepts in [alerts] rules
# new_flagged: a flagged listing at or above a risk threshold; notice_overdue: a confirmed
# listing still online some days after its takedown notice was sent; relisting: see
# alerts.relisting; price_floor: a unit price below the floor of its specification (the
# classifiers' price priors); crawler_blocked: a crawl run that met captcha or login walls.
RULE_NAMES = {
    "new_flagged": "新标记商品",
    "notice_overdue": "通知后仍在售",
    "relisting": "疑似重新上架",
    "price_floor": "价格低于规格底价",
    "crawler_blocked": "平台拦截抓取",
}
SIGNAL_NAMES = {"title": "标题相似", "shop": "同一或相似店铺", "image": "主图相同"}


def rule_name(rule: str) -> str:
    return RULE_NAMES.get(rule, rule)


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)


_DEFAULTS = AlertsSettings()  # the schema's defaults, for an AlertsConfig built directly


@dataclass
class AlertsConfig:
    """The [alerts] settings the rules need (senders read theirs in `alerts.senders`)."""

    rules: tuple[str, ...] = tuple(_DEFAULTS.rules)
    risk_threshold: float = _DEFAULTS.risk_threshold
    flagged_max_age_days: float = _DEFAULTS.flagged_max_age_days
    notice_overdue_days: float = _DEFAULTS.notice_overdue_days
    price_floor_fraction: float = _DEFAULTS.price_floor_fraction
    blocked_min_blocks: int = _DEFAULTS.blocked_min_blocks
    relisting: RelistingConfig = field(default_factory=RelistingConfig)
    image_timeout: float = _DEFAULTS.image_timeout
    image_max_bytes: int = _DEFAULTS.image_max_bytes
    image_retry_hours: float = _DEFAULTS.image_retry_hours
    user_agent: str = CrawlSettings().user_agent
    hostmap: HostMap = field(default_factory=HostMap)

    @classmethod
    def from_settings(cls, settings: Settings) -> "AlertsConfig":
        a = settings.alerts
        return cls(
            rules=tuple(a.rules), risk_threshold=a.risk_threshold, flagged_max_age_days=a.flagged_max_age_days,
            notice_overdue_days=a.notice_overdue_days, price_floor_fraction=a.price_floor_fraction,
            blocked_min_blocks=a.blocked_min_blocks,
            relisting=RelistingConfig(
                min_score=a.relisting_min_score, title_min_similarity=a.relisting_title_min_similarity,
                shop_min_similarity=a.relisting_shop_min_similarity,
                image_max_distance=a.relisting_image_max_distance, weights=a.relisting_weights.model_dump()),
            image_timeout=a.image_timeout, image_max_bytes=a.image_max_bytes, image_retry_hours=a.image_retry_hours,
            user_agent=settings.crawl.user_agent, hostmap=HostMap.from_settings(settings),
        )


def listing_details(listing: Listing, assessment: Assessment | None = None) -> dict[str, Any]:
    """What people need to see about a listing (seller text included: escape when rendering)."""
    price = listing.display_price
    d: dict[str, Any] = {
        "platform": listing.platform, "platform_name": platform_name(listing.platform),
        "listing_id": listing.listing_id, "title": listing.title, "url": listing.url,
        "shop_name": listing.shop_name, "shop_id": listing.shop_id,
        "price": str(price) if price is not None else None, "status": listing.status,
    }
    if assessment is not None:
        d.update(category=assessment.category, category_name=category_name(assessment.category),
                 risk_score=assessment.risk_score,
                 reasons=[{"code": r.code, "name": reason_name(r.code)} for r in assessment.reasons])
    return d


def _label(listing: Listing) -> str:
    return f"{platform_name(listing.platform)} {listing.listing_id}"


# -- the rules ---------------------------------------------------------------------------
def rule_new_flagged(store: Store, cfg: AlertsConfig, now: datetime) -> list[dict[str, Any]]:
    oldest = now - timedelta(days=cfg.flagged_max_age_days) if cfg.flagged_max_age_days > 0 else None
    out = []
    for listing, a in store.assessments.flagged():
        if a.risk_score < cfg.risk_threshold or (oldest and a.assessed_at and a.assessed_at < oldest):
            continue
        out.append({
            "rule": "new_flagged", "dedupe_key": f"new_flagged:{listing.platform}:{listing.listing_id}",
            "platform": listing.platform, "listing_id": listing.listing_id,
            "summary": f"新标记商品：{_label(listing)}，风险分 {a.risk_score:.2f}（{category_name(a.category)}）",
            "details": {**listing_details(listing, a), "threshold": cfg.risk_threshold},
        })
    return out


def rule_notice_overdue(store: Store, cfg: AlertsConfig, now: datetime) -> list[dict[str, Any]]:
    out = []
    for item in store.notices.sent_notice_items():
        sent_at = item["sent_at"]
        if sent_at is None or now - sent_at < timedelta(days=cfg.notice_overdue_days):
            continue
        key = (item["platform"], item["listing_id"])
        listing = store.listings.get_listing(key)
        decision = store.reviews.latest_decision(key)
        if listing is None or listing.status != "active" or decision is None or decision.verdict != "confirm":
            continue
        days = (now - sent_at).total_seconds() / 86400
        seen_after = bool(listing.last_seen and listing.last_seen > sent_at)
        out.append({
            "rule": "notice_overdue", "dedupe_key": f"notice_overdue:{item['notice_id']}:{key[0]}:{key[1]}",
            "platform": key[0], "listing_id": key[1],
            "summary": f"通知后仍在售：{_label(listing)}，通知 #{item['notice_id']} 已发出 {days:.0f} 天，商品仍在线",
            "details": {**listing_details(listing, store.assessments.get_assessment(key)), "notice_id": item["notice_id"],
                        "sent_at": sent_at.isoformat(), "days_since_notice": round(days, 1),
                        "overdue_days": cfg.notice_overdue_days,
                        "last_seen": listing.last_seen.isoformat() if listing.last_seen else None,
                        "seen_online_after_notice": seen_after},
        })
    return out


def rule_relisting(store: Store, cfg: AlertsConfig, now: datetime, hasher: ImageHasher | None) -> list[dict[str, Any]]:
    out = []
    for m in find_relistings(store, cfg.relisting, hasher):
        t, s = m.target, m.source
        matched = "、".join(SIGNAL_NAMES[n] for n in m.matched)
        kind = "已下架" if m.source_kind == "removed" else "已确认违规"
        out.append({
            "rule": "relisting", "dedupe_key": f"relisting:{t.platform}:{t.listing_id}",
            "platform": t.platform, "listing_id": t.listing_id,
            "summary": f"疑似重新上架：{_label(t)} 与{kind}商品 {_label(s)} 相似（{matched}；得分 {m.score:.2f}）",
            "details": {**listing_details(t, store.assessments.get_assessment(t.key)), "score": m.score,
                        "matched": m.matched, "matched_names": [SIGNAL_NAMES[n] for n in m.matched],
                        "signals": m.signals, "source_kind": m.source_kind,
                        "source": listing_details(s, store.assessments.get_assessment(s.key)),
                        "other_sources": m.other_sources},
        })
    return out


def rule_price_floor(store: Store, cfg: AlertsConfig, now: datetime) -> list[dict[str, Any]]:
    from classifiers.price import find_prior, listing_specs, load_priors, unit_price  # scikit-learn: load on use

    priors = load_priors()
    if not priors.get("enabled", True):
        log.info("price_floor: price priors are switched off (enabled: false); rule skipped")
        return []
    units, facts, out = dict(priors.get("units", {})), load_facts(), []
    for listing in store.listings.iter_listings():
        if listing.status != "active":
            continue
        a = store.assessments.get_assessment(listing.key)
        if a is None or a.category in ("not_fire", "other_fire"):
            continue
        specs = listing_specs(listing, facts)
        prior = find_prior(priors, a.category, specs)
        up = unit_price(listing, a.category, specs, units)
        if prior is None or up is None:
            continue
        explicit = prior.get("floor")
        floor = float(explicit) if explicit is not None else cfg.price_floor_fraction * float(prior["median"])
        if up["unit_price"] >= floor:
            continue
        price_fen = int((Decimal(str(up["price"])) * 100).to_integral_value())
        per = {"piece": "件", "m": "米", "kg": "千克", "m2": "平方米"}.get(up["basis"], up["basis"])
        out.append({
            "rule": "price_floor", "dedupe_key": f"price_floor:{listing.platform}:{listing.listing_id}:{price_fen}",
            "platform": listing.platform, "listing_id": listing.listing_id,
            "summary": (f"价格低于规格底价：{_label(listing)} 单价 {up['unit_price']:.2f} 元/{per}，"
                        f"底价 {floor:.2f} 元/{per}（{category_name(a.category)}）"),
            "details": {**listing_details(listing, a), "unit_price": round(up["unit_price"], 2), "basis": up["basis"],
                        "quantity": up["qty"], "floor": round(floor, 2),
                        "floor_source": "explicit" if explicit is not None else f"{cfg.price_floor_fraction} x median",
                        "prior_label": prior.get("label", ""), "prior_median": float(prior["median"])},
        })
    return out


def rule_crawler_blocked(store: Store, cfg: AlertsConfig, now: datetime) -> list[dict[str, Any]]:
    out = []
    for run in store.listings.crawl_runs(200):
        if run.get("ended_at") is None:
            continue
        blocks, items = int(run.get("blocks") or 0), int(run.get("items") or 0)
        expired = run.get("outcome") == "session_expired"
        if not expired and blocks < cfg.blocked_min_blocks and not (blocks > 0 and items == 0):
            continue
        summary = (f"平台拦截抓取：{platform_name(run['platform'])} 抓取 #{run['id']} 遇到验证/登录页 "
                   f"{blocks} 次，入库 {items} 条")
        if expired:
            summary = (f"会话失效：{platform_name(run['platform'])} 登录会话已失效或未导入，抓取 #{run['id']} 已暂停该平台。"
                       f"请在浏览器中重新登录并导出会话，然后运行 firewatch session import --platform {run['platform']} FILE；"
                       "用 firewatch sites check 确认")
        out.append({
            "rule": "crawler_blocked", "dedupe_key": f"crawler_blocked:{run['id']}",
            "platform": run["platform"], "listing_id": "",
            "summary": summary,
            "details": {"platform": run["platform"], "platform_name": platform_name(run["platform"]),
                        "run_id": run["id"], "started_at": run["started_at"], "ended_at": run["ended_at"],
                        "blocks": blocks, "items": items, "pages": run.get("pages"), "outcome": run.get("outcome"),
                        "min_blocks": cfg.blocked_min_blocks, "session_expired": expired},
        })
    return out


SIMPLE_RULES: dict[str, Callable[[Any, AlertsConfig, datetime], list[dict[str, Any]]]] = {
    "new_flagged": rule_new_flagged, "notice_overdue": rule_notice_overdue,
    "price_floor": rule_price_floor, "crawler_blocked": rule_crawler_blocked,
}


@dataclass
class RunResult:
    """What one evaluation did: candidates per rule, the ids newly stored, image fetches."""

    candidates: dict[str, int]
    new_ids: list[int]
    new_per_rule: dict[str, int]
    images_fetched: int = 0
    images_failed: int = 0
    images_skipped: int = 0


def evaluate(store: Store, cfg: AlertsConfig, now: datetime | None = None,
             hasher: ImageHasher | None = None) -> list[dict[str, Any]]:
    """Every configured rule's candidates (nothing stored)."""
    now = now or utcnow()
    out: list[dict[str, Any]] = []
    for rule in cfg.rules:
        found = rule_relisting(store, cfg, now, hasher) if rule == "relisting" else SIMPLE_RULES[rule](store, cfg, now)
        log.info("rule %s: %d candidates", rule, len(found))
        out.extend(found)
    return out


def run_rules(store: Store, cfg: AlertsConfig, now: datetime | None = None,
              hasher: ImageHasher | None = None) -> RunResult:
    """Evaluate the rules and store new alerts (a known dedupe key is skipped)."""
    own = hasher is None
    if own:
        hasher = ImageHasher(store, cfg.image_timeout, cfg.image_max_bytes, cfg.image_retry_hours, cfg.user_agent,
                             transport=cfg.hostmap.httpx_transport())
    try:
        candidates = evaluate(store, cfg, now, hasher)
    finally:
        if own:
            hasher.close()
    counts: dict[str, int] = {}
    for c in candidates:
        counts[c["rule"]] = counts.get(c["rule"], 0) + 1
    ids = store.alerts.add_alerts(candidates)
    new_per_rule: dict[str, int] = {}
    for alert_id in ids:
        rule = store.alerts.get_alert(alert_id).rule
        new_per_rule[rule] = new_per_rule.get(rule, 0) + 1
    return RunResult(counts, ids, new_per_rule, hasher.fetched, hasher.failed, hasher.skipped)
