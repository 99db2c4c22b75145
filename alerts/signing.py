"""Ed25519 signing of evidence packs with one installation key (the `cryptography` library).

`installation_key(key_dir)` loads the private key, creating it whole (0600, in a 0700 folder) on
first use, one key even when processes race; it never goes into a pack or a log line. `fingerprint`
is the SHA-256 of the raw public key; `verify_signature` and `read_public_key` serve verification.
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
from firewatch.core.files import write_new

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
    """A private Ed25519 key and where it came from.

    Its signature proves which installation packaged the evidence, not what a server sent.
    """

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


def _create_key(folder: Path, path: Path) -> PackSigner | None:
    """Write a new key to a private temporary file, then link it into place: the key file
    appears whole or not at all (never empty or half-written to a process reading it, nor
    after a crash), and only one of two racing processes wins. None when another won."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    if not write_new(path, pem, mode=None, suffix=".tmp"):  # mode None: mkstemp's private 0600
        return None
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return PackSigner(key, str(path))


def installation_key(key_dir: str | os.PathLike[str]) -> PackSigner:
    """The installation's signing key, created (0600, in a 0700 folder) on first use."""
    folder = Path(key_dir)
    path = folder / KEY_FILE
    if not path.exists():
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            signer = _create_key(folder, path)
        except OSError as exc:
            raise SigningError(f"cannot create the signing key in {folder}: {exc}") from exc
        if signer is not None:
            log.warning("created the installation's evidence signing key %s (fingerprint %s)", path,
                        signer.fingerprint)
            return signer
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("signing key %s is readable by others (mode %o); run chmod 600 on it", path, mode)
        data = path.read_bytes()
        if not data:
            raise SigningError(f"signing key {path} is empty; restore it from a backup or move it away "
                               "(a new key would not match earlier packs)")
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
