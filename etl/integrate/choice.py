"""Which source an attribute takes its value from, and whether two sources' values differ.

Vectorized over the entities of a batch: :func:`winners` is :meth:`Attribute.choose
<etl.integrate.model.Attribute.choose>` (the freshness rule's one definition, which the tests
hold this to) for every entity at once; :func:`comparable` is the form two values are compared
in when conflicts are looked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.integrate.model import Attribute
from etl.text.canonical import canonical_form
from etl.text.fullwidth import halfwidth
from etl.text.strings import as_strings, regex_mask, strip

__all__ = ["comparable", "pick", "winners"]

#: A value whose mobile canonical form looks like this is compared as a mobile number.
_MOBILE = r"^\+861[0-9]{10}$"


def winners(
    attribute: Attribute, present: Sequence[Any], dates: Sequence[Any], run_date: date
) -> pa.Array:
    """The source each entity's record takes ``attribute`` from, by the freshness rule.

    Args:
        attribute: the attribute.
        present: per source in ``attribute.sources`` order, a boolean array: whether the
            source has a value for each entity.
        dates: per source, a date32 array: the logical date of each entity's value.
        run_date: the date the record is computed as of.

    Returns:
        int8 array: each entity's winning position in ``attribute.sources``, null when no
        source has a value.
    """
    first = pa.nulls(len(present[0]), pa.int8())
    fresh_first = first
    oldest = None
    if attribute.max_age_days is not None:
        oldest = pa.scalar(run_date - timedelta(days=attribute.max_age_days), pa.date32())
    for index in reversed(range(len(attribute.sources))):
        here = pa.scalar(index, pa.int8())
        has = pc.fill_null(present[index], False)
        first = pc.if_else(has, here, first)
        if oldest is not None:
            fresh = pc.and_(has, pc.fill_null(pc.greater_equal(dates[index], oldest), False))
            fresh_first = pc.if_else(fresh, here, fresh_first)
    if oldest is None:
        return first
    return pc.if_else(pc.is_valid(fresh_first), fresh_first, first)


def pick(arrays: Sequence[Any], choice: Any, kind: pa.DataType) -> Any:
    """Per entity, the element of ``arrays[choice]`` (null where ``choice`` is null).

    Args:
        arrays: one array per source, all of the same length and of type ``kind``.
        choice: int8 array of positions in ``arrays``.
        kind: the type of the result.
    """
    out = pa.nulls(len(choice), kind)
    for index, values in enumerate(arrays):
        chosen = pc.fill_null(pc.equal(choice, pa.scalar(index, pa.int8())), False)
        out = pc.if_else(chosen, values, out)
    return out


def comparable(values: Any) -> Any:
    """The form two sources' values are compared in to find a conflict.

    Text is compared with full-width characters made half-width and the ends stripped; a
    value that is a mobile number then (``138 0013 8000``, ``+86-13800138000``) is compared
    in its mobile canonical form, so two spellings of one number agree. Dates, numbers and
    flags are compared as they are.

    Args:
        values: an array of any attribute type.

    Returns:
        The array to compare with ``pc.equal``.
    """
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return values
    text = strip(halfwidth(as_strings(values)))
    mobile = canonical_form(text, "mobile")
    return pc.if_else(regex_mask(mobile, _MOBILE), mobile, text)
