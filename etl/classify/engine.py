"""``classify_table``: every column decided, free text scanned, then the dataset rules.

1. each column on a seeded sample (:func:`etl.classify.decide.classify_column`);
2. text columns no category claimed that are named or read like free text: every value scanned
   (:func:`etl.classify.freetext.scan_free_text`);
3. the table's context: about persons, organisations or facilities
   (:func:`etl.classify.context.apply_context`), then the registry baseline;
4. row rules over the whole table: location series, R4 minors;
5. R5 scale on this table's distinct persons; R1-R3, R6, R7 and the registry flags.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.context import apply_context
from etl.classify.decide import ColumnFinding, classify_column
from etl.classify.freetext import PATTERNS, scan_free_text
from etl.classify.grades import DEFAULT_GRADES, check_grade, grade_rank
from etl.classify.model import ColumnClassification, ColumnOverride, DatasetClassification
from etl.classify.rule_settings import RuleSettings
from etl.classify.rules import DerivedCheck, apply_rules
from etl.classify.rules_persons import apply_minors, apply_track
from etl.classify.scale import count_in_table, scale_rule
from etl.runtime.records import RuleHit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DerivedFrom:
    """The dataset is an aggregate of another dataset (rule R7).

    Attributes:
        source_grade: grade of the source dataset.
        count_column: column of the aggregate holding each released cell's count.
    """

    source_grade: str
    count_column: str


def _scan(finding: ColumnFinding, values: pa.ChunkedArray, seed: int) -> ColumnFinding:
    """Grade a free-text column by what every one of its values contains.

    The column takes the category of the highest-graded personal data found in it (confidence
    1: every value was read and each hit confirmed), or of its narrative (medical or case
    vocabulary; confidence = share of values using it), whichever grades higher.
    """
    scan = scan_free_text(values, seed=seed)
    hinted = next((h for h in finding.hinted if h in ("health", "criminal_record")), None)
    narrative = scan.narrative(hinted)
    order = list(PATTERNS)
    found = sorted(
        scan.hits.items(),
        key=lambda kv: (grade_rank(DEFAULT_GRADES[kv[0]]), kv[1], -order.index(kv[0])),
    )
    parts = [f"{category} in {count} values" for category, count in reversed(found)]
    if narrative:
        confidence = scan.medical_share if narrative == "health" else scan.case_share
        parts.append(f"{narrative} narrative in {confidence:.0%} of values")
        category = narrative  # narrative is L4: nothing found in it grades higher
    elif found:
        category, confidence = found[-1][0], 1.0
    else:
        return finding
    evidence = f"free text, every value scanned ({scan.scanned}): {', '.join(parts)}"
    column = ColumnClassification(
        finding.classification.name,
        category,
        DEFAULT_GRADES[category],
        round(confidence, 4),
        evidence,
        "detector",
    )
    return replace(finding, classification=column)


def _baseline(finding: ColumnFinding, grade: str) -> ColumnFinding:
    """A column no category claimed takes the dataset's registry baseline grade."""
    c = finding.classification
    if c.category != "none" or c.decided_by == "registry" or c.grade == grade:
        return finding
    evidence = f"{c.evidence}; registry baseline {grade} (classification.baseline)"
    return replace(finding, classification=replace(c, grade=grade, evidence=evidence))


def _min_count(table: pa.Table, column: str) -> int | None:
    if column not in table.column_names or table.num_rows == 0:
        return None
    try:
        counts = pc.cast(table.column(column), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if counts.null_count:
        return None
    low = pc.min(counts).as_py()
    return None if low is None else int(low)


def classify_table(
    table: pa.Table,
    *,
    overrides: Mapping[str, ColumnOverride] | None = None,
    comments: Mapping[str, str] | None = None,
    floor: str | None = None,
    baseline: str | None = None,
    flags: Sequence[str] = (),
    sample_size: int = 1000,
    seed: int = 0,
    logical_date: dt.date | None = None,
    settings: RuleSettings | None = None,
    derived_from: DerivedFrom | None = None,
    whole_column: Callable[[str], pa.ChunkedArray] | None = None,
    workers: int = 1,
) -> DatasetClassification:
    """Classify every column of ``table`` and grade the dataset.

    Columns whose name starts with ``_`` are pipeline columns and are skipped. Column decisions
    use a seeded sample; free-text columns and the row rules (R4 minors, location series, R5 on
    this table) read every row.

    Args:
        table: the data, ideally all string columns.
        overrides: registry labels by column name; they win and are recorded as ``registry``.
        comments: column comments by column name, used as extra name evidence.
        floor: R6 domain floor grade from the registry.
        baseline: grade of the columns no category claimed (the registry's
            ``classification.baseline``; default ``none``'s grade, L2).
        flags: registry dataset flags (``"IMP"``, ``"CORE"``).
        sample_size: values sampled per column.
        seed: sampling seed; the same data and seed always give the same answer.
        logical_date: the run's logical date for R4 (default: today).
        settings: rule thresholds (default: the spec's).
        derived_from: set when the table is an aggregate of another dataset (R7).
        whole_column: when ``table`` is a sample of a larger table, reads one column of the
            whole table: free-text columns are scanned over every value it returns, and the
            location-series rule counts keys over the whole key column.
        workers: threads deciding columns side by side (the result does not depend on it).

    Returns:
        The dataset classification.

    Raises:
        ConfigError: on an unknown category, grade, flag or rule setting.
    """
    overrides = overrides or {}
    comments = comments or {}
    settings = settings or RuleSettings()
    names = [n for n in table.column_names if not n.startswith("_")]
    for missing in sorted(set(overrides) - set(names)):
        log.warning("registry override for column %s: no such column in the data", missing)

    def decide(name: str) -> ColumnFinding:
        return classify_column(
            name,
            table.column(name),
            comment=comments.get(name),
            override=overrides.get(name),
            sample_size=sample_size,
            seed=seed,
        )

    if workers > 1 and len(names) > 1:
        # detectors are Arrow kernels, which release the GIL: columns are decided side by side
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="classify") as pool:
            findings = list(pool.map(decide, names))
    else:
        findings = [decide(name) for name in names]
    # Free text is scanned over every value, one column at a time: a whole column of a large
    # delivery is read for it, and two at once would double what the step holds.
    column = whole_column or table.column
    findings = [
        _scan(f, column(f.classification.name), seed) if f.scan_text else f for f in findings
    ]
    findings = apply_context(findings)
    if baseline is not None:
        findings = [_baseline(f, check_grade(baseline)) for f in findings]
    row_rules: list[RuleHit] = []
    findings, track = apply_track(table, findings, settings, column=whole_column)
    day = logical_date or dt.date.today()
    findings, minors_rule, minors = apply_minors(table, findings, day, settings)
    row_rules.extend(r for r in (track, minors_rule) if r)
    interim = DatasetClassification(tuple(f.classification for f in findings), "L1", (), ())
    persons = count_in_table(table, interim, minors)
    derived = None
    if derived_from is not None:
        low = _min_count(table, derived_from.count_column)
        derived = DerivedCheck(derived_from.source_grade, low, derived_from.count_column)
    verdict = apply_rules(
        findings,
        floor=floor,
        flags=flags,
        settings=settings,
        row_rules=row_rules,
        scale=scale_rule(persons, settings),
        derived=derived,
    )
    return DatasetClassification(
        columns=tuple(f.classification for f in findings),
        dataset_grade=verdict.grade,
        flags=verdict.flags,
        rules=verdict.rules,
    )
