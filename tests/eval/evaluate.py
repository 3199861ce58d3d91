"""Score the classifier on a labelled corpus part.

Per-category precision/recall, column micro-F1, column-grade accuracy, distractor false
positives, the dataset-grade confusion matrix and throughput. :func:`render` prints a part's
report; with ``names=False`` (the frozen part) it prints aggregates only: no table or column
name, no value.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

from etl.classify import GRADES, classify_table
from tests.eval.corpus import LOGICAL_DATE, LabelledTable, Part, load_part


@dataclass(frozen=True)
class ColumnOutcome:
    """One labelled column against the classifier's answer.

    Attributes:
        table: table name.
        column: column name.
        truth: the true category.
        got: the category the classifier gave.
        true_grade: the true column grade.
        got_grade: the grade the classifier gave (after the dataset rules lifted it).
        distractor: the column was built to look sensitive while it is not.
    """

    table: str
    column: str
    truth: str
    got: str
    true_grade: str
    got_grade: str
    distractor: bool


@dataclass(frozen=True)
class TableOutcome:
    """One table's dataset grade against the classifier's answer."""

    table: str
    truth: str
    got: str


@dataclass
class Report:
    """Evaluation results of one corpus part (counts, names and categories; never values)."""

    part: str = "dev"
    columns: list[ColumnOutcome] = field(default_factory=list)
    tables: list[TableOutcome] = field(default_factory=list)
    seconds: float = 0.0
    values: int = 0

    @property
    def distractors(self) -> int:
        """Number of distractor columns."""
        return sum(c.distractor for c in self.columns)

    @property
    def distractor_hits(self) -> list[ColumnOutcome]:
        """Distractor columns the classifier gave a sensitive category."""
        return [c for c in self.columns if c.distractor and c.got != "none"]

    def per_category(self) -> dict[str, tuple[int, int, int]]:
        """category → (true positives, false positives, false negatives)."""
        out: dict[str, list[int]] = {}
        for c in self.columns:
            for category in {c.truth, c.got}:
                out.setdefault(category, [0, 0, 0])
            if c.truth == c.got:
                out[c.truth][0] += 1
            else:
                out[c.got][1] += 1
                out[c.truth][2] += 1
        return {k: (v[0], v[1], v[2]) for k, v in sorted(out.items())}

    def f1(self) -> float:
        """Micro F1 over the sensitive categories (``none`` is not a positive class)."""
        tp = sum(1 for c in self.columns if c.truth == c.got != "none")
        fp = sum(1 for c in self.columns if c.got not in ("none", c.truth))
        fn = sum(1 for c in self.columns if c.truth not in ("none", c.got))
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def column_grade_accuracy(self) -> float:
        """Share of columns whose grade is right (the label's grade, else the default)."""
        return sum(c.true_grade == c.got_grade for c in self.columns) / len(self.columns)

    def grade_accuracy(self) -> float:
        """Share of tables whose dataset grade is right."""
        return sum(t.truth == t.got for t in self.tables) / len(self.tables)

    def confusion(self) -> dict[tuple[str, str], int]:
        """(true grade, predicted grade) → tables."""
        return dict(Counter((t.truth, t.got) for t in self.tables))

    def mistakes(self) -> list[str]:
        """Wrong columns, column grades and dataset grades, by name (never values)."""
        wrong = [
            f"{c.table}.{c.column}: {c.truth} → {c.got}" for c in self.columns if c.truth != c.got
        ]
        wrong += [
            f"{c.table}.{c.column}: grade {c.true_grade} → {c.got_grade}"
            for c in self.columns
            if c.truth == c.got and c.true_grade != c.got_grade
        ]
        wrong += [f"{t.table}: grade {t.truth} → {t.got}" for t in self.tables if t.truth != t.got]
        return wrong

    def summary(self) -> dict[str, object]:
        """The aggregate numbers (JSON-safe; no table or column name)."""
        categories = {
            category: {
                "columns": tp + fn,
                "precision": round(_ratio(tp, tp + fp), 4),
                "recall": round(_ratio(tp, tp + fn), 4),
                "f1": round(_f1(tp, fp, fn), 4),
            }
            for category, (tp, fp, fn) in self.per_category().items()
        }
        return {
            "part": self.part,
            "tables": len(self.tables),
            "columns": len(self.columns),
            "categories": categories,
            "column_f1": round(self.f1(), 4),
            "column_grade_accuracy": round(self.column_grade_accuracy(), 4),
            "distractors": self.distractors,
            "distractor_false_positives": len(self.distractor_hits),
            "dataset_grade_accuracy": round(self.grade_accuracy(), 4),
            "confusion": {f"{t}->{g}": n for (t, g), n in sorted(self.confusion().items())},
            "seconds": round(self.seconds, 3),
            "values": self.values,
        }


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def _f1(tp: int, fp: int, fn: int) -> float:
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(tables: list[LabelledTable] | None = None, part: Part = "dev") -> Report:
    """Classify every table at the corpus' logical date and compare with the labels.

    Args:
        tables: the tables to score (default: the committed tables of ``part``).
        part: which corpus part the tables are (``dev`` or ``frozen``).

    Returns:
        The report.
    """
    tables = load_part(part) if tables is None else tables
    day = dt.date.fromisoformat(LOGICAL_DATE)
    report = Report(part=part)
    for table in tables:
        data = table.to_arrow()
        started = time.perf_counter()
        result = classify_table(data, logical_date=day)
        report.seconds += time.perf_counter() - started
        report.values += data.num_rows * data.num_columns
        for column in table.columns:
            got = result.column(column.name)
            report.columns.append(
                ColumnOutcome(
                    table.name,
                    column.name,
                    column.category,
                    got.category,
                    column.true_grade,
                    got.grade,
                    column.distractor,
                )
            )
        report.tables.append(TableOutcome(table.name, table.grade, result.dataset_grade))
    return report


def render(report: Report, *, names: bool = True) -> str:
    """The printed tables of the benchmark for one part.

    Args:
        report: the part's report.
        names: list the mistakes by table and column name (dev part only: the frozen part is
            printed in aggregate).

    Returns:
        The text.
    """
    lines = [
        f"== {report.part} part: {len(report.tables)} tables, {len(report.columns)} columns ==",
        "category          columns  precision  recall    f1",
        "-" * 52,
    ]
    for category, (tp, fp, fn) in report.per_category().items():
        p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        lines.append(f"{category:16}  {tp + fn:7}  {p:9.3f}  {r:6.3f}  {_f1(tp, fp, fn):5.3f}")
    lines += [
        "",
        f"column-level micro F1 (sensitive categories): {report.f1():.3f}",
        f"column-grade accuracy: {report.column_grade_accuracy():.1%} of {len(report.columns)}"
        " columns",
        f"distractor columns: {report.distractors}, false positives: {len(report.distractor_hits)}",
        f"dataset-grade accuracy: {report.grade_accuracy():.1%} of {len(report.tables)} tables",
        "",
        "dataset grade confusion (rows: true, columns: predicted)",
        "      " + "  ".join(f"{g:>3}" for g in GRADES),
    ]
    confusion = report.confusion()
    for truth in GRADES:
        counts = "  ".join(f"{confusion.get((truth, g), 0):3}" for g in GRADES)
        lines.append(f"  {truth}  {counts}")
    seconds = report.seconds or float("inf")
    lines += [
        "",
        f"throughput: {len(report.columns)} columns, {report.values:,} values in "
        f"{report.seconds:.2f} s ({len(report.columns) / seconds:.0f} columns/s, "
        f"{report.values / seconds:,.0f} values/s)",
    ]
    mistakes = report.mistakes()
    if names and mistakes:
        lines += ["", "mistakes:", *(f"  {m}" for m in mistakes)]
    elif mistakes:
        lines += ["", f"mistakes: {len(mistakes)} (not listed: frozen part)"]
    return "\n".join(lines)
