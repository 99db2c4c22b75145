"""Exceptions of the classifiers package (the only module that defines any).

A normal outcome (no reason found, no price to compare) is a return value, never an
exception. The CLI maps `ClassifierError` subclasses to exit codes in one place.
"""

from __future__ import annotations

from firewatch.core.exceptions import FirewatchError


class ClassifierError(FirewatchError):
    """Base class of every classifiers error."""


class ModelNotTrainedError(ClassifierError):
    """No trained model where one was expected."""

    def __init__(self, where: str = "") -> None:
        place = f" in {where}" if where else ""
        super().__init__(f"no trained model{place}: run `firewatch train` first")


class ModelIntegrityError(ClassifierError):
    """A saved model's files do not match its sidecar (hash or format): refuse to load."""


class DataFileError(ClassifierError):
    """A classifiers data file (corpus, lexicon, specs, priors) is missing or malformed."""


class SealedDataError(ClassifierError):
    """Training was handed the sealed held-out set (its file or its records): refused."""


class LabelledFileError(DataFileError):
    """A labelled JSON-lines file (corpus, held-out, `firewatch evaluate --data`) is missing, empty or has
    a line that cannot be used: the message names the file, the line and the field, in Chinese."""

    exit_code = 2  # a usage error: nothing was trained or evaluated
    label = "数据文件错误 data file error"
