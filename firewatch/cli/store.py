"""`firewatch store`: the store of record itself — where it is, and moving it to PostgreSQL.

`store maintain` is the daily upkeep (`firewatch.store.upkeep`). `store migrate --to URL` copies the current store (`[store] url`, or `--from`) into an empty
store at URL (`firewatch.store.copy`: one transaction, ids kept), then verifies every table by
row count and checksum and prints the comparison. `store info` says which store the settings name.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from firewatch.cli.common import settings_of
from firewatch.core.clock import utcnow
from firewatch.core.exceptions import VerificationError
from firewatch.store import is_postgres, open_store
from firewatch.store.copy import copy_store, verify_copy
from firewatch.store.pgdb import redact
from firewatch.store.upkeep import maintain

out = Console(soft_wrap=True)
console = Console(stderr=True, soft_wrap=True)


@click.group("store")
def store() -> None:
    """The store of record: which one the settings name, and moving it to PostgreSQL.

    \b
    存储库：SQLite（单机默认）或 PostgreSQL（多机部署）。
    在 firewatch.toml 中设置 [store] url = "postgresql://用户@主机:端口/库名"。
    """


@store.command("info")
@click.pass_context
def info(ctx: click.Context) -> None:
    """Show the store the settings name, its schema version and its rows per table."""
    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as s:
        out.print(f"存储库 store: {redact(settings.store_url)} ({s.dialect})")
        out.print(f"架构版本 schema version: {s.schema_versions()[-1]}")
        table = Table("表 table", "行数 rows")
        for name in s.tables():
            table.add_row(name, str(s.row_count(name)))
        out.print(table)


@store.command("maintain")
@click.option("--keep-months", type=int, default=None, metavar="N",
              help="Drop snapshots older than N months (default: [store] keep_snapshot_months; 0 keeps all).")
@click.pass_context
def maintain_cmd(ctx: click.Context, keep_months: int | None) -> None:
    """Daily upkeep: snapshot partitions by month (PostgreSQL), retention, planner statistics.

    
    每日维护：PostgreSQL 按月分区保存商品快照（价格、状态历史），提前建好未来几个月的分区；
    超过保留期的整月分区直接删除（不产生需要 VACUUM 的死行）；刷新查询统计信息。
    可由 cron 或调度器每天运行一次；重复运行无副作用。
    """
    settings = settings_of(ctx)
    keep = settings.store.keep_snapshot_months if keep_months is None else keep_months
    with open_store(settings.store_url, data_dir=settings.data_dir) as s:
        report = maintain(s, utcnow().date(), settings.store.months_ahead, keep,
                          keep_done_days=settings.store.keep_done_days)
    out.print(f"新建分区 added: {', '.join(report.added) or '无'}（移入 {report.moved_rows} 行）")
    out.print(f"删除分区 dropped: {', '.join(report.dropped) or '无'}；删除旧快照 {report.deleted_rows} 行；"
              f"删除 {settings.store.keep_done_days} 天前的队列完成记录 {report.done_rows} 行")


@store.command("migrate")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The new, empty store: postgresql://user@host:port/database (or sqlite:///PATH to copy back).")
@click.option("--from", "source_url", default=None, metavar="URL",
              help="The store to copy (default: the one [store] url names).")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress bar per table.")
@click.pass_context
def migrate(ctx: click.Context, target_url: str, source_url: str | None, progress: bool) -> None:
    """Copy the whole store into an empty one (usually SQLite -> PostgreSQL) and verify it.

    \b
    复制前请停止所有写入源库的进程（抓取、处理、网页），使各表一致。
    复制整个存储库到一个空的新库（通常 SQLite -> PostgreSQL），在一个事务中完成：
    中途失败则目标库不留任何行。复制后逐表核对行数和校验和（与行序、排序规则无关）。
    证据文件、举报照片和导出文件仍在数据目录中，不随库移动。
    完成后把 [store] url 改为新库，并停止写入旧库的进程。

    Exit status: 0 copied and verified; 3 a table differs after the copy; 74 the target is
    not empty, unreachable or at another schema version (nothing copied).
    """
    settings = settings_of(ctx)
    source_url = source_url or settings.store_url
    if not is_postgres(target_url) and not target_url.startswith("sqlite:///"):
        raise click.BadParameter("expected postgresql://... or sqlite:///PATH", param_hint="--to")
    with open_store(source_url, data_dir=settings.data_dir) as source, \
            open_store(target_url, data_dir=settings.data_dir) as target:
        out.print(f"从 from {redact(source_url)} ({source.dialect}) 复制到 to {redact(target_url)} ({target.dialect})")
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, disable=not progress) as bar:
            tasks: dict[str, int] = {}

            def step(table: str, done: int, total: int) -> None:
                if table not in tasks:
                    tasks[table] = bar.add_task(f"复制 {table}", total=total)
                bar.update(tasks[table], completed=done)

            copied = copy_store(source, target, step)
        checks = verify_copy(source, target, list(copied))
    table = Table("表 table", "源行数 source", "目标行数 target", "校验和 checksum", "结果 result")
    for c in checks:
        table.add_row(c.table, str(c.source_rows), str(c.target_rows), c.target_sum[:16],
                      "一致 ok" if c.ok else "[red]不一致 differs[/red]")
    out.print(table)
    bad = [c.table for c in checks if not c.ok]
    if bad:
        raise VerificationError(f"copied, but tables differ after the copy: {', '.join(bad)}; do not switch [store] url")
    out.print(f"已复制并核对 copied and verified: {len(checks)} 张表, {sum(copied.values())} 行。"
              f"下一步：把 \\[store] url 设为 {redact(target_url)}")
