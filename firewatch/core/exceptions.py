"""Exceptions of the `firewatch` package (settings, store, pipeline, CLI).

Every package's exceptions derive from `FirewatchError`; the CLI maps each to one line and
an exit code in one place (`firewatch.cli.main`). A normal outcome such as "nothing
changed" is a return value, never an exception.
"""


class FirewatchError(Exception):
    """Base class: an error a user can act on; its message says what to do next."""

    exit_code = 1
    label: str | None = "错误 error"  # what the CLI prints before the message (None: the message carries its own)


class SettingsError(FirewatchError):
    """The settings file or an environment override is invalid (raised while loading them)."""

    exit_code = 2  # a usage error: the command did not start
    label = None  # every message starts "设置错误 settings error: "


class HostMapError(FirewatchError):
    """A `[crawl] resolve` entry or `trust_ca` file that cannot be used."""

    exit_code = 2
    label = "设置错误 settings error"


class StoreError(FirewatchError):
    """The store cannot be opened or its schema is newer than this code."""

    exit_code = 74  # EX_IOERR


class ClaimLost(StoreError):
    """A worker tried to complete a queue row it no longer holds (its lease ran out and another
    worker took the row over, or the row was done or queued again meanwhile). Raised inside the
    completing transaction, so the stage's result is not saved; the worker skips the row."""


class ClaimHeld(StoreError):
    """A reviewer decided on a queue row another reviewer's running claim holds (`holder`);
    nothing was written."""

    exit_code = 75  # EX_TEMPFAIL

    def __init__(self, message: str, holder: str = ""):
        super().__init__(message)
        self.holder = holder


class AssessmentChanged(StoreError):
    """A reviewer decided on the assessment shown to them, but the listing was re-scored since (the reasons on
    record are not the ones they judged); nothing was written."""

    exit_code = 75  # EX_TEMPFAIL


class DuplicateDocument(StoreError):
    """A penalty decision's document number (文号) is already recorded (`existing`: that record's id,
    0 when unknown); nothing was written."""

    exit_code = 65  # EX_DATAERR

    def __init__(self, message: str, existing: int = 0):
        super().__init__(message)
        self.existing = existing


class InvalidRecord(FirewatchError):
    """What a person entered cannot be recorded (`problems`: each reason, in Chinese); nothing was written."""

    exit_code = 65  # EX_DATAERR

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


class CaseClosed(FirewatchError):
    """A closed case's listings cannot change (an admin reopens it first)."""

    exit_code = 65  # EX_DATAERR


class NotFoundError(FirewatchError):
    """A listing or record asked for by key does not exist."""

    exit_code = 66  # EX_NOINPUT


class VerificationError(FirewatchError):
    """An evidence pack failed verification (tampered, missing or extra files)."""

    exit_code = 3


class ImportFileError(FirewatchError):
    """A watchlist or certificate file cannot be read or has none of the expected columns."""

    exit_code = 65  # EX_DATAERR


class SearchError(FirewatchError):
    """A search query or index request is invalid, or the search index refused it."""

    exit_code = 65  # EX_DATAERR


class SearchUnavailable(SearchError):
    """The search backend (Elasticsearch) cannot be reached; nothing is lost: listings stay
    queued for `firewatch index sync`."""

    exit_code = 69  # EX_UNAVAILABLE


class ProcessDegraded(FirewatchError):
    """`firewatch process` finished but a stage ran degraded: the search index was
    unreachable (indexing deferred), captures failed or were blocked, or listings failed a
    stage. Nothing is lost (their queue rows stay), but the run did not do all its work;
    `reasons` lists why, each in Chinese with its code.
    """

    exit_code = 4  # distinct: done, but degraded (firewatch process --help, README)
    label = "降级运行 degraded"

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))

    def __reduce__(self):
        return (type(self), (self.reasons,))


class MissingCJKFontsError(FirewatchError):
    """Chinese text would render as tofu boxes: no usable CJK font for the browser.

    Raised by the font check of `firewatch.core.fonts` (captures and PDFs alike). Not a
    capture error: it stops every capture, not one. The message says what to install
    (`apt-get install -y fonts-noto-cjk`).
    """


class TipRefused(FirewatchError):
    """A public tip was refused; `reason` names the limit it broke ("invalid", "too_large",
    "bad_photo", "rate_limited", "challenge") and the web app maps it to an HTTP status in
    one place (`firewatch.web.errors`). The message, in Chinese, says what to do instead."""

    exit_code = 65  # EX_DATAERR

    def __init__(self, message: str, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason


