"""地址 (address): an administrative-division prefix followed by street/building keywords."""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from etl.text.strings import regex_mask, strip

#: 1-12 Han characters, then a division suffix (省/自治区/市/区/县/旗/盟/州), then a street,
#: house, building or village keyword somewhere after it.
#: Traditional forms are included (區/縣/號/樓/棟/單元/鄉/鎮): residents of Hong Kong, Macao
#: and Taiwan (港澳台居民) and some business systems write them.
RE_ADMIN_ADDRESS = (
    r"^\p{Han}{1,12}?(?:省|自治区|自治區|市|区|區|县|縣|旗|盟|州).*?"
    r"(?:路|街|道|巷|弄|胡同|号|號|栋|棟|幢|单元|單元|室|村|组|組|楼|樓|段)"
)
#: A bare street address: street name, number, 号/弄 (``建国路88号``).
RE_STREET_ADDRESS = (
    r"^\p{Han}{2,12}(?:路|街|道|巷|弄|胡同)(?:[一二三四五六七八九十]+段)?[0-9０-９]+(?:号|號|弄)"
)


#: A residential compound without its city, as people write their own address
#: (``幸福小区3栋2单元501室``, ``金地花园12号楼1单元``): compound, then building/unit/room numbers.
RE_COMPOUND_ADDRESS = (
    r"^\p{Han}{2,12}(?:小区|花园|新村|公寓|大厦|家园|社区|苑|庄园|广场|村|城)"
    r"[0-9A-Za-z０-９]+(?:栋|幢|号楼|座|单元|号|室|组)"
)


#: A postal code before the address: 3 (Taiwan) to 6 (mainland) digits and a space.
RE_LEADING_POSTCODE = r"^[0-9]{3,6}[ \t\x{3000}]+"


def check_address(values: Any) -> Any:
    """Mask of values that look like a postal address.

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    # a postal code may lead (``430022 武汉市…``, ``100 臺北市…``)
    text = pc.replace_substring_regex(strip(values), RE_LEADING_POSTCODE, "")
    length = pc.utf8_length(text)
    plausible = pc.fill_null(
        pc.and_(pc.greater_equal(length, 6), pc.less_equal(length, 120)), False
    )
    shaped = pc.or_(regex_mask(text, RE_ADMIN_ADDRESS), regex_mask(text, RE_STREET_ADDRESS))
    shaped = pc.or_(shaped, regex_mask(text, RE_COMPOUND_ADDRESS))
    return pc.and_(plausible, shaped)


#: House-number level (门牌级): a number or a block letter then 号/室/栋/幢/座/单元/弄/楼/组;
#: a bare 街道 or 派出所 is not.
RE_HOUSE = (
    r"[0-9A-Za-z０-９一二三四五六七八九十百]+(?:号|號|室|栋|棟|幢|座|单元|單元|弄|楼|樓|组|組)"
)


def check_house_address(values: Any) -> Any:
    """Mask of addresses down to the house number (``武汉市江汉区建设大道568号``).

    An authority such as ``武汉市公安局江汉分局民族街派出所`` reads like an address but names no
    house; content alone may call a column an address only at this level.
    """
    return pc.and_(check_address(values), regex_mask(strip(values), RE_HOUSE))
