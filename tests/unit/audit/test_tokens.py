"""Token columns come from the lineage's column records, named as ``pubdata sql`` names tables."""

from __future__ import annotations

from etl.audit.tokens import token_columns
from etl.lineage import append_rows
from etl.settings import Settings


def record_tokenized(settings: Settings) -> None:
    """A run of household_register whose shared zone tokenized gmsfhm and masked lxdh."""
    append_rows(
        settings.lake,
        "lineage_runs",
        [{"lineage_run_id": "r1", "dataset": "household_register", "domain": "population"}],
    )
    lineage = [
        ("shared", "gmsfhm", "tokenized"),
        ("shared", "lxdh", "masked"),
        ("restricted", "gmsfhm", "identity"),
    ]
    append_rows(
        settings.lake,
        "column_lineage",
        [
            {
                "lineage_run_id": "r1",
                "dataset": "household_register",
                "zone": zone,
                "source_column": column,
                "output_column": column,
                "transformation": how,
            }
            for zone, column, how in lineage
        ],
    )


def test_tokenized_columns_by_table(settings: Settings) -> None:
    assert token_columns(settings.lake) == {}
    record_tokenized(settings)
    assert token_columns(settings.lake) == {
        "shared.population.household_register": frozenset({"gmsfhm"})
    }
