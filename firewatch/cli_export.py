"""`firewatch export takedown|evidence` and `firewatch verify`: what leaves the system.

`export takedown` writes one platform's takedown list (confirmed listings; CSV, XLSX or
JSON). `export evidence` packs one listing or a case of many with
`export_evidence_pack`, which the demo and the web app call too: it gathers each
listing's latest capture, assessment, snapshot history and review decisions from the
store, signs with the installation key (`evidence.key_dir`, created on first use),
asks the timestamp authority when `evidence.tsa_url` is set, and renders the Chinese
extraction record with Chromium (`capture.chromium`). `verify` prints every check with
✓/✗ and exits 3 naming the files at fault; without `--key` it compares the signing key
with this installation's and says when it differs (see `alerts.pack_verify`).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from firewatch.core.exceptions import NotFoundError
from firewatch.core.settings import Settings

console = Console(stderr=True)
out = Console(soft_wrap=True)  # hashes and paths stay on one line

TAKEDOWN_PLATFORMS = click.Choice(["jd", "taobao", "tmall", "pdd", "1688"])


def default_operator() -> str:
    """The OS user running the command (who creates and exports a pack)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def key_dir(settings: Settings) -> Path:
    return settings.data_path(settings.section("evidence")["key_dir"])


def evidence_item(store, key: tuple[str, str]):
    """The `PackItem` of one listing: its latest capture, assessment, history and decisions."""
    from alerts.evidence_pack import PackItem

    listing = store.get_listing(key)
    if listing is None:
        raise NotFoundError(f"no listing {key[0]}:{key[1]} in the store")
    evidence = store.latest_evidence(key)
    if evidence is None:
        raise NotFoundError(f"{key[0]}:{key[1]} has no captured evidence yet; run `firewatch process` "
                            "(it captures flagged listings)")
    assessment = store.get_assessment(key)
    return PackItem(listing=listing.to_dict(), assessment=assessment.to_dict() if assessment else {},
                    evidence=evidence, directory=Path(evidence.directory), snapshots=store.snapshots(key),
                    decisions=store.decisions(key))


def _decision_events(items) -> list[dict[str, Any]]:
    events = []
    for item in items:
        for d in item.decisions:
            events.append({"at": d.at, "actor": f"reviewer:{d.reviewer}", "action": f"review:{d.verdict}",
                           "subject": item.folder, "sha256": "", "detail": {"note": d.note}})
    return sorted(events, key=lambda e: e["at"])


def export_evidence_pack(settings: Settings, store, keys: list[tuple[str, str]], out_path: str | Path,
                         operator: str | None = None, case: str = "") -> dict[str, Any]:
    """Write a signed evidence pack of `keys` to `out_path`; returns its manifest."""
    from alerts.evidence_pack import write_pack
    from alerts.signing import installation_key

    items = [evidence_item(store, key) for key in keys]
    ev = settings.section("evidence")
    timestamper = None
    if ev.get("tsa_url"):
        from alerts.timestamp import rfc3161_timestamper

        timestamper = rfc3161_timestamper(ev["tsa_url"], float(ev.get("tsa_timeout", 15)))
    return write_pack(Path(out_path), items, packed_by="firewatch", operator=operator or default_operator(),
                      custody_events=_decision_events(items), signer=installation_key(key_dir(settings)),
                      timestamper=timestamper, tsa_url=ev.get("tsa_url", ""),
                      chromium=settings.section("capture")["chromium"], time_source=ev.get("time_source", ""),
                      case=case)


def local_fingerprint(settings: Settings) -> str:
    """This installation's signing-key fingerprint, or '' when it has no key yet (none is made)."""
    from alerts.signing import KEY_FILE, installation_key

    if not (key_dir(settings) / KEY_FILE).exists():
        return ""
    return installation_key(key_dir(settings)).fingerprint


@click.group()
def export() -> None:
    """Takedown lists and evidence packs."""


@export.command("takedown")
@click.option("--platform", required=True, type=TAKEDOWN_PLATFORMS)
@click.option("--format", "fmt", default="csv", show_default=True, type=click.Choice(["csv", "xlsx", "json"]))
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="Output file (default: <data>/exports/takedown-<platform>.<format>).")
@click.option("--include-unconfirmed", is_flag=True, help="Every flagged listing not dismissed, not only confirmed ones.")
@click.pass_context
def export_takedown(ctx, platform: str, fmt: str, out_path: str | None, include_unconfirmed: bool) -> None:
    """Write the confirmed listings of one platform for its compliance team."""
    from alerts.takedown import takedown_rows, write_takedown
    from firewatch.store import open_store

    settings = ctx.find_root().obj
    path = Path(out_path) if out_path else settings.export_dir / f"takedown-{platform}.{fmt}"
    with open_store(settings.store_path) as store:
        rows = takedown_rows(store, platform, include_unconfirmed=include_unconfirmed)
    write_takedown(rows, path, fmt)
    kind = "flagged (confirmed or not)" if include_unconfirmed else "confirmed"
    out.print(f"{len(rows)} 条下架清单 takedown rows ({kind}) -> {path}")


@export.command("evidence")
@click.argument("listings", nargs=-1, required=True)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="The ZIP to write.")
@click.option("--operator", help="Who creates and exports the pack (default: the OS user).")
@click.option("--case", default="", help="Case name or reference printed in the report.")
@click.pass_context
def export_evidence(ctx, listings: tuple[str, ...], out_path: str, operator: str | None, case: str) -> None:
    """Write a signed evidence pack (ZIP) for LISTINGS (PLATFORM:ID or a unique ID)."""
    from firewatch.cli import _parse_key
    from firewatch.store import open_store

    settings = ctx.find_root().obj
    with open_store(settings.store_path) as store:
        keys = list(dict.fromkeys(_parse_key(text, store) for text in listings))
        manifest = export_evidence_pack(settings, store, keys, out_path, operator=operator, case=case)
    fp = (manifest.get("signing_key") or {}).get("fingerprint", "")
    out.print(f"证据包 evidence pack -> {out_path} ({len(keys)} listings, {len(manifest['files'])} files, "
              f"key {fp[:16]}…); check it with `firewatch verify {out_path} --key {fp}`")


@click.command()
@click.argument("pack", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "key_spec", help="Require this signing key: a fingerprint (64 hex) or a PEM public-key file.")
@click.pass_context
def verify(ctx, pack: str, key_spec: str | None) -> None:
    """Verify an evidence pack: hashes, completeness, custody chain, signature, timestamp.

    Exits 0 when intact, 3 naming each changed, missing or extra file. Without --key, the
    signing key must be this installation's when it has one (a pack re-signed with another
    key fails); on a machine without a key, such as a court's, pass the fingerprint the
    issuing office published with --key, or the check only names the key it found.
    """
    from alerts.pack_verify import check_pack, signer_fingerprint
    from alerts.signing import read_public_key
    from firewatch.core.exceptions import VerificationError

    expected = read_public_key(key_spec) if key_spec else None
    checks = check_pack(Path(pack), expected_key=expected)
    for check in checks:
        mark = "[yellow]–[/yellow]" if check.skipped else ("[green]✓[/green]" if check.ok else "[red]✗[/red]")
        notes = f" — {escape('; '.join(check.notes))}" if check.notes else ""
        out.print(f"{mark} {check.label_zh} {check.label_en}{notes}")
        for problem in check.problems:
            out.print(f"    [red]✗ {escape(problem)}[/red]")
    problems = [p for c in checks for p in c.problems]
    fp = signer_fingerprint(checks)
    if fp and expected is None:
        local = local_fingerprint(ctx.find_root().obj)
        if local and local == fp:
            out.print("[green]✓[/green] 签名密钥 signing key is this installation's key")
        elif local:
            out.print(f"[red]✗[/red] 签名密钥 signing key differs from this installation's ({local[:16]}…): "
                      f"pack signed by {fp}")
            problems.append(f"signature.json: signed by {fp}, not this installation's key {local}; "
                            f"if the pack comes from another office, pass --key with that office's published key")
            out.print(f"    [red]✗ {escape(problems[-1])}[/red]")
        else:
            out.print(f"[yellow]⚠[/yellow] 签名密钥 signing key {fp} not checked against a known key (pass --key)")
    if problems:
        files = sorted({p.split(":", 1)[0] for p in problems})
        raise VerificationError(f"{pack}: {len(problems)} problem(s) in {', '.join(files)}; the pack is not intact")
    out.print(f"[green]OK[/green] {pack}: intact")
