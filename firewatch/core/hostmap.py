"""The host map: where a platform hostname is connected to, for every client firewatch runs.

`[crawl] resolve` maps hostname patterns to addresses, the way an /etc/hosts line would but with
a port: `{"*.jd.com": "127.0.0.1:8443", "jd.com": "127.0.0.1:8443"}`; `"*"` matches every host.
In production it is empty and names resolve through DNS. The URL never changes: the request
still says `https://item.jd.com/…` (Host header, TLS server name, cookies, what is stored); only
the TCP connection goes to the mapped address. Scrapy (`crawler.resolve`), Chromium
(`--host-resolver-rules`, `chromium_args`) and plain Python clients (`connect_target`) read the
same `HostMap`, so the crawl, the screenshots and the image fetches always agree.

`[crawl] trust_ca` names a PEM CA certificate trusted for mapped hosts only (the demo market's
throwaway CA); Chromium is told to accept certificates whose chain carries that CA's key.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from firewatch.core.exceptions import HostMapError

__all__ = ["HostMap", "spki_sha256"]

@dataclass(frozen=True)
class HostMap:
    """Ordered (pattern, ip, port) rules; the first matching pattern wins."""

    rules: tuple[tuple[str, str, int], ...] = ()
    trust_ca: str = ""

    @classmethod
    def parse(cls, resolve: Mapping[str, str] | None, trust_ca: str | Path = "") -> "HostMap":
        """Rules from `{pattern: "ip:port"}` (port defaults to 443); HostMapError names a bad entry."""
        rules = []
        for pattern, address in (resolve or {}).items():
            pattern = str(pattern).strip().lower().rstrip(".")
            host, sep, port = str(address).strip().rpartition(":")
            if not sep:
                host, port = str(address).strip(), "443"
            if not pattern or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise HostMapError(f"crawl.resolve[{pattern!r}] = {address!r}: expected \"ip:port\", "
                                   "e.g. {\"*.jd.com\" = \"127.0.0.1:8443\"}")
            rules.append((pattern, host.strip("[]"), int(port)))
        if trust_ca and not Path(trust_ca).is_file():
            raise HostMapError(f"crawl.trust_ca = {str(trust_ca)!r}: no such file (a PEM CA certificate)")
        return cls(tuple(rules), str(trust_ca or ""))

    @classmethod
    def from_settings(cls, settings) -> "HostMap":
        return cls.parse(settings.crawl.resolve, settings.trust_ca_path or "")

    def __bool__(self) -> bool:
        return bool(self.rules)

    def lookup(self, host: str) -> tuple[str, int] | None:
        """The mapped (ip, port) of `host`, or None when DNS decides."""
        host = (host or "").lower().rstrip(".")
        for pattern, ip, port in self.rules:
            if fnmatchcase(host, pattern):
                return ip, port
        return None

    def connect_target(self, url: str) -> tuple[str, int] | None:
        """(ip, port) to connect to for `url`, or None for an unmapped host."""
        return self.lookup(urlsplit(url).hostname or "")

    def as_dict(self) -> dict[str, str]:
        """The map in force, as recorded in crawl runs and capture records."""
        return {pattern: f"{ip}:{port}" for pattern, ip, port in self.rules}

    def chromium_args(self) -> list[str]:
        """Chromium flags sending mapped hosts to their address and trusting `trust_ca` there."""
        if not self.rules:
            return []
        rules = ", ".join(f"MAP {pattern} {ip}:{port}" for pattern, ip, port in self.rules)
        args = [f"--host-resolver-rules={rules}"]
        if self.trust_ca:
            args.append(f"--ignore-certificate-errors-spki-list={spki_sha256(Path(self.trust_ca).read_bytes())}")
        return args

    def ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that also trusts `trust_ca` (for plain Python clients)."""
        context = ssl.create_default_context()
        if self.trust_ca:
            context.load_verify_locations(cafile=self.trust_ca)
        return context

    def httpx_transport(self, **options):
        """An httpx transport that connects mapped hosts to their address (Host header and TLS
        server name stay the real host's, and `trust_ca` is trusted); plain httpx otherwise."""
        import httpx  # imported here: only plain-client callers need it

        hostmap = self

        class _Mapped(httpx.HTTPTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                target = hostmap.lookup(request.url.host)
                if target is not None:
                    request.extensions = {**request.extensions, "sni_hostname": request.url.host}
                    request.url = request.url.copy_with(host=target[0], port=target[1])
                return super().handle_request(request)

        return _Mapped(verify=self.ssl_context(), **options)


def spki_sha256(pem: bytes) -> str:
    """Base64 SHA-256 of a PEM certificate's SubjectPublicKeyInfo (Chromium's SPKI pin form)."""
    from cryptography import x509  # imported here: only needed when a CA is trusted
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(pem)
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")
