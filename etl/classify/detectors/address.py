"""地址 (address): an administrative-division prefix followed by street/building keywords."""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from etl.classify.detectors.base import Detector, regex_mask, strip

#: 1-12 Han characters, then a division suffix (省/自治区/市/区/县/旗/盟/州), then a street,
#: house, building or village keyword somewhere after it.
RE_ADMIN_ADDRESS = (
    r"^\p{Han}{1,12}?(?:省|自治区|市|区|县|旗|盟|州).*?"
    r"(?:路|街|道|巷|弄|胡同|号|栋|幢|单元|室|村|组|楼)"
)
#: A bare street address: street name, number, 号/弄 (``建国路88号``).
RE_STREET_ADDRESS = r"^\p{Han}{2,12}(?:路|街|道|巷|弄|胡同)[0-9０-９]+(?:号|弄)"


def check_address(values: Any) -> Any:
    """Mask of values that look like a postal address.

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    text = strip(values)
    length = pc.utf8_length(text)
    plausible = pc.fill_null(
        pc.and_(pc.greater_equal(length, 6), pc.less_equal(length, 120)), False
    )
    shaped = pc.or_(regex_mask(text, RE_ADMIN_ADDRESS), regex_mask(text, RE_STREET_ADDRESS))
    return pc.and_(plausible, shaped)


DETECTOR = Detector(
    category="address",
    default_grade="L3",
    strong=False,
    check=check_address,
    description="地址: division prefix (省/市/区/县) + 路/街/号/栋/单元/室/村",
)
