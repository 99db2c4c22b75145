"""Exceptions of the alerts package (takedown lists, notices, evidence packs).

A pack that verifies with problems is a normal outcome (`verify_pack` returns the list);
these exceptions are for work that cannot be done at all.
"""

from __future__ import annotations

from firewatch.core.exceptions import FirewatchError


class AlertsError(FirewatchError):
    """Base class of every error raised by the alerts package."""


class PackError(AlertsError):
    """An evidence pack could not be written: an artefact is missing, altered on disk,
    or two items would share a folder."""


class DeliveryError(AlertsError):
    """An alert or digest could not be delivered (SMTP refused, webhook answered non-2xx,
    network error). Senders raise it per attempt; the caller retries, then records a
    dead letter; the alerts stay unsent."""

    exit_code = 75  # EX_TEMPFAIL


class AlertsConfigError(AlertsError):
    """The [alerts] settings are unusable (unknown rule, no channel configured, bad value)."""

    exit_code = 78  # EX_CONFIG


class SigningError(AlertsError):
    """The installation's signing key cannot be created or read, or a key given to
    `firewatch verify --key` is not a key or a fingerprint."""

    exit_code = 74  # EX_IOERR


class TimestampError(AlertsError):
    """The configured RFC 3161 timestamp authority could not be reached or gave an
    unusable answer (refused, not a timestamp response, wrong hash or nonce)."""

    exit_code = 75  # EX_TEMPFAIL


class NoticeError(AlertsError):
    """A notice cannot make the asked transition (unknown notice, not a draft, already
    closed) or there is nothing to put in one."""

    exit_code = 65  # EX_DATAERR


class RenderError(AlertsError):
    """A document (notice or report PDF) could not be rendered by Chromium."""


class AssistError(AlertsError):
    """An enforcement-assistance request cannot be made (unknown listing, mixed platforms) or a
    reply file cannot be imported (bad rows, each named; nothing is imported)."""

    exit_code = 65  # EX_DATAERR
