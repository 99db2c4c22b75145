"""`firewatch assist request|import|list`: enforcement-assistance requests (执法协查函) and the replies.

Thin: `firewatch.services.assistance` does the work. `request` writes the letter (PDF) and the
reply template (XLSX) under `<data>/exports/assist/` and prints their paths; `import` stores a
filled reply whole or, naming each bad row, not at all (exit 65); `list` shows the requests.
"""

from __future__ import annotations

import shutil

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from firewatch.cli.common import TAKEDOWN_PLATFORMS, settings_of
from firewatch.core.clock import show_time
from firewatch.services.assistance import import_reply, request_assistance
from firewatch.services.evidence import default_operator
from firewatch.store import open_store

out = Console(soft_wrap=True, width=max(160, shutil.get_terminal_size().columns))  # numbers, times and paths fit


@click.group()
def assist() -> None:
    """执法协查 Enforcement assistance: 协查函 (PDF + XLSX template) to a platform, import its reply.

    \b
    《网络交易执法协查暂行办法》(2025-01-20 起施行): 县级以上市场监管部门可要求平台按标准字段提供
    平台内经营者身份、商品、支付、物流、退换货信息。
    例 e.g.  firewatch assist request --platform jd jd:100012345678
             firewatch assist import 回复表.xlsx
    """


@assist.command("request")
@click.option("--platform", required=True, type=TAKEDOWN_PLATFORMS, help="平台代码 platform code (jd, taobao, tmall, pdd, 1688).")
@click.option("--deadline-days", type=click.IntRange(min=1), help="回复期限（日）reply deadline in days (default: notices.reply_deadline_days).")
@click.option("--by", "created_by", help="发函人 who issues it (default: the OS user).")
@click.argument("listings", nargs=-1, required=True)
@click.pass_context
def assist_request(ctx, platform: str, deadline_days: int | None, created_by: str | None, listings: tuple[str, ...]) -> None:
    """生成协查函 Write a 协查函 (PDF) and its reply template (XLSX) for LISTINGS.

    LISTINGS: 平台:商品ID (jd:100012345678) or the real item URL (https://item.jd.com/100012345678.html),
    all of --platform and already in the store. Exit 65 (数据错误 data error) on an unknown listing.
    """
    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        request = request_assistance(settings, store, platform, list(listings), created_by=created_by or default_operator(),
                                     deadline_days=deadline_days)
    out.print(f"协查函 {escape(request.number)} (request {request.id}): {len(request.listing_keys)} 个商品 listings of "
              f"{platform}; 回复期限 reply due {show_time(request.deadline_at)}")
    out.print(f"  PDF  {settings.data_dir / request.pdf_path}  (SHA-256 {request.document_sha256})", soft_wrap=True)
    out.print(f"  XLSX {settings.data_dir / request.xlsx_path}  (SHA-256 {request.xlsx_sha256})", soft_wrap=True)


@assist.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--platform", type=TAKEDOWN_PLATFORMS, help="平台代码, for rows naming only a 平台商品编号 without a request number.")
@click.option("--by", "imported_by", help="导入人 who imports it (default: the OS user).")
@click.pass_context
def assist_import(ctx, file: str, platform: str | None, imported_by: str | None) -> None:
    """导入协查回复 Import a platform's filled reply (XLSX or CSV, columns in any order).

    Every row must name a listing in the store (商品链接 or 平台商品编号) and carry valid values;
    统一社会信用代码 is checked (GB 32100-2015). Any bad row: each is printed with its row number,
    nothing is imported, exit 65. The same file again imports nothing.
    """
    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        result = import_reply(store, file, imported_by=imported_by or default_operator(), platform=platform)
    if result.already:
        out.print(f"已导入过 already imported (SHA-256 {result.sha256}): nothing changed")
        return
    out.print(f"已导入 imported {result.stored} 行 rows about {len(result.listings)} 个商品 listings; "
              f"{result.blank} 行未填写 blank rows skipped; 协查编号 requests: {escape(', '.join(result.requests) or '-')}")


@assist.command("list")
@click.option("--platform", type=TAKEDOWN_PLATFORMS, help="只列此平台 only this platform.")
@click.pass_context
def assist_list(ctx, platform: str | None) -> None:
    """列出协查函 List assistance requests and how many reply rows each has."""
    settings = settings_of(ctx)
    table = Table(title="执法协查 assistance requests")
    for col in ("ID", "协查编号", "平台", "商品数", "发函时间", "回复期限", "回复行数", "PDF"):
        table.add_column(col, no_wrap=True)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        for r in store.assist.requests(platform):
            table.add_row(str(r.id), escape(r.number), r.platform, str(len(r.listing_keys)), show_time(r.created_at),
                          show_time(r.deadline_at), str(len(store.assist.replies_of_request(r.id))), escape(r.pdf_path))
    out.print(table)
