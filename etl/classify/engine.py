"""``classify_table``: every column decided, then the dataset rules."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import pyarrow as pa

from etl.classify.decide import classify_column
from etl.classify.model import ColumnOverride, DatasetClassification
from etl.classify.rules import apply_rules

log = logging.getLogger(__name__)


def classify_table(
    table: pa.Table,
    *,
    overrides: Mapping[str, ColumnOverride] | None = None,
    comments: Mapping[str, str] | None = None,
    floor: str | None = None,
    flags: Sequence[str] = (),
    sample_size: int = 1000,
    seed: int = 0,
) -> DatasetClassification:
    """Classify every column of ``table`` and grade the dataset.

    Columns whose name starts with ``_`` are pipeline columns and are skipped.

    Args:
        table: the data, ideally all string columns.
        overrides: registry labels by column name; they win and are recorded as ``registry``.
        comments: column comments by column name, used as extra name evidence.
        floor: R6 domain floor grade from the registry.
        flags: registry dataset flags (``"IMP"``, ``"CORE"``).
        sample_size: values sampled per column.
        seed: sampling seed; the same data and seed always give the same answer.

    Returns:
        The dataset classification.

    Raises:
        ConfigError: on an unknown category, grade or flag in the registry inputs.
    """
    overrides = overrides or {}
    comments = comments or {}
    names = [n for n in table.column_names if not n.startswith("_")]
    for missing in sorted(set(overrides) - set(names)):
        log.warning("registry override for column %s: no such column in the data", missing)
    findings = [
        classify_column(
            name,
            table.column(name),
            comment=comments.get(name),
            override=overrides.get(name),
            sample_size=sample_size,
            seed=seed,
        )
        for name in names
    ]
    verdict = apply_rules(findings, floor=floor, flags=flags)
    return DatasetClassification(
        columns=tuple(f.classification for f in findings),
        dataset_grade=verdict.grade,
        flags=verdict.flags,
        rules=verdict.rules,
    )
