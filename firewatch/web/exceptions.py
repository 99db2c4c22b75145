"""Exceptions of the review web app, each carrying the HTTP status it maps to.

`firewatch.web.errors` turns them into responses in one place: an HTML page (or a
redirect to the login page) for the browser, a JSON body for `/api/`. Messages are in
Chinese because people read them.
"""

from __future__ import annotations


class WebError(Exception):
    """Base class: an error answered with `status` and a message a user can act on."""

    status = 500

    def __init__(self, message: str = "服务器内部错误", headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(WebError):
    """The request is malformed (unknown verdict, bad parameter)."""

    status = 400


class LoginRequired(WebError):
    """No valid session or token: pages redirect to the login page, the API answers 401."""

    status = 401


class Forbidden(WebError):
    """Logged in, but this role or platform may not see or do this."""

    status = 403


class CsrfError(Forbidden):
    """An unsafe request without a valid CSRF token."""


class NotFound(WebError):
    """No such listing, case, file or page."""

    status = 404


class Conflict(WebError):
    """The request clashes with someone else's work (a row another reviewer holds, a decision
    decided on again since)."""

    status = 409


class RateLimited(WebError):
    """Too many failed logins for this user from this address."""

    status = 429
