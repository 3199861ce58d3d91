"""The one pass over a delivered file: hash, UTF-8 throughout, line ends."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from etl.extract import file_scan
from etl.extract.file_scan import scan_file


def scanned(tmp_path: Path, data: bytes, chunk: int | None = None) -> file_scan.FileScan:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    if chunk is None:
        return scan_file(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(file_scan, "SCAN_CHUNK_BYTES", chunk)
        return scan_file(path)


@pytest.mark.parametrize("chunk", [None, 1, 2, 3, 5, 7])
def test_hash_size_and_utf8_whatever_the_chunk_boundaries(
    tmp_path: Path, chunk: int | None
) -> None:
    data = "id,名称\n1,北京市（朝阳）\n2,𠀋 emoji 😀\n".encode()
    scan = scanned(tmp_path, data, chunk)
    assert scan.sha256 == hashlib.sha256(data).hexdigest()
    assert scan.size == len(data)
    assert scan.utf8 is True
    assert (scan.lines, scan.bare_cr) == (3, False)


@pytest.mark.parametrize("chunk", [None, 2, 3])
def test_gbk_past_an_ascii_head_is_not_utf8(tmp_path: Path, chunk: int | None) -> None:
    data = b"id,name\n" * 10 + "3,张三\n".encode("gbk")
    assert scanned(tmp_path, data, chunk).utf8 is False


def test_a_file_ending_inside_a_character_is_not_utf8(tmp_path: Path) -> None:
    assert scanned(tmp_path, "a,北".encode()[:-1], 2).utf8 is False


@pytest.mark.parametrize(
    ("data", "lines", "bare_cr"),
    [
        (b"a\r\nb\r\n", 2, False),
        (b"a\nb", 2, False),
        (b"a\rb\r", 1, True),
        (b"a\r\nb\rc\n", 2, True),
        (b"a\n\nb\n", 3, False),
    ],
)
def test_line_ends(tmp_path: Path, data: bytes, lines: int, bare_cr: bool) -> None:
    for chunk in (None, 1, 2):
        scan = scanned(tmp_path, data, chunk)
        assert (scan.lines, scan.bare_cr) == (lines, bare_cr)
