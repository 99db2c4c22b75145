"""The command line that runs `firewatch ARGS` in a child process with the same settings.

Crawls run in children because Twisted's reactor starts once per process; the scheduler
and the demo both start them through `child_command`.
"""

from __future__ import annotations

import sys

from firewatch.core.settings import Settings


def child_command(settings: Settings, *args: str) -> list[str]:
    """`python -m firewatch [--config FILE] --data-dir DIR ARGS...` for these settings."""
    cmd = [sys.executable, "-m", "firewatch"]
    if settings.file is not None:
        cmd += ["--config", str(settings.file)]
    return cmd + ["--data-dir", str(settings.data_dir), *args]
