"""Null markers become null exactly as ``if_else(is_in(text, markers), null, text)`` does.

Only values no longer than the longest marker are looked up; a column without a marker comes
back as it is.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl.extract.normalize import _null_out, null_markers, prepare_text
from etl.registry.normalize import NormalizeSpec

MARKER_SETS = [
    null_markers(None),
    null_markers(NormalizeSpec.model_validate({"null_markers": ["", "NULL", "无", "—", "/"]})),
    pa.array(["N/A", "-"], pa.string()),
    pa.array([], pa.string()),
]
VALUES = [
    "NULL",
    "null",
    "NULL ",
    "无",
    "无无",
    "—",
    "x—",
    "/",
    "//",
    "-",
    "N/A",
    "",
    None,
    "张三",
    "北京市海淀区中关村大街1号",
    "a",
]


def _reference(text: pa.Array, markers: pa.Array) -> list[str | None]:
    if len(markers) == 0:
        return list(text.to_pylist())
    return list(pc.if_else(pc.is_in(text, markers), pa.scalar(None, pa.string()), text).to_pylist())


@pytest.mark.parametrize("markers", MARKER_SETS)
def test_null_out_matches_is_in(markers: pa.Array) -> None:
    arrays = [pa.array(VALUES[i : i + 3], pa.string()) for i in range(len(VALUES))]
    arrays += [pa.array(VALUES, pa.string()), pa.array(["x", *VALUES], pa.string()).slice(1)]
    arrays += [pa.array([], pa.string()), pa.array([None, None], pa.string())]
    for text in arrays:
        assert _null_out(text, markers).to_pylist() == _reference(text, markers)


def test_a_column_without_markers_is_returned_as_it_is() -> None:
    markers = null_markers(None)
    long_values = pa.array(["北京市海淀区中关村大街1号", "上海市浦东新区世纪大道100号"])
    assert _null_out(long_values, markers) is long_values
    short_values = pa.array(["男", "女", None])
    assert _null_out(short_values, markers) is short_values


def test_prepare_text_nulls_markers_in_string_and_typed_columns() -> None:
    spec = NormalizeSpec.model_validate({"null_markers": ["无", "NULL"]})
    text = pa.array([" 无 ", "NULL", "1", "无效", None])
    assert prepare_text(text, spec, typed=False).to_pylist() == [None, None, "1", "无效", None]
    assert prepare_text(text, spec, typed=True).to_pylist() == [None, None, "1", "无效", None]
