"""Reading the classifiers' data files (lexicon, spec facts, price priors): YAML mappings.

Regulators edit these files without a release, so a broken one gives a `DataFileError`
naming the file and what is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .exceptions import DataFileError


def load_yaml(path: str | Path) -> dict[str, Any]:
    """A YAML file whose top level is a mapping."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a mapping at the top level")
    return data
