"""Alerts from a run's outcome: a failure reason, or the record step's summary plus staging.

Only fields that cannot hold a data value are read: counts, grades, flags, rule texts,
expectation names and their unexpected counts, reason codes and the drift messages (column
names with category/grade). The staging folder's data files are never opened, except the
quarantine table's ``_reasons`` column (reason codes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from etl.alerts.model import Alert, DatasetRef, RunRef
from etl.classify.model import DatasetClassification
from etl.lineage.quarantine import export_command, resubmit_command
from etl.lineage.reviews import confirm_command, drift_label, rerun_command
from etl.registry import Dataset
from etl.registry.alerts import AlertsSpec
from etl.runtime import staging
from etl.runtime.records import ExpectationRecord, RunSummary, ValidationResult, fired, maybe_record

#: At most this many expectations or reason codes are listed (the rest are counted).
TOP = 5


def _registry_file(dataset: Dataset) -> str:
    return f"datasets/{dataset.department}/{dataset.id}.yaml"


def failure_alert(
    dataset: Dataset, run: RunRef, stage: str, reason: str, *, not_delivered: bool = False
) -> Alert:
    """The alert of a failed run.

    Args:
        dataset: the registry entry.
        run: the run.
        stage: the task that failed (``wait_for_source``, ``extract`` … ``record``).
        reason: the one-line, value-free reason recorded in lineage.
        not_delivered: the delivery sensor timed out (the source was not delivered in time).
    """
    day = run.logical_date
    if not_delivered:
        return Alert(
            kind="not_delivered",
            severity="warning",
            dataset=DatasetRef.of(dataset),
            run=run,
            headline=f"{dataset.id} {day}: the source was not delivered in time; nothing loaded.",
            facts=(("原因 reason", reason),),
            actions=(
                f"ask {DatasetRef.of(dataset).department_label} to deliver the file for {day}",
                f"once it is there: `pubdata run {dataset.id} --date {day}` (or clear the run's "
                "tasks in Airflow)",
            ),
        )
    actions = [f"read the failed task's log in Airflow ({stage})"]
    if stage == "validate":
        actions.append(
            f"`pubdata quality {dataset.id}` (which checks fail) and "
            f"`pubdata quarantine {dataset.id}` (counts by reason)"
        )
    elif stage in ("extract", "wait_for_source"):
        actions.append(f"check the delivery and {_registry_file(dataset)} (source, columns)")
    actions.append(f"after the fix: `pubdata run {dataset.id} --date {day}`")
    return Alert(
        kind="failure",
        severity="critical",
        dataset=DatasetRef.of(dataset),
        run=run,
        headline=f"{dataset.id} {day} failed at {stage}; nothing was published for this date.",
        facts=(("阶段 stage", stage), ("原因 reason", reason)),
        actions=tuple(actions),
    )


def _failed_expectations(results: Sequence[ExpectationRecord]) -> list[str]:
    failed = sorted((r for r in results if not r.success), key=lambda r: -(r.unexpected_count or 0))
    out = []
    for r in failed:
        name = r.reason or r.expectation_type
        count = r.unexpected_count
        rows = f"{count} rows" if count is not None else "table-level"
        out.append(f"{name}: {rows}" + (" (warn)" if r.severity == "warn" else ""))
    return out


def _reason_counts(folder: Path) -> Counter[str]:
    """Quarantined rows by reason code (a row failing two checks counts under both)."""
    path = folder / staging.QUARANTINE
    if not path.is_file():
        return Counter()
    # only the reason codes are read, never a data column
    reasons = staging.read_table(folder, staging.QUARANTINE, ["_reasons"]).column("_reasons")
    reasons = reasons.to_pylist()
    return Counter(code for text in reasons for code in (text or "").split(";") if code)


def _listed(items: Sequence[str]) -> str:
    shown = list(items[:TOP])
    if len(items) > TOP:
        shown.append(f"… {len(items) - TOP} more")
    return "; ".join(shown)


def _warnings_over(results: Sequence[ExpectationRecord], threshold: float) -> list[str]:
    """Failed ``warn`` expectations (they never quarantine) whose failing share is above it."""
    out = []
    for r in results:
        if r.success or r.severity != "warn":
            continue
        percent = r.unexpected_percent
        if percent is None or percent / 100 > threshold:  # None: a table-level check
            out.append(r.reason or r.expectation_type)
    return out


def quality_alert(
    dataset: Dataset,
    run: RunRef,
    summary: RunSummary,
    folder: Path,
    threshold: float,
) -> Alert | None:
    """A ``quality`` alert when a successful run's quality is past ``threshold``.

    Past it means: the quarantined share of the run's rows is above it, or a ``warn``
    expectation (which quarantines nothing) failed for a larger share of rows than that.
    """
    rows_in = summary.rows_in or 0
    quarantined = summary.rows_quarantined or 0
    validation = maybe_record(folder, ValidationResult)
    results = validation.results if validation else ()
    share = quarantined / rows_in if rows_in > 0 else 0.0
    warnings = _warnings_over(results, threshold)
    if share <= threshold and not warnings:
        return None
    day = run.logical_date
    passed = sum(1 for r in results if r.success)
    reasons = _reason_counts(folder)
    facts = [
        (
            "行数 rows",
            f"{rows_in} in, {summary.rows_loaded} loaded, {quarantined} quarantined",
        ),
        ("隔离比例 quarantined share", f"{share:.2%} (threshold {threshold:.2%})"),
    ]
    if results:
        facts.append(("校验 checks", f"{passed}/{len(results)} passed"))
    failed = _failed_expectations(results)
    if failed:
        facts.append(("未通过 failed checks", _listed(failed)))
    if reasons:
        codes = [f"{code}: {n}" for code, n in reasons.most_common()]
        facts.append(("隔离原因 quarantine reasons", _listed(codes)))
    if share > threshold:
        headline = (
            f"{dataset.id} {day}: {quarantined} of {rows_in} rows ({share:.2%}) went to "
            "quarantine; the rest was published."
        )
    else:
        headline = (
            f"{dataset.id} {day}: {len(warnings)} warning check(s) failed beyond "
            f"{threshold:.2%} of rows: {_listed(warnings)}; the run was published."
        )
    return Alert(
        kind="quality",
        severity="warning",
        dataset=DatasetRef.of(dataset),
        run=run,
        headline=headline,
        facts=tuple(facts),
        actions=(
            f"`pubdata quarantine {dataset.id} --date {day}` (counts by reason)",
            f"fix the rows: `{export_command(dataset.id, day)}`, then "
            f"`{resubmit_command(dataset.id, day)}` (re-runs the date)",
            f"`pubdata quality {dataset.id}` (pass rate per check over runs)",
        ),
    )


def drift_alert(dataset: Dataset, run: RunRef, summary: RunSummary) -> Alert | None:
    """A ``drift`` alert when the run held shared/open publishing or withheld columns from it.

    Drift holds the dataset's shared/open publishing; the publication guard withholds single
    columns whose values look personal. Both wait for a person to confirm the column.
    """
    held = list(summary.held)
    withheld = summary.withheld
    if not held and not withheld:
        return None
    day = run.logical_date
    facts: list[tuple[str, str]] = []
    actions: list[str] = []
    if held:
        facts.append(("漂移 drift", _listed(held)))
    if withheld:
        lines = [
            f"{w.column}: looks like {w.category} ({w.values} of {w.checked} values checked)"
            for w in withheld
        ]
        facts.append(("暂缓发布列 withheld columns", _listed(lines)))
        for w in withheld[:TOP]:
            command = confirm_command(dataset.id, w.column, w.category, w.grade)
            actions.append(f"`{command}`")
        actions.append("not personal: the same command with --category none --grade L1 (or L2)")
    for message in held[:TOP]:
        column, category, grade = drift_label(message)
        if column is not None:
            actions.append(f"`{confirm_command(dataset.id, column, category, grade)}`")
    if held:
        actions.append(
            f"each confirmation writes classification.columns in {_registry_file(dataset)}"
        )
    actions.append(f"`pubdata review --dataset {dataset.id}` (every pending hold)")
    actions.append(f"`{rerun_command(dataset.id, day)}` to publish shared/open again")
    facts.append(("数据集级别 dataset grade", str(summary.dataset_grade)))
    if held:
        headline = (
            f"{dataset.id} {day}: column classification changed; shared/open publishing is "
            "held (restricted was loaded)."
        )
    else:
        headline = (
            f"{dataset.id} {day}: {len(withheld)} column(s) withheld from shared/open: their "
            "values look personal (the rest was published)."
        )
    return Alert(
        kind="drift",
        severity="warning",
        dataset=DatasetRef.of(dataset),
        run=run,
        headline=headline,
        facts=tuple(facts),
        actions=tuple(actions),
    )


def important_alert(
    dataset: Dataset, run: RunRef, summary: RunSummary, folder: Path
) -> Alert | None:
    """An ``important`` alert when a rule made the dataset a 重要数据 (IMP) candidate.

    A dataset the registry already declares ``important`` is decided, not a candidate: its
    runs stay restricted without an alert each day.
    """
    if "IMP" not in (summary.flags or ()) or dataset.classification.important:
        return None
    classification = maybe_record(folder, DatasetClassification)
    rules = fired(classification.rules, "R5") if classification else []
    day = run.logical_date
    facts = [("数据集级别 dataset grade", str(summary.dataset_grade))]
    if rules:
        facts.append(("依据 why", rules[0].text))
    return Alert(
        kind="important",
        severity="warning",
        dataset=DatasetRef.of(dataset),
        run=run,
        headline=(
            f"{dataset.id} {day}: 重要数据 (IMP) candidate; loaded to the restricted zone only "
            "until a review decides."
        ),
        facts=tuple(facts),
        actions=(
            "review whether the dataset is 重要数据 under the city's catalogue",
            f"confirmed: set classification.important: true in {_registry_file(dataset)} "
            "(it stays in the restricted zone, without further alerts)",
            "not important: raise classification.rules.persons_important (or "
            f"persons_l4_important) there, then `pubdata run {dataset.id} --date {day}`",
        ),
    )


def run_alerts(
    dataset: Dataset,
    spec: AlertsSpec,
    run: RunRef,
    summary: RunSummary,
    folder: Path,
) -> list[Alert]:
    """The alerts a successful run raises under the dataset's ``alerts:`` section.

    Args:
        dataset: the registry entry.
        spec: its ``alerts:`` section.
        run: the run.
        summary: the record step's summary.
        folder: the run's staging folder (validation results, rule texts, reason codes).
    """
    alerts: list[Alert | None] = []
    if "quality" in spec.on:
        alerts.append(quality_alert(dataset, run, summary, folder, spec.quality_threshold))
    if "drift" in spec.on:
        alerts.append(drift_alert(dataset, run, summary))
    if "important" in spec.on:
        alerts.append(important_alert(dataset, run, summary, folder))
    return [a for a in alerts if a is not None]


def deadline_alert(dataset: Dataset, run: RunRef, minutes: int) -> Alert:
    """A ``not_delivered`` alert from an Airflow deadline: the run was not done in time."""
    day = run.logical_date
    return Alert(
        kind="not_delivered",
        severity="warning",
        dataset=DatasetRef.of(dataset),
        run=run,
        headline=(
            f"{dataset.id} {day}: the run had not finished {minutes} min after it was queued "
            "(a delivery not there yet, or a run stuck behind one)."
        ),
        facts=(("期限 deadline", f"{minutes} min after the run was queued"),),
        actions=(
            "open the run in Airflow: which task is it in (wait_for_source means no delivery)?",
            f"ask {DatasetRef.of(dataset).department_label} whether the file for {day} was sent",
        ),
    )
