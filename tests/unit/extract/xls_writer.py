"""A minimal legacy Excel (.xls, BIFF8 in an OLE2 compound file) writer for tests.

No .xls writer is installed (xlwt is unmaintained); this writes just what readers need: one
workbook stream with a BOF/XF/BOUNDSHEET/EOF globals part and, per sheet, LABEL (text), NUMBER
(numbers; XF 1 gives a date format) and MERGECELLS records. The stream is padded past 4096 bytes
so it lives in regular sectors (no mini stream).
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Sequence
from pathlib import Path

Cell = str | int | float | dt.date | None
Merge = tuple[int, int, int, int]  # first row, last row, first column, last column (0-based)

_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF
_FATSECT = 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF
_SECTOR = 512
_EPOCH = dt.date(1899, 12, 30)


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def _xf(ifmt: int) -> bytes:
    return _record(0x00E0, struct.pack("<HH", 0, ifmt) + bytes(16))


def _unicode(text: str, length_format: str) -> bytes:
    return struct.pack(length_format, len(text)) + b"\x01" + text.encode("utf-16-le")


def _cell(row: int, col: int, value: Cell) -> bytes:
    if value is None:
        return b""
    if isinstance(value, str):
        return _record(0x0204, struct.pack("<HHH", row, col, 0) + _unicode(value, "<H"))
    if isinstance(value, dt.date):
        serial = float((value - _EPOCH).days)
        return _record(0x0203, struct.pack("<HHHd", row, col, 1, serial))
    return _record(0x0203, struct.pack("<HHHd", row, col, 0, float(value)))


def _sheet(rows: Sequence[Sequence[Cell]], merges: Sequence[Merge]) -> bytes:
    body = _bof(0x0010)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            body += _cell(r, c, value)
    if merges:
        ranges = b"".join(struct.pack("<HHHH", *merge) for merge in merges)
        body += _record(0x00E5, struct.pack("<H", len(merges)) + ranges)
    return body + _record(0x000A, b"")


def _workbook(sheets: dict[str, tuple[Sequence[Sequence[Cell]], Sequence[Merge]]]) -> bytes:
    bodies = [_sheet(rows, merges) for rows, merges in sheets.values()]

    def globals_part(offsets: Sequence[int]) -> bytes:
        part = _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + _xf(0) + _xf(14)
        for name, offset in zip(sheets, offsets, strict=True):
            part += _record(0x0085, struct.pack("<IBB", offset, 0, 0) + _unicode(name, "<B"))
        return part + _record(0x000A, b"")

    size = len(globals_part([0] * len(bodies)))
    offsets = []
    for body in bodies:
        offsets.append(size)
        size += len(body)
    return globals_part(offsets) + b"".join(bodies)


def _entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NOSTREAM, _NOSTREAM, child)
        + bytes(16 + 4 + 8 + 8)
        + struct.pack("<IQ", start, size)
    )


def write_xls(
    path: Path,
    sheets: dict[str, Sequence[Sequence[Cell]]],
    merges: dict[str, Sequence[Merge]] | None = None,
) -> Path:
    """Write ``sheets`` (name -> rows) as a BIFF8 .xls file; ``merges`` per sheet name."""
    merges = merges or {}
    stream = _workbook({name: (rows, merges.get(name, ())) for name, rows in sheets.items()})
    stream = stream.ljust(max(4096, -(-len(stream) // _SECTOR) * _SECTOR), b"\0")
    data_sectors = len(stream) // _SECTOR
    directory, fat_sector = data_sectors, data_sectors + 1
    if fat_sector >= _SECTOR // 4:
        raise ValueError("workbook too large for this minimal writer")
    fat = [*range(1, data_sectors), _ENDOFCHAIN, _ENDOFCHAIN, _FATSECT]
    fat += [_FREESECT] * (_SECTOR // 4 - len(fat))
    entries = _entry("Root Entry", 5, 1, _ENDOFCHAIN, 0) + _entry(
        "Workbook", 2, _NOSTREAM, 0, len(stream)
    )
    entries += _entry("", 0, _NOSTREAM, 0, 0) * 2
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, directory, 0, 4096, _ENDOFCHAIN, 0, _ENDOFCHAIN, 0)
        + struct.pack("<I", fat_sector)
        + struct.pack("<I", _FREESECT) * 108
    )
    path.write_bytes(header + stream + entries + struct.pack(f"<{len(fat)}I", *fat))
    return path
