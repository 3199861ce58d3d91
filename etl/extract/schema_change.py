"""Schema evolution between runs: added columns are fine, lost or retyped ones stop the run.

``compare_schema`` looks at the delivered (canonical, typed) columns; pipeline columns
(``_``-prefixed) are ignored. An added column evolves the tables additively (Delta schema merge)
and is reported as a warning; a removed or retyped column is an error naming the column unless
the registry declares it under ``schema_changes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from etl.errors import ValidationFailed
from etl.registry.normalize import SchemaChangesSpec


def _canonical(kind: pa.DataType) -> str:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        kind = pa.string()
    if pa.types.is_large_binary(kind) or pa.types.is_binary_view(kind):
        kind = pa.binary()
    return str(kind)


def _columns(schema: pa.Schema) -> dict[str, str]:
    return {f.name: _canonical(f.type) for f in schema if not f.name.startswith("_")}


@dataclass(frozen=True)
class SchemaChange:
    """What changed between the previous run's columns and this run's.

    Attributes:
        added: new columns (allowed; a warning).
        removed: columns gone, not declared.
        retyped: ``(column, previous type, current type)``, not declared.
        accepted: declared changes that happened (``removed:<c>``/``retyped:<c>``).
    """

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    retyped: tuple[tuple[str, str, str], ...] = ()
    accepted: tuple[str, ...] = field(default=())

    @property
    def warnings(self) -> list[str]:
        """One line per added column or accepted change."""
        lines = [f"column '{c}' is new; the tables gain it" for c in self.added]
        return lines + [f"declared schema change applied: {a}" for a in self.accepted]

    @property
    def errors(self) -> list[str]:
        """One line per undeclared removal or type change."""
        lines = [f"column '{c}' is missing from this delivery" for c in self.removed]
        return lines + [f"column '{c}' changed type from {a} to {b}" for c, a, b in self.retyped]

    def raise_for_errors(self, dataset_id: str) -> None:
        """Stop the run before anything is written, naming the first offending column.

        Raises:
            ValidationFailed: a column was removed or retyped without a declaration.
        """
        errors = self.errors
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise ValidationFailed(
                f"dataset {dataset_id}: {errors[0]}{more}; declare it under schema_changes in"
                " the registry to accept it; nothing was published"
            )

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form for lineage (column and type names only)."""
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "retyped": [list(r) for r in self.retyped],
            "accepted": list(self.accepted),
        }


def compare_schema(
    previous: pa.Schema | None,
    current: pa.Schema,
    declared_changes: SchemaChangesSpec | None = None,
) -> SchemaChange:
    """Compare this run's columns with the previous run's.

    Args:
        previous: the schema last loaded (None on the first run: nothing to compare).
        current: this run's schema (canonical names, declared types applied).
        declared_changes: the registry's ``schema_changes``.

    Returns:
        The change; call :meth:`SchemaChange.raise_for_errors` to stop on errors.
    """
    if previous is None:
        return SchemaChange()
    declared = declared_changes or SchemaChangesSpec()
    before, after = _columns(previous), _columns(current)
    added = tuple(c for c in after if c not in before)
    gone = [c for c in before if c not in after]
    changed = [(c, before[c], after[c]) for c in before if c in after and before[c] != after[c]]
    accepted = [f"removed:{c}" for c in gone if c in declared.removed]
    accepted += [f"retyped:{c}" for c, _, _ in changed if c in declared.retyped]
    return SchemaChange(
        added=added,
        removed=tuple(c for c in gone if c not in declared.removed),
        retyped=tuple(r for r in changed if r[0] not in declared.retyped),
        accepted=tuple(accepted),
    )
