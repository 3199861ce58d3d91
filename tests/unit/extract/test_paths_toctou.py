"""A delivery cannot be redirected between its path check and its read.

Each test swaps the landing zone's name at a fixed point of the reading code (a patched
function that runs in the gap) and checks that the file outside the landing zone is never read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.errors import PolicyError
from etl.extract import paths, reader
from etl.extract.api import iter_parts
from etl.extract.sources import ReadRequest, open_source
from etl.extract.sources import file as files
from etl.pipeline import steps_ingest
from etl.registry import Dataset
from etl.registry.sources import FileSource
from etl.runtime.context import RunContext, staging_dir
from tests.conftest import make_settings
from tests.unit.extract.xls_writer import write_xls

DAY = date(2024, 5, 1)
INSIDE = "INSIDE_VALUE"
SECRET = "OUTSIDE_SECRET"
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "json": "json", "parquet": "parquet", "excel": "xls"}


def write(path: Path, fmt: str, value: str) -> Path:
    """A one-column, one-row delivery holding ``value`` in the given format."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        path.write_text(f"name\n{value}\n", encoding="utf-8")
    elif fmt == "jsonl":
        path.write_text(json.dumps({"name": value}) + "\n", encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps([{"name": value}]), encoding="utf-8")
    elif fmt == "parquet":
        pq.write_table(pa.table({"name": [value]}), path)
    else:
        write_xls(path, {"sheet": [["name"], [value]]})
    return path


def source(fmt: str = "csv", path: str = "market/{ds}") -> FileSource:
    return FileSource.model_validate(
        {"kind": "file", "format": fmt, "path": f"{path}.{EXTENSIONS[fmt]}"}
    )


def delivery(tmp_path: Path, fmt: str = "csv") -> tuple[Path, Path, Path]:
    """(landing root, the delivered file, a file of the same format outside the landing zone)."""
    landing = tmp_path / "landing"
    name = f"{DAY.isoformat()}.{EXTENSIONS[fmt]}"
    target = write(landing / "market" / name, fmt, INSIDE)
    outside = write(tmp_path / "outside" / name, fmt, SECRET)
    return landing, target, outside


def swap_for_symlink(target: Path, outside: Path) -> None:
    target.unlink()
    target.symlink_to(outside)


def values(table: pa.Table) -> list[str]:
    return [str(v) for v in table.column("name").to_pylist()]


def on_call(
    module: Any, name: str, number: int, monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]
) -> None:
    """Patch ``module.name`` so that ``action`` runs right after its ``number``-th call returns."""
    real = getattr(module, name)
    calls = 0

    def patched(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        result = real(*args, **kwargs)
        calls += 1
        if calls == number:
            action()
        return result

    monkeypatch.setattr(module, name, patched)


def test_a_name_swapped_for_a_symlink_after_the_last_name_check_is_never_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, target, outside = delivery(tmp_path)
    # call 1 resolves the registry path, call 2 is open_delivered's own check right before the
    # open: the swap lands in the gap no name check can close
    swap = lambda: swap_for_symlink(target, outside)  # noqa: E731
    on_call(paths, "relative_to_landing", 2, monkeypatch, swap)
    with pytest.raises(PolicyError) as info:
        list(open_source(source(), ReadRequest(landing=landing, logical_date=DAY, batch_rows=10)))
    assert target.is_symlink()
    assert str(info.value) == (
        "source path 'market/2024-05-01.csv' was replaced by a symlink after it was checked;"
        " not read"
    )


def test_a_name_swapped_after_the_glob_was_resolved_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, target, outside = delivery(tmp_path)
    on_call(
        files, "resolve_source_paths", 1, monkeypatch, lambda: swap_for_symlink(target, outside)
    )
    with pytest.raises(PolicyError) as info:
        list(iter_parts(source(path="market/*"), landing=landing, logical_date=DAY))
    assert str(info.value) == (
        f"source path 'market/2024-05-01.csv' resolves outside the landing zone {landing}"
    )


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
def test_every_reader_reads_the_checked_file_after_a_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    landing, target, outside = delivery(tmp_path, fmt)
    # swapped after the file was opened and hashed, before its rows are parsed
    on_call(reader, "scan_file", 1, monkeypatch, lambda: swap_for_symlink(target, outside))
    (part,) = iter_parts(source(fmt), landing=landing, logical_date=DAY)
    assert target.is_symlink()  # the swap happened before the read
    assert values(part.table) == [INSIDE]
    assert part.fingerprint.relative_path == f"market/{target.name}"
    assert part.fingerprint.uri == (landing.resolve() / "market" / target.name).as_uri()


def test_a_streamed_delivery_is_read_through_the_handle_it_was_checked_with(
    tmp_path: Path,
) -> None:
    landing, target, outside = delivery(tmp_path)
    opened = list(
        open_source(source(), ReadRequest(landing=landing, logical_date=DAY, batch_rows=10))
    )
    swap_for_symlink(target, outside)  # between the check and the read (duplicates are looked up)
    batches = [b for part in opened for b in part.batches()]
    assert [v for b in batches for v in values(b.table)] == [INSIDE]
    inside = hashlib.sha256(f"name\n{INSIDE}\n".encode()).hexdigest()
    assert opened[0].describe().sha256 == inside


def test_a_folder_swapped_for_a_symlink_after_the_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, _, outside = delivery(tmp_path)

    def swap_folder() -> None:
        (landing / "market").rename(landing / "market.old")
        (landing / "market").symlink_to(outside.parent, target_is_directory=True)

    on_call(paths, "relative_to_landing", 2, monkeypatch, swap_folder)
    with pytest.raises(PolicyError) as info:
        list(iter_parts(source(), landing=landing, logical_date=DAY))
    assert str(info.value) == (
        f"source path 'market/2024-05-01.csv' was opened outside the landing zone {landing};"
        " not read"
    )


def test_the_extract_step_never_stages_a_file_swapped_in_from_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, target, outside = delivery(tmp_path)
    settings = make_settings(tmp_path / "home", PUBDATA_LANDING=str(landing))
    dataset = Dataset.model_validate(
        {
            "id": "firms",
            "title": "企业",
            "department": "market",
            "domain": "legal_entity",
            "source": {"kind": "file", "format": "csv", "path": "market/{ds}.csv"},
        }
    )
    ctx = RunContext("firms", "ingest__market__firms", "r1", DAY)
    swap = lambda: swap_for_symlink(target, outside)  # noqa: E731
    on_call(paths, "relative_to_landing", 2, monkeypatch, swap)
    with pytest.raises(PolicyError, match="replaced by a symlink"):
        steps_ingest.extract(settings, dataset, ctx)
    staged = [p.read_bytes() for p in staging_dir(settings, ctx).rglob("*") if p.is_file()]
    assert not any(SECRET.encode() in data for data in staged)
