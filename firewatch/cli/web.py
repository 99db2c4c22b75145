"""`firewatch serve`, `firewatch user ...` and `firewatch token ...`: the web app and its users.

`serve` runs the FastAPI app with uvicorn on `[web] host/port`; `user add|passwd|list` manage people
(a password is prompted twice or read with `--password-stdin`; `passwd` ends the user's sessions);
`token add|list|revoke` manage platform API tokens (printed once, only the SHA-256 stored).
"""

from __future__ import annotations

import sys

import click
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from firewatch.cli.common import settings_of, store_of
from firewatch.core.exceptions import FirewatchError, NotFoundError
from firewatch.core.models import PLATFORMS
from firewatch.web import create_app
from firewatch.web.security import MIN_PASSWORD, hash_password, new_token

out = Console()
ROLES = ("regulator", "investigator", "analyst", "platform", "admin")


def _password(stdin: bool) -> str:
    if stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = click.prompt("密码 password", hide_input=True, confirmation_prompt=True)

    if len(value) < MIN_PASSWORD:
        raise click.BadParameter(f"at least {MIN_PASSWORD} characters", param_hint="password")
    return value


@click.command()
@click.option("--host", help="Address to listen on (default: web.host).")
@click.option("--port", type=int, help="Port (default: web.port; 0 picks a free one).")
@click.pass_context
def serve(ctx, host: str | None, port: int | None) -> None:
    """Serve the review web app (regulators, platforms, investigators, analysts)."""


    settings = settings_of(ctx)
    app = create_app(settings)
    host = host or settings.web.host
    port = settings.web.port if port is None else port
    out.print(f"firewatch 审核系统 on http://{host}:{port}  (API docs: /docs; add users with `firewatch user add`)")
    # the app reads X-Forwarded-For from `[web] trusted_proxies` only (firewatch.web.app), never uvicorn's default
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


@click.group()
def user() -> None:
    """Users of the web app: add, change a password, list."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--platform", type=click.Choice(PLATFORMS), help="The platform a platform user belongs to.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.pass_context
def user_add(ctx, name: str, role: str, platform: str | None, password_stdin: bool) -> None:
    """Create user NAME with a role (platform users need --platform)."""

    if role == "platform" and not platform:
        raise click.BadParameter("a platform user needs --platform", param_hint="--platform")
    password = _password(password_stdin)
    with store_of(ctx) as store:
        try:
            store.users.add_user(name, role, hash_password(password), platform or "")
        except ValueError as exc:
            raise FirewatchError(str(exc)) from exc
        store.users.audit("cli", "user_add", f"user:{name}", {"role": role, "platform": platform or ""})
    out.print(f"已创建用户 created {name} ({role}{' ' + platform if platform else ''})")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.pass_context
def user_passwd(ctx, name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (their sessions end)."""

    with store_of(ctx) as store:
        if store.users.get_user(name) is None:
            raise NotFoundError(f"no user {name!r}; see `firewatch user list`")
        store.users.set_password_hash(name, hash_password(_password(password_stdin)))
        store.users.audit("cli", "user_passwd", f"user:{name}", {})
    out.print(f"已更新密码 password changed for {name}")


@user.command("list")
@click.pass_context
def user_list(ctx) -> None:
    """List users with role and platform."""

    with store_of(ctx) as store:
        rows = store.users.users()
    table = Table(title="用户 users")
    for column in ("name", "role", "platform", "created_at", "disabled"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["name"], r["role"], r["platform"], r["created_at"][:19], "yes" if r["disabled"] else "")
    out.print(table)


@click.group()
def token() -> None:
    """API tokens for platform integrations (Authorization: Bearer)."""


@token.command("add")
@click.option("--platform", required=True, type=click.Choice(PLATFORMS))
@click.option("--name", required=True, help="What the token is for, e.g. jd-compliance-sync.")
@click.pass_context
def token_add(ctx, platform: str, name: str) -> None:
    """Create a token for PLATFORM and print it once."""

    value = new_token()
    with store_of(ctx) as store:
        token_id = store.users.add_api_token(name, platform, value, created_by="cli")
        store.users.audit("cli", "token_add", f"token:{token_id}", {"platform": platform, "name": name})
    out.print(f"令牌 token #{token_id} for {platform} (shown once; store it safely):")
    click.echo(value)


@token.command("list")
@click.pass_context
def token_list(ctx) -> None:
    """List tokens (never their values)."""

    with store_of(ctx) as store:
        rows = store.users.api_tokens()
    table = Table(title="API 令牌 tokens")
    for column in ("id", "name", "platform", "created_at", "last_used_at", "revoked_at"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), r["name"], r["platform"], (r["created_at"] or "")[:19],
                      (r["last_used_at"] or "")[:19], (r["revoked_at"] or "")[:19])
    out.print(table)


@token.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
def token_revoke(ctx, token_id: int) -> None:
    """Revoke token TOKEN_ID (from `token list`)."""

    with store_of(ctx) as store:
        if not store.users.revoke_api_token(token_id):
            raise NotFoundError(f"no live token #{token_id}; see `firewatch token list`")
        store.users.audit("cli", "token_revoke", f"token:{token_id}", {})
    out.print(f"已吊销 revoked token #{token_id}")


@click.group()
def audit() -> None:
    """The web app's audit log: every login, decision and export, hash-chained."""


@audit.command("list")
@click.option("--actor", help="Only this user's entries.")
@click.option("--action", help="Only this action, e.g. decision, export, login.")
@click.option("--limit", default=50, show_default=True)
@click.pass_context
def audit_list(ctx, actor: str | None, action: str | None, limit: int) -> None:
    """The newest entries first."""


    with store_of(ctx) as store:
        rows = store.users.audit_entries(actor=actor, action=action, limit=limit)
    table = Table(title="审计日志 audit log")
    for column in ("id", "时间 at (UTC)", "用户 actor", "操作 action", "对象 subject", "地址 ip"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), r["at"][:19], escape(r["actor"]), escape(r["action"]), escape(r["subject"]),
                      escape(r["ip"] or ""))
    out.print(table)


@audit.command("verify")
@click.option("--head", help="A chain head recorded earlier (its id:sha256, as this command prints): "
              "also check that entry is still there, unchanged, so rows cut off the end are noticed.")
@click.pass_context
def audit_verify(ctx, head: str | None) -> None:
    """Check the hash chain of the audit log; exit 3 naming the broken entries.

    Print the chain head (last id and its hash) and keep it somewhere else (a ticket, an
    e-mail): a later `--head` check proves no entry up to it was changed or removed.
    """

    with store_of(ctx) as store:
        bad = store.users.audit_verify()
        last = store.users.audit_entries(limit=1)
        problems = [f"entry {i}: its hash or its link to the previous entry does not hold" for i in bad]
        if head:
            head_id, _, head_sha = head.partition(":")
            if not head_id.strip().isdigit():
                raise click.BadParameter("give the head as ID:SHA256, as `firewatch audit verify` prints it",
                                         param_hint="--head")
            entry = store.users.audit_entry(int(head_id))
            if entry is None:
                problems.append(f"the recorded head entry {head_id} is gone: entries were removed")
            elif entry["entry_sha256"] != head_sha.strip():
                problems.append(f"the recorded head entry {head_id} has another hash now: it was rewritten")
    if last:
        click.echo(f"链头 chain head: {last[0]['id']}:{last[0]['entry_sha256']}")  # one unwrapped line, to copy
    if problems:
        for p in problems:
            out.print(f"[red]✗[/red] {p}")
        raise SystemExit(3)
    out.print("✓ 审计日志完整 audit log chain intact" + (" up to and including the recorded head" if head else ""))
