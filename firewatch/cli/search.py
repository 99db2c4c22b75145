"""`firewatch search` and `firewatch index init|sync|rebuild`: the search index on the command line.

The backend is settings search.url or `--index URL`. `search` prints a table (seller text escaped)
or JSON lines, with `--history`, `--similar` and `--shop` for follow-ups; `index sync` drains the
process queue's index stage and `index rebuild` reloads the index from the store without downtime.
"""

from __future__ import annotations

import json
import shutil

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from firewatch.cli.common import settings_of
from firewatch.core.clock import show_time
from firewatch.core.labels import PLATFORM_NAMES, category_name
from firewatch.core.models import PLATFORMS
from firewatch.core.money import from_fen, yuan_text
from firewatch.search import open_index_from_settings
from firewatch.search.base import SORTS, SearchQuery, parse_key
from firewatch.search.sync import sync_queue
from firewatch.store import open_store

console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True, width=max(132, shutil.get_terminal_size().columns))  # the result table stays readable when piped

INDEX_OPTION = click.option("--index", "index_url", metavar="URL",
                            help="Search backend for this command: 'sqlite' or http://host:9200[,http://host2:9200] "
                                 "(default: settings search.url).")


def _open(ctx: click.Context, index_url: str | None):
    return open_index_from_settings(settings_of(ctx), index_url)


def _yuan(fen: int | None) -> str:
    return "-" if fen is None else yuan_text(from_fen(fen))


def _hits_table(title: str, hits):
    table = Table(title=title)
    for col in ("平台", "商品ID", "价格(元)", "风险", "状态"):
        table.add_column(col, no_wrap=True)
    for col, ratio in (("标题", 4), ("店铺", 2), ("类别", 2), ("原因", 2)):
        table.add_column(col, overflow="fold", ratio=ratio)
    for h in hits:
        risk = f"{h.risk_score:.2f}" if h.risk_score is not None else "-"
        table.add_row(PLATFORM_NAMES.get(h.platform, h.platform), escape(h.listing_id), _yuan(h.price_fen),
                      f"[red]{risk}[/red]" if h.flagged else risk, h.status, escape(h.title),
                      escape(h.shop_name or h.shop_id or "-"), escape(category_name(h.category)) if h.category else "-",
                      escape("\n".join(h.reasons)))
    return table


def _facet_tables(facets) -> list:
    names = {"category": "类别", "platform": "平台", "reason": "原因", "shop": "店铺"}
    tables = []
    for name, buckets in facets.items():
        t = Table(title=f"分面 {names.get(name, name)}")
        t.add_column("值")
        t.add_column("数量", justify="right")
        for value, count in buckets:
            t.add_row(escape(str(value)), str(count))
        tables.append(t)
    return tables


def _write_json(obj) -> None:
    out.file.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


@click.command()
@click.argument("query", default="")
@click.option("--platform", type=click.Choice(list(PLATFORMS)), help="Only this platform.")
@click.option("--category", help="Category code (see taxonomy), e.g. portable_extinguisher.")
@click.option("--flagged", "only_flagged", is_flag=True, help="Only flagged listings.")
@click.option("--unflagged", "only_unflagged", is_flag=True, help="Only listings not flagged.")
@click.option("--all", "show_all", is_flag=True, help="Flagged and unflagged alike (the default).")
@click.option("--reason", help="Only listings flagged for this reason code, e.g. inspection_only.")
@click.option("--shop", help="Only this shop (shop id or exact shop name).")
@click.option("--min-price", type=str, metavar="YUAN", help="Price at least this many yuan.")
@click.option("--max-price", type=str, metavar="YUAN", help="Price at most this many yuan.")
@click.option("--since", help="Last seen on or after this date (YYYY-MM-DD or ISO time).")
@click.option("--until", help="Last seen on or before this date (YYYY-MM-DD: the whole day).")
@click.option("--status", type=click.Choice(["active", "removed", "blocked", "unknown"]), help="Only this status.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="relevance (risk order when there is no query text), risk, price_asc, price_desc, newest.")
@click.option("--page", default=1, show_default=True, help="Page number (from 1).")
@click.option("--limit", default=20, show_default=True, help="Hits per page (1..1000).")
@click.option("--facets", is_flag=True, help="Also count hits per category, platform, reason and shop.")
@click.option("--history", "history_key", metavar="PLATFORM:ID", help="Show the price/status history of one listing.")
@click.option("--similar", "similar_key", metavar="PLATFORM:ID", help="Show listings similar to one listing.")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.pass_context
def search(ctx, query, platform, category, only_flagged, only_unflagged, show_all, reason, shop, min_price, max_price,
           since, until, status, sort, page, limit, facets, history_key, similar_key, index_url, as_json) -> None:
    """Search listings (Chinese full text: two-character queries such as 灭火 or 烟感 work).

    \b
    A listing matches when every word of QUERY (cut by jieba, as the index was) appears
    in its title, shop name, attributes or description. Examples:
      firewatch search 灭火 --flagged --platform jd
      firewatch search 烟感 --min-price 5 --max-price 30 --sort price_asc --facets
      firewatch search --shop 消防器材旗舰店 --json
      firewatch search --history jd:100012      (价格与状态历史)
      firewatch search --similar jd:100012      (相似商品)
    """

    if only_flagged and only_unflagged:
        raise click.UsageError("--flagged and --unflagged exclude each other")
    flagged = True if only_flagged else False if only_unflagged else None
    index = _open(ctx, index_url)
    try:
        if history_key:
            _show_history(index, parse_key(history_key), history_key, as_json)
            return
        if similar_key:
            hits = index.similar(parse_key(similar_key), limit=limit)
            if as_json:
                for h in hits:
                    _write_json(h.to_dict())
            else:
                out.print(_hits_table(f"相似商品 {similar_key}: {len(hits)} 条", hits))
            return
        q = SearchQuery(text=query, platform=platform, category=category, flagged=flagged, reason=reason, shop=shop,
                        min_price=min_price, max_price=max_price, since=since, until=until, status=status, sort=sort,
                        page=page, page_size=limit, facets=facets)
        result = index.search(q)
    finally:
        index.close()
    if as_json:
        for h in result.hits:
            _write_json(h.to_dict())
        if facets:
            _write_json({"total": result.total, "total_exact": result.total_exact, "facet_sample": result.facet_sample,
                         "facets": {k: [list(b) for b in v] for k, v in result.facets.items()}})
        return

    pages = f"{max(1, -(-result.total // limit))}" + ("" if result.total_exact else "+")
    # past 10,000 matches the SQLite index counts up to 10,000: "共 10000+ 条" (facets: 1,000 of the matches)
    out.print(_hits_table(f"搜索 {escape(query) or '(全部)'}: 共 {result.total_text} 条, 第 {page}/{pages} 页", result.hits))
    if result.facets and result.facet_sample:
        out.print(f"结果超过 {result.total} 条：以下分面计数只统计其中 {result.facet_sample} 条。")
    for table in _facet_tables(result.facets):
        out.print(table)
    if not result.total:
        console.print("没有结果 no results. Has the index been built? Run `firewatch process`, "
                      "`firewatch index sync` or `firewatch index rebuild`.")


def _show_history(index, key, text: str, as_json: bool) -> None:
    snapshots = index.history(key)
    if as_json:
        for s in snapshots:
            _write_json({"observed_at": s.observed_at.isoformat(), "price": None if s.price is None else str(s.price),
                         "status": s.status, "stock": s.stock, "title": s.title})
        return

    table = Table(title=f"价格与状态历史 {escape(text)}: {len(snapshots)} 次变化")
    for col in ("时间", "价格(元)", "状态", "库存", "标题"):
        table.add_column(col)
    for s in snapshots:
        table.add_row(show_time(s.observed_at, seconds=True), "-" if s.price is None else yuan_text(s.price),
                      s.status, "-" if s.stock is None else str(s.stock), escape(s.title))
    out.print(table)
    if not snapshots:
        console.print(f"没有历史 no history for {escape(text)}: is it indexed? Run `firewatch index rebuild`.")


@click.group()
def index() -> None:
    """The search index: a projection of the store (SQLite FTS5 or Elasticsearch).

    \b
    init     create the index (Elasticsearch: install templates and the alias)
    sync     index what the process queue holds (e.g. after Elasticsearch was down)
    rebuild  reload everything from the store (Elasticsearch: new index, alias swap, no downtime)
    """


@index.command("init")
@INDEX_OPTION
@click.pass_context
def index_init(ctx, index_url) -> None:
    """Create the index: templates, first index and alias on Elasticsearch; the schema on SQLite."""
    idx = _open(ctx, index_url)
    try:
        idx.init()
        out.print(f"索引已就绪 index ready ({idx.backend}): {idx.count()} listings")
    finally:
        idx.close()


@index.command("sync")
@INDEX_OPTION
@click.option("--batch", default=500, show_default=True, help="Listings per bulk request.")
@click.pass_context
def index_sync(ctx, index_url, batch: int) -> None:
    """Index every listing waiting in the process queue's index stage."""

    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        idx = _open(ctx, index_url)
        try:
            n = sync_queue(store, idx, batch=batch)
            left = store.queue.queue_counts().get("index", 0)
        finally:
            idx.close()
    out.print(f"已同步 synced {n} listings to the index ({idx.backend}); 仍在队列 still queued: {left}")


@index.command("rebuild")
@INDEX_OPTION
@click.pass_context
def index_rebuild(ctx, index_url) -> None:
    """Rebuild the index from the store (searches keep working while it runs)."""

    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        idx = _open(ctx, index_url)
        try:
            with console.status("重建索引 rebuilding the index ..."):
                n = idx.rebuild(store)
        finally:
            idx.close()
    out.print(f"已索引 indexed {n} listings ({idx.backend})")
