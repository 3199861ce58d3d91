"""A workbook's zip checked before python-calamine opens it: inflation and the sheet's used range.

An ``.xlsx`` (``.xlsm``, ``.xlsb``, ``.ods``) is a zip of XML parts. python-calamine inflates
the parts it reads without a bound and allocates a sheet's whole used range at once (rows x
columns cells, 32 bytes each): a 3.8 MB file that inflates to 1.1 GB reached 8 GB, and cells at
A1 and XFD1048576 ask for 512 GiB, which aborts the process (``memory allocation ... failed``,
exit -6) where no Python error can be caught. So before calamine sees the file:

1. the zip's directory is read: the parts' declared sizes in total, and each large part's
   inflation ratio, are checked;
2. every part is inflated here, in bounded steps and without keeping it, counting what it
   really inflates to (a part may declare less than it holds); worksheet parts are scanned on
   the way for the cell and row references that set their used range;
3. the used range of the sheet to be read must stay within ``PUBDATA_MAX_CELLS``.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from xml.etree import ElementTree

import numpy as np

from etl.errors import DataError
from etl.settings import ReadLimits

#: A part must inflate past this before its ratio is looked at (small parts compress anyhow).
RATIO_FLOOR = 1024 * 1024
#: Compressed bytes fed to the inflater per step, and inflated bytes taken out per step.
_STEP = 1024 * 1024
#: Parts that name the sheets and where they are; read whole only when this small.
_SMALL_PART = 16 * 1024 * 1024
#: A tag is looked for this far back from the end of an inflated piece (tags are short).
_TAG_REACH = 4096
_LOCAL_HEADER = struct.Struct("<4s5HL2L2H")
#: Bytes looked at after `` r="``: a reference longer than this is past any real sheet.
_REF_WIDTH = 12
_CELL_REF = re.compile(rb"""<(?:\w+:)?c\s[^>]*?\br\s*=\s*["']([A-Za-z]+)([0-9]+)["']""")
_ROW_REF = re.compile(rb"""<(?:\w+:)?row\s[^>]*?\br\s*=\s*["']([0-9]+)["']""")
_SHEET_PARTS = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_NAMING_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class _Extent:
    """What a worksheet part's XML says about its used range (rows and columns, 1-based)."""

    rows: int = 0
    columns: int = 0
    count_rows: int = 0
    widest_row: int = 0
    open_row: int = 0
    without_ref: bool = False

    def cells(self) -> int:
        """Cells of the used range from A1: what calamine allocates at most for the sheet.

        A cell without a reference is placed after the one before it, and a row without one
        after the row before: the range is then bounded by how many there are.
        """
        rows = max(self.rows, self.count_rows)
        widest = max(self.widest_row, self.open_row)
        columns = max(self.columns, widest if self.without_ref else 0)
        return rows * columns


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _scan(extent: _Extent, text: bytes) -> None:
    """Add one piece of a worksheet's XML (ending before a tag) to its extent.

    Done with numpy over the bytes: cell tags (``<c``), row tags (``<row``) and `` r="A1"``
    references; references written with spaces around ``=`` (legal, but no writer does it)
    take the regular expressions instead.
    """
    raw = np.frombuffer(text + b"    ", dtype=np.uint8)
    lead, name, after, then = raw[:-3], raw[1:-2], raw[2:-1], raw[3:]
    opens = (lead == 0x3C) | (lead == 0x3A)  # "<c", or a prefixed ":c"
    ends = (after == 0x20) | (after == 0x3E) | (after == 0x2F) | (after == 0x0A) | (after == 0x09)
    cell_tags = np.flatnonzero(opens & (name == 0x63) & ends)
    row_tags = np.flatnonzero(opens & (name == 0x72) & (after == 0x6F) & (then == 0x77))
    _count_rows(extent, cell_tags, row_tags)
    space = (lead == 0x20) | (lead == 0x09) | (lead == 0x0A) | (lead == 0x0D)
    r_attribute = space & (name == 0x72)
    spaced = r_attribute & ((after != 0x3D) | (then == 0x20)) & ~((after >= 0x61) & (after <= 0x7A))
    if spaced.any():
        cells = _scan_slowly(extent, text)
    else:
        quote = (then == 0x22) | (then == 0x27)
        cells = _scan_refs(extent, raw, np.flatnonzero(r_attribute & (after == 0x3D) & quote) + 4)
    if cells < cell_tags.size:
        extent.without_ref = True


def _count_rows(extent: _Extent, cell_tags: np.ndarray, row_tags: np.ndarray) -> None:
    """Count rows, and the cells of the widest row (a row may continue from the last piece)."""
    extent.count_rows += row_tags.size
    if not row_tags.size:
        extent.open_row += cell_tags.size
        return
    bounds = np.searchsorted(cell_tags, row_tags)
    counts = np.diff(np.append(bounds, cell_tags.size))
    extent.widest_row = max(extent.widest_row, extent.open_row + int(bounds[0]))
    extent.widest_row = max(extent.widest_row, int(counts[:-1].max(initial=0)))
    extent.open_row = int(counts[-1])


def _scan_refs(extent: _Extent, raw: np.ndarray, starts: np.ndarray) -> int:
    """Largest row and column of `` r="…"`` references, vectorized; returns cell refs seen."""
    if not starts.size:
        return 0
    padded = np.concatenate([raw, np.zeros(_REF_WIDTH, dtype=np.uint8)])
    window = padded[starts[:, None] + np.arange(_REF_WIDTH)].astype(np.int32)
    upper = window & ~0x20  # a-z as A-Z
    letter = (upper >= 0x41) & (upper <= 0x5A)
    digit = (window >= 0x30) & (window <= 0x39)
    letters = np.argmin(np.concatenate([letter, np.zeros((len(starts), 1), bool)], 1), axis=1)
    column = np.zeros(len(starts), dtype=np.float64)
    row = np.zeros(len(starts), dtype=np.float64)
    in_digits = np.ones(len(starts), dtype=bool)
    for j in range(_REF_WIDTH):
        is_letter = j < letters
        column = np.where(is_letter, column * 26 + (upper[:, j] - 0x40), column)
        in_digits &= is_letter | digit[:, j]
        row = np.where(~is_letter & in_digits, row * 10 + (window[:, j] - 0x30), row)
    # Floats: a hostile reference of many letters or digits still compares as huge.
    extent.columns = max(extent.columns, _whole(column.max()))
    extent.rows = max(extent.rows, _whole(row.max()))
    return int(np.count_nonzero(letters))


def _whole(value: float) -> int:
    return int(min(value, 2.0**62))


def _scan_slowly(extent: _Extent, text: bytes) -> int:
    """References by regular expression (any spacing); returns cell refs seen."""
    refs = _CELL_REF.findall(text)
    if refs:
        letters, digits = zip(*refs, strict=True)
        extent.columns = max(extent.columns, max(_column_number(c) for c in set(letters)))
        extent.rows = max(extent.rows, max(int(r) for r in set(digits)))
    rows = _ROW_REF.findall(text)
    if rows:
        extent.rows = max(extent.rows, max(int(r) for r in rows))
    return len(refs)


class _Inflation:
    """Counts inflated bytes across a workbook's parts and refuses past the limit."""

    def __init__(self, rel: str, limit: int) -> None:
        self.rel = rel
        self.limit = limit
        self.total = 0

    def add(self, size: int) -> None:
        self.total += size
        if self.total > self.limit:
            raise DataError(
                f"{self.rel} inflates to more than {self.limit:,} bytes"
                " (PUBDATA_MAX_INFLATED_BYTES); it was not opened"
            )


def _damaged(rel: str) -> DataError:
    return DataError(f"{rel} is not a readable Excel workbook (a damaged or truncated zip)")


def _inflate(
    handle: BinaryIO, info: zipfile.ZipInfo, rel: str, count: _Inflation
) -> Iterator[bytes]:
    """Inflate one part from its compressed bytes, whatever size it declares, in steps."""
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _damaged(rel)
    fields = _LOCAL_HEADER.unpack(header)
    handle.seek(info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1])
    if info.compress_type == zipfile.ZIP_STORED:
        inflater = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
    else:
        raise DataError(f"{rel} uses a zip compression no workbook uses ({info.compress_type})")
    left = info.compress_size
    while left > 0:
        data = handle.read(min(_STEP, left))
        if not data:
            raise _damaged(rel)
        left -= len(data)
        while data:
            if inflater is None:
                out, data = data, b""
            else:
                try:
                    out = inflater.decompress(data, _STEP)
                except zlib.error:
                    raise _damaged(rel) from None
                data = inflater.unconsumed_tail
            count.add(len(out))
            yield out
        if inflater is not None and inflater.eof:
            return


def _check_declared(infos: list[zipfile.ZipInfo], rel: str, limits: ReadLimits) -> None:
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_inflated_bytes:
        raise DataError(
            f"{rel} declares {declared:,} bytes inflated, more than the limit of"
            f" {limits.max_inflated_bytes:,} (PUBDATA_MAX_INFLATED_BYTES); it was not opened"
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_inflation_ratio:
                raise DataError(
                    f"{rel}: part {info.filename} inflates {ratio:,.0f} times, more than the"
                    f" limit of {limits.max_inflation_ratio} (PUBDATA_MAX_INFLATION_RATIO);"
                    " it was not opened"
                )


def _sheet_parts(parts: dict[str, bytes]) -> list[tuple[str, str | None]]:
    """(part name, sheet name) in the workbook's sheet order, from its small naming parts."""
    workbook = ElementTree.fromstring(parts[_NAMING_PARTS[0]])
    rels = ElementTree.fromstring(parts[_NAMING_PARTS[1]])
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_RELS}Relationship")}
    sheets = []
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL_ID), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        sheets.append((str(PurePosixPath(path)), sheet.get("name")))
    return sheets


def _chosen_part(parts: dict[str, bytes], sheet: str | int | None) -> str | None:
    """The part of the sheet that will be read, or None when the workbook does not say."""
    if any(name not in parts for name in _NAMING_PARTS):
        return None
    try:
        sheets = _sheet_parts(parts)
    except ElementTree.ParseError:
        return None
    if isinstance(sheet, str):
        return next((part for part, title in sheets if title == sheet), None)
    index = sheet or 0
    return sheets[index][0] if 0 <= index < len(sheets) else None


def check_workbook(path: Path, rel: str, sheet: str | int | None, limits: ReadLimits) -> None:
    """Refuse a zip workbook that would inflate or allocate past the limits (see module doc).

    A file that is not a zip (``.xls``, or not a workbook at all) is left to calamine.

    Args:
        path: the workbook.
        rel: its relative path, for messages.
        sheet: the sheet to be read (name, 0-based index, or None for the first).
        limits: ``max_inflated_bytes``, ``max_inflation_ratio`` and ``max_cells``.

    Raises:
        DataError: a damaged zip, more inflation than allowed (declared or actual), a part
            inflating past the ratio, or a used range of more cells than allowed.
    """
    with path.open("rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            return
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise _damaged(rel) from None
        with archive:
            infos = archive.infolist()
        _check_declared(infos, rel, limits)
        count = _Inflation(rel, limits.max_inflated_bytes)
        extents: dict[str, _Extent] = {}
        naming: dict[str, bytes] = {}
        for info in infos:
            # The sheet read is known once both naming parts were seen (they usually come
            # first): its range is then refused as soon as it grows too large.
            watched = info.filename == _chosen_part(naming, sheet)
            limit = limits.max_cells if watched else None
            held = _read_part(handle, info, rel, count, extents, limit)
            if info.filename in _NAMING_PARTS:
                naming[info.filename] = held
    chosen = _chosen_part(naming, sheet)
    scanned = [extents[chosen]] if chosen in extents else list(extents.values())
    _check_cells(max((extent.cells() for extent in scanned), default=0), rel, limits.max_cells)


def _read_part(
    handle: BinaryIO,
    info: zipfile.ZipInfo,
    rel: str,
    count: _Inflation,
    extents: dict[str, _Extent],
    max_cells: int | None,
) -> bytes:
    """Inflate one part and scan a worksheet's range; returns a naming part's bytes.

    A worksheet's range is checked against ``max_cells`` (when given) as it grows.
    """
    name = info.filename
    extent = _Extent() if _SHEET_PARTS.match(name) else None
    keep = name in _NAMING_PARTS
    carry = b""
    held = b""
    for out in _inflate(handle, info, rel, count):
        if keep and len(held) < _SMALL_PART:
            held += out
        if extent is not None:
            text = carry + out
            cut = text.rfind(b"<", max(0, len(text) - _TAG_REACH))
            cut = len(text) if cut < 0 else cut
            _scan(extent, text[:cut])
            carry = text[cut:]
            if max_cells is not None:
                _check_cells(extent.cells(), rel, max_cells)
    if extent is not None:
        _scan(extent, carry)
        extents[name] = extent
    return held


def _check_cells(cells: int, rel: str, limit: int) -> None:
    if cells > limit:
        raise DataError(
            f"{rel}: the sheet's used range spans {cells:,} cells, more than the limit of"
            f" {limit:,} (PUBDATA_MAX_CELLS); it was not opened"
        )
