"""Ragged rows of delimited files: their numbers, their lines, and the numbers of the rest.

pyarrow reports a ragged row by its *record* number (the header is record 1; blank lines are not
counted; a quoted field spanning lines is one record). A person opening the file wants the
*line*; :func:`physical_lines` finds it with one pass of Python's csv module, on this rare path
only, stopping at the last ragged record.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pyarrow as pa


def physical_lines(
    path: Path, codec: str, delimiter: str, records: Collection[int]
) -> dict[int, int]:
    """Map record numbers (header = 1, blank lines skipped) to the line each starts on.

    Args:
        path: the delimited file.
        codec: the codec it was decoded with.
        delimiter: its delimiter.
        records: the record numbers wanted.

    Returns:
        Record number -> 1-based physical line, for each wanted record found.
    """
    wanted = set(records)
    found: dict[int, int] = {}
    if not wanted:
        return found
    last = max(wanted)
    with path.open(encoding=codec, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=False)
        number = 0
        before = 0
        for fields in reader:
            start, before = before + 1, reader.line_num
            if not fields:
                continue
            number += 1
            if number in wanted:
                found[number] = start
            if number >= last:
                break
    return found


def good_row_numbers(good: int, ragged_rows: Collection[int]) -> pa.Array:
    """The 1-based data row numbers of the rows that were read, given the ragged ones.

    Args:
        good: how many rows were read into the table.
        ragged_rows: the data row numbers of the ragged rows (record number - 1).

    Returns:
        An int64 array of ``good`` numbers: ``1 .. good + len(ragged_rows)`` without the ragged.
    """
    total = good + len(ragged_rows)
    numbers = np.arange(1, total + 1, dtype=np.int64)
    if ragged_rows:
        numbers = np.setdiff1d(numbers, np.fromiter(ragged_rows, dtype=np.int64))
    return pa.array(numbers)
