"""Content-addressed storage of evidence bytes under the evidence directory.

Each artefact's bytes live once at `<root>/objects/<sha[:2]>/<sha>` (hex SHA-256):
written to a temporary file, fsynced, made read-only, then hard-linked into place, so
identical bytes are stored once and concurrent writers of the same bytes are harmless.
Capture folders hold hard links to these objects (`link_or_copy`), so a folder reads like
a plain directory of files while the disk holds one copy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from firewatch.core.files import write_new

log = logging.getLogger(__name__)

OBJECTS_DIR = "objects"

__all__ = ["OBJECTS_DIR", "link_or_copy", "object_path", "put_object", "sha256_bytes",
           "timestamp_dirname"]


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def timestamp_dirname(at: datetime) -> str:
    """A UTC time as a sortable folder name, to the microsecond."""
    return at.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def object_path(root: str | os.PathLike[str], sha256: str) -> Path:
    """Where the bytes with hex digest `sha256` live under the evidence root `root`."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a hex SHA-256: {sha256!r}")
    return Path(root) / OBJECTS_DIR / sha256[:2] / sha256


def put_object(root: str | os.PathLike[str], data: bytes, sha256: str | None = None) -> Path:
    """Store `data` once under `root/objects/`; return its path.

    Written to a temporary file, fsynced, made read-only and hard-linked into place, so
    concurrent writers of the same bytes are harmless. An existing object is re-hashed:
    one whose bytes no longer match its name is moved aside (`.corrupt-*`, kept for
    inspection) and written again.
    """
    sha = sha256 or sha256_bytes(data)
    path = object_path(root, sha)
    if path.exists():
        if sha256_bytes(path.read_bytes()) == sha:
            return path
        aside = path.with_name(f"{sha}.corrupt-{timestamp_dirname(datetime.now(timezone.utc))}")
        log.error("object %s does not match its hash; moved to %s", path, aside)
        os.replace(path, aside)
    # a writer that loses the race stored the same bytes: nothing to do
    write_new(path, data, mode=0o444, replace_without_links=True)
    return path


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link `src` at `dst`, or copy it where hard links are not possible."""
    try:
        os.link(src, dst)
    except OSError:  # no hard links here (another filesystem, FAT...): copy
        shutil.copyfile(src, dst)
