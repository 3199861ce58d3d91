from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from etl.errors import DataError, PolicyError, SourceNotReady
from etl.extract import SourceFingerprint, read_source, resolve_source_path
from etl.registry.model import FileSource

D = date(2024, 5, 1)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    (root / "market").mkdir(parents=True)
    return root


def test_fills_ds_and_ds_nodash(landing: Path) -> None:
    target = landing / "market" / "2024-05-01" / "reg_20240501.csv"
    target.parent.mkdir()
    target.write_text("a\n1\n", encoding="utf-8")
    resolved = resolve_source_path(landing, "market/{ds}/reg_{ds_nodash}.csv", D)
    assert resolved == target.resolve()
    assert resolved.is_absolute()


def test_dotdot_escape_is_refused(landing: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        resolve_source_path(landing, "market/../../secret.csv", D)
    message = str(info.value)
    assert message.startswith("source path 'market/../../secret.csv' resolves outside")
    assert str(landing) in message
    assert "\n" not in message


def test_symlink_escape_is_refused(landing: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "data.csv").write_text("a\n1\n", encoding="utf-8")
    (landing / "market" / "link").symlink_to(outside, target_is_directory=True)
    (landing / "market" / "file.csv").symlink_to(outside / "data.csv")
    with pytest.raises(PolicyError):
        resolve_source_path(landing, "market/link/data.csv", D)
    with pytest.raises(PolicyError):
        resolve_source_path(landing, "market/file.csv", D)


def test_absolute_template_is_refused(landing: Path) -> None:
    with pytest.raises(PolicyError):
        resolve_source_path(landing, "/etc/passwd", D)


def test_symlink_inside_landing_is_allowed(landing: Path) -> None:
    real = landing / "market" / "real.csv"
    real.write_text("a\n1\n", encoding="utf-8")
    (landing / "market" / "alias.csv").symlink_to(real)
    assert resolve_source_path(landing, "market/alias.csv", D) == real.resolve()


def test_missing_file_is_not_ready(landing: Path) -> None:
    with pytest.raises(SourceNotReady) as info:
        resolve_source_path(landing, "market/reg_{ds_nodash}.csv", D)
    assert str(info.value) == "source not delivered: market/reg_20240501.csv"
    assert info.value.retriable


def test_directory_is_a_data_error(landing: Path) -> None:
    with pytest.raises(DataError):
        resolve_source_path(landing, "market", D)


def test_read_source_refuses_path_outside_landing(landing: Path, tmp_path: Path) -> None:
    outside = tmp_path / "x.csv"
    outside.write_text("a\n1\n", encoding="utf-8")
    source = FileSource(kind="file", format="csv", path="x.csv")
    with pytest.raises(PolicyError):
        read_source(outside, source, landing=landing)


def test_fingerprint(landing: Path) -> None:
    path = landing / "market" / "reg.csv"
    content = "编号,名称\n0012345,甲\n0099,乙\n".encode()
    path.write_bytes(content)
    source = FileSource(kind="file", format="csv", path="market/reg.csv")
    table, fingerprint = read_source(path, source, landing=landing)
    assert isinstance(fingerprint, SourceFingerprint)
    assert fingerprint.sha256 == hashlib.sha256(content).hexdigest()
    assert fingerprint.bytes == len(content)
    assert fingerprint.rows == table.num_rows == 2
    assert fingerprint.relative_path == "market/reg.csv"
    assert fingerprint.uri == path.resolve().as_uri()
    assert fingerprint.uri.startswith("file:///")
    assert fingerprint.format == "csv"
    assert fingerprint.encoding == "utf-8"
    as_dict = fingerprint.to_dict()
    assert as_dict["sha256"] == fingerprint.sha256
    assert set(as_dict) == {
        "uri",
        "relative_path",
        "sha256",
        "bytes",
        "encoding",
        "format",
        "rows",
        "kind",
    }
    assert as_dict["kind"] == "file"


def test_fingerprint_streams_large_file(landing: Path) -> None:
    path = landing / "big.csv"
    lines = ["id,v"] + [f"{i:08d},{i}" for i in range(200_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = FileSource(kind="file", format="csv", path="big.csv")
    table, fingerprint = read_source(path, source, landing=landing)
    assert fingerprint.bytes > 2 * 1024 * 1024
    assert fingerprint.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert table.num_rows == 200_000
    assert table.column("id")[0].as_py() == "00000000"


def test_empty_file_is_a_data_error(landing: Path) -> None:
    path = landing / "market" / "empty.csv"
    path.write_bytes(b"")
    for fmt in ("csv", "excel", "json", "jsonl", "parquet"):
        source = FileSource(kind="file", format=fmt, path="market/empty.csv")
        with pytest.raises(DataError) as info:
            read_source(path, source, landing=landing)
        assert "market/empty.csv" in str(info.value)


def test_read_source_relative_path_is_relative_to_cwd(
    landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (landing / "market" / "r.csv").write_text("a\n1\n", encoding="utf-8")
    monkeypatch.chdir(landing.parent)
    source = FileSource(kind="file", format="csv", path="market/r.csv")
    table, fingerprint = read_source(Path("landing/market/r.csv"), source, landing=landing)
    assert fingerprint.relative_path == "market/r.csv"
    assert table.to_pylist() == [{"a": "1"}]
