"""One crawl per platform at a time (outside Redis mode): a lock file per platform.

`platform_lock(data_dir, platform)` takes an exclusive `flock` on
`<data_dir>/locks/<platform>.lock` without waiting, and writes the holder's pid into the
file. The kernel releases the lock when its holder exits, however it dies (SIGKILL
included), so no stale lock ever needs cleaning up; the file itself stays. A second
crawl of the same platform gets `CrawlLockedError`, naming the holder's pid.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from crawler.exceptions import CrawlLockedError

LOCKS_DIR = "locks"


def lock_path(data_dir: str | os.PathLike[str], platform: str) -> Path:
    """Where `platform`'s crawl lock lives under the data directory."""
    return Path(data_dir) / LOCKS_DIR / f"{platform}.lock"


class PlatformLock:
    """A held crawl lock of one platform; `release()` (or the holder's exit) frees it."""

    def __init__(self, platform: str, path: Path, fd: int):
        self.platform = platform
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> "PlatformLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def platform_lock(data_dir: str | os.PathLike[str], platform: str) -> PlatformLock:
    """Take `platform`'s crawl lock now or raise `CrawlLockedError` (another crawl holds it)."""
    path = lock_path(data_dir, platform)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        os.close(fd)
        raise CrawlLockedError(platform, holder) from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return PlatformLock(platform, path, fd)


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
