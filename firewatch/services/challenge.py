"""A self-hosted proof-of-work challenge against floods of public tips (no outside captcha).

`ProofOfWork(secret, bits, minutes).issue()` gives a token `v1.<id>.<issued unix>.<bits>.<hmac>`
signed with the installation's secret; the sender's page finds a nonce such that
SHA-256("<token>:<nonce>") starts with `bits` zero bits (about 2**bits hashes; the page's own
script does it with crypto.subtle). `check(token, nonce)` verifies the signature, the age
and the work and returns the challenge id and its expiry; the caller records the id once
(`store.tips.use_challenge`), so a solved challenge cannot be replayed. Raises `TipRefused`
("challenge") with a Chinese message.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from firewatch.core.clock import utcnow
from firewatch.core.exceptions import TipRefused

VERSION = "v1"
MAX_NONCE = 64


def leading_zero_bits(digest: bytes) -> int:
    """How many zero bits `digest` starts with."""
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def solve(token: str, bits: int) -> str:
    """A nonce for `token` with `bits` leading zero bits (what the page's script does; also
    what an API client written in Python would do)."""
    n = 0
    while leading_zero_bits(hashlib.sha256(f"{token}:{n}".encode()).digest()) < bits:
        n += 1
    return str(n)


@dataclass(frozen=True)
class Solved:
    """A challenge whose signature, age and work checked out: its id and when it expires."""

    challenge_id: str
    expires_at: datetime


class ProofOfWork:
    """Issue and check signed challenges of `bits` difficulty, valid for `minutes`."""

    def __init__(self, secret: bytes, bits: int, minutes: int):
        self.secret = secret
        self.bits = int(bits)
        self.lifetime = timedelta(minutes=minutes)

    def _sign(self, body: str) -> str:
        return hmac.new(self.secret, f"pow:{body}".encode(), hashlib.sha256).hexdigest()

    def issue(self, now: datetime | None = None) -> dict[str, object]:
        now = now or utcnow()
        body = f"{VERSION}.{secrets.token_hex(16)}.{int(now.timestamp())}.{self.bits}"
        return {"challenge": f"{body}.{self._sign(body)}", "bits": self.bits,
                "expires_at": (now + self.lifetime).isoformat()}

    def check(self, token: str, nonce: str, now: datetime | None = None) -> Solved:
        now = now or utcnow()
        parts = (token or "").split(".")
        again = "请刷新页面后重新提交（页面会自动重新计算验证）"
        if len(parts) != 5 or parts[0] != VERSION:
            raise TipRefused(f"缺少或无效的防刷验证：{again}", "challenge")
        body, signature = ".".join(parts[:4]), parts[4]
        if not hmac.compare_digest(self._sign(body), signature):
            raise TipRefused(f"防刷验证的签名无效：{again}", "challenge")
        _, challenge_id, issued_text, bits_text = parts[:4]
        try:
            issued = datetime.fromtimestamp(int(issued_text), timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise TipRefused(f"缺少或无效的防刷验证：{again}", "challenge") from None
        expires = issued + self.lifetime
        if issued > now + timedelta(minutes=1) or now > expires:
            raise TipRefused(f"防刷验证已过期：{again}", "challenge")
        if int(bits_text) < self.bits:
            raise TipRefused(f"防刷验证的难度不足：{again}", "challenge")
        nonce = (nonce or "").strip()
        if not nonce or len(nonce) > MAX_NONCE:
            raise TipRefused(f"缺少防刷验证的计算结果：{again}", "challenge")
        digest = hashlib.sha256(f"{token}:{nonce}".encode()).digest()
        if leading_zero_bits(digest) < int(bits_text):
            raise TipRefused(f"防刷验证的计算结果不正确：{again}", "challenge")
        return Solved(challenge_id, expires)
