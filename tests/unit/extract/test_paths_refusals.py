"""Deliveries that escape the landing zone or are no regular file: each refused with one line."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import FrameType

import pytest

from etl.errors import DataError, PolicyError, PubdataError
from etl.extract import paths
from etl.extract.api import iter_parts
from etl.extract.paths import open_delivered
from etl.extract.sources import ReadRequest, open_source
from etl.registry.sources import FileSource

DAY = date(2024, 5, 1)
SECRET = "OUTSIDE_SECRET"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A landing zone beside an outside folder, with links and special files inside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(f"name\n{SECRET}\n", encoding="utf-8")
    root = tmp_path / "landing"
    market = root / "market"
    market.mkdir(parents=True)
    (market / "ok.csv").write_text("name\nfine\n", encoding="utf-8")
    (market / "link.csv").symlink_to(outside / "secret.csv")
    (market / "zero.csv").symlink_to("/dev/zero")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(market / "pipe.csv")
    return root


@pytest.fixture(autouse=True)
def bounded() -> Iterator[None]:
    """A read that blocks (a FIFO opened without O_NONBLOCK) fails the test instead of hanging."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("blocked on a special file")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(5)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def refusal(landing: Path, template: str, *, stream: bool) -> PubdataError:
    source = FileSource.model_validate({"kind": "file", "format": "csv", "path": template})
    with pytest.raises(PubdataError) as info:
        if stream:
            list(open_source(source, ReadRequest(landing=landing, logical_date=DAY, batch_rows=10)))
        else:
            list(iter_parts(source, landing=landing, logical_date=DAY))
    error = info.value
    assert "\n" not in str(error) and SECRET not in str(error)
    return error


CASES = [
    ("market/../../outside/secret.csv", PolicyError, "resolves outside the landing zone"),
    ("market/link.csv", PolicyError, "resolves outside the landing zone"),
    ("linkdir/secret.csv", PolicyError, "resolves outside the landing zone"),
    ("market/*/../../../outside/*.csv", PolicyError, "resolves outside the landing zone"),
    ("linkdir/*.csv", PolicyError, "resolves outside the landing zone"),
    ("market/l*.csv", PolicyError, "source path 'market/link.csv' resolves outside"),
    ("market/zero.csv", PolicyError, "resolves outside the landing zone"),
    ("market/pipe.csv", DataError, "source path 'market/pipe.csv' is a FIFO, not a regular file"),
    ("market/p*.csv", DataError, "source path 'market/pipe.csv' is a FIFO, not a regular file"),
]


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
@pytest.mark.parametrize(("template", "kind", "says"), CASES)
def test_escaping_and_special_deliveries_are_refused_with_one_line(
    landing: Path, template: str, kind: type[PubdataError], says: str, stream: bool
) -> None:
    template = template.format(outside=landing.parent / "outside")
    error = refusal(landing, template, stream=stream)
    assert type(error) is kind
    assert says in str(error)


def test_an_absolute_path_is_refused_by_the_registry_and_when_opened(landing: Path) -> None:
    outside = landing.parent / "outside" / "secret.csv"
    with pytest.raises(ValueError, match="not an absolute path"):
        FileSource.model_validate({"kind": "file", "format": "csv", "path": str(outside)})
    with pytest.raises(PolicyError) as info:
        open_delivered(outside, landing)
    assert str(info.value) == f"source path '{outside}' resolves outside the landing zone {landing}"


def test_a_glob_that_matches_only_regular_files_is_read(landing: Path) -> None:
    source = FileSource.model_validate({"kind": "file", "format": "csv", "path": "market/o*.csv"})
    (part,) = iter_parts(source, landing=landing, logical_date=DAY)
    assert part.table.column("name").to_pylist() == ["fine"]


def test_a_device_is_refused_from_its_handle() -> None:
    # /dev as the landing zone: the name check passes, the handle is a character device
    with pytest.raises(DataError) as info:
        open_delivered(Path("/dev/zero"), Path("/dev"))
    assert str(info.value) == "source path 'zero' is a character device, not a regular file"


def test_a_directory_is_refused_from_its_handle(landing: Path) -> None:
    with pytest.raises(DataError, match=r"^source path 'market' is a directory, not a regular"):
        open_delivered(landing / "market", landing)


def test_a_fifo_swapped_in_after_the_check_is_refused_without_blocking(
    landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = landing / "market" / "ok.csv"
    real = paths.relative_to_landing

    def then_swap(*args: object, **kwargs: object) -> str:
        rel = real(*args, **kwargs)  # type: ignore[arg-type]
        target.unlink()
        os.mkfifo(target)  # no writer: a blocking open would wait forever
        return rel

    monkeypatch.setattr(paths, "relative_to_landing", then_swap)
    with pytest.raises(DataError) as info:
        open_delivered(target, landing)
    assert str(info.value) == "source path 'market/ok.csv' is a FIFO, not a regular file"


def handles_on(path: Path) -> list[str]:
    """This process's descriptors open on ``path``."""
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            if fd.readlink() == path:
                found.append(fd.name)
    return found


def test_the_handle_is_closed_after_reading(landing: Path) -> None:
    delivered = (landing / "market" / "ok.csv").resolve()
    source = FileSource.model_validate({"kind": "file", "format": "csv", "path": "market/ok.csv"})
    list(iter_parts(source, landing=landing, logical_date=DAY))
    delivery = list(
        open_source(source, ReadRequest(landing=landing, logical_date=DAY, batch_rows=10))
    )
    assert len(handles_on(delivered)) == 1  # held from the check to the read
    [b for part in delivery for b in part.batches()]
    gc.collect()
    assert handles_on(delivered) == []
