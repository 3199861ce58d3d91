"""Every registered source kind and file format yields batches; batch size changes nothing.

A delivery read in batches of a few rows gives the same rows and the same row numbers as the
same delivery read in one batch (Excel header offsets, JSON records, ragged CSV rows and all).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from etl.errors import ConfigError
from etl.extract import ConnectionFields, StaticConnections
from etl.extract.formats import file_format
from etl.extract.sources import ReadRequest, open_source, source_kind
from etl.registry.sources import FILE_FORMATS, SOURCE_KINDS, FileSource, HttpSource, SqlSource

DAY = date(2024, 5, 1)
NAMES = [f"name{i:02d}" for i in range(7)]


def _deliver(folder: Path, fmt: str) -> FileSource:
    """Seven data rows in ``fmt``; Excel and CSV with what shifts their row numbers."""
    folder.mkdir(parents=True, exist_ok=True)
    spec: dict[str, object] = {"kind": "file", "format": fmt}
    if fmt == "csv":
        lines = ["id,name"] + [f"{i},{n}" for i, n in enumerate(NAMES)]
        lines.insert(3, "ragged,row,with,too,many")  # data row 3 is set aside
        (folder / "d.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif fmt == "excel":
        workbook = xlsxwriter.Workbook(str(folder / "d.xlsx"))
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, ["登记表"])  # a title row above the header
        sheet.write_row(2, 0, ["id", "name"])
        for i, name in enumerate(NAMES):
            sheet.write_row(3 + i, 0, [str(i), name])
        workbook.close()
        fmt = "xlsx"
    elif fmt == "json":
        records = [{"id": str(i), "name": n} for i, n in enumerate(NAMES)]
        (folder / "d.json").write_text(json.dumps({"data": records}), encoding="utf-8")
    elif fmt == "jsonl":
        lines = [json.dumps({"id": str(i), "name": n}) for i, n in enumerate(NAMES)]
        (folder / "d.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        table = pa.table({"id": list(range(len(NAMES))), "name": NAMES})
        pq.write_table(table, folder / "d.parquet", row_group_size=3)
    return FileSource.model_validate({**spec, "path": f"market/d.{fmt}"})


def _read(source: object, request: ReadRequest) -> tuple[int, list[dict[str, object]], list[int]]:
    """Batches, rows and row numbers of every part of ``source``."""
    batches = [b for part in open_source(source, request) for b in part.batches()]  # type: ignore[arg-type]
    rows = [row for b in batches for row in b.table.to_pylist()]
    numbers = [n for b in batches for n in b.rows.to_pylist()]
    return len(batches), rows, numbers


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_every_file_format_gives_the_same_rows_and_numbers_in_small_batches(
    tmp_path: Path, fmt: str
) -> None:
    source = _deliver(tmp_path / "market", fmt)
    small = _read(source, ReadRequest(landing=tmp_path, logical_date=DAY, batch_rows=2))
    whole = _read(source, ReadRequest(landing=tmp_path, logical_date=DAY, batch_rows=1000))
    assert small[0] > 1 and whole[0] == 1
    assert small[1:] == whole[1:]
    assert [r["name"] for r in whole[1]] == NAMES
    expected = {
        "csv": [1, 2, 4, 5, 6, 7, 8],  # the ragged data row 3 is not among them
        "excel": [1, 2, 3, 4, 5, 6, 7],  # counted from the header row (sheet row 3)
    }.get(fmt, list(range(1, 8)))
    assert whole[2] == expected


def test_a_query_result_streams_in_the_sources_batches(tmp_path: Path) -> None:
    path = tmp_path / "dept.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"n{i}") for i in range(1, 251)])
    connections = StaticConnections(
        {"dept": ConnectionFields(conn_id="dept", conn_type="sqlite", host=str(path))}
    )
    request = ReadRequest(landing=tmp_path, logical_date=DAY, connections=connections)

    def read(batch_rows: int) -> tuple[int, list[dict[str, object]], list[int]]:
        spec = {"kind": "sql", "conn_id": "dept", "table": "t", "batch_rows": batch_rows}
        return _read(SqlSource.model_validate(spec), request)

    small, whole = read(100), read(1000)
    assert (small[0], whole[0]) == (3, 1)
    assert small[1:] == whole[1:]
    assert whole[2] == list(range(1, 251))
    (part,) = open_source(
        SqlSource.model_validate({"kind": "sql", "conn_id": "dept", "table": "t"}), request
    )
    assert part.describe().sha256 == ""  # known once read
    list(part.batches())
    assert len(part.describe().sha256) == 64 and part.describe().rows == 250


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        page = int(self.path.split("page=")[1].split("&")[0])
        records = [{"id": str(i), "name": n} for i, n in enumerate(NAMES)][(page - 1) * 5 :][:5]
        body = json.dumps({"data": records}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pages_stream_as_parts_in_batches(tmp_path: Path, api: str) -> None:
    connections = StaticConnections({"api": api})
    source = HttpSource.model_validate(
        {
            "kind": "http",
            "conn_id": "api",
            "endpoint": "/records",
            "pagination": {"type": "page", "size": 5},
            "retries": 0,
        }
    )

    def read(batch_rows: int) -> tuple[int, list[dict[str, object]], list[int]]:
        request = ReadRequest(
            landing=tmp_path, logical_date=DAY, connections=connections, batch_rows=batch_rows
        )
        return _read(source, request)

    small, whole = read(2), read(1000)
    assert (small[0], whole[0]) == (4, 2)  # pages of 5 and 2 records
    assert small[1:] == whole[1:]
    assert whole[2] == [1, 2, 3, 4, 5, 1, 2]  # numbered within each page


def test_the_registry_refuses_an_unknown_kind_or_format() -> None:
    assert set(SOURCE_KINDS) == {"file", "sql", "http"}
    with pytest.raises(ConfigError) as kind:
        source_kind("ftp")
    assert str(kind.value) == "unknown source kind 'ftp'; the known kinds are file, sql, http"
    with pytest.raises(ConfigError) as fmt:
        file_format("xml")
    assert str(fmt.value) == (
        "unknown file format 'xml'; the known formats are csv, excel, json, jsonl, parquet"
    )
