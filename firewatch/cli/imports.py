"""`firewatch import`: load official reference lists into the store.

`import watchlist FILE` reads a spot-check failure list (抽查不合格产品名单) and
`import certificates FILE` a certificate registry export; both go into the store
(migration 2), from where scoring takes its watchlist and certificate lookup. Listings
already in the store that the new entries concern are queued for rescoring, so the next
`firewatch process` applies them. Reading the files is `firewatch.imports`.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from classifiers.watchlist import Watchlist
from firewatch.cli.common import settings_of
from firewatch.imports import read_certificates_file, read_watchlist_file
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
    """Import official reference lists (spot-check failures, certificate registries) into the store.

    \b
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
    with open_store(settings.store_path) as store:
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
    with open_store(settings.store_path) as store:
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
