"""电子邮箱 (email) and IP 地址 (ip_address): strongly structured, accepted on content alone.

Email is checked by an RFC-ish RE2 pattern alone; IP candidates are confirmed by
:func:`ipaddress.ip_address`.
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
