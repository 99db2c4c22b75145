"""`firewatch alerts`: evaluate the alert rules, list, send, acknowledge, digest, dead letters.

The rules, senders and digest live in `alerts/`; this module parses options, opens the
store and prints Chinese summaries. The root group (`firewatch.cli`) registers it with
`cli.add_command(alerts)`. A delivery that failed every retry is reported, recorded as a
dead letter, and makes the command exit with status 75 (EX_TEMPFAIL) so that cron or
the scheduler notices; the alerts themselves stay unsent and are tried again.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import replace
from datetime import date, timedelta

import click
from rich.table import Table

from alerts.digest import build_digest, send_digest, today, zone
from alerts.exceptions import AlertsConfigError, DeliveryError
from alerts.relisting import ImageHasher
from alerts.rules import RULES, AlertsConfig, rule_name, run_rules
from alerts.senders import deliver_pending, policy_from_settings, render, retry_dead_letters, senders_from_settings
from firewatch.cli.common import console, out, settings_of, store_of
from firewatch.core.clock import show_time
from firewatch.core.settings import Settings

STATE_CHOICE = click.Choice(["new", "sent", "acknowledged"])
STATE_NAMES = {"new": "未发送", "sent": "已发送", "acknowledged": "已确认"}


def _senders(settings: Settings, required: bool = True):
    senders = senders_from_settings(settings)
    if required and not senders:
        raise AlertsConfigError("no alert channel configured: set alerts.smtp_host and alerts.smtp_to (e-mail) "
                                "and/or alerts.webhook_url and alerts.webhook_secret in the settings file")
    return senders


def _fail_if(failed: list[str]) -> None:
    if failed:

        raise DeliveryError("投递失败 delivery failed on " + "; ".join(failed)
                            + " — recorded as dead letters; see `firewatch alerts dead-letters`, retry with --retry")


@click.group()
def alerts() -> None:
    """Alerts: rules over the store, delivery by e-mail and webhook, a daily digest.

    \b
    Rules ([alerts] rules in the settings file):
      new_flagged      a flagged listing with risk_score >= alerts.risk_threshold
      notice_overdue   a confirmed listing still online alerts.notice_overdue_days after its notice
      relisting        a removed or confirmed listing reappearing (title, shop, main image)
      price_floor      a unit price below the floor of its specification
      crawler_blocked  a crawl run that met captcha or login walls
    Each alert is raised once (a dedupe key) and sent once per channel.
    Typical use: `firewatch alerts run && firewatch alerts send`, and once a day
    `firewatch alerts digest`.
    """


@alerts.command("run")
@click.option("--rule", "rules", multiple=True, help="Evaluate only this rule (repeatable); default: alerts.rules.")
@click.option("--no-images", is_flag=True, help="Relisting without fetching images (the image signal counts as unknown).")
@click.pass_context
def alerts_run(ctx: click.Context, rules: tuple[str, ...], no_images: bool) -> None:
    """Evaluate the rules and store the new alerts; print how many each rule found.

    Running it again raises nothing new: an alert already raised (in any state) is
    recognised by its dedupe key.
    """



    cfg = AlertsConfig.from_settings(settings_of(ctx))
    if rules:
        unknown = [r for r in rules if r not in RULES]
        if unknown:
            raise AlertsConfigError(f"unknown rule(s) {unknown}; choose from {', '.join(RULES)}")
        cfg = replace(cfg, rules=tuple(rules))
    with store_of(ctx) as store:
        hasher = None
        if not no_images:
            hasher = ImageHasher(store, cfg.image_timeout, cfg.image_max_bytes, cfg.image_retry_hours, cfg.user_agent)
        try:
            result = run_rules(store, cfg, hasher=hasher)
        finally:
            if hasher is not None:
                hasher.close()
    table = Table(title="告警规则 alert rules")
    for col in ("规则 rule", "名称", "命中", "新告警"):
        table.add_column(col)
    for rule in cfg.rules:
        table.add_row(rule, rule_name(rule), str(result.candidates.get(rule, 0)), str(result.new_per_rule.get(rule, 0)))
    out.print(table)
    if "relisting" in cfg.rules and hasher is not None:
        out.print(f"图片 images: 新取 {result.images_fetched}，失败 {result.images_failed}，"
                  f"主机无响应跳过 {result.images_skipped}")
    out.print(f"新告警 {len(result.new_ids)} 条" + ("（运行 `firewatch alerts send` 发送）" if result.new_ids else ""))


@alerts.command("list")
@click.option("--state", type=STATE_CHOICE, help="Only alerts in this state.")
@click.option("--rule", help="Only alerts of this rule.")
@click.option("--limit", default=100, show_default=True, help="At most this many (newest last).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.pass_context
def alerts_list(ctx: click.Context, state: str | None, rule: str | None, limit: int, as_json: bool) -> None:
    """List stored alerts (id, rule, state, listing, summary)."""


    with store_of(ctx) as store:
        rows = store.alerts.alerts(state=state, rule=rule)
    rows = rows[-limit:] if limit else rows
    if as_json:
        for a in rows:
            click.echo(json.dumps(a.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"告警 alerts（{len(rows)} 条）")
    for col in ("id", "规则", "状态", "商品", "摘要", "时间 (UTC)"):
        table.add_column(col, overflow="fold")
    for a in rows:
        listing = f"{a.platform}:{a.listing_id}" if a.listing_id else a.platform
        table.add_row(str(a.id), rule_name(a.rule), STATE_NAMES.get(a.state, a.state), listing, a.summary,
                      show_time(a.created_at))
    out.print(table)


@alerts.command("send")
@click.pass_context
def alerts_send(ctx: click.Context) -> None:
    """Deliver the new alerts on every configured channel (e-mail, webhook).

    \b
    Each channel gets the alerts it has not delivered yet, as one batch; a channel never
    gets an alert twice. A failed batch is retried (alerts.max_attempts, exponential
    backoff from alerts.backoff_seconds), then recorded as a dead letter with the last
    error; its alerts stay unsent and go out with the next `send` or `dead-letters --retry`.
    """

    settings = settings_of(ctx)
    senders = _senders(settings)
    with store_of(ctx) as store:
        results = deliver_pending(store, senders, policy_from_settings(settings))
        left = len(store.alerts.alerts(state="new"))
    failed = []
    for r in results:
        if r.failed:
            failed.append(f"{r.channel} ({r.error})")
            console.print(f"[red]{r.channel}: {r.failed} 条发送失败（尝试 {r.attempts} 次），已记入死信 #{r.dead_letter}: "
                          f"{r.error}[/red]")
        elif r.busy:
            out.print(f"{r.channel}: 另一个发送进程正在此渠道发送，本次跳过 another send is running on this channel; skipped")
        else:
            out.print(f"{r.channel}: 已发送 {r.delivered} 条")
    out.print(f"未发送告警 {left} 条")
    _fail_if(failed)


@alerts.command("ack")
@click.argument("alert_ids", nargs=-1, type=int, required=True)
@click.option("--by", "by", help="Who acknowledges (default: the login name).")
@click.pass_context
def alerts_ack(ctx: click.Context, alert_ids: tuple[int, ...], by: str | None) -> None:
    """Acknowledge alerts by id (they are then neither sent nor listed as new)."""
    who = by or getpass.getuser()
    with store_of(ctx) as store:
        for alert_id in alert_ids:
            a = store.alerts.acknowledge_alert(alert_id, who)
            out.print(f"#{a.id} 已确认 acknowledged by {a.acknowledged_by} at {show_time(a.acknowledged_at, seconds=True)}")


def _parse_day(text: str | None, tz_name: str) -> date:
    now = today(zone(tz_name))
    if not text or text == "today":
        return now
    if text == "yesterday":
        return now - timedelta(days=1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r}: write YYYY-MM-DD, today or yesterday", param_hint="--date") from None


@alerts.command("digest")
@click.option("--date", "day", help="The day: YYYY-MM-DD, today (default) or yesterday, in alerts.timezone.")
@click.option("--print", "print_only", is_flag=True, help="Print the digest and send nothing.")
@click.option("--force", is_flag=True, help="Send again on channels that already sent this day's digest.")
@click.pass_context
def alerts_digest(ctx: click.Context, day: str | None, print_only: bool, force: bool) -> None:
    """Summarise one day's alerts per rule, platform, category and state, and send it.

    Sent once per day and channel (unless --force). Without a configured channel, or
    with --print, the digest is printed instead.
    """

    settings = settings_of(ctx)
    tz_name = settings.alerts.timezone
    the_day = _parse_day(day, tz_name)
    senders = [] if print_only else _senders(settings, required=False)
    with store_of(ctx) as store:
        if not senders:
            click.echo(render(build_digest(store, the_day, tz_name))[0])
            return
        payload, results = send_digest(store, senders, policy_from_settings(settings), the_day, tz_name, force)
    out.print(f"{payload['day']} 告警汇总：共 {payload['total']} 条")
    failed = []
    for r in results:
        if r.get("busy"):
            out.print(f"{r['channel']}: 另一个发送进程正在此渠道发送，本次跳过 another send is running; skipped")
        elif r["skipped"]:
            out.print(f"{r['channel']}: 当天汇总已发送过（--force 再次发送）")
        elif r["ok"]:
            out.print(f"{r['channel']}: 已发送")
        else:
            failed.append(f"{r['channel']} ({r['error']})")
            console.print(f"[red]{r['channel']}: 发送失败，已记入死信 #{r['dead_letter']}: {r['error']}[/red]")
    _fail_if(failed)


@alerts.command("dead-letters")
@click.option("--retry", is_flag=True, help="Try every open dead letter again on its channel.")
@click.option("--all", "show_all", is_flag=True, help="Also list resolved dead letters.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.pass_context
def alerts_dead_letters(ctx: click.Context, retry: bool, show_all: bool, as_json: bool) -> None:
    """List deliveries that failed every retry (with the last error), or retry them.

    A retried batch only carries the alerts that channel has not delivered since, so
    nothing is sent twice.
    """


    settings = settings_of(ctx)
    tz_name = settings.alerts.timezone
    with store_of(ctx) as store:
        if retry:
            report = retry_dead_letters(store, _senders(settings), policy_from_settings(settings),
                                        lambda d: build_digest(store, date.fromisoformat(d), tz_name))
            failed = []
            for e in report:
                status = "成功" if e["ok"] else "失败"
                out.print(f"死信 #{e['id']} {e['channel']} {e['kind']}: {status} {e['note']}".rstrip())
                if not e["ok"]:
                    failed.append(f"{e['channel']} #{e['id']} ({e['note']})")
            if not report:
                out.print("没有待重试的死信 no open dead letters")
            _fail_if(failed)
            return
        rows = store.alerts.dead_letters(include_resolved=show_all)
    if as_json:
        for d in rows:
            click.echo(json.dumps({"id": d.id, "channel": d.channel, "kind": d.kind, "alert_ids": d.alert_ids,
                                   "attempts": d.attempts, "last_error": d.last_error,
                                   "created_at": d.created_at.isoformat(),
                                   "resolved_at": d.resolved_at.isoformat() if d.resolved_at else None},
                                  ensure_ascii=False))
        return
    table = Table(title=f"死信 dead letters（{len(rows)} 条）")
    for col in ("id", "渠道", "类型", "告警", "尝试", "最后错误", "时间 (UTC)", "已解决"):
        table.add_column(col, overflow="fold")
    for d in rows:
        table.add_row(str(d.id), d.channel, d.kind, ",".join(map(str, d.alert_ids)) or d.payload.get("day", ""),
                      str(d.attempts), d.last_error, show_time(d.created_at),
                      show_time(d.resolved_at))
    out.print(table)
