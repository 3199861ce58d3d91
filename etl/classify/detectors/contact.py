"""电子邮箱 (email), IP 地址 (ip_address) and 网络账号 (online_account).

Email is checked by an RFC-ish RE2 pattern alone; IP candidates are confirmed by
:func:`ipaddress.ip_address`. Both are strongly structured and accepted on content alone. An
online account (QQ号, 微信号) is not: its values are digits or short handles that an order number
or a user name also are, so only a header that says so makes the column one.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pyarrow.compute as pc

from etl.classify.detectors.base import confirm
from etl.text.strings import regex_mask, strip

#: Local part of an address (dot-atom, no quoting).
EMAIL_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
#: Domain: labels of letters, digits and hyphens, a top-level label of 2+ letters.
EMAIL_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
RE_EMAIL = rf"^{EMAIL_LOCAL}@{EMAIL_DOMAIN}$"

RE_IPV4 = r"^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$"
#: IPv6 candidates: hex groups and colons (at least two colons), optional dotted IPv4 tail and
#: zone id (``fe80::1%eth0``).
RE_IPV6 = r"^[0-9A-Fa-f:]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(?:%[0-9A-Za-z._-]+)?$"
#: QQ number: 5-12 digits, no leading zero. WeChat ID: a letter, then 5-19 letters, digits,
#: ``_`` or ``-``. Either may also be the mobile number or e-mail address the account uses.
RE_ONLINE_ACCOUNT = (
    r"^(?:[1-9][0-9]{4,11}|[A-Za-z][-_A-Za-z0-9]{5,19}|(?:\+?86)?1[3-9][0-9]{9}|"
    rf"{EMAIL_LOCAL}@{EMAIL_DOMAIN})$"
)


def _ip_ok(value: str) -> bool:
    ipaddress.ip_address(value)
    return True


def check_email(values: Any) -> Any:
    """Mask of values that are email addresses.

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    return regex_mask(strip(values), RE_EMAIL)


def check_ip_address(values: Any) -> Any:
    """Mask of values that are IPv4 or IPv6 addresses (``ipaddress.ip_address``).

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    text = strip(values)
    candidates = pc.or_(regex_mask(text, RE_IPV4), regex_mask(text, RE_IPV6))
    return confirm(text, candidates, _ip_ok)


def check_online_account(values: Any) -> Any:
    """Mask of values shaped like a QQ number or a WeChat ID (or the phone or e-mail behind one).

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    return regex_mask(strip(values), RE_ONLINE_ACCOUNT)
