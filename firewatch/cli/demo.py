"""`firewatch demo`: the whole flow once against the demo market, with a summary."""

from __future__ import annotations

import click

from firewatch.cli.common import console, out, settings_of
from firewatch.demo import run_demo


@click.command()
@click.option("--port", default=0, show_default=True, help="Demo market port (0: a free one).")
@click.option("--max-captures", default=40, show_default=True, help="Screenshots to take now; other flagged listings stay queued.")
@click.option("--keep", is_flag=True, help="Keep earlier demo data instead of starting clean.")
@click.pass_context
def demo(ctx, port: int, max_captures: int, keep: bool) -> None:
    """Run the whole flow once against the demo market and print a summary."""

    run_demo(settings_of(ctx), port=port, max_captures=max_captures, keep=keep, console=console, out=out)
