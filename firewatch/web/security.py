"""Security primitives of the web app: Argon2 password hashes, random tokens, CSRF, headers.

`hash_password`/`verify_password` use Argon2id (an unknown user still costs one verification, so
timing reveals no names); `new_token()` is 32 random URL-safe bytes; `add_security_headers` sets a
CSP of this origin only with no inline script or style, so a payload that escaped cannot run.
"""

from __future__ import annotations

import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("firewatch-dummy-password")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
MIN_PASSWORD = 8


def add_security_headers(request, response):
    """Set the CSP and the other headers on `response` unless it set its own; authenticated
    content is never stored by a browser or proxy (only /static/ may be cached)."""
    path = request.url.path
    response.headers.setdefault("Content-Security-Policy", CSP)  # /docs sets its own (web/docs.py)
    for name, value in BASE_HEADERS.items():
        response.headers.setdefault(name, value)
    if "cache-control" not in response.headers and not path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password too short: at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends one Argon2 verification."""
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when a (verified) hash was made with weaker or other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return True


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_equal(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
