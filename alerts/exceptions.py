"""Exceptions of the alerts package (takedown lists, notices, evidence packs).

A pack that verifies with problems is a normal outcome (`verify_pack` returns the list);
these exceptions are for work that cannot be done at all.
"""

from __future__ import annotations


class AlertsError(Exception):
    """Base class of every error raised by the alerts package."""


class PackError(AlertsError):
    """An evidence pack could not be written: an artefact is missing, altered on disk,
    or two items would share a folder."""
