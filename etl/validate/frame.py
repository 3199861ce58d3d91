"""Arrow table → pandas DataFrame for Great Expectations, fast and without silent damage.

* Dates and timestamps become ``datetime64[ns]``: GX compares those vectorized, while pandas 3's
  default ``datetime64[s]``/``[ms]`` and ``datetime.date`` objects take a per-element Python path
  (seconds per million rows). A column with a value outside the nanosecond range (1677-09-21 to
  2262-04-11, e.g. the ``9999-12-31`` "no expiry" sentinel) keeps its own unit instead: pyarrow's
  ``coerce_temporal_nanoseconds`` would silently wrap such values to wrong dates.
* Dictionary-encoded columns are decoded (GX does not expect pandas categoricals).
* Strings become pandas 3's default ``str`` dtype, which GX's regex, set and length
  expectations handle.
* The index is a ``RangeIndex``, so GX's unexpected indices are row positions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Frame:
    """A DataFrame ready for GX and what the conversion did.

    Attributes:
        frame: the pandas DataFrame.
        datetime_ns: temporal columns converted to ``datetime64[ns]``.
        coarse_temporal: temporal columns left at their own unit (values outside the ns range).
            On both kinds, date bounds are widened to midnight datetimes, see
            :func:`etl.validate.runner.gx_kwargs`.
    """

    frame: Any
    datetime_ns: frozenset[str]
    coarse_temporal: frozenset[str]


def to_frame(table: pa.Table) -> Frame:
    """Convert an Arrow table for validation.

    Args:
        table: the table; column names must be unique.

    Returns:
        The converted frame and the temporal columns by outcome.
    """
    columns = []
    ns: set[str] = set()
    coarse: set[str] = set()
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
            kind = column.type
        if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            target = pa.timestamp("ns", tz=getattr(kind, "tz", None))
            try:
                column = column.cast(target, safe=True)
                ns.add(name)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                coarse.add(name)
                log.info(
                    "column %s has values outside the nanosecond range; "
                    "validating it at its own unit (slower)",
                    name,
                )
        columns.append(column)
    prepared = pa.Table.from_arrays(columns, names=table.column_names)
    # decimals as pandas' Arrow-backed dtype: exact mean/sum, and not Python Decimal objects
    # that GX's aggregate expectations cannot take
    frame = prepared.to_pandas(date_as_object=False, types_mapper=_decimal_dtype)
    return Frame(frame=frame, datetime_ns=frozenset(ns), coarse_temporal=frozenset(coarse))


def _decimal_dtype(kind: pa.DataType) -> Any:
    if not pa.types.is_decimal(kind):
        return None
    import pandas as pd  # type: ignore[import-untyped]  # only validation pays for pandas

    return pd.ArrowDtype(kind)
