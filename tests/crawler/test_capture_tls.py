"""Captures through the host map record what answered: address, TLS certificate, host map.

A real HTTPS server on 127.0.0.1 (port 0) with a certificate for item.jd.com signed by a CA
made here; Chromium reaches https://item.jd.com/… through `HostMap` (`--host-resolver-rules`,
the CA trusted by its key), the way the demo and the tests reach the replica market.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

from crawler.capture import Capturer
from firewatch.core.hostmap import HostMap
from tests.servers import PageServer

HOST = "item.jd.com"
SKU = "100012345678"
TITLE = "京东 手提式干粉灭火器 4kg MFZ/ABC4 3C认证 家用商用"
CA_NAME = "firewatch test CA"
PAGE = ("<!doctype html><html><head><meta charset='utf-8'><title>" + TITLE + "</title></head><body>"
        "<div class='sku-name'>" + TITLE + "</div>"
        "<div style='width:500px;height:250px;background:rgb(0,90,200)'></div>"
        "<img src='https://img.example.invalid/x.jpg'></body></html>").encode("utf-8")


def _certificates(tmp: Path) -> tuple[Path, Path, Path, bytes]:
    """(CA PEM, server chain PEM, server key PEM, server certificate DER)."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_pem, chain_pem, key_pem = tmp / "ca.pem", tmp / "chain.pem", tmp / "key.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain_pem.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return ca_pem, chain_pem, key_pem, leaf.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def https_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tls")
    ca_pem, chain_pem, key_pem, leaf_der = _certificates(tmp)
    server = PageServer({f"/{SKU}.html": (PAGE, "text/html; charset=utf-8")})
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain_pem, key_pem)
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    with server:
        yield server, ca_pem, leaf_der


@pytest.mark.timeout(180)
def test_capture_through_host_map_records_what_answered(chromium, https_site, tmp_path):
    server, ca_pem, leaf_der = https_site
    host_map = HostMap.parse({HOST: f"127.0.0.1:{server.port}"}, trust_ca=ca_pem)
    url = f"https://{HOST}/{SKU}.html"
    with Capturer(chromium, tmp_path, "firewatch-test", [HOST], host_map=host_map, check_fonts=False,
                  timeout_ms=15000, is_blocked=lambda html, u: None) as cap:
        assert any(a.startswith("--host-resolver-rules=") for a in cap.launch_args)
        ev = cap.capture("jd", SKU, url, expect_text=TITLE)
        again = cap.capture("jd", SKU, url, expect_text=TITLE)

    assert ev.url == ev.final_url == url  # the real URL, not where it was sent
    assert ev.server_ip == "127.0.0.1"
    directory = Path(ev.directory)
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    assert manifest["server_port"] == server.port
    assert manifest["host_map"] == {HOST: f"127.0.0.1:{server.port}"} == host_map.as_dict()
    assert manifest["resolved_by"] == "host_map"
    tls = manifest["tls"]
    assert tls["sha256_fingerprint"] == hashlib.sha256(leaf_der).hexdigest()
    assert CA_NAME in tls["issuer"]  # as the browser saw it
    assert tls["certificate_issuer"] == f"CN={CA_NAME}" and tls["certificate_subject"] == f"CN={HOST}"
    assert tls["fingerprint_from"] == f"127.0.0.1:{server.port} (SNI {HOST})"
    pem = (directory / "server-certificate.pem").read_text("ascii")
    assert ssl.PEM_cert_to_DER_cert(pem) == leaf_der
    assert "server-certificate.pem" in {a.name for a in ev.artefacts}
    assert any("img.example.invalid" in u for u in manifest["aborted_requests"])

    with Image.open(io.BytesIO((directory / "screenshot.png").read_bytes())) as image:
        blue = sum(n for n, colour in image.convert("RGB").getcolors(1 << 24) if colour == (0, 90, 200))
    assert blue >= 500 * 250 * 0.9  # the page itself, not an error page
    assert TITLE in (directory / "page.html").read_text("utf-8")

    second = json.loads((Path(again.directory) / "manifest.json").read_text("utf-8"))
    assert second["tls"]["sha256_fingerprint"] == tls["sha256_fingerprint"]


@pytest.mark.timeout(60)
def test_certificate_is_read_once_per_address(https_site):
    import asyncio

    from crawler.servercert import CertificateCache

    server, _, leaf_der = https_site
    cache = CertificateCache(timeout=10)

    async def three():
        return await asyncio.gather(*(cache.get(HOST, "127.0.0.1", server.port) for _ in range(3)))

    first, second, third = asyncio.run(three())
    assert first is second is third
    assert first.der == leaf_der and first.sha256 == hashlib.sha256(leaf_der).hexdigest()
