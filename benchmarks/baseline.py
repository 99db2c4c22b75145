"""The previous SQLite search backend, loaded from git, for benchmarks that compare against it.

`baseline_sqlite_fts(rev)` imports `firewatch/search/sqlite_fts.py` (and its schema file) as
they were at `rev` (default: where this branch left `main`, `git merge-base HEAD main`) under
another module name, so the old and the new code run side by side in one process, on the
same data. The old module uses today's tokenizer and `firewatch.search.base`, whose tokens
are the same (tests/firewatch/test_text.py checks the engines agree).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench"


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


def base_rev(rev: str | None = None) -> str:
    """The commit to compare with: `rev`, or the merge base of HEAD and main."""
    return _git("rev-parse", "--short", rev or _git("merge-base", "HEAD", "main").strip()).strip()


def baseline_sqlite_fts(rev: str | None = None):
    """The module firewatch.search.sqlite_fts at `rev`, with its own schema file."""
    rev = base_rev(rev)
    name = f"baseline_sqlite_fts_{rev}"
    if name in sys.modules:
        return sys.modules[name]
    CACHE.mkdir(parents=True, exist_ok=True)
    source = _git("show", f"{rev}:firewatch/search/sqlite_fts.py")
    schema = _git("show", f"{rev}:index_config/sqlite_fts.sql")
    schema_path = CACHE / f"{name}.sql"
    schema_path.write_text(schema, encoding="utf-8")
    path = CACHE / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    module._schema = lambda: schema  # its own schema, not today's index_config file
    module.BASE_REV = rev
    return module
