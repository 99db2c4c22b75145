"""`firewatch notice create|list|send|ack|status`: formal takedown notices and their lifecycle.

The commands are thin: `alerts.notices` does the work against the store. `send`
writes the letter (HTML + PDF) under `<data>/exports/notices/` and records who sent it
and through which channel (delivery is through the platform's own channel); `status`
re-evaluates removals and deadlines from the store before printing.
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from alerts.notices import (NoticeConfig, acknowledge_notice, create_notice, evaluate_all, evaluate_notice, send_notice,
                            suspected, suspected_removal)
from firewatch.core.datapaths import resolve_path
from firewatch.cli.common import TAKEDOWN_PLATFORMS, settings_of
from firewatch.core.clock import show_date, show_time
from firewatch.services.evidence import default_operator
from firewatch.store import open_store

out = Console(soft_wrap=True, width=max(120, shutil.get_terminal_size().columns))  # tables of dates fit

STATUS_NAMES = {"draft": "草稿", "sent": "已发送", "acknowledged": "已回复", "overdue": "逾期",
                "removal_verified": "已核实下架"}


def _config(settings):
    return NoticeConfig.from_settings(settings)


def _when(value) -> str:
    return show_time(value) if value else "-"


def _table(notices, title: str) -> Table:
    table = Table(title=title)
    for col in ("ID", "平台", "状态", "下架/商品", "发送", "期限", "回复", "核实下架"):
        table.add_column(col, no_wrap=True)
    for n in notices:
        table.add_row(str(n.id), n.platform, n.status, f"{len(n.removed)}/{len(n.listing_keys)}", _day(n.sent_at),
                      _day(n.deadline_at), _day(n.acknowledged_at), _day(n.removal_verified_at))
    return table


def _day(value) -> str:
    return show_date(value) if value else "-"


@click.group()
def notice() -> None:
    """Takedown notices to platforms: create, send, acknowledge, check removal."""


@notice.command("create")
@click.option("--platform", required=True, type=TAKEDOWN_PLATFORMS)
@click.option("--by", "created_by", help="Who drafts it (default: the OS user).")
@click.pass_context
def notice_create(ctx, platform: str, created_by: str | None) -> None:
    """Draft a notice of the platform's confirmed listings not yet in a notice."""

    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        notice_id = create_notice(store, platform, created_by=created_by or default_operator())
        if notice_id is None:
            out.print(f"没有新的已确认商品 no confirmed {platform} listing outside earlier notices: nothing to draft")
            return
        n = store.notices.get_notice(notice_id)
    out.print(f"通知草稿 draft notice {notice_id} for {platform}: {len(n.listing_keys)} listings; "
              f"send it with `firewatch notice send {notice_id}`")


@notice.command("list")
@click.option("--platform", type=TAKEDOWN_PLATFORMS)
@click.pass_context
def notice_list(ctx, platform: str | None) -> None:
    """List notices as stored (no re-evaluation; see `notice status`)."""

    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        notices = store.notices.notices(platform)
    out.print(_table(notices, "下架通知 notices"))


@notice.command("send")
@click.argument("notice_id", type=int)
@click.option("--by", "sent_by", help="Who sends it (default: the OS user).")
@click.option("--channel", help="Delivery channel to record (default: notices.channel).")
@click.pass_context
def notice_send(ctx, notice_id: int, sent_by: str | None, channel: str | None) -> None:
    """Write the notice's letter (HTML + PDF) and mark it sent."""

    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        n = send_notice(store, notice_id, sent_by=sent_by or default_operator(),
                        out_dir=settings.export_dir / "notices", config=_config(settings),
                        chromium=settings.capture.chromium, channel=channel)
    out.print(f"已发送 notice {n.id} marked sent by {escape(n.sent_by)} via {escape(n.channel)}; "
              f"reply due {_when(n.deadline_at)}")
    out.print(f"  PDF  {resolve_path(n.pdf_path, settings.data_dir)}  (SHA-256 {n.document_sha256})")
    out.print(f"  HTML {resolve_path(n.html_path, settings.data_dir)}")


@notice.command("ack")
@click.argument("notice_id", type=int)
@click.option("--by", "by", help="Who recorded the platform's answer (default: the OS user).")
@click.option("--note", default="", help="The platform's answer, in short.")
@click.pass_context
def notice_ack(ctx, notice_id: int, by: str | None, note: str) -> None:
    """Record the platform's acknowledgement of a sent notice."""

    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        n = acknowledge_notice(store, notice_id, by=by or default_operator(), note=note)
    out.print(f"已回复 notice {n.id} acknowledged at {_when(n.acknowledged_at)}")


@notice.command("status")
@click.argument("notice_id", type=int, required=False)
@click.pass_context
def notice_status(ctx, notice_id: int | None) -> None:
    """Re-evaluate removal and deadlines from the store and print each notice's state.

    A listing counts as removed once its own page, fetched again after the notice, says so; one that a
    clean crawl no longer found is queued to be fetched again (run `firewatch process`, then this again)."""

    settings = settings_of(ctx)
    grace = timedelta(seconds=int(settings.crawl.recrawl_after))
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        if notice_id is None:
            notices = evaluate_all(store, recrawl_after=grace)
        else:
            notices = [evaluate_notice(store, notice_id, recrawl_after=grace)]
        bases = {n.id: store.notices.notice_item_bases(n.id) for n in notices}
        confirm_after = timedelta(hours=settings.notices.removal_confirm_hours)
        doubts = {(n.id, key): suspected_removal(seen, confirm_after) for n in notices for key in n.listing_keys
                  if key not in n.removed and n.status in ("sent", "acknowledged", "overdue")
                  and (seen := suspected(store, n, store.listings.get_listing(key))) is not None}
    out.print(_table(notices, "下架通知状态 notice status"))
    for n in notices:
        due = f", reply due {_when(n.deadline_at)}" if n.deadline_at else ""
        out.print(f"notice {n.id} {n.platform}: {n.status} ({STATUS_NAMES.get(n.status, n.status)}), "
                  f"{len(n.removed)}/{len(n.listing_keys)} removed{due}")
        for key in n.listing_keys:
            if key in n.removed:
                out.print(f"  {n.id} {key[0]}:{key[1]} 已下架 removed {_when(n.removed[key])} "
                          f"({escape(bases[n.id].get(key, ''))})")
            elif (n.id, key) in doubts:
                out.print(f"  {n.id} {key[0]}:{key[1]} {escape(doubts[(n.id, key)])}")
            elif n.status in ("sent", "acknowledged", "overdue"):
                out.print(f"  {n.id} {key[0]}:{key[1]} 未核实下架 still online or not re-checked yet")
