"""经纬度 (geo_coordinate): a longitude or latitude inside China's bounding box, or a pair of them.

Precise positions only: at least three decimals (about 100 m). Coarser values are not a
person's location and stay ``none`` (L2, coarse location). Accepted forms: ``114.305123``
(one axis per column, as in ``jd``/``wd``), ``114.305123,30.593456`` (either order; comma,
semicolon or space) and ``POINT(114.305123 30.593456)``.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.text.strings import strip

#: China's bounding box (incl. the South China Sea islands), degrees.
LON_MIN, LON_MAX = 73.4, 135.1
LAT_MIN, LAT_MAX = 3.8, 53.6

_NUM = r"-?[0-9]{1,3}\.[0-9]+"
RE_PRECISE = r"^-?[0-9]{1,3}\.[0-9]{3,}$"
RE_PAIR = rf"^(?:POINT\s*\(\s*)?(?P<a>{_NUM})\s*(?:[,，;]\s*|\s+)(?P<b>{_NUM})\s*\)?$"


def _numbers(text: Any, mask: Any) -> Any:
    kept = pc.if_else(mask, text, pa.scalar(None, pa.string()))
    return pc.cast(kept, pa.float64())


def _between(x: Any, low: float, high: float) -> Any:
    return pc.and_(pc.greater_equal(x, low), pc.less_equal(x, high))


def _lon(x: Any) -> Any:
    return _between(x, LON_MIN, LON_MAX)


def _lat(x: Any) -> Any:
    return _between(x, LAT_MIN, LAT_MAX)


def _precise(text: Any) -> Any:
    return pc.fill_null(pc.match_substring_regex(text, RE_PRECISE), False)


def check_geo_coordinate(values: Any) -> Any:
    """Mask of values that are precise coordinates inside China (one axis or a pair).

    Args:
        values: string array (numbers are cast to text first).

    Returns:
        Boolean array, null → False.
    """
    text = strip(values)
    single = _precise(text)
    x = _numbers(text, single)
    one_axis = pc.fill_null(pc.and_(single, pc.or_(_lon(x), _lat(x))), False)

    parts = pc.extract_regex(text, RE_PAIR)
    a_text, b_text = pc.struct_field(parts, "a"), pc.struct_field(parts, "b")
    is_pair = pc.fill_null(pc.is_valid(parts), False)
    a, b = _numbers(a_text, is_pair), _numbers(b_text, is_pair)
    in_box = pc.or_(pc.and_(_lon(a), _lat(b)), pc.and_(_lat(a), _lon(b)))
    precise = pc.or_(_precise(a_text), _precise(b_text))
    pair = pc.fill_null(pc.and_(pc.and_(is_pair, in_box), precise), False)
    return pc.or_(one_axis, pair)
