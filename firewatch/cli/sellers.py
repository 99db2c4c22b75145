"""`firewatch sellers resolve|rebuild|show|evaluate`: who is behind the shops (issue 16).

Thin: `firewatch.services.sellers` reads the keys and links the shops, `services.network_eval`
measures the grouping against the replica's known networks. `resolve` runs the sellers step once
(as `firewatch process` does after each drain); `rebuild` starts from nothing; `show` prints one
seller's shops and links (each with the key that made it); `evaluate` prints pairwise precision
and recall on a scratch store (exit 1 when either is below `--min`). Credit-information sharing: `firewatch export credit` (docs/credit_sharing.md).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from firewatch.cli.common import settings_of
from firewatch.services.sellers import rebuild, resolve_pending
from firewatch.store import open_store

out = Console(soft_wrap=True, width=max(160, shutil.get_terminal_size().columns))


@click.group()
def sellers() -> None:
    """经营者关联 Sellers behind shops: networks across platforms, repeat offenders.

    \b
    例 e.g.  firewatch sellers resolve
             firewatch sellers show --listing jd:100012345678
             firewatch sellers evaluate
    """


@sellers.command("resolve")
@click.pass_context
def sellers_resolve(ctx) -> None:
    """增量关联 Link the shops of listings scored since the last run (the sellers step of `process`)."""
    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        stats = resolve_pending(store, settings)
    out.print(f"已处理 {stats.listings} 个商品、{stats.replies} 条协查回复；新关联键 {stats.new_keys} 个 "
              f"(listings {stats.listings}, replies {stats.replies}, new keys {stats.new_keys})")


@sellers.command("rebuild")
@click.pass_context
def sellers_rebuild(ctx) -> None:
    """全量重建 Forget every seller and link every listing's shop again."""
    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        stats = rebuild(store, settings)
    out.print(f"已重建：{stats.listings} 个商品，关联键 {stats.new_keys} 个 (rebuilt: {stats.listings} listings)")


@sellers.command("show")
@click.option("--listing", "listing", help="平台:商品ID of one of the seller's listings (jd:100012345678).")
@click.option("--seller", "seller_id", type=int, help="经营者编号 seller id.")
@click.pass_context
def sellers_show(ctx, listing: str | None, seller_id: int | None) -> None:
    """查看经营者 One seller's shops and the links between them, each with its key."""
    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        if listing:
            platform, _, lid = listing.partition(":")
            seller_id = store.sellers.seller_of_listing((platform, lid))
        elif seller_id is not None:
            seller_id = store.sellers.resolve_id(seller_id)
        if seller_id is None:
            raise click.UsageError("未找到该经营者（先运行 firewatch sellers resolve）no such seller")
        out.print(f"经营者 seller {seller_id}: 确认违法 {store.sellers.confirmed_count(seller_id)} 件")
        for s in store.sellers.shops(seller_id):
            out.print(f"  店铺 {s['platform']}:{escape(s['shop_id'])}  {escape(s['shop_name'])}  ({s['listings']} 个商品)")
        for k in store.sellers.links(seller_id):
            out.print(f"  关联 {k['a_platform']}:{escape(k['a_shop'])} — {k['b_platform']}:{escape(k['b_shop'])}  "
                      f"依据 key {k['kind']} = {escape(k['value'])}")


@sellers.command("evaluate")
@click.option("--seed", default=7, show_default=True, help="replica seed")
@click.option("--size", default=1600, show_default=True, help="replica listings on day 0")
@click.option("--min", "minimum", default=0.9, show_default=True, help="exit 1 below this precision or recall")
@click.pass_context
def sellers_evaluate(ctx, seed: int, size: int, minimum: float) -> None:
    """评估 Crawl the replica into a scratch store, group its shops, print pairwise precision and recall."""
    from firewatch.services.network_eval import evaluate  # starts a web server: only when asked
    settings = settings_of(ctx)
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(f"sqlite:///{Path(tmp) / 'eval.db'}", data_dir=Path(tmp)) as store:
            r = evaluate(store, settings, seed=seed, size=size)
    out.print(f"replica seed {seed} size {size} day {r['day']}: {r['pages']} item pages, {r['shops']} shops, "
              f"{r['networks']} known networks")
    out.print(f"pairwise precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
              f"(pairs predicted {r['predicted_pairs']}, true {r['true_pairs']}, correct {r['correct_pairs']})")
    if r["precision"] < minimum or r["recall"] < minimum:
        raise SystemExit(1)
