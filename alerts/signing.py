"""Ed25519 signing of evidence packs with one installation key (the `cryptography` library).

`installation_key(key_dir)` loads the installation's private key from
`<key_dir>/pack-signing-ed25519.pem` (PKCS#8 PEM), creating it on first use with mode
0600 in a 0700 folder (exclusive create, so two processes cannot make two keys). A
key's fingerprint is the SHA-256 of its 32 raw public-key bytes, in hex; packs carry
the public key and the fingerprint, and `verify_signature` checks a signature with a
public key given as raw bytes. `read_public_key` accepts what a person would pass to
`firewatch verify --key`: a PEM public-key file, or a fingerprint. A signature proves
which installation packaged the evidence, not what a server sent.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from alerts.exceptions import SigningError

log = logging.getLogger(__name__)

KEY_FILE = "pack-signing-ed25519.pem"
ALGORITHM = "Ed25519"

__all__ = ["ALGORITHM", "PackSigner", "fingerprint", "installation_key", "read_public_key",
           "verify_signature"]


def fingerprint(public_raw: bytes) -> str:
    """SHA-256 of the raw 32-byte public key, hex."""
    return hashlib.sha256(public_raw).hexdigest()


@dataclass(frozen=True)
class PackSigner:
    """A private Ed25519 key and where it came from."""

    private_key: Ed25519PrivateKey
    source: str = ""

    @property
    def public_raw(self) -> bytes:
        return self.private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                          serialization.PublicFormat.Raw)

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    @classmethod
    def generate(cls) -> "PackSigner":
        """A fresh key that lives only in memory (tests, one-off packs)."""
        return cls(Ed25519PrivateKey.generate(), "ephemeral")


def installation_key(key_dir: str | os.PathLike[str]) -> PackSigner:
    """The installation's signing key, created (0600) on first use."""
    folder = Path(key_dir)
    path = folder / KEY_FILE
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise SigningError(f"cannot create the signing key in {folder}: {exc}") from exc
    else:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        signer = PackSigner(key, str(path))
        log.warning("created the installation's evidence signing key %s (fingerprint %s)", path,
                    signer.fingerprint)
        return signer
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("signing key %s is readable by others (mode %o); run chmod 600 on it", path, mode)
        data = path.read_bytes()
        if not data:
            raise SigningError(f"signing key {path} is empty (another process may be creating it); try again")
        key = serialization.load_pem_private_key(data, password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(f"cannot read the signing key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path} is not an Ed25519 private key")
    return PackSigner(key, str(path))


def verify_signature(public_raw: bytes, signature: bytes, data: bytes) -> bool:
    """True when `signature` is `data` signed by the key whose raw public bytes are given."""
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def read_public_key(spec: str) -> str:
    """The fingerprint named by `spec`: a PEM public-key file, a raw base64 key, or a fingerprint.

    Raises `SigningError` when `spec` is none of these.
    """
    text = spec.strip()
    candidate = text.lower().replace(":", "")
    if candidate.startswith("sha256"):
        candidate = candidate[len("sha256"):]
    if len(candidate) == 64 and all(c in "0123456789abcdef" for c in candidate):
        return candidate
    path = Path(text)
    if path.is_file():
        data = path.read_bytes()
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError as exc:
            raise SigningError(f"{path}: not a PEM public key ({exc})") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise SigningError(f"{path}: not an Ed25519 public key")
        return fingerprint(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raw = b""
    if len(raw) == 32:
        return fingerprint(raw)
    raise SigningError(f"--key {spec!r}: give a key fingerprint (64 hex digits), a PEM public-key file "
                       "or a base64 raw public key")
