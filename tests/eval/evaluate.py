"""Score the classifier on the labelled corpus.

Per-category precision/recall, column F1, distractor false positives, the dataset-grade
confusion matrix and throughput.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

from etl.classify import GRADES, classify_table
from tests.eval.corpus import LOGICAL_DATE, LabelledTable, load


@dataclass
class Report:
    """Evaluation results (counts only)."""

    pairs: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # table, column, truth, got
    distractor_hits: list[tuple[str, str, str]] = field(default_factory=list)
    grades: list[tuple[str, str, str]] = field(default_factory=list)  # table, truth, got
    distractors: int = 0
    seconds: float = 0.0
    values: int = 0

    def per_category(self) -> dict[str, tuple[int, int, int]]:
        """category → (true positives, false positives, false negatives)."""
        out: dict[str, list[int]] = {}
        for _, _, truth, got in self.pairs:
            for category in {truth, got}:
                out.setdefault(category, [0, 0, 0])
            if truth == got:
                out[truth][0] += 1
            else:
                out[got][1] += 1
                out[truth][2] += 1
        return {k: (v[0], v[1], v[2]) for k, v in sorted(out.items())}

    def f1(self) -> float:
        """Micro F1 over the sensitive categories (``none`` is not a positive class)."""
        tp = sum(1 for _, _, t, g in self.pairs if t == g != "none")
        fp = sum(1 for _, _, t, g in self.pairs if g != "none" and g != t)
        fn = sum(1 for _, _, t, g in self.pairs if t != "none" and g != t)
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def grade_accuracy(self) -> float:
        """Share of tables whose dataset grade is right."""
        return sum(1 for _, t, g in self.grades if t == g) / len(self.grades)

    def confusion(self) -> dict[tuple[str, str], int]:
        """(true grade, predicted grade) → tables."""
        return dict(Counter((t, g) for _, t, g in self.grades))

    def mistakes(self) -> list[str]:
        """Wrong columns and grades, by name (never values)."""
        wrong = [f"{t}.{c}: {truth} → {got}" for t, c, truth, got in self.pairs if truth != got]
        wrong += [f"{t}: grade {truth} → {got}" for t, truth, got in self.grades if truth != got]
        return wrong


def evaluate(tables: list[LabelledTable] | None = None) -> Report:
    """Classify every corpus table at the corpus' logical date and compare with the labels."""
    tables = load() if tables is None else tables
    day = dt.date.fromisoformat(LOGICAL_DATE)
    report = Report()
    for table in tables:
        data = table.to_arrow()
        started = time.perf_counter()
        result = classify_table(data, logical_date=day)
        report.seconds += time.perf_counter() - started
        report.values += data.num_rows * data.num_columns
        for column in table.columns:
            got = result.column(column.name).category
            report.pairs.append((table.name, column.name, column.category, got))
            report.distractors += column.distractor
            if column.distractor and got != "none":
                report.distractor_hits.append((table.name, column.name, got))
        report.grades.append((table.name, table.grade, result.dataset_grade))
    return report


def render(report: Report) -> str:
    """The printed tables of the benchmark."""
    lines = ["category          columns  precision  recall    f1", "-" * 52]
    for category, (tp, fp, fn) in report.per_category().items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        lines.append(f"{category:16}  {tp + fn:7}  {p:9.3f}  {r:6.3f}  {f:5.3f}")
    lines += [
        "",
        f"column-level micro F1 (sensitive categories): {report.f1():.3f}",
        f"distractor columns: {report.distractors}, false positives: {len(report.distractor_hits)}",
        f"dataset-grade accuracy: {report.grade_accuracy():.1%} of {len(report.grades)} tables",
        "",
        "dataset grade confusion (rows: true, columns: predicted)",
        "      " + "  ".join(f"{g:>3}" for g in GRADES),
    ]
    confusion = report.confusion()
    for truth in GRADES:
        counts = "  ".join(f"{confusion.get((truth, g), 0):3}" for g in GRADES)
        lines.append(f"  {truth}  {counts}")
    rate = report.values / report.seconds if report.seconds else 0.0
    lines += [
        "",
        f"throughput: {len(report.pairs)} columns, {report.values:,} values in "
        f"{report.seconds:.2f} s ({len(report.pairs) / report.seconds:.0f} columns/s, "
        f"{rate:,.0f} values/s)",
    ]
    if report.mistakes():
        lines += ["", "mistakes:", *(f"  {m}" for m in report.mistakes())]
    return "\n".join(lines)
