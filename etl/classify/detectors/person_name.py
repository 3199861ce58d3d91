"""姓名 (person_name): 2-4 Han characters led by a known surname; minority names with ``·``."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.detectors.surnames import COMPOUND_SURNAMES, SINGLE_SURNAMES
from etl.text.strings import regex_mask, strip

RE_HAN_NAME = r"^\p{Han}{2,4}$"
#: Transliterated minority names: Han parts joined by a middle dot (·, •, ・, ．).
RE_DOT_NAME = r"^\p{Han}{1,10}(?:[\x{b7}\x{2022}\x{30fb}\x{ff0e}]\p{Han}{1,10}){1,3}$"

_SINGLE = pa.array(sorted(SINGLE_SURNAMES), pa.string())
_COMPOUND = pa.array(sorted(COMPOUND_SURNAMES), pa.string())


def starts_with_compound_surname(names: Any) -> Any:
    """Mask of names of three or more characters whose first two are a compound surname."""
    first_two = pc.utf8_slice_codeunits(names, 0, 2)
    long_enough = pc.greater_equal(pc.utf8_length(names), 3)
    return pc.fill_null(pc.and_(pc.is_in(first_two, value_set=_COMPOUND), long_enough), False)


def check_person_name(values: Any) -> Any:
    """Mask of values that look like a Chinese personal name.

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    names = strip(values)
    single = pc.is_in(pc.utf8_slice_codeunits(names, 0, 1), value_set=_SINGLE)
    surname = pc.or_(pc.fill_null(single, False), starts_with_compound_surname(names))
    han = pc.and_(regex_mask(names, RE_HAN_NAME), surname)
    return pc.or_(han, regex_mask(names, RE_DOT_NAME))
