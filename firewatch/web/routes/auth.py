"""Login, logout and the home redirect by role (the admin's audit log page: `routes.audit`).

`POST /login` answers 429 after too many failures per name and client address, or per client
address, within `login_window_seconds` (the client behind a trusted proxy: `[web] trusted_proxies`);
it checks its own CSRF cookie, starts a new session (ending the presented one) and follows `next=`
only to this site. Every field is bounded (`firewatch.web.limits`): an over-long name or password is
refused (400) before anything is stored. Every login, failure, refusal and logout is audited.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from firewatch.store import Store
from firewatch.web.deps import LOGIN_COOKIE, SESSION_COOKIE, User, client_ip, get_store, optional_user, verify_csrf
from firewatch.web.exceptions import CsrfError, RateLimited
from firewatch.web.limits import Field, Password, Username
from firewatch.web.render import render
from firewatch.web.security import hash_password, needs_rehash, new_token, tokens_equal, verify_password

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
HOME = {"regulator": "/queue", "admin": "/queue", "investigator": "/cases", "analyst": "/search"}


def home_for(user: User) -> str:
    return f"/platform/{user.platform}" if user.role == "platform" else HOME.get(user.role, "/queue")


def _safe_next(target: str) -> str:
    """`target` when it is a path of this site, else "" (browsers drop tabs and newlines and read
    a backslash as a slash, so `/<tab>/evil.example` could leave the site)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return ""
    if any(ord(c) < 0x21 or ord(c) == 0x7F or unicodedata.category(c) in ("Zs", "Zl", "Zp", "Cc", "Cf") for c in target):
        return ""
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else ""


def _login_page(request: Request, next_: str, error: str = "", status: int = 200) -> Response:
    token = new_token()
    response = render(request, "login.html", status_code=status, login_csrf=token, next=next_, error=error, user=None)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/login",
                        secure=request.app.state.config.secure_cookies, max_age=3600)
    return response


@router.get("/login")
def login_form(request: Request, next: Annotated[Field, Query()] = "", user: User | None = Depends(optional_user)) -> Response:
    if user is not None and not user.via_token:
        return RedirectResponse(_safe_next(next) or home_for(user), status_code=303)
    return _login_page(request, _safe_next(next))


@router.post("/login")
def login(request: Request, username: Annotated[Username, Form()] = "", password: Annotated[Password, Form()] = "",
          csrf_token: Annotated[Field, Form()] = "", next: Annotated[Field, Form()] = "",
          store: Store = Depends(get_store)) -> Response:
    config = request.app.state.config
    ip = client_ip(request)
    # The login form has its own CSRF check (a random cookie echoed in the form): no session yet.
    if not tokens_equal(csrf_token, request.cookies.get(LOGIN_COOKIE)):
        raise CsrfError("登录表单已过期，请刷新页面后重试")
    username = username.strip()
    window = timedelta(seconds=config.login_window_seconds)
    # Failures are stored (a restart does not reset them), the name in its `login_key` form (case
    # or width changes do not reset it); the per-address count stops password spraying.
    failures = store.users.recent_login_failures(username, ip, window)
    if failures >= config.login_max_failures or store.users.recent_ip_failures(ip, window) >= config.login_max_failures_per_ip:
        store.users.audit(username or "-", "login_refused", "", {"reason": "rate_limited", "failures": failures}, ip)
        raise RateLimited(f"登录失败次数过多，请 {config.login_window_seconds // 60} 分钟后再试",
                          headers={"Retry-After": str(config.login_window_seconds)})
    record = store.users.get_user(username) if username else None
    # Unknown names cost one Argon2 verification like known ones.
    ok = verify_password(record["password_hash"] if record else None, password) and not (record or {}).get("disabled")
    store.users.record_login_attempt(username, ip, ok)
    if not ok:
        store.users.audit(username or "-", "login_failed", "", {}, ip)
        return _login_page(request, _safe_next(next), error="用户名或密码错误", status=401)
    if needs_rehash(record["password_hash"]):
        store.users.upgrade_password_hash(username, record["password_hash"], hash_password(password))
    presented = request.cookies.get(SESSION_COOKIE)
    if presented:  # never keep a session from before the login alive next to the new one
        store.users.delete_session(presented)
    token, csrf = new_token(), new_token()
    store.users.create_session(token, username, csrf, timedelta(hours=config.session_hours), ip)
    store.users.audit(username, "login", "", {"role": record["role"]}, ip)
    user = User(record["name"], record["role"], record["platform"], csrf)
    response = RedirectResponse(_safe_next(next) or home_for(user), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=config.secure_cookies, path="/",
                        max_age=int(config.session_hours * 3600))
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, store: Store = Depends(get_store),
           user: User | None = Depends(optional_user)) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        store.users.delete_session(token)
    if user is not None:
        store.users.audit(user.name, "logout", "", {}, client_ip(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(user: User | None = Depends(optional_user)) -> Response:
    return RedirectResponse(home_for(user) if user else "/login", status_code=303)
