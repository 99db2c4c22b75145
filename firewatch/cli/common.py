"""What every command module shares: the consoles, the settings and store of the current run,
listing keys as users type them, and the platform choices."""

from __future__ import annotations

from datetime import date

from pathlib import Path

import click
from rich.console import Console

from firewatch.core.exceptions import NotFoundError
from firewatch.core.models import PLATFORMS
from firewatch.core.settings import CRAWL_PLATFORMS, Settings
from firewatch.store import open_store

console = Console(stderr=True)  # progress, notices and errors
out = Console()  # results

# Crawl targets (taobao includes Tmall) and the platforms of takedown lists and notices.
PLATFORM_CHOICE = click.Choice(list(CRAWL_PLATFORMS))
TAKEDOWN_PLATFORMS = click.Choice(list(PLATFORMS))


def settings_of(ctx: click.Context) -> Settings:
    """The settings the root group loaded for this run (with --config and --data-dir applied)."""
    return ctx.find_root().obj


def store_of(ctx: click.Context):
    """The store of this run's settings, as a context manager."""
    settings = settings_of(ctx)
    return open_store(settings.store_url, data_dir=settings.data_dir)


def parse_key(text: str, store) -> tuple[str, str]:
    """'jd:100012' or a bare listing id (must be unique across platforms)."""
    if ":" in text:
        platform, listing_id = text.split(":", 1)
        return platform, listing_id
    matches = [l.key for l in store.listings.iter_listings() if l.listing_id == text]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(f"no listing with id {text}; use `firewatch search` to find one, or write PLATFORM:ID")
    raise NotFoundError(f"id {text} exists on several platforms ({', '.join(p for p, _ in matches)}): write PLATFORM:ID")


def parse_resolve(entries) -> dict[str, str]:
    """{pattern: "ip:port"} from --resolve HOST=IP:PORT options."""
    out = {}
    for entry in entries:
        host, sep, address = entry.partition("=")
        if not sep or not host or not address:
            raise click.BadParameter(f"{entry!r}: expected HOST=IP:PORT, e.g. *.jd.com=127.0.0.1:8443",
                                     param_hint="--resolve")
        out[host.strip()] = address.strip()
    return out


def with_host_map(settings: Settings, resolve, trust_ca: str | None) -> Settings:
    """`settings` with --resolve entries added to crawl.resolve and --trust-ca replacing crawl.trust_ca."""
    if not resolve and not trust_ca:
        return settings
    return settings.with_overrides({"crawl": {
        "resolve": {**settings.crawl.resolve, **parse_resolve(resolve)},
        "trust_ca": str(Path(trust_ca).resolve()) if trust_ca else settings.crawl.trust_ca}})


def date_option(ctx, param, value: str | None):
    """A click callback: an option's YYYY-MM-DD text as a `date` (None stays None), else a usage error
    saying how to write it."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"「{value}」不是日期：请写成 年-月-日，如 2026-11-30") from None
