"""The release gate: grade ceiling, IMP/CORE approvals, and the re-identification check.

Each check returns a :class:`GateCheck` (its outcome and a value-free line); :func:`enforce`
raises one :class:`~etl.errors.PolicyError` naming the product and the column or the combination
for the first check that failed. A message names columns, grades, flags, k and class sizes —
never a value.

- **Ceiling**: every column the product releases or filters on is graded at most the product's
  ``grade_ceiling``, as the classification recorded it for the source table (a tokenized L3
  column is L3).
- **Approval**: a dataset flagged ``IMP`` (重要数据) or ``CORE`` (核心数据) is read only when the
  product file records an approval for it.
- **k-anonymity** (row-level products): every combination of the quasi-identifier columns'
  values occurs in at least k released rows; the refusal names the combination and the size of
  its smallest class.
- **Suppression** (aggregated products): cells counting fewer than k rows are left out; the
  number left out goes in the manifest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from etl.classify import grade_rank
from etl.errors import PolicyError
from etl.products.columns import SourceFacts
from etl.registry.product import Product

__all__ = [
    "FLAG_NAMES",
    "GateCheck",
    "approval_check",
    "ceiling_check",
    "enforce",
    "k_anonymity_check",
    "quasi_identifiers",
    "smallest_class",
    "suppress_cells",
]

#: How a refusal names a dataset flag.
FLAG_NAMES = {"IMP": "IMP (重要数据)", "CORE": "CORE (核心数据)"}


@dataclass(frozen=True)
class GateCheck:
    """The outcome of one gate check.

    Attributes:
        gate: ``ceiling``, ``approval``, ``k_anonymity`` or ``suppression``.
        source: the source table it concerns (None: the whole product).
        passed: whether the release may go on.
        detail: one line without a data value (the refusal's text when it failed).
    """

    gate: str
    source: str | None
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form (the manifest and ``_meta.product_releases``)."""
        return {
            "gate": self.gate,
            "source": self.source,
            "passed": self.passed,
            "detail": self.detail,
        }


def _columns(columns: Sequence[str]) -> str:
    return ", ".join(columns)


def ceiling_check(product: Product, facts: SourceFacts) -> GateCheck:
    """Whether every column the product reads from ``facts`` is within the grade ceiling."""
    ceiling = product.grade_ceiling
    over = [
        facts.column(c)
        for c in product.read_columns
        if grade_rank(facts.column(c).grade) > grade_rank(ceiling)
    ]
    if over:
        worst = max(over, key=lambda c: grade_rank(c.grade))
        more = f" (and {len(over) - 1} more column(s))" if len(over) > 1 else ""
        return GateCheck(
            "ceiling",
            facts.name,
            False,
            f"product {product.id}: column {facts.name}.{worst.name} is graded {worst.grade}, "
            f"above the product's ceiling {ceiling}{more}",
        )
    grades = [facts.column(c).grade for c in product.read_columns]
    top = max(grades, key=grade_rank)
    return GateCheck(
        "ceiling", facts.name, True, f"columns graded up to {top}, within the ceiling {ceiling}"
    )


def approval_check(product: Product, facts: SourceFacts) -> GateCheck:
    """Whether an IMP or CORE source dataset has its approval recorded in the product file."""
    if not facts.flags:
        return GateCheck("approval", facts.name, True, "not flagged IMP or CORE")
    flags = " and ".join(FLAG_NAMES[f] for f in facts.flags)
    approval = product.approval_for(facts.dataset) if facts.dataset else None
    if approval is None:
        return GateCheck(
            "approval",
            facts.name,
            False,
            f"product {product.id}: dataset {facts.name} is {flags}; the product file records "
            "no approval for it (approvals: dataset, document, approved_by, date)",
        )
    return GateCheck(
        "approval",
        facts.name,
        True,
        f"{flags}: approved by {approval.approved_by} ({approval.document}, "
        f"{approval.date.isoformat()})",
    )


def quasi_identifiers(product: Product, facts: SourceFacts, released: Sequence[str]) -> list[str]:
    """The quasi-identifier combination of a release: the file's list, else the classification's.

    Args:
        product: the product (its ``quasi_identifiers``, when given, win).
        facts: the source's classification.
        released: the columns the release holds.
    """
    if product.quasi_identifiers is not None:
        return [c for c in product.quasi_identifiers if c in released]
    return [c for c in released if facts.column(c).quasi_identifier is not None]


def smallest_class(table: pa.Table, columns: Sequence[str]) -> int:
    """The number of rows of the rarest combination of ``columns``' values (nulls are a value).

    Returns:
        That size, or 0 for an empty table.
    """
    if table.num_rows == 0:
        return 0
    if not columns:
        return int(table.num_rows)
    sizes = (
        table.select(list(columns))
        .append_column("_one", pa.repeat(pa.scalar(1, pa.int64()), table.num_rows))
        .group_by(list(columns), use_threads=False)
        .aggregate([("_one", "sum")])
    )
    smallest: int = pc.min(sizes["_one_sum"]).as_py()
    return smallest


def k_anonymity_check(
    product: Product, source: str, table: pa.Table, columns: Sequence[str]
) -> GateCheck:
    """Whether a row-level release is k-anonymous over the quasi-identifier combination.

    Args:
        product: the product (its ``k``).
        source: the source table's name.
        table: the rows to release.
        columns: the quasi-identifier combination.
    """
    k = product.k
    combination = f"({_columns(columns)})"
    if not columns:
        return GateCheck("k_anonymity", source, True, "no quasi-identifier column released")
    if table.num_rows == 0:
        return GateCheck("k_anonymity", source, True, f"no rows over {combination}")
    smallest = smallest_class(table, columns)
    if smallest < k:
        return GateCheck(
            "k_anonymity",
            source,
            False,
            f"product {product.id}: {source} is not {k}-anonymous over the quasi-identifier "
            f"combination {combination}: its smallest class has {smallest} row(s)",
        )
    return GateCheck(
        "k_anonymity",
        source,
        True,
        f"{k}-anonymous over {combination}: smallest class {smallest} row(s)",
    )


def suppress_cells(
    product: Product, source: str, cells: pa.Table, counts: pa.Array
) -> tuple[pa.Table, GateCheck, int]:
    """Leave out the aggregate cells counting fewer than ``k`` rows.

    Args:
        product: the product (its ``k``).
        source: the source table's name.
        cells: one row per cell.
        counts: the rows each cell counts, aligned with ``cells``.

    Returns:
        The cells kept, the check's record, and how many cells were suppressed.
    """
    keep = pc.greater_equal(counts, product.k)
    kept = cells.filter(keep)
    suppressed = cells.num_rows - kept.num_rows
    detail = f"{suppressed} of {cells.num_rows} cell(s) under k={product.k} suppressed"
    return kept, GateCheck("suppression", source, True, detail), suppressed


def enforce(checks: Sequence[GateCheck]) -> None:
    """Raise a one-line :class:`PolicyError` for the first failed check, if any."""
    for check in checks:
        if not check.passed:
            raise PolicyError(check.detail)
