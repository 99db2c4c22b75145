"""`firewatch market serve`: run the demo market (a local replica of the marketplaces) in the foreground."""

from __future__ import annotations

import click

from demo_market.server import QUIET, serve
from firewatch.cli.common import console


@click.group()
def market() -> None:
    """The demo market: a local replica of JD, Taobao/Tmall, PDD and 1688."""


@market.command("serve")
@click.option("--port", default=8800, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--seed", default=7, show_default=True, help="Catalogue seed (same seed, same market).")
@click.option("--day", default=0, show_default=True, help="Market day: later days change prices, delist and relist.")
@click.option("--gentle", is_flag=True, help="Switch off rate limits, captchas and injected 5xx errors.")
def market_serve(port: int, seed: int, day: int, gentle: bool) -> None:
    """Serve the demo market in the foreground until Ctrl-C.

    Advance time while it runs:  curl -X POST -d '{"day": 3}' http://127.0.0.1:PORT/_admin/day
    """

    console.print(f"演示市场 demo market: http://127.0.0.1:{port}/  (Ctrl-C stops it)")
    serve(port=port, seed=seed, day=day, **(QUIET if gentle else {}))
