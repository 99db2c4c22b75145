"""`firewatch penalty add|list`: penalty decisions recorded against a case's subjects.

`penalty add CASE ...` checks and records one decision (every problem named at once, exit 65; a
document number recorded before, exit 65 naming the earlier record); `penalty list --case N` prints a
case's decisions. `firewatch export credit` writes them out for credit-information sharing.
"""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from firewatch.cli.common import out, parse_key, settings_of
from firewatch.services.evidence import default_operator
from firewatch.services.penalties import PenaltyForm, record_penalty
from firewatch.store import open_store


@click.group()
def penalty() -> None:
    """行政处罚决定 Penalty decisions recorded against a case's subjects (for credit-information sharing)."""


@penalty.command("add")
@click.argument("case_id", type=int)
@click.option("--subject", required=True, help="当事人名称: the company or person decided against.")
@click.option("--credit-code", default="", help="统一社会信用代码 (18 characters, check character verified); blank for a person.")
@click.option("--decided-on", required=True, help="处罚决定日期, YYYY-MM-DD (Beijing date).")
@click.option("--authority", required=True, help="处罚机关: the deciding authority.")
@click.option("--document-no", required=True, help="决定书文号, e.g. 某市监处罚〔2026〕12号 (unique).")
@click.option("--violation", default="", help="违法行为 in words (default: from the listings' confirmed reasons).")
@click.option("--penalty", "penalty_text", default="", help="处罚内容, e.g. 警告，罚款人民币五万元.")
@click.option("--listing", "listings", multiple=True, help="PLATFORM:ID of a case listing it covers (repeat; default: all).")
@click.option("--by", default=None, help="Who records it (default: the OS user).")
@click.pass_context
def add(ctx, case_id: int, subject: str, credit_code: str, decided_on: str, authority: str, document_no: str,
        violation: str, penalty_text: str, listings: tuple[str, ...], by: str | None) -> None:
    """Record a penalty decision against case CASE_ID."""

    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        keys = [parse_key(text, store) for text in listings]
        form = PenaltyForm(subject_name=subject, credit_code=credit_code, decided_on=decided_on, authority=authority,
                           document_no=document_no, violation=violation, penalty=penalty_text, listings=keys)
        penalty_id = record_penalty(store, case_id, form, by or default_operator())
        recorded = store.penalties.get(penalty_id)
    out.print(f"已登记行政处罚决定 {escape(recorded.document_no)}（第 {penalty_id} 条，{len(recorded.listings)} 个商品）: "
              f"{escape(recorded.violation)}")


@penalty.command("list")
@click.option("--case", "case_id", type=int, required=True, help="The case whose decisions to list.")
@click.pass_context
def list_(ctx, case_id: int) -> None:
    """The penalty decisions recorded against a case."""

    settings = settings_of(ctx)
    with open_store(settings.store_url, data_dir=settings.data_dir) as store:
        rows = store.penalties.of_case(case_id)
    table = Table("文号", "当事人", "统一社会信用代码", "决定日期", "处罚机关", "商品数", "违法行为")
    for p in rows:
        table.add_row(*(escape(str(v)) for v in (p.document_no, p.subject_name, p.credit_code or "—", p.decided_on,
                                                 p.authority, len(p.listings), p.violation)))
    out.print(table)
