"""The web app's request dependencies: the store, the current user, role and platform checks.

A browser is known by the `fw_session` cookie, an integration by a platform API bearer token.
`verify_csrf` refuses a cookie-authenticated unsafe request without the session's CSRF token (form
field `csrf_token` or `X-CSRF-Token`); `require(*roles)` and `check_platform` raise `Forbidden`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Iterator

from fastapi import Depends, Path, Request

from firewatch.store import Store, open_store
from firewatch.web.exceptions import CsrfError, Forbidden, LoginRequired
from firewatch.web.security import tokens_equal

SESSION_COOKIE = "fw_session"
LOGIN_COOKIE = "fw_login"
INTERNAL_ROLES = ("regulator", "investigator", "analyst", "admin")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
MAX_ID = 2**63 - 1  # SQLite's INTEGER: a larger id in a path would fail in the driver, not answer 400
DbId = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]


@dataclass(frozen=True)
class User:
    """Who is asking: a logged-in person or a platform API token."""

    name: str
    role: str
    platform: str = ""
    csrf: str = ""
    via_token: bool = False

    @property
    def internal(self) -> bool:
        return self.role in INTERNAL_ROLES


def get_store(request: Request) -> Iterator[Store]:
    config = request.app.state.config
    store = open_store(config.store, pooled=True, data_dir=config.data_root)
    try:
        yield store
    finally:
        store.close()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def optional_user(request: Request, store: Store = Depends(get_store)) -> User | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        record = store.users.api_token_owner(auth[7:].strip())
        if record is None:
            raise LoginRequired("API 令牌无效或已吊销")
        request.state.user = User(name=f"token:{record['name']}", role="platform", platform=record["platform"], via_token=True)
        return request.state.user
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = store.users.session_user(token)
    if found is None:
        return None
    user, csrf = found
    request.state.user = User(name=user["name"], role=user["role"], platform=user["platform"], csrf=csrf)
    return request.state.user


def current_user(user: User | None = Depends(optional_user)) -> User:
    if user is None:
        raise LoginRequired("请先登录")
    return user


async def verify_csrf(request: Request, user: User | None = Depends(optional_user)) -> None:
    """Refuse an unsafe request from a session without its CSRF token (login has its own check:
    the login form's token, so a browser that still holds a session can log in afresh)."""
    # A bearer token needs no CSRF token: no browser sends one by itself.
    if request.method not in UNSAFE or user is None or user.via_token or request.url.path == "/login":
        return
    sent = request.headers.get("x-csrf-token")
    if not sent and "form" in request.headers.get("content-type", ""):
        sent = (await request.form()).get("csrf_token")
    if not tokens_equal(sent if isinstance(sent, str) else None, user.csrf):
        raise CsrfError("缺少或无效的 CSRF 令牌：请刷新页面后重试")


def require(*roles: str):
    """A dependency admitting only these roles (admin is always admitted)."""

    def check(user: User = Depends(current_user)) -> User:
        if user.role != "admin" and user.role not in roles:
            raise Forbidden("你的角色无权访问此页面")
        return user

    return check


def check_platform(user: User, platform: str) -> None:
    """A platform user may act only on its own platform."""
    if user.role == "platform" and user.platform != platform:
        raise Forbidden("无权访问其他平台的数据")
