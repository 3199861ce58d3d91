"""The typed records a run's steps hand each other through its staging folder.

Each step writes what it produced as one record (a JSON file named by the record's ``FILE``)
and the next steps, lineage and alerts read it back as the same type:

========================  ======================  =========  ==========================
record                    file                    written    read by
========================  ======================  =========  ==========================
:class:`RunStart`         ``run.json``            extract    record, failure record
:class:`ExtractResult`    ``source.json``         extract    classify, load, record, lineage
:class:`ValidationResult` ``validation.json``     validate   load, record, lineage, alerts
``DatasetClassification`` ``classification.json`` classify   load, record, lineage, alerts
:class:`DriftHold`        ``drift.json``          classify   load
:class:`LoadClaim`        ``claim.json``          load       failure record
:class:`LoadResult`       ``load.json``           load       record, lineage
:class:`RunSummary`       the invocation's file   record     ``pubdata run``, alerts
========================  ======================  =========  ==========================

(``DatasetClassification`` is :mod:`etl.classify.model`'s own frozen type: one definition of a
classification, written and read here through the :class:`Staged` protocol.)

Every file carries the ``version`` of its record type; :func:`read_record` refuses a file of
another version, or one that does not fit the type, with :class:`~etl.errors.StagingRecordError`
naming the file, never falling back to a guess. Records hold counts, names, fingerprints,
grades and suite parameters, never a data value.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from etl.errors import StagingRecordError


class Record(BaseModel):
    """A closed, frozen record: unknown fields are refused, nothing changes after it is made."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Raised whenever the record's fields change shape; files of other versions are refused.
    VERSION: ClassVar[int] = 1
    #: Fields left out of what the step reports to Airflow (its task's return value).
    NOT_REPORTED: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (the file's content, without its version)."""
        return self.model_dump(mode="json", fallback=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild from :meth:`to_dict` output; unknown or missing fields raise ValidationError."""
        return cls.model_validate(data)

    def reported(self) -> dict[str, Any]:
        """What the step reports to Airflow: the JSON form without :attr:`NOT_REPORTED`."""
        return self.model_dump(mode="json", fallback=str, exclude=set(self.NOT_REPORTED))


class StagedRecord(Record):
    """A record kept in a run's staging folder under :attr:`FILE`."""

    FILE: ClassVar[str]


class Staged(Protocol):
    """What :func:`write_record` and :func:`read_record` need of a record type."""

    FILE: ClassVar[str]
    VERSION: ClassVar[int]

    def to_dict(self) -> dict[str, Any]: ...  # noqa: D102

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self: ...  # noqa: D102


class Versioned(Protocol):
    """A record type with a version (a staged one, or the invocation's :class:`RunSummary`)."""

    VERSION: ClassVar[int]

    def to_dict(self) -> dict[str, Any]: ...  # noqa: D102

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self: ...  # noqa: D102


R = TypeVar("R", bound=Versioned)
S = TypeVar("S", bound=Staged)


def write_record_at(path: Path, record: Versioned) -> Path:
    """Write ``record`` with its version to ``path`` atomically (write, then rename)."""
    data = {"version": type(record).VERSION, **record.to_dict()}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)
    return path


def read_record_at(path: Path, kind: type[R]) -> R:
    """Read a record of type ``kind`` from ``path``.

    Raises:
        StagingRecordError: the file is not JSON, carries another version (or none), or does
            not fit ``kind``; the message names the file and the field, never a value.
        FileNotFoundError: there is no such file.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise StagingRecordError(f"staging record {path.name} is not JSON") from None
    found = data.pop("version", None) if isinstance(data, dict) else None
    if found != kind.VERSION:
        raise StagingRecordError(
            f"staging record {path.name} is version {found}, this pipeline reads version "
            f"{kind.VERSION} of {kind.__name__}: run the date again from extract"
        )
    try:
        return kind.from_dict(data)
    except ValidationError as exc:
        first = exc.errors()[0]  # its location and kind only: "input" may hold a value
        where = ".".join(str(part) for part in first["loc"]) or "(top)"
        raise StagingRecordError(
            f"staging record {path.name} does not fit {kind.__name__}: {where}: {first['type']}"
        ) from None


def write_record(folder: Path, record: Staged) -> Path:
    """Write ``record`` to its file (``FILE``) in a run's staging ``folder``."""
    return write_record_at(folder / type(record).FILE, record)


def read_record(folder: Path, kind: type[S]) -> S:
    """Read the record of type ``kind`` from a run's staging ``folder`` (:func:`read_record_at`)."""
    return read_record_at(folder / kind.FILE, kind)


def maybe_record(folder: Path, kind: type[S]) -> S | None:
    """The record of type ``kind`` if its step wrote it (a run that stopped earlier has none)."""
    path = folder / kind.FILE
    return read_record_at(path, kind) if path.is_file() else None


class RuleHit(Record):
    """A dataset rule that fired: its id and what it found, for people.

    Attributes:
        id: the rule (``"R1"`` … ``"R7"``, ``"TRACK"``, ``"flag"``); code compares this.
        text: the sentence people read (``"R5 scale: 12,000 distinct persons ≥ 10,000 …"``).
    """

    id: str
    text: str

    @classmethod
    def from_stored(cls, text: str) -> RuleHit:
        """A rule read back from ``_meta.classifications.rules``, which stores the texts only.

        Every rule's text starts with its id (classification.md §2); stored tables keep that
        format, so this is the one place that reads an id back from a text.
        """
        return cls(id=text.split(" ", 1)[0], text=text)


def fired(rules: tuple[RuleHit, ...] | list[RuleHit], rule: str) -> list[RuleHit]:
    """The rules among ``rules`` that are ``rule`` (``"R4"``, ``"R5"`` …)."""
    return [hit for hit in rules if hit.id == rule]


class RunStart(StagedRecord):
    """When the run's first step started."""

    FILE: ClassVar[str] = "run.json"

    started_at: datetime


class Fingerprint(Record):
    """One part read for a run (a file, an HTTP page, a query result); see ``SourceFingerprint``."""

    uri: str
    relative_path: str
    sha256: str
    bytes: int
    encoding: str | None
    format: str
    rows: int
    kind: str = "file"


class DuplicateFile(Fingerprint):
    """A delivered file that repeats one already loaded: not loaded again."""

    of_run: str | None
    of_logical_date: date | None
    of_path: str | None
    message: str


class Amendment(Record):
    """A stored resubmission file applied to the delivery (``etl.pipeline.amend``)."""

    relative_path: str
    uri: str
    sha256: str
    bytes: int
    rows: int
    amended_rows: str  # the JSON list of row numbers it replaced


class Delivery(Record):
    """The fingerprint of the whole delivery: one part's own, or one combined over its parts.

    Empty fields: nothing was loaded (every file a duplicate).
    """

    uri: str | None
    relative_path: str
    sha256: str | None
    bytes: int | None = None
    encoding: str | None = None
    format: str | None = None
    rows: int | None = None
    kind: str | None = None


class SchemaChangeRecord(Record):
    """Columns added, removed, retyped or accepted against the last load (names only)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    retyped: tuple[tuple[str, ...], ...] = ()
    accepted: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether anything changed (warnings alone are not a change)."""
        return bool(self.added or self.removed or self.retyped or self.accepted)


class ExtractResult(StagedRecord):
    """What extract staged: the delivery's fingerprints, its row counts and schema change.

    Attributes:
        delivery: the whole delivery's fingerprint.
        label: how the source is named in messages and lineage (no credentials).
        files: the parts loaded (duplicates excluded).
        duplicates: the files not loaded again.
        column_comments: the source's column comments (a database's), by column.
        rows_in: every delivered row of the loaded parts, ragged ones included.
        rows_rejected: ragged rows (quarantined by validate).
        rows_cast_failed: rows whose declared types failed (quarantined by validate).
        schema_change: against the restricted table's schema.
        amendments: resubmission files applied.
    """

    FILE: ClassVar[str] = "source.json"
    NOT_REPORTED: ClassVar[frozenset[str]] = frozenset({"column_comments"})

    delivery: Delivery
    label: str
    files: tuple[Fingerprint, ...]
    duplicates: tuple[DuplicateFile, ...] = ()
    column_comments: dict[str, str] = Field(default_factory=dict)
    rows_in: int
    rows_rejected: int = 0
    rows_cast_failed: int = 0
    schema_change: SchemaChangeRecord = SchemaChangeRecord()
    amendments: tuple[Amendment, ...] = ()


class ExpectationRecord(Record):
    """One expectation's scrubbed result (see ``etl.validate.outcome.ExpectationResult``)."""

    expectation_type: str
    column: str | None
    level: Literal["row", "table"]
    success: bool
    stops_run: bool
    unexpected_count: int | None
    unexpected_percent: float | None
    kwargs: dict[str, Any]  # the suite's parameters (may list values: scrub before publishing)
    observed: dict[str, Any]  # counts only
    reason: str = ""
    error: str | None = None
    severity: Literal["error", "warn"] = "error"


class ValidationResult(StagedRecord):
    """The suite's verdict over the run's rows.

    Attributes:
        suite_name: the suite.
        rows_in: every delivered row (validated ones plus ragged rows quarantined by extract).
        rows_validated: rows the suite ran over.
        rows_rejected: ragged rows.
        rows_failed: rows a row-level expectation flagged.
        rows_quarantined: rows set aside (ragged, failed casting or flagged).
        table_success: nothing stops the run.
        table_failures: labels of the expectations that stop it.
        warnings: labels of failed ``warn`` expectations.
        results: one per suite expectation, in suite order.
    """

    FILE: ClassVar[str] = "validation.json"
    #: suite parameters may list values: they stay in staging and the scrubbed ``_meta`` rows
    NOT_REPORTED: ClassVar[frozenset[str]] = frozenset({"results"})

    suite_name: str
    rows_in: int
    rows_validated: int
    rows_rejected: int
    rows_failed: int
    rows_quarantined: int
    table_success: bool
    table_failures: tuple[str, ...]
    warnings: tuple[str, ...]
    results: tuple[ExpectationRecord, ...]

    @property
    def passed(self) -> int:
        """Expectations that passed."""
        return sum(1 for r in self.results if r.success)


class DriftHold(StagedRecord):
    """Classification drift that holds shared/open publishing (one message per column)."""

    FILE: ClassVar[str] = "drift.json"

    held: tuple[str, ...] = ()


class LoadClaim(StagedRecord):
    """The run's claim on its date (for the failure record of a load that began)."""

    FILE: ClassVar[str] = "claim.json"

    generation: int


class Withheld(Record):
    """A column the publication guard kept out of shared and open (counts only, never values).

    Attributes:
        column: the column.
        category: the personal category its values look like.
        grade: that category's grade.
        values: values that looked like it (estimated beyond the confirmed candidates).
        checked: non-empty values checked.
    """

    column: str = Field(min_length=1)
    category: str = Field(min_length=1)
    grade: str = Field(min_length=1)
    values: StrictInt = Field(ge=0)
    checked: StrictInt = Field(ge=0)


class ColumnLineage(Record):
    """Where one output column of a zone table comes from and how it was transformed."""

    zone: str
    source_column: str
    output_column: str | None
    transformation: str


class LoadResult(StagedRecord):
    """What load committed.

    Attributes:
        tables: table URI by zone (and ``quarantine``), in commit order.
        versions: the Delta version each commit made, by the same keys.
        rows_loaded: rows published to the zones.
        rows_quarantined: rows written to the quarantine table.
        generation: the run's claim on the date.
        held: drift messages that kept the run restricted.
        withheld: columns kept out of shared/open.
        column_lineage: each output column's source and transformation.
    """

    FILE: ClassVar[str] = "load.json"
    NOT_REPORTED: ClassVar[frozenset[str]] = frozenset({"column_lineage"})

    tables: dict[str, str]
    versions: dict[str, int]
    rows_loaded: int
    rows_quarantined: int
    generation: int
    held: tuple[str, ...] = ()
    withheld: tuple[Withheld, ...] = ()
    column_lineage: tuple[ColumnLineage, ...] = ()


class RunSummary(Record):
    """The outcome of a run: what ``pubdata run`` prints, alerts read and the record step reports.

    Fields a run did not get to are None (a failure's rows, a skipped run's tables …).
    """

    status: Literal["success", "failed", "skipped"]
    dataset: str
    logical_date: date
    dag_id: str | None = None
    run_id: str | None = None
    rows_in: int | None = None
    rows_loaded: int | None = None
    rows_quarantined: int | None = None
    dataset_grade: str | None = None
    tables: dict[str, str] = Field(default_factory=dict)
    stage: str | None = None
    error: str | None = None
    flags: tuple[str, ...] | None = None
    held: tuple[str, ...] = ()
    withheld: tuple[Withheld, ...] = ()
    quarantine_table: str | None = None
    versions: dict[str, int] = Field(default_factory=dict)
    source_sha256: str | None = None
    source_files: int | None = None
    duplicates: tuple[str, ...] = ()
    schema_change: tuple[str, ...] = ()
    log: str | None = None
    seconds: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the run succeeded."""
        return self.status == "success"
