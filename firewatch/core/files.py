"""Writing files so that a reader never sees half of one: the one place that does it.

`atomic_write(path, data)` and `atomic_writer(path)` replace `path` whole or leave it untouched;
`write_new` places a file only where none is (False for the loser); `stage_file` and `write_file`
(in place) are for callers that rename later. `data`: bytes, text (UTF-8) or a writer callable.
`sha256_file(path)` hashes a written file in 1 MiB reads (packs and models can be large).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterator, Union

__all__ = ["Content", "atomic_write", "atomic_writer", "sha256_file", "stage_file", "write_file", "write_new"]

Content = Union[bytes, str, Callable[[IO[bytes]], object]]


def _put(fh: IO[bytes], data: Content) -> None:
    if isinstance(data, str):
        fh.write(data.encode("utf-8"))
    elif isinstance(data, (bytes, bytearray, memoryview)):
        fh.write(data)
    else:
        data(fh)
    fh.flush()
    os.fsync(fh.fileno())


def _temp_beside(path: Path, suffix: str) -> tuple[int, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Temporary names start with a dot and end with `suffix`, so leftovers are easy to glob.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    return fd, Path(tmp)


def write_file(path: str | os.PathLike[str], data: Content) -> None:
    """Write and fsync `data` to `path` (in place: not atomic on its own)."""
    with open(path, "wb") as fh:
        _put(fh, data)


def stage_file(path: str | os.PathLike[str], data: Content, *, mode: int | None = 0o644,
               suffix: str = ".part") -> Path:
    """`data` in a fsynced temporary file of its own beside `path` (two writers never share
    one); returns its path. The caller renames it into place or unlinks it. `mode` None
    keeps mkstemp's private 0600."""
    fd, tmp = _temp_beside(Path(path), suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            _put(fh, data)
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


@contextmanager
def atomic_writer(path: str | os.PathLike[str], *, mode: int | None = 0o644,
                  suffix: str = ".part") -> Iterator[IO[bytes]]:
    """A binary handle on a temporary file that replaces `path` when the block ends cleanly."""
    fd, tmp = _temp_beside(Path(path), suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike[str], data: Content, *, mode: int | None = 0o644,
                 suffix: str = ".part") -> Path:
    """Replace `path` with `data` all at once (a reader sees the old file or the new one)."""
    with atomic_writer(path, mode=mode, suffix=suffix) as fh:
        _put(fh, data)
    return Path(path)


def write_new(path: str | os.PathLike[str], data: Content, *, mode: int | None = 0o444,
              suffix: str = ".partial", replace_without_links: bool = False) -> bool:
    """Put `data` at `path` unless a file is already there; False when one is (another writer won).

    The bytes go to a fsynced temporary file (mode `mode`) that is hard-linked into place,
    so `path` appears whole and is never overwritten. Where the filesystem has no hard
    links, `replace_without_links` renames the file into place instead (fine for
    content-addressed files, whose every writer writes the same bytes); otherwise the
    error is raised.
    """
    path = Path(path)
    tmp = stage_file(path, data, mode=mode, suffix=suffix)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            if not replace_without_links:
                raise
            os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The file's SHA-256 (hex), read in 1 MiB blocks, never whole into memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
