"""Arrow column types as PostgreSQL types; a type SQL cannot serve is refused by name."""

from __future__ import annotations

import pyarrow as pa
import pytest

from etl.errors import ConfigError
from etl.serve.copy import pg_type


@pytest.mark.parametrize(
    ("arrow", "postgres"),
    [
        (pa.string(), "text"),
        (pa.dictionary(pa.int32(), pa.string()), "text"),
        (pa.int64(), "bigint"),
        (pa.int16(), "smallint"),
        (pa.uint64(), "numeric(20)"),
        (pa.float64(), "double precision"),
        (pa.decimal128(12, 2), "numeric(12,2)"),
        (pa.date32(), "date"),
        (pa.timestamp("us"), "timestamp"),
        (pa.timestamp("us", "Asia/Shanghai"), "timestamptz"),
        (pa.bool_(), "boolean"),
    ],
)
def test_types(arrow: pa.DataType, postgres: str) -> None:
    assert pg_type(pa.field("c", arrow), "s.t") == postgres


def test_a_nested_column_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match=r"^s\.t: column tags has type list<item: string>"):
        pg_type(pa.field("tags", pa.list_(pa.string())), "s.t")
