"""The installation key (Ed25519, 0600, made once) and the RFC 3161 timestamp hook."""

from __future__ import annotations

import hashlib
import stat

import pytest

from alerts.exceptions import SigningError, TimestampError
from alerts.signing import KEY_FILE, installation_key, read_public_key, verify_signature
from alerts.timestamp import build_request, rfc3161_timestamper, token_info
from tests.builders import make_item
from tests.servers import TSAServer


def test_key_created_once_with_private_permissions(tmp_path):
    key = installation_key(tmp_path / "keys")
    path = tmp_path / "keys" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    again = installation_key(tmp_path / "keys")
    assert again.fingerprint == key.fingerprint == hashlib.sha256(key.public_raw).hexdigest()
    signature = key.sign(b"manifest")
    assert verify_signature(again.public_raw, signature, b"manifest")
    assert not verify_signature(again.public_raw, signature, b"manifest!")
    pub = tmp_path / "k.pem"
    pub.write_bytes(key.public_pem)
    assert read_public_key(str(pub)) == key.fingerprint
    assert read_public_key(key.fingerprint.upper()) == key.fingerprint
    assert read_public_key(key.public_b64) == key.fingerprint
    with pytest.raises(SigningError):
        read_public_key("not-a-key")
    path.write_bytes(b"garbage")
    with pytest.raises(SigningError):
        installation_key(tmp_path / "keys")


def test_timestamp_request_is_over_the_manifest_hash():
    request = build_request(b'{"files": []}')
    imprint = request.message_imprint
    assert imprint.message == hashlib.sha256(b'{"files": []}').digest()
    assert imprint.hash_algorithm.dotted_string == "2.16.840.1.101.3.4.2.1"  # SHA-256
    assert request.nonce is not None and request.cert_req


def test_timestamper_posts_a_query_and_rejects_a_bad_answer(serve):
    tsa = serve(TSAServer)  # answers anything but a timestamp: what a broken or hostile TSA does
    stamp = rfc3161_timestamper(f"{tsa.url}/tsa", timeout=10)
    with pytest.raises(TimestampError, match="did not answer a timestamp response"):
        stamp(b"manifest bytes")
    tsa.stop()
    content_type, body = tsa.seen[-1]
    assert content_type == "application/timestamp-query"
    assert hashlib.sha256(b"manifest bytes").digest() in body  # the imprint travels in the query
    closed = rfc3161_timestamper(f"{tsa.url}/tsa", timeout=2)
    with pytest.raises(TimestampError, match="unreachable"):
        closed(b"x")


def test_token_info_reports_unusable_tokens():
    assert "not an RFC 3161" in token_info(b"junk", b"manifest")["problem"]


def test_failing_tsa_leaves_no_pack(tmp_path):
    from alerts.evidence_pack import write_pack
    from alerts.signing import PackSigner

    def refuse(data: bytes) -> bytes:
        raise TimestampError("refused")

    out = tmp_path / "p.zip"
    with pytest.raises(TimestampError):
        write_pack(out, [make_item(tmp_path / "ev", "jd", "1")], signer=PackSigner.generate(), timestamper=refuse)
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


def test_key_file_appears_only_whole(tmp_path, monkeypatch):
    """While the key is being made, nothing is at the key's path (a reader never sees it
    empty, a crash never leaves an empty key); the temporary file is private from the start."""
    import os

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    import alerts.signing as signing

    path = tmp_path / "keys" / KEY_FILE
    seen = []
    real_generate, real_fsync = Ed25519PrivateKey.generate, os.fsync

    def generate():
        seen.append(("generate", path.exists()))
        return real_generate()

    def fsync(fd):
        if stat.S_ISREG(os.fstat(fd).st_mode):
            seen.append(("fsync", path.exists(), stat.S_IMODE(os.fstat(fd).st_mode)))
        real_fsync(fd)

    monkeypatch.setattr(signing.Ed25519PrivateKey, "generate", staticmethod(generate))
    monkeypatch.setattr(signing.os, "fsync", fsync)
    key = installation_key(tmp_path / "keys")
    assert seen == [("generate", False), ("fsync", False, 0o600)]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "keys").iterdir()] == [KEY_FILE]  # no temporary file left
    assert installation_key(tmp_path / "keys").fingerprint == key.fingerprint


def test_private_key_never_in_a_pack_or_a_log(tmp_path, caplog):
    import base64
    import logging
    import zipfile

    from alerts.evidence_pack import write_pack

    caplog.set_level(logging.DEBUG)
    signer = installation_key(tmp_path / "keys")
    secret = signer.private_key.private_bytes_raw()
    pem = (tmp_path / "keys" / KEY_FILE).read_bytes()
    body = b"".join(pem.splitlines()[1:-1])
    out = tmp_path / "pack.zip"
    write_pack(out, [make_item(tmp_path / "ev", "jd", "1")], signer=signer)
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            for needle in (secret, base64.b64encode(secret), body, secret.hex().encode()):
                assert needle not in data, name
    assert out.read_bytes().find(body) == -1
    text = caplog.text
    assert body.decode() not in text and secret.hex() not in text and signer.fingerprint in text
