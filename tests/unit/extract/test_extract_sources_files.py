from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from etl.errors import ConfigError, DataError, PolicyError, SourceNotReady
from etl.extract import Extracted, extract_source, source_delivered
from etl.registry.sources import FileSource, SqlSource

DAY = date(2024, 6, 1)


def _write(landing: Path, rel: str, data: bytes | str) -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _extract(landing: Path, path: str, **spec: object) -> Extracted:
    source = FileSource.model_validate({"kind": "file", "format": "csv", "path": path, **spec})
    return extract_source(source, landing=landing, logical_date=DAY)


def test_glob_reads_every_file_in_path_order_with_provenance(tmp_path: Path) -> None:
    _write(tmp_path, "d/2024-06-01/b.csv", "编号,名称\n0003,丙\n")
    _write(tmp_path, "d/2024-06-01/a.csv", "编号,名称\n0001,甲\n0002,乙\n")
    _write(tmp_path, "d/2024-06-01/.c.csv.part", "编号,名称\n9,partial\n")
    _write(tmp_path, "d/2024-05-31/a.csv", "编号,名称\n8,yesterday\n")
    extracted = _extract(tmp_path, "d/{ds}/*.csv")
    assert [f.relative_path for f in extracted.fingerprints] == [
        "d/2024-06-01/a.csv",
        "d/2024-06-01/b.csv",
    ]
    assert [f.rows for f in extracted.fingerprints] == [2, 1]
    assert len({f.sha256 for f in extracted.fingerprints}) == 2
    assert extracted.table.column("编号").to_pylist() == ["0001", "0002", "0003"]
    provenance = extracted.provenance()
    assert provenance["_source_file"].to_pylist() == [
        "d/2024-06-01/a.csv",
        "d/2024-06-01/a.csv",
        "d/2024-06-01/b.csv",
    ]
    assert provenance["_source_row"].to_pylist() == [1, 2, 1]
    assert provenance["_source_sha256"][2].as_py() == extracted.fingerprints[1].sha256
    assert extracted.rows_in == 3


def test_single_templated_path(tmp_path: Path) -> None:
    _write(tmp_path, "x/20240601.csv", "a\n1\n")
    extracted = _extract(tmp_path, "x/{ds_nodash}.csv")
    assert extracted.table.to_pylist() == [{"a": "1"}]
    assert extracted.fingerprints[0].kind == "file"


def test_nothing_delivered(tmp_path: Path) -> None:
    with pytest.raises(SourceNotReady, match=r"nothing matches d/2024-06-01/\*\.csv"):
        _extract(tmp_path, "d/{ds}/*.csv")
    with pytest.raises(SourceNotReady, match="source not delivered"):
        _extract(tmp_path, "d/{ds}.csv")


def test_glob_escaping_the_landing_zone_is_refused(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    _write(tmp_path, "outside/a.csv", "a\n1\n")
    with pytest.raises(PolicyError):
        _extract(landing, "../outside/*.csv")
    (landing / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(PolicyError):
        _extract(landing, "link/*.csv")


def test_marker_gates_the_delivery(tmp_path: Path) -> None:
    _write(tmp_path, "d/2024-06-01/a.csv", "a\n1\n")
    source = FileSource(kind="file", format="csv", path="d/{ds}/*", marker="d/{ds}/_SUCCESS")
    assert not source_delivered(source, landing=tmp_path, logical_date=DAY)
    with pytest.raises(SourceNotReady, match="marker d/2024-06-01/_SUCCESS is missing"):
        extract_source(source, landing=tmp_path, logical_date=DAY)
    _write(tmp_path, "d/2024-06-01/_SUCCESS", "")
    assert source_delivered(source, landing=tmp_path, logical_date=DAY)
    extracted = extract_source(source, landing=tmp_path, logical_date=DAY)
    assert [f.relative_path for f in extracted.fingerprints] == ["d/2024-06-01/a.csv"]


def test_sql_sources_are_always_delivered(tmp_path: Path) -> None:
    source = SqlSource(kind="sql", conn_id="db", table="t")
    assert source_delivered(source, landing=tmp_path, logical_date=DAY)
    with pytest.raises(ConfigError, match="needs a connection resolver"):
        extract_source(source, landing=tmp_path, logical_date=DAY)


@pytest.mark.parametrize("sep", ["\t", ";", "|"])
def test_delimiters_with_quoted_newlines(tmp_path: Path, sep: str) -> None:
    text = f'编号{sep}备注\n0001{sep}"第一行\n第二行"\n0002{sep}"a{sep}b"\n'
    _write(tmp_path, "q.txt", text)
    extracted = _extract(tmp_path, "q.txt")
    assert extracted.table.to_pylist() == [
        {"编号": "0001", "备注": "第一行\n第二行"},
        {"编号": "0002", "备注": f"a{sep}b"},
    ]
    assert extracted.source_row.to_pylist() == [1, 2]


def test_ragged_rows_are_set_aside_and_the_rest_loads(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = '编号,姓名\n\n0001,"张\n三"\n0002,李四,110101199003071234\n0003,王五\n0004\n0005,赵六\n'
    _write(tmp_path, "r.csv", text)
    with caplog.at_level(logging.DEBUG):
        extracted = _extract(tmp_path, "r.csv")
    assert extracted.table.column("编号").to_pylist() == ["0001", "0003", "0005"]
    assert extracted.source_row.to_pylist() == [1, 3, 5]
    assert extracted.fingerprints[0].rows == 5
    assert extracted.rows_in == 5
    rejected = extracted.rejected.to_pylist()
    assert [(r["_source_row"], r["_source_line"], r["_reasons"]) for r in rejected] == [
        (2, 5, "ragged:3/2"),
        (4, 7, "ragged:1/2"),
    ]
    assert rejected[0]["_raw_line"] == "0002,李四,110101199003071234"
    assert "110101199003071234" not in caplog.text
    assert "110101199003071234" not in repr(extracted)
    quarantine = extracted.quarantine_rows(extracted.table.column_names)
    assert quarantine.column_names[:2] == ["编号", "姓名"]
    assert quarantine.column("编号").null_count == 2
    assert quarantine.column("_source_file").to_pylist() == ["r.csv", "r.csv"]


def test_header_problems_name_the_file(tmp_path: Path) -> None:
    _write(tmp_path, "d/dup.csv", "编号,名称,编号\n1,2,3\n")
    with pytest.raises(DataError, match=r"duplicate header name '编号' in d/dup\.csv"):
        _extract(tmp_path, "d/dup.csv")
    _write(tmp_path, "d/empty.csv", b"")
    with pytest.raises(DataError, match=r"^d/empty\.csv is empty"):
        _extract(tmp_path, "d/empty.csv")
    _write(tmp_path, "d/blank.csv", "\n\n")
    with pytest.raises(DataError, match=r"^d/blank\.csv is empty"):
        _extract(tmp_path, "d/blank.csv")


def test_a_file_that_is_not_what_it_says(tmp_path: Path) -> None:
    _write(tmp_path, "x.csv", b"PK\x03\x04" + bytes(64))
    with pytest.raises(DataError, match=r"^x\.csv is not a text file"):
        _extract(tmp_path, "x.csv")
    _write(tmp_path, "y.xlsx", "编号,名称\n1,2\n")
    with pytest.raises(DataError, match=r"^y\.xlsx is not a readable Excel workbook .*text"):
        _extract(tmp_path, "y.xlsx", format="excel")
    _write(tmp_path, "z.xls", "<html><body><table><tr><td>1</td></tr></table></body></html>")
    with pytest.raises(DataError, match=r"^z\.xls is not a readable Excel workbook .*HTML"):
        _extract(tmp_path, "z.xls", format="excel")
    _write(tmp_path, "w.json", "编号,名称\n1,2\n")
    with pytest.raises(DataError, match=r"^invalid JSON in w\.json"):
        _extract(tmp_path, "w.json", format="json")


def test_files_with_different_headers_are_matched_by_name(tmp_path: Path) -> None:
    _write(tmp_path, "m/1.csv", "a,b\n1,2\n")
    _write(tmp_path, "m/2.csv", "b,c\n3,4\n")
    extracted = _extract(tmp_path, "m/*.csv")
    assert extracted.table.to_pylist() == [
        {"a": "1", "b": "2", "c": None},
        {"a": None, "b": "3", "c": "4"},
    ]
    assert extracted.table.schema.types == [pa.string()] * 3


def test_with_table_keeps_provenance(tmp_path: Path) -> None:
    _write(tmp_path, "a.csv", "a\n1\n2\n")
    extracted = _extract(tmp_path, "a.csv")
    renamed = extracted.with_table(extracted.table.rename_columns(["x"]))
    assert renamed.table.column_names == ["x"]
    assert renamed.source_row.to_pylist() == [1, 2]
    with pytest.raises(ValueError, match="same rows"):
        extracted.with_table(extracted.table.slice(1))
