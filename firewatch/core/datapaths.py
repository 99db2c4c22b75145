"""Paths kept in the store are relative to the data folder, so the folder can be moved or restored.

`stored_path(path, data_dir)` is what a record keeps: the path relative to `data_dir` in POSIX form
when it lies inside it, else the absolute path as given (or the text as it is, when `data_dir` is
None). `resolve_path(text, data_dir)` is where a stored path is now: a relative one joined to the
current data folder, an absolute one as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["is_inside", "resolve_path", "stored_path"]


def is_inside(path: str | os.PathLike[str], data_dir: str | os.PathLike[str]) -> bool:
    """Whether the absolute `path` lies in `data_dir` (both taken lexically, then resolved)."""
    try:
        Path(os.path.abspath(path)).resolve().relative_to(Path(data_dir).resolve())
    except ValueError:
        return False
    return True


def stored_path(path: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None) -> str:
    """The text a record keeps for `path`: relative to `data_dir` (POSIX form) when inside it."""
    text = os.fspath(path)
    if not text or data_dir is None or not os.path.isabs(text):
        return text  # already relative (or no data folder to be relative to)
    root = Path(data_dir).resolve()
    try:
        relative = Path(os.path.abspath(text)).resolve().relative_to(root)
    except ValueError:
        return text
    return relative.as_posix() or "."


def resolve_path(text: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None) -> Path:
    """Where a stored path is now: relative ones inside `data_dir` (the current data folder)."""
    path = Path(os.fspath(text))
    if path.is_absolute() or data_dir is None:
        return path
    return Path(data_dir) / path
