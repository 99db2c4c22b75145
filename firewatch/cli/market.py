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
@click.option("--tls-port", default=8443, show_default=True, help="Port of the platforms' real hostnames "
              "(TLS, a throwaway CA made at start-up; 0 picks a free one).")
@click.option("--gentle", is_flag=True, help="Switch off rate limits, captchas and injected 5xx errors.")
@click.option("--sessions-to", type=click.Path(file_okay=False), help="Write a logged-in session per platform "
              "into this data directory (its sessions/ folder), as `firewatch session import` would.")
def market_serve(port: int, seed: int, day: int, tls_port: int, gentle: bool, sessions_to) -> None:
    """Serve the demo market in the foreground until Ctrl-C.

    The platforms' real hostnames (https://item.jd.com/..., https://s.taobao.com/search ...) are
    answered on --tls-port; point a crawl at it with the --resolve and --trust-ca options it
    prints. JD and Taobao search need a session (--sessions-to DATA_DIR). Advance time while it
    runs:  curl -X POST -d '{"day": 3}' http://127.0.0.1:PORT/_admin/day
    """

    console.print("演示市场 demo market (Ctrl-C stops it)")
    serve(port=port, seed=seed, day=day, tls_port=tls_port, sessions_to=sessions_to,
          announce=lambda line: console.print(line, markup=False, highlight=False), **(QUIET if gentle else {}))
