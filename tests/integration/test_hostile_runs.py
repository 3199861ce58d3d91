"""Hostile and broken deliveries registered as datasets and run: one line, nothing written.

Three cases go through ``pubdata run`` (the real Airflow DAG in its own process: one line on
stderr, no traceback, bounded peak memory); every case goes through the same five steps in
this process (``run_local``), which is what the DAG's tasks call: the failure is recorded at
extract with its one-line reason, and no zone table exists for the date.
"""

from __future__ import annotations

import re
import resource
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.errors import PubdataError
from etl.lake.layout import quarantine_table_uri, zone_table_uri
from etl.lineage import read_meta
from etl.pipeline.local import local_context, run_local
from etl.registry import load_registry
from etl.zones import ZONES
from tests.conftest import make_settings
from tests.integration.conftest import cli_for
from tests.unit.extract.hostile_files import (
    bomb_sheet,
    sheet_xml,
    table_sheet,
    write_xlsx,
)

pytestmark = pytest.mark.integration

DAY = date(2024, 6, 1)
#: What a CLI run of a hostile file may take at most (Airflow's own start is ~10 s).
RUN_SECONDS = 120
#: Peak resident memory of the run's process tree for a hostile file.
PEAK_BYTES = 1024**3


def _csv(text: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(text)


def _parquet(table: pa.Table) -> Callable[[Path], None]:
    return lambda path: pq.write_table(table, path)


def _truncated(path: Path) -> None:
    data = write_xlsx(path, table_sheet(200)).read_bytes()
    path.write_bytes(data[: len(data) // 2])


_WIDE = ",".join(f"c{i}" for i in range(10_000)).encode()
_MIDDLE = "姓名,编号\n".encode() + "张三,0012\n".encode() * 10_000
_DICT = pa.DictionaryArray.from_arrays(pa.array([0, 1] * 100_000, pa.int32()), ["甲", "乙"])

#: id -> (format, suffix, writer, what the one line says after "failed at extract: ").
CASES: dict[str, tuple[str, str, Callable[[Path], None], str]] = {
    "empty_csv": ("csv", "csv", _csv(b""), r"\S+ is empty \(0 bytes\)"),
    "header_only": ("csv", "csv", _csv("编号,名称\n".encode()), r"has a header but no data rows"),
    "long_line": ("csv", "csv", _csv(b"x" * (6 * 1024 * 1024) + b"\n"), r"first line .* longer"),
    "nul_bytes": (
        "csv",
        "csv",
        _csv(b"a,b\n" + b"1,x\n" * 20_000 + b"2,\x00\n"),
        r"data row 20,001 of \S+ holds a NUL byte",
    ),
    "broken_utf8": (
        "csv",
        "csv",
        _csv(_MIDDLE + b"\xe5\xff,1\n"),
        rf"is not valid UTF-8: byte {len(_MIDDLE):,} \(line 10,002\)",
    ),
    "wide_csv": ("csv", "csv", _csv(_WIDE + b"\n" + b"1," * 9_999 + b"1\n"), r"10,000 columns"),
    "reserved_csv": ("csv", "csv", _csv(b"a,_run_id\n1,2\n"), r"named '_run_id'"),
    "truncated_xlsx": ("excel", "xlsx", _truncated, r"not a readable Excel workbook"),
    "bomb_xlsx": (
        "excel",
        "xlsx",
        lambda path: write_xlsx(path, bomb_sheet(20_000)),
        r"inflates \d+ times",
    ),
    "corner_xlsx": (
        "excel",
        "xlsx",
        lambda path: write_xlsx(path, sheet_xml([(1, [("A1", "a")]), (1048576, [("XFD1", "b")])])),
        r"spans 17,179,869,184 cells",
    ),
    "deep_json": (
        "json",
        "json",
        _csv(b"[" * 100_000 + b"]" * 100_000),
        r"nests JSON values more than 64 levels deep",
    ),
    "empty_parquet": ("parquet", "parquet", _csv(b""), r"is empty \(0 bytes\)"),
    "reserved_parquet": (
        "parquet",
        "parquet",
        _parquet(pa.table({"id": ["1"], "_logical_date": ["x"]})),
        r"named '_logical_date'",
    ),
    "many_rows_parquet": (
        "parquet",
        "parquet",
        _parquet(pa.table({"v": _DICT})),
        r"200,000 rows x 1 columns, more than the limit of 100,000 cells",
    ),
}
#: Run through ``pubdata run`` too: one per reader family that used to crash or explode.
CLI_CASES = ("wide_csv", "corner_xlsx", "deep_json")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    for dataset, (fmt, suffix, write, _) in CASES.items():
        (root / "registry").mkdir(exist_ok=True)
        (root / "landing" / dataset).mkdir(parents=True)
        write(root / "landing" / dataset / f"{DAY.isoformat()}.{suffix}")
        (root / "registry" / f"{dataset}.yaml").write_text(
            f"id: {dataset}\ntitle: hostile {dataset}\ndepartment: testing\ndomain: test\n"
            f"source:\n  kind: file\n  format: {fmt}\n  path: {dataset}/{{ds}}.{suffix}\n"
        )
    return root


def _assert_nothing_loaded(lake: str, dataset: str) -> None:
    for zone in ZONES:
        assert not Path(zone_table_uri(lake, zone, "test", dataset)).exists()
    assert not Path(quarantine_table_uri(lake, "test", dataset)).exists()


@pytest.mark.parametrize("dataset", sorted(CASES))
def test_a_hostile_delivery_fails_at_extract_and_writes_nothing(
    hostile: Path, tmp_path: Path, dataset: str
) -> None:
    settings = make_settings(
        tmp_path / "home",
        PUBDATA_REGISTRY=str(hostile / "registry"),
        PUBDATA_LANDING=str(hostile / "landing"),
        PUBDATA_MAX_CELLS="100000",
        PUBDATA_WORKERS="1",
    )
    spec = load_registry(settings.registry).get(dataset)
    with pytest.raises(PubdataError) as failed:
        run_local(settings, spec, local_context(spec, DAY))
    assert failed.value.stage == "extract"
    assert "\n" not in failed.value.message
    assert re.search(CASES[dataset][3], failed.value.message), failed.value.message
    runs = read_meta(settings.lake, "lineage_runs").to_pylist()
    assert [(r["dataset"], r["status"]) for r in runs] == [(dataset, "failed")]
    _assert_nothing_loaded(settings.lake, dataset)


def test_pubdata_run_of_hostile_deliveries_prints_one_line(hostile: Path, tmp_path: Path) -> None:
    cli = cli_for(
        tmp_path / "home",
        PUBDATA_REGISTRY=str(hostile / "registry"),
        PUBDATA_LANDING=str(hostile / "landing"),
    )
    # one runner for the three (pubdata run takes several ids): one line per failed dataset
    done = cli("run", *CLI_CASES, "--date", DAY.isoformat(), timeout=RUN_SECONDS * 2)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    failed = [line for line in lines if line.startswith("pubdata: ")]
    assert len(failed) == len(CLI_CASES), done.stderr
    for dataset, line in zip(CLI_CASES, failed, strict=True):
        assert line.startswith(f"pubdata: {dataset} failed at extract: "), line
        assert line.count("failed at") == 1
        assert re.search(CASES[dataset][3], line)
        _assert_nothing_loaded(cli.settings.lake, dataset)
    # Linux reports the largest finished child's peak in KiB.
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < PEAK_BYTES
