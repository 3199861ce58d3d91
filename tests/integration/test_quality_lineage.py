"""Quality, lineage and the read side, through Airflow: OpenLineage over HTTP, asset events,
trace, catalog, SQL, quarantine re-submission, Data Docs and the extra DAGs.

One Airflow home for the module: one run of household_register with the OpenLineage HTTP
transport pointed at a local collector, one re-run after a re-submission, and one
``airflow dags test`` each of the maintenance and downstream-example DAGs.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from etl.lake import delta
from etl.runtime.airflow_env import airflow_command, airflow_environment
from tests.http_quiet import QuietHandler
from tests.integration.conftest import Cli, cli_for

pytestmark = pytest.mark.integration

DAY = "2024-06-01"
PERSONAL = ("xm", "gmsfhm", "lxdh", "hjdz", "csrq")


class Collector(ThreadingHTTPServer):
    events: list[dict[str, Any]]


class _Handler(QuietHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.events.append(json.loads(body))
        self.send_response(200)
        self.end_headers()


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    server = Collector(("127.0.0.1", 0), _Handler)
    server.events = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def ql(tmp_path_factory: pytest.TempPathFactory, collector: Collector) -> Cli:
    cli = cli_for(tmp_path_factory.mktemp("quality") / "home")
    url = f"http://127.0.0.1:{collector.server_address[1]}"
    cli.env["AIRFLOW__OPENLINEAGE__TRANSPORT"] = json.dumps(
        {"type": "http", "url": url, "endpoint": "api/v1/lineage"}
    )
    return cli


@pytest.fixture(scope="module")
def run(ql: Cli) -> dict[str, Any]:
    code, summary, stderr = ql.run_json("household_register", DAY)
    assert code == 0, stderr
    return summary


def _restricted(run: dict[str, Any]) -> pa.Table:
    return delta.read(run["tables"]["restricted"])


def _personal_values(run: dict[str, Any]) -> set[str]:
    table = _restricted(run)
    quarantine = delta.read(run["tables"]["restricted"] + "__quarantine")
    values: set[str] = set()
    for source in (table, quarantine):
        for column in PERSONAL:
            values |= {str(v) for v in source[column].to_pylist() if v not in (None, "")}
    return values


def _leaks(text: str, values: set[str]) -> set[str]:
    # long values anywhere; short ones (names) as whole JSON strings
    return {v for v in values if (len(v) >= 6 and v in text) or f'"{v}"' in text}


def test_openlineage_events_arrive_over_http_with_facets(
    run: dict[str, Any], collector: Collector
) -> None:
    # the dataset's tasks (the integration its asset event triggers reports its own job)
    dag = "ingest__public_security__household_register."
    done = {
        e["job"]["name"].removeprefix(dag): e
        for e in collector.events
        if e["eventType"] == "COMPLETE" and e["job"]["name"].startswith(dag)
    }
    assert set(done) == {"extract", "validate", "classify", "load", "record"}
    for stage, event in done.items():
        assert event["run"]["facets"]["pubdata"]["summary"]["rows_in"] == run["rows_in"], stage
    source = done["validate"]["inputs"][0]
    assert {"dataQualityAssertions", "dataQualityMetrics"} <= set(source["inputFacets"])
    assertions = source["inputFacets"]["dataQualityAssertions"]["assertions"]
    assert any(not a["success"] and a["column"] == "gmsfhm" for a in assertions)
    zones = {o["name"].split("/lake/")[1].split("/")[0]: o for o in done["load"]["outputs"]}
    assert set(zones) >= {"restricted", "shared"}
    for output in done["load"]["outputs"]:
        assert {"schema", "ownership", "tags", "version"} <= set(output["facets"])
    lineage = zones["shared"]["facets"]["columnLineage"]["fields"]
    assert lineage and all(f["inputFields"][0]["name"].endswith(".csv") for f in lineage.values())
    tags = zones["shared"]["facets"]["tags"]["tags"]
    assert {"grade", "category"} <= {t["key"] for t in tags if t.get("field")}


def test_no_personal_value_in_any_event(run: dict[str, Any], collector: Collector) -> None:
    text = "\n".join(json.dumps(e, ensure_ascii=False) for e in collector.events)
    assert collector.events
    assert not _leaks(text, _personal_values(run))


def test_asset_events_carry_a_scrubbed_summary(ql: Cli, run: dict[str, Any]) -> None:
    db = ql.settings.airflow_home / "airflow.db"
    with sqlite3.connect(db) as con:
        extras = [json.loads(r[0]) for r in con.execute("SELECT extra FROM asset_event")]
    # the dataset's own events (the integration it triggers publishes a shared table too)
    shared = [
        e for e in extras if e.get("zone") == "shared" and e.get("dataset") == "household_register"
    ]
    assert shared, extras
    extra = shared[-1]
    assert extra["rows_loaded"] == run["rows_loaded"]
    assert extra["dataset_grade"] == run["dataset_grade"]
    assert extra["quality"]["suite"] == "household_register"
    assert extra["quality"]["expectations"] >= 10
    assert not _leaks(json.dumps(extras, ensure_ascii=False), _personal_values(run))


def test_trace_names_file_line_run_checks_and_columns(ql: Cli, run: dict[str, Any]) -> None:
    table = _restricted(run)
    row = table.filter(pc.equal(table["_source_row"], 10))
    key = row["gmsfhm"][0].as_py()
    restricted = dict(ql.env, PUBDATA_CLEARANCE="restricted")
    done = subprocess.run(
        [*ql_args(), "trace", "household_register", "--row-key", f"gmsfhm={key}"],
        env=restricted,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "public_security/household_register/2024-06-01.csv" in out
    assert "line 11 of the file" in out and run["run_id"] in out
    assert "市公安局" in out and "loaded" in out
    assert key not in out
    bad = ql("trace", "household_register", "--date", DAY, "--source-row", "255", "--json")
    assert bad.returncode == 0, bad.stderr
    trace = json.loads(bad.stdout)
    assert trace["row"]["outcome"] == "quarantined"
    assert "expect_column_values_to_match_regex(gmsfhm)" in trace["row"]["reasons"]
    assert {c["column"] for c in trace["columns"]} >= set(PERSONAL)
    refused = ql(
        "trace", "household_register", "--row-key", f"gmsfhm={key}", "--zone", "restricted"
    )
    assert refused.returncode == 2 and "needs clearance restricted" in refused.stderr


def ql_args() -> list[str]:
    return [sys.executable, "-m", "etl"]


def test_catalog_lineage_quality_and_sql(ql: Cli, run: dict[str, Any]) -> None:
    catalog = json.loads(ql("catalog", "--json").stdout)
    entry = next(i for i in catalog if i["dataset"] == "household_register")
    assert entry["owner"] == "市公安局人口管理支队" and entry["zones"] == ["restricted", "shared"]
    assert entry["freshness"]["state"] in {"fresh", "late"}
    assert entry["quality"]["last_run"]["total"] >= 10
    column = json.loads(ql("lineage", "household_register", "--column", "gmsfhm", "--json").stdout)
    assert {z["zone"] for z in column["zones"]} == {"restricted", "shared"}
    quality = ql("quality", "household_register")
    assert (
        quality.returncode == 0 and "expect_column_values_to_match_regex(gmsfhm)" in quality.stdout
    )
    counted = ql(
        "sql",
        "SELECT count(*) AS n FROM shared.population.household_register",
        "--format",
        "csv",
    )
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.splitlines() == ['"n"', str(run["rows_loaded"])]
    refused = ql("sql", "SELECT * FROM restricted.population.household_register")
    assert refused.returncode == 2 and "not visible" in refused.stderr


def test_quarantine_resubmission_loses_nothing(
    ql: Cli, run: dict[str, Any], tmp_path: Path
) -> None:
    counts = json.loads(ql("quarantine", "household_register", "--json").stdout)[0]
    assert sum(counts["by_reason"].values()) >= run["rows_quarantined"]
    restricted = dict(ql.env, PUBDATA_CLEARANCE="restricted")
    export = tmp_path / "rows.csv"

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*ql_args(), *args], env=restricted, capture_output=True, text=True, check=False
        )

    done = call("quarantine", "household_register", "--date", DAY, "--export", str(export))
    assert done.returncode == 0, done.stderr
    rows = pacsv.read_csv(
        export,
        convert_options=pacsv.ConvertOptions(
            column_types={
                c: pa.string() for c in (*PERSONAL, "xb", "mz", "djrq", "hh", "_reasons")
            },
            strings_can_be_null=True,
        ),
    )
    empty_names = rows.filter(pc.is_null(rows["xm"]))
    assert empty_names.num_rows == 2  # samples/README.md: rows 633 and 958
    fixed = empty_names.set_column(0, "xm", pa.array(["补录姓名"] * 2))
    pacsv.write_csv(fixed, tmp_path / "fixed.csv")
    done = call(
        "quarantine", "household_register", "--date", DAY, "--resubmit", str(tmp_path / "fixed.csv")
    )
    assert done.returncode == 0, done.stderr
    assert f"{run['rows_quarantined'] - 2} quarantined" in done.stdout
    trace = json.loads(
        ql("trace", "household_register", "--date", DAY, "--source-row", "633", "--json").stdout
    )
    assert trace["row"]["outcome"] == "loaded"
    assert trace["source"]["resubmitted_in"]
    original = ql(
        "trace", "household_register", "--run", run["run_id"], "--source-row", "633", "--json"
    )
    assert json.loads(original.stdout)["row"]["outcome"] == "quarantined"


def test_maintenance_and_downstream_dags_run(ql: Cli, run: dict[str, Any]) -> None:
    env = airflow_environment(ql.settings, base=ql.env)
    for dag_id in ("maintenance__data_docs", "example_downstream__household_register"):
        done = subprocess.run(
            airflow_command("dags", "test", dag_id, DAY),
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    index = ql.settings.data_docs / "index.html"
    page = (ql.settings.data_docs / "datasets" / "household_register.html").read_text("utf-8")
    assert "expect_column_values_to_match_regex" in page
    assert not _leaks(index.read_text("utf-8") + page, _personal_values(run))
