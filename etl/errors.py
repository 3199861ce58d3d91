"""The error tree of pubdata, ordered by what the runtime should do next.

Every message is one line that names the file, dataset, row or field involved and never contains a
data value: these messages end up in task logs, XCom, lineage and the CLI's stderr.
"""

from __future__ import annotations


class PubdataError(Exception):
    """Base of every error the library raises on purpose.

    Attributes:
        retriable: whether running the same step again may succeed.
        stage: the pipeline stage that raised it, filled in at the step boundary.
    """

    retriable: bool = False

    def __init__(self, message: str, *, stage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.stage = stage

    def __str__(self) -> str:
        return self.message


class ConfigError(PubdataError):
    """A registry file, suite or setting is wrong: fix the configuration; retrying cannot help."""


class PolicyError(PubdataError):
    """Refused by policy: a path escaping the landing zone, a CORE dataset, a missing clearance."""


class StoreRefused(PolicyError):
    """The object store refused this process's keys on a table's objects (S3 ``AccessDenied``).

    The store is the access control of a lake whose zones have their own keys: a process given
    only the shared zone's keys cannot read the restricted zone, whatever it asks for.
    """


class SourceNotReady(PubdataError):
    """The source for this run has not been delivered yet: wait and try again later."""

    retriable = True


class DuplicateDelivery(PubdataError):
    """Every file delivered for this run was already loaded (same sha256): the run is skipped.

    The duplicates are recorded in ``_meta.source_files`` (``role = duplicate``); nothing is
    loaded twice.
    """


class TransientError(PubdataError):
    """Transient I/O trouble (network, lock, object store): retry."""

    retriable = True


class DataError(PubdataError):
    """The delivered data cannot be processed as declared (unreadable file, wrong format)."""


class ValidationFailed(DataError):
    """A table-level expectation failed, or too many rows failed: nothing was published."""


class ConcurrentRun(PubdataError):
    """Another run of the same dataset and date claimed it first, or took it over.

    The other run's rows stand; nothing of this run is visible. Retrying would only replace
    the same date again, so the run fails without retry.
    """


class StagingRecordError(PubdataError):
    """A run's staging record is of another version or shape than this pipeline reads.

    It was written by another pipeline version (or by hand): run the date again from extract.
    Retrying the step would read the same file, so the run fails without retry.
    """
