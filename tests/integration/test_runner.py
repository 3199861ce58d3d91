"""`pubdata run` through the DAG runner: runs look in Airflow as they happened.

A re-run keeps the date's Airflow run (cleared, as the UI's "Clear" does, so links to it stay)
with real start and end times and a log per try where the UI reads it; the task processes are
forked warm (Great Expectations imported once, in the runner); a date range is an Airflow
backfill with a line of progress per step.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.integration.conftest import Cli, cli_for

pytestmark = pytest.mark.integration

DAG = "ingest__transport__vehicle_positions"


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return cli_for(tmp_path_factory.mktemp("runner") / "home")


def _db(cli: Cli) -> sqlite3.Connection:
    return sqlite3.connect(cli.settings.home / "airflow" / "airflow.db")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _local_day(text: str) -> str:
    # Airflow keeps instants in UTC; a logical date is a day in the city's time zone
    return _when(text).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def _task_log_events(cli: Cli, run_id: str, task: str, attempt: int) -> list[str]:
    folder = cli.settings.home / "airflow" / "logs" / f"dag_id={DAG}" / f"run_id={run_id}"
    path = folder / f"task_id={task}" / f"attempt={attempt}.log"
    return [json.loads(line)["event"] for line in path.read_text().splitlines() if line.strip()]


def test_a_re_run_keeps_the_airflow_run_with_real_times_and_a_log_per_try(cli: Cli) -> None:
    before = datetime.now(UTC)
    assert cli("run", "vehicle_positions", "--date", "2024-06-01").returncode == 0
    # the second run profiles imports: the task processes must not import GX themselves
    profiled = Cli(cli.settings, {**cli.env, "PYTHONPROFILEIMPORTTIME": "1"})
    done = profiled("run", "vehicle_positions", "--date", "2024-06-01")
    assert done.returncode == 0, done.stderr[-2000:]
    after = datetime.now(UTC)

    with _db(cli) as db:
        runs = db.execute(
            "SELECT run_id, run_type, start_date, end_date, state, clear_number FROM dag_run "
            # local midnight of 1 June in Shanghai
            "WHERE dag_id = ? AND logical_date LIKE '2024-05-31 16:00:00%'",
            (DAG,),
        ).fetchall()
    assert len(runs) == 1  # the re-run did not delete the first run: it cleared it
    run_id, run_type, start, end, state, cleared = runs[0]
    assert (run_type, state, cleared) == ("manual", "success", 1)
    assert before <= _when(start) < _when(end) <= after  # when it ran, not the logical date

    for attempt in (1, 2):  # both tries' logs, where the UI reads them
        events = _task_log_events(cli, run_id, "validate", attempt)
        assert any("validated" in e for e in events)
    second = _task_log_events(cli, run_id, "validate", 2)
    assert any("import time:" in e for e in second)  # the profile reaches the task log
    assert not [e for e in second if "import time:" in e and "great_expectations" in e]


def test_the_runner_imported_gx_before_forking_the_tasks(cli: Cli) -> None:
    logs = sorted((cli.settings.home / "logs" / "cli").glob("vehicle_positions-*.log"))
    profiled = [p for p in logs if "import time:" in p.read_text(errors="replace")]
    assert profiled, "the profiled run's runner log"
    text = profiled[-1].read_text(errors="replace")
    assert "great_expectations.data_context" in text  # imported once, by the runner


def test_a_date_range_is_an_airflow_backfill_with_progress(cli: Cli) -> None:
    done = cli("run", "vehicle_positions", "--start", "2024-06-01", "--end", "2024-06-02")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[0] == "[1/2] vehicle_positions 2024-06-01 ..."
    assert "  vehicle_positions 2024-06-01 extract ok" in lines
    assert "[2/2] vehicle_positions 2024-06-02 ..." in lines
    assert lines[-1].startswith("  vehicle_positions 2024-06-02: ") and " loaded, " in lines[-1]
    table = done.stdout.splitlines()
    assert table[0].split()[:3] == ["date", "status", "loaded"]
    assert [row.split()[:2] for row in table[2:]] == [
        ["2024-06-01", "success"],
        ["2024-06-02", "success"],
    ]
    with _db(cli) as db:
        backfills = db.execute("SELECT id, completed_at FROM backfill").fetchall()
        runs = db.execute(
            "SELECT d.logical_date, d.run_type, d.state FROM dag_run d JOIN backfill_dag_run b "
            "ON b.dag_run_id = d.id ORDER BY d.logical_date"
        ).fetchall()
    assert len(backfills) == 1
    assert backfills[0][1] is not None  # completed: the next range of this DAG may start
    assert [(_local_day(day), state) for day, _, state in runs] == [
        ("2024-06-01", "success"),
        ("2024-06-02", "success"),
    ]


def test_a_range_backwards_is_refused_in_one_line(cli: Cli) -> None:
    done = cli("run", "vehicle_positions", "--start", "2024-06-02", "--end", "2024-06-01")
    assert done.returncode == 2
    assert done.stderr == "pubdata: --end 2024-06-01 is before --start 2024-06-02\n"
