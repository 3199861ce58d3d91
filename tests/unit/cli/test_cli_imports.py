"""``pubdata`` starts light: parsing and the registry-only commands import no heavy library.

Every command pays for ``import etl.cli.main`` before it does anything, so the command modules
import what their commands need inside the commands. Each check runs in a fresh interpreter
(``sys.modules`` of the test process already holds everything).
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, fresh_python

#: Top-level packages that cost tenths of a second to seconds to import.
HEAVY = (
    "airflow",
    "deltalake",
    "duckdb",
    "great_expectations",
    "numpy",
    "openpyxl",
    "pandas",
    "psycopg",
    "pyarrow",
    "sqlalchemy",
)

PARSE = textwrap.dedent(
    """
    import json, sys
    import etl.cli.main

    args = etl.cli.main.build_parser().parse_args(sys.argv[2:])
    loaded = sorted(m for m in sys.argv[1].split(",") if m in sys.modules)
    print(json.dumps({"func": args.func.__name__, "dataset": args.dataset,
                      "date": args.date.isoformat(), "heavy": loaded}))
    """
)

RUN = textwrap.dedent(
    """
    import json, sys
    from etl.cli.main import main

    code = main(sys.argv[2:])
    loaded = sorted(m for m in sys.argv[1].split(",") if m in sys.modules)
    print(json.dumps({"code": code, "heavy": loaded}))
    """
)


def _fresh(script: str, argv: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``script`` in a new interpreter; its last stdout line, as JSON."""
    found: dict[str, Any] = fresh_python(script, ",".join(HEAVY), *argv, env=env)
    return found


def test_building_the_parser_and_parsing_a_run_import_no_heavy_library() -> None:
    found = _fresh(PARSE, ["run", "household_register", "--date", "2024-06-01"])
    assert found == {
        "func": "cmd_run",
        "dataset": ["household_register"],
        "date": "2024-06-01",
        "heavy": [],
    }


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["registry", "check", "--registry-only"], 0),
        (["access", "whoami"], 0),
        (["access", "check"], 0),
        (["run", "no_such_dataset", "--date", "2024-06-01"], 2),  # unknown: one line, exit 2
        (["run", "household_register", "--date", "2024-06-01"], 1),  # not delivered
    ],
    ids=["registry-check", "whoami", "access-check", "unknown-dataset", "missing-delivery"],
)
def test_commands_that_read_only_the_registry_import_no_heavy_library(
    tmp_path: Path, argv: list[str], code: int
) -> None:
    (tmp_path / "landing").mkdir()
    env = os.environ | {
        "PUBDATA_HOME": str(tmp_path / "home"),
        "PUBDATA_REGISTRY": str(REPO / "datasets"),
        "PUBDATA_LANDING": str(tmp_path / "landing"),
    }
    assert _fresh(RUN, argv, env) == {"code": code, "heavy": []}
