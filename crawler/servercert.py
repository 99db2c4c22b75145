"""What answered a capture: the TLS certificate of the server the browser talked to.

Playwright's `response.security_details()` names the issuer, subject and validity but not the
certificate itself, so `CertificateCache.get(host, ip, port)` opens one TLS connection to the
same address (`ip:port`, as the browser connected: the host map's target or the DNS answer) with
the URL's host as server name (SNI) and keeps the certificate the server presents. Nothing is
verified here (the browser already accepted the certificate); the record is what was presented:
its SHA-256 fingerprint over the DER bytes, issuer, subject, validity, and the PEM itself.
Results are cached per (host, ip, port) for the life of the cache (one capture run).
`certificate_of(response, cache, host_map)` does this for a Playwright response and
`answered_by(...)` turns it into the manifest's record of what answered.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from firewatch.core.hostmap import HostMap

log = logging.getLogger(__name__)

__all__ = ["CertificateCache", "ServerCertificate", "answered_by", "certificate_of", "fetch_certificate"]


@dataclass(frozen=True)
class ServerCertificate:
    """The certificate presented at `ip:port` for server name `host`."""

    host: str
    ip: str
    port: int
    der: bytes
    sha256: str  # hex, lower case, over `der`
    issuer: str  # RFC 4514
    subject: str
    not_before: str  # ISO 8601, UTC
    not_after: str

    @property
    def pem(self) -> bytes:
        return ssl.DER_cert_to_PEM_cert(self.der).encode("ascii")

    def as_record(self) -> dict[str, Any]:
        """The manifest's view: everything but the bytes (kept as an artefact of their own)."""
        return {"sha256_fingerprint": self.sha256, "certificate_issuer": self.issuer,
                "certificate_subject": self.subject, "certificate_not_before": self.not_before,
                "certificate_not_after": self.not_after,
                "fingerprint_from": f"{self.ip}:{self.port} (SNI {self.host})"}


def fetch_certificate(host: str, ip: str, port: int, timeout: float = 10.0) -> ServerCertificate:
    """Connect to `ip:port` with server name `host` and read the certificate presented (OSError on failure)."""
    from cryptography import x509  # imported here: only HTTPS captures need it

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # recording what is presented, not trusting it
    with socket.create_connection((ip, port), timeout=timeout) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    if not der:
        raise OSError(f"{ip}:{port} (SNI {host}) presented no certificate")
    cert = x509.load_der_x509_certificate(der)
    return ServerCertificate(
        host=host, ip=ip, port=port, der=der, sha256=hashlib.sha256(der).hexdigest(),
        issuer=cert.issuer.rfc4514_string(), subject=cert.subject.rfc4514_string(),
        not_before=cert.not_valid_before_utc.isoformat(), not_after=cert.not_valid_after_utc.isoformat())


class CertificateCache:
    """One `fetch_certificate` per (host, ip, port), shared by the captures running at once (async)."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._pending: dict[tuple[str, str, int], asyncio.Future[ServerCertificate]] = {}

    def clear(self) -> None:
        self._pending.clear()

    async def get(self, host: str, ip: str, port: int) -> ServerCertificate:
        key = (host.lower(), ip, int(port))
        future = self._pending.get(key)
        if future is None or (future.done() and (future.cancelled() or future.exception() is not None)):
            # first use, or an earlier attempt failed: connect (again)
            future = asyncio.ensure_future(asyncio.to_thread(fetch_certificate, *key, self.timeout))
            self._pending[key] = future
        return await asyncio.shield(future)


async def certificate_of(response: Any, cache: CertificateCache, host_map: HostMap) -> ServerCertificate | str | None:
    """The certificate of the server that sent the Playwright `response` (HTTPS only: else None),
    or why it could not be read. The address is the one the browser used (`server_addr()`),
    else the host map's, else the host name's."""
    parts = urlsplit(response.url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    try:
        server = await response.server_addr() or {}
        target = ((server["ipAddress"], int(server["port"])) if server.get("ipAddress") and server.get("port")
                  else host_map.lookup(parts.hostname) or (parts.hostname, parts.port or 443))
        return await cache.get(parts.hostname, *target)
    except Exception as exc:  # recorded as unknown: the page itself was captured
        log.warning("could not read the certificate of %s: %s", response.url, exc)
        return f"{type(exc).__name__}: {exc}"


def answered_by(url: str, tls: dict[str, Any] | None, certificate: ServerCertificate | str | None,
                host_map: HostMap) -> dict[str, Any]:
    """Manifest fields: `tls` (the browser's security details with the certificate's fingerprint,
    issuer, subject and validity, or `fingerprint_error`), `host_map` in force and `resolved_by`
    ("host_map" or "dns"); `_certificate_pem`, the certificate to store, when it was read."""
    out: dict[str, Any] = {
        "host_map": host_map.as_dict(),
        "resolved_by": "host_map" if host_map.lookup(urlsplit(url).hostname or "") else "dns",
        "tls": dict(tls) if tls else None,
    }
    if isinstance(certificate, ServerCertificate):
        out["tls"] = {**(out["tls"] or {}), **certificate.as_record()}
        out["_certificate_pem"] = certificate.pem
    elif isinstance(certificate, str):
        out["tls"] = {**(out["tls"] or {}), "sha256_fingerprint": None, "fingerprint_error": certificate}
    return out
