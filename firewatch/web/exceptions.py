"""Exceptions of the review web app, each carrying the HTTP status it maps to.

`firewatch.web.errors` turns them into responses in one place: an HTML page (or a
redirect to the login page) for the browser, a JSON body for `/api/`. Messages are in
Chinese because people read them; `code` is the machine word the JSON API puts beside the message.
"""

from __future__ import annotations


class WebError(Exception):
    """Base class: an error answered with `status` and a message a user can act on."""

    status = 500
    code = "server_error"

    def __init__(self, message: str = "服务器内部错误", headers: dict[str, str] | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        if code:
            self.code = code


class BadRequest(WebError):
    """The request is malformed (unknown verdict, bad parameter)."""

    status = 400
    code = "bad_request"


class LoginRequired(WebError):
    """No valid session or token: pages redirect to the login page, the API answers 401."""

    status = 401
    code = "login_required"


class Forbidden(WebError):
    """Logged in, but this role or platform may not see or do this."""

    status = 403
    code = "forbidden"


class CsrfError(Forbidden):
    """An unsafe request without a valid CSRF token."""

    code = "csrf"


class NotFound(WebError):
    """No such listing, case, file or page."""

    status = 404
    code = "not_found"


class Conflict(WebError):
    """The request repeats or contradicts what is already recorded (a duplicate report), or clashes
    with someone else's work (a row another reviewer holds, a listing decided on again since)."""

    status = 409


class RateLimited(WebError):
    """Too many failed logins for this user from this address."""

    status = 429
    code = "rate_limited"
