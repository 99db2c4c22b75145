"""`firewatch export takedown|evidence` and `firewatch verify`: what leaves the system.

`export takedown` writes one platform's takedown list (CSV, XLSX or JSON); `export evidence` writes
a signed evidence pack (`firewatch.services.evidence.export_evidence_pack`); `export credit` the
recorded penalty decisions for credit-information sharing; `export transfer` a case's transfer
package; `verify` prints every check and exits 0 when the pack is intact, 3 naming the files at fault.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from alerts.pack_verify import check_pack, signer_fingerprint
from alerts.signing import read_public_key
from alerts.takedown import takedown_rows, write_takedown
from firewatch.cli.common import TAKEDOWN_PLATFORMS, date_option, parse_key, settings_of
from firewatch.core.clock import to_beijing, utcnow
from firewatch.core.exceptions import VerificationError
from firewatch.services.credit import FORMATS as CREDIT_FORMATS, write_credit
from firewatch.services.evidence import export_evidence_pack, local_fingerprint
from firewatch.services.transfer import export_transfer
from firewatch.store import open_store

console = Console(stderr=True)
out = Console(soft_wrap=True)  # hashes and paths stay on one line

@click.group()
def export() -> None:
    """Takedown lists, evidence packs, credit-sharing records and case-transfer packages."""


@export.command("takedown")
@click.option("--platform", required=True, type=TAKEDOWN_PLATFORMS)
@click.option("--format", "fmt", default="csv", show_default=True, type=click.Choice(["csv", "xlsx", "json"]))
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="Output file (default: <data>/exports/takedown-<platform>.<format>).")
@click.option("--include-unconfirmed", is_flag=True, help="Every flagged listing not dismissed, not only confirmed ones.")
@click.pass_context
def export_takedown(ctx, platform: str, fmt: str, out_path: str | None, include_unconfirmed: bool) -> None:
    """Write the confirmed listings of one platform for its compliance team."""

    settings = settings_of(ctx)
    path = Path(out_path) if out_path else settings.export_dir / f"takedown-{platform}.{fmt}"
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
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

    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        keys = list(dict.fromkeys(parse_key(text, store) for text in listings))
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
        local = local_fingerprint(settings_of(ctx))
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



@export.command("credit")
@click.option("--from", "start", callback=date_option, help="First decision date, YYYY-MM-DD (default: 1 January of this year, Beijing).")
@click.option("--to", "end", callback=date_option, help="Last decision date, YYYY-MM-DD (default: today, Beijing).")
@click.option("--format", "fmt", default="csv", show_default=True, type=click.Choice(list(CREDIT_FORMATS)))
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="Output file (default: <data>/exports/credit-<from>-<to>.<format>).")
@click.pass_context
def export_credit(ctx, start: date | None, end: date | None, fmt: str, out_path: str | None) -> None:
    """Penalty decisions for credit-information sharing (行政处罚信息): one row per decision.

    Columns: 决定书文号, 当事人名称, 统一社会信用代码, 违法行为, 违法情形 (and codes), 处罚内容, 处罚决定日期,
    处罚机关, 涉案商品数, 案件编号, 登记时间 (docs/credit_sharing.md). Record decisions with
    `firewatch penalty add` or on a case's page in the web app.
    """

    settings = settings_of(ctx)
    today = to_beijing(utcnow()).date()
    end = end or today
    start = start or date(end.year, 1, 1)
    if start > end:
        raise click.BadParameter(f"开始日期 {start} 晚于结束日期 {end}", param_hint="--from/--to")
    path = Path(out_path) if out_path else settings.export_dir / f"credit-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        result = write_credit(store, path, fmt, start, end)
    out.print(f"{result.rows} 条行政处罚信息 penalty decisions ({start} – {end}) -> {path}")


@export.command("transfer")
@click.argument("case_id", type=int)
@click.option("--to", "recipient", required=True, help="The receiving authority (移送给谁), e.g. 某某市公安局.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="The ZIP to write.")
@click.option("--operator", help="Who prepares the transfer (default: the OS user).")
@click.pass_context
def export_transfer_cmd(ctx, case_id: int, recipient: str, out_path: str, operator: str | None) -> None:
    """The case-transfer package of CASE_ID for the police or another authority (案件移送材料).

    One ZIP: the case's signed evidence pack, the transfer letter (移送函) and the subjects' record
    (当事人情况) in PDF and HTML, and manifest.json with every file's SHA-256. Every listing of the case
    needs a capture: run `firewatch process` first.
    """

    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("证据包 packing", total=None)
            result = export_transfer(settings, store, case_id, out_path, recipient=recipient, operator=operator,
                                     progress=lambda done, total, stage: bar.update(task, completed=done, total=total))
    out.print(f"移送材料 {result.number} -> {result.path} ({result.listings} 个商品, {result.subjects} 个当事人, "
              f"{len(result.files) + 1} 个文件)")
