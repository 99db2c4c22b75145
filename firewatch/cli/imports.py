"""`firewatch import`: load official reference lists and platforms' report files into the store.

`import listings FILE --source NAME` files each row of a platform's data report as a listing
with its provenance (`firewatch.services.reports`). `import watchlist FILE` reads a spot-check failure list (抽查不合格产品名单) and
`import certificates FILE` a certificate registry export; both go into the store
(migration 2), from where scoring takes its watchlist and certificate lookup. Listings
already in the store that the new entries concern are queued for rescoring, so the next
`firewatch process` applies them. Reading the files is `firewatch.imports`.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from classifiers.watchlist import Watchlist
from firewatch.cli.common import settings_of
from firewatch.core.clock import show_time
from firewatch.imports import read_certificates_file, read_watchlist_file
from firewatch.imports.listings import read_listings_file
from firewatch.services.reports import import_listings
from firewatch.core.exceptions import ImportFileError
from firewatch.store import open_store

console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def _report(result, kind: str) -> None:
    cols = ", ".join(f"{v}->{k}" for k, v in result.columns.items())
    out.print(f"表头 header: row {result.header_row}; 列 columns: {cols}")
    if result.skipped:
        out.print(f"跳过 skipped {result.skipped} rows without a {kind}")
    for w in result.warnings[:20]:
        console.print(f"[yellow]注意 warning:[/yellow] {w}")
    if len(result.warnings) > 20:
        console.print(f"[yellow]... and {len(result.warnings) - 20} more warnings[/yellow]")


@click.group("import")
def import_() -> None:
    """Import platforms' report files (listings) and official reference lists into the store.

    \b
    导入平台报送数据 (listings)：每行一个商品线索，进入评分、取证和审核。
    导入官方名单: 抽查不合格产品名单 (watchlist) 和 认证证书登记 (certificates).
    Scoring then uses them: watchlist_seller for a listing whose shop or manufacturer
    matches a listed company; invalid_certificate for a cited CCC number that is not in
    the registry, or is 注销/暂停/撤销, or expired.
    """


@import_.command("watchlist")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Read and report only; change nothing.")
@click.option("--rescore/--no-rescore", default=True, show_default=True,
              help="Queue stored listings whose shop or manufacturer matches for rescoring.")
@click.pass_context
def import_watchlist(ctx, file: str, dry_run: bool, rescore: bool) -> None:
    """Import a spot-check failure list (XLSX or CSV, UTF-8 or GBK) as the seller/manufacturer watchlist.

    \b
    导入抽查不合格产品名单. Expected columns (any order; title rows above the header are fine):
      序号, 产品种类, 受检单位, 标称生产单位, 标称生产单位所在地, 产品名称, 规格型号,
      生产日期/批号, 主要不合格项目, 承检机构, 电商平台, 备注
    At least one of 受检单位 (the inspected seller or shop) and 标称生产单位 (the nominal
    manufacturer) is needed; each named company becomes a watched name. Names match
    leniently (company suffixes such as 有限公司/旗舰店, punctuation and full-width forms
    are ignored). Importing the same file again adds nothing.
    """

    result = read_watchlist_file(file)
    names = {r["name_key"]: r["name"] for r in result.records}
    out.print(f"读取 read {len(result.records)} entries, {len(names)} distinct companies from {file}")
    _report(result, "受检单位/标称生产单位")
    if dry_run:
        for name in list(names.values())[:20]:
            out.print(f"  {name}")
        return
    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        added = store.references.add_watchlist_entries(result.records, source=Path(file).name, source_sha256=result.sha256)
        queued = 0
        if rescore and added:
            watch = Watchlist(names.values())
            for listing in store.listings.iter_listings():
                values = [listing.shop_name, *(str(v) for v in (listing.attributes or {}).values())]
                if any(watch.match(v or "") for v in values):
                    store.queue.enqueue(listing.key, "score")
                    queued += 1
        total = len(store.references.watchlist_names())
    out.print(f"已导入 imported {added} new entries (名单共 {total} companies watched); "
              f"待重新评分 queued for rescoring: {queued}")


@import_.command("certificates")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Read and report only; change nothing.")
@click.option("--rescore/--no-rescore", default=True, show_default=True,
              help="Queue stored listings that cite an imported number for rescoring.")
@click.pass_context
def import_certificates(ctx, file: str, dry_run: bool, rescore: bool) -> None:
    """Import a certificate registry export (CSV or XLSX, UTF-8 or GBK).

    \b
    导入认证证书登记. Expected columns (any order):
      证书编号 (required), 证书状态 (有效 / 注销 / 暂停 / 撤销), 产品名称,
      生产者/制造商, 有效期至 (or 到期日期; 2027-05-01, 2027/5/1, 2027年5月1日)
    Once a registry is imported, a listing citing a well-formed CCC number gets
    invalid_certificate when the number is absent from the registry, its status is not
    有效, or it expired before the listing was seen. Without a registry only the
    number's structure is checked. A later import replaces a number's earlier record.
    """

    result = read_certificates_file(file)
    counts: dict[str, int] = {}
    for r in result.records:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    out.print(f"读取 read {len(result.records)} certificates from {file} ({summary or 'none'})")
    _report(result, "证书编号")
    if dry_run:
        return
    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        new, updated = store.references.add_certificates(result.records, source=Path(file).name, source_sha256=result.sha256)
        queued = 0
        if rescore and (new or updated):
            # any listing citing a number could change: with a registry, absent numbers fire too
            for listing in store.listings.iter_listings():
                text = " ".join([listing.title, listing.description, *(str(v) for v in (listing.attributes or {}).values())])
                if any(ch.isdigit() for ch in text) and ("证" in text or "3c" in text.lower() or "ccc" in text.lower()):
                    store.queue.enqueue(listing.key, "score")
                    queued += 1
        total = store.references.certificate_count()
    out.print(f"已导入 imported {new} new, {updated} updated (登记共 {total} certificates); "
              f"待重新评分 queued for rescoring: {queued}")


MAX_SHOWN_ERRORS = 50


@import_.command("listings")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", required=True, metavar="NAME",
              help="来源名称，记入每个商品的线索来源 who sent the file (e.g. 京东合规报送2026Q4, 拼多多违法线索报送).")
@click.option("--skip-bad-rows", is_flag=True,
              help="有错误行时仍导入正确的行 import the good rows even when some are bad (default: nothing is imported).")
@click.option("--dry-run", is_flag=True, help="只检查每一行，不写入 read and check every row; change nothing.")
@click.pass_context
def import_listings_command(ctx, file: str, source: str, skip_bad_rows: bool, dry_run: bool) -> None:
    """Import a platform's data report (CSV, XLSX or JSON; UTF-8 or GBK) as leads, one listing per row.

    \b
    导入平台报送的数据（合规数据报送、违法线索报送等；协查回复请用 `firewatch assist import`）。表头在前 30 行内即可（上方可有标题行），
    列的顺序不限，列名可用常见别名：
      商品链接 或 平台 + 平台商品编号（必填其一）, 商品名称, 销售价格, 店铺名称, 店铺编号,
      经营者名称, 统一社会信用代码, 经营地址, 店铺链接, 年销售额标识（是/否）,
      销售数量, 库存数量, 品牌, 规格型号, 商品类目, 认证证书编号, 商品描述,
      涉嫌违法情形, 数据期间, 备注
    JSON: 对象数组、含 data/rows/items 数组的对象，或每行一个对象，键为上述列名。
    每行成为一个商品（已有的商品只补充其缺少的字段），并记录来源：文件名、SHA-256、行号、来源名称。
    新商品排队抓取：下一次 `firewatch process` 在浏览器中打开其真实链接、截图取证、评分、建立索引。
    有错误行时默认什么都不导入，并按行号列出原因；同一文件再次导入不会增加任何内容。
    Exit status 65 when the file cannot be read or has bad rows (nothing imported).
    """
    if dry_run:
        read = read_listings_file(file)
        _listing_report(read, read.errors)
        out.print("试运行 dry run：未写入任何内容")
        if read.errors:
            raise ImportFileError(f"{file}: {len(read.errors)} 行有错误")
        return
    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store, \
            Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     console=console, transient=True) as progress:
        outcome = import_listings(store, file, source, skip_bad=skip_bad_rows, progress=progress)
    read = outcome.file
    if outcome.already is not None:
        earlier = outcome.already
        out.print(f"该文件已于 {show_time(earlier['imported_at'])} 导入过（来源“{earlier['source']}”，"
                  f"{earlier['rows']} 行），本次未增加任何内容。SHA-256 {read.sha256}")
        return
    _listing_report(read, outcome.errors)
    if outcome.refused:
        raise ImportFileError(f"{file}: {len(outcome.errors)} 行有错误，未导入任何内容；改正这些行后重新导入，"
                              "或加 --skip-bad-rows 只导入正确的行")
    w = outcome.written
    out.print(f"已导入 imported {len(read.rows)} 行：新商品 new {w.created}，更新 updated {w.updated}，"
              f"无变化 unchanged {w.unchanged}；排队抓取页面 queued for fetch {outcome.fetch}")
    out.print("下一步：运行 `firewatch process` 抓取页面、截图取证、评分并进入审核队列")


def _listing_report(read, errors) -> None:
    where = f"表头在第 {read.header_row} 行 header row {read.header_row}; " if read.header_row else ""
    cols = "、".join(f"{v}→{k}" for k, v in read.columns.items())
    out.print(f"读取 read {read.path.name} ({read.kind})：{read.data_rows} 行数据 rows，{len(read.rows)} 行可用；"
              f"{where}{('列 columns: ' + cols) if cols else ''}")
    for error in errors[:MAX_SHOWN_ERRORS]:
        console.print(f"[red]{escape(error.where)}[/red]: {escape(error.reason)}", highlight=False)
    if len(errors) > MAX_SHOWN_ERRORS:
        console.print(f"……另有 {len(errors) - MAX_SHOWN_ERRORS} 行错误 more bad rows")
