"""Writing files so that a reader never sees half of one: the one place that does it.

`write_file(path, data)` writes and fsyncs (no rename: for files inside a folder that is
itself put in place whole). `stage_file(path, data)` writes the bytes to a temporary
file of its own beside `path` (fsynced, mode `mode`) and returns its path, for a caller
that decides later whether to put it in place (`os.replace`) or drop it.
`atomic_writer(path)` is a context manager yielding a binary file handle: on a clean
exit the file is fsynced and renamed over `path`; on an exception the temporary file is
removed and `path` is untouched. `atomic_write(path, data)` does that for bytes or text.
`write_new(path, data)` publishes a file that must never be overwritten: it is written
under a temporary name and hard-linked into place, so it appears whole, and of two
racing writers only one wins (returns False for the loser).

`data` may be bytes, text (written as UTF-8) or a callable that writes to the open
binary handle (a zip writer, `joblib.dump`...). Temporary names start with a dot and
end with `suffix`, so globbing for leftovers is easy.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterator, Union

__all__ = ["Content", "atomic_write", "atomic_writer", "stage_file", "write_file", "write_new"]

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
