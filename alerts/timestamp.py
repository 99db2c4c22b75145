"""RFC 3161 trusted timestamps for evidence packs (the `rfc3161-client` library).

`rfc3161_timestamper(url)` returns the callable `write_pack` takes: manifest bytes in, the TSA's DER
TimeStampResp out, checked for a granted status, the manifest's SHA-256 and our nonce (else
`TimestampError`). `token_info(token, manifest_bytes)` decodes a stored token (`problem`: unusable).
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from alerts.exceptions import TimestampError

log = logging.getLogger(__name__)

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
_GRANTED = (0, 1)  # granted, grantedWithMods
_MAX_REPLY = 1 << 20

__all__ = ["build_request", "rfc3161_timestamper", "token_info"]


def build_request(data: bytes) -> Any:
    """A TimeStampReq over SHA-256(data), with a nonce and a certificate request."""
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder  # optional: only with evidence.tsa_url

    return (TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256)
            .nonce(nonce=True).cert_request(cert_request=True).build())


def _imprint_problem(response: Any, data: bytes) -> str:
    imprint = response.tst_info.message_imprint
    if imprint.message != hashlib.sha256(data).digest():
        return "token is not over this manifest's SHA-256"
    if imprint.hash_algorithm.dotted_string != "2.16.840.1.101.3.4.2.1":
        return f"token uses hash algorithm {imprint.hash_algorithm.dotted_string}, not SHA-256"
    return ""


def token_info(token: bytes, data: bytes) -> dict[str, Any]:
    """What a stored TimeStampResp says, and `problem` when it is unusable for `data`."""
    from rfc3161_client import decode_timestamp_response  # optional: only with evidence.tsa_url

    try:
        response = decode_timestamp_response(token)
    except Exception as exc:  # the Rust decoder raises ValueError and its own types
        return {"problem": f"not an RFC 3161 timestamp response ({exc})"}
    if response.status not in _GRANTED:
        return {"problem": f"timestamp authority refused (status {response.status})"}
    info: dict[str, Any] = {"hash_algorithm": "SHA-256"}
    try:
        tst = response.tst_info
        info.update(gen_time=tst.gen_time.isoformat(), serial_number=str(tst.serial_number),
                    policy=tst.policy.dotted_string, nonce=str(tst.nonce) if tst.nonce is not None else "")
        # The TSA's signature and certificate chain are not validated here: that needs its root
        # certificate (rfc3161_client.VerifierBuilder does it).
        problem = _imprint_problem(response, data)
    except Exception as exc:  # a token missing mandatory fields
        problem = f"unreadable token ({exc})"
    if problem:
        info["problem"] = problem
    return info


def rfc3161_timestamper(url: str, timeout: float = 15.0,
                        opener: Callable[..., Any] = urllib.request.urlopen) -> Callable[[bytes], bytes]:
    """A callable `data -> DER TimeStampResp` asking the TSA at `url`; raises `TimestampError`."""

    def stamp(data: bytes) -> bytes:
        from rfc3161_client import decode_timestamp_response  # optional: only with evidence.tsa_url

        request = build_request(data)
        http = urllib.request.Request(url, data=request.as_bytes(), method="POST",
                                      headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE})
        try:
            with opener(http, timeout=timeout) as reply:
                body = reply.read(_MAX_REPLY + 1)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise TimestampError(f"timestamp authority {url} unreachable: {exc}") from exc
        if len(body) > _MAX_REPLY:
            raise TimestampError(f"timestamp authority {url} answered more than {_MAX_REPLY} bytes")
        try:
            response = decode_timestamp_response(body)
        except Exception as exc:  # not DER, not a TimeStampResp
            raise TimestampError(f"timestamp authority {url} did not answer a timestamp response ({exc})") from exc
        if response.status not in _GRANTED:
            raise TimestampError(f"timestamp authority {url} refused the request (status {response.status}, "
                                 f"{'; '.join(response.status_string) or 'no reason given'})")
        problem = _imprint_problem(response, data)
        if problem:
            raise TimestampError(f"timestamp authority {url}: {problem}")
        if request.nonce is not None and response.tst_info.nonce != request.nonce:
            raise TimestampError(f"timestamp authority {url} answered with another nonce (replayed answer?)")
        log.info("trusted timestamp from %s: %s", url, response.tst_info.gen_time)
        return body

    return stamp
