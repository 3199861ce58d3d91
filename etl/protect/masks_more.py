"""Display masks and generalisations of contact details, documents and positions.

See classification.md §3 "protection in shared zone". Pure, vectorized over pyarrow string arrays;
nulls stay null; every non-null value is protected, including values that fail the category's
check (a masked value becomes stars, a generalisation that cannot apply becomes null).

Examples: ``zhangsan@example.com`` → ``z***@example.com``; ``027-87654321`` → ``027-****4321``;
``鄂A12345`` → ``鄂A1***5``; ``E12345678`` → ``E******78``; ``192.168.10.20`` → ``192.168.0.0/16``;
``2001:db8:1234:5678::1`` → ``2001:db8:1234::/48``; ``114.305123`` → ``114.31``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.detectors.vehicle import normalize_plates
from etl.protect.masks import keep_ends
from etl.text.strings import as_strings, compact, strip

_NULL = pa.scalar(None, pa.string())
_EMAIL = r"^(?P<head>[^@\s])[^@\s]*@(?P<domain>[^@\s]+\.[^@\s]+)$"
_IPV4 = r"^(?P<a>[0-9]{1,3})\.(?P<b>[0-9]{1,3})\.[0-9]{1,3}\.[0-9]{1,3}$"
_NUM = r"-?[0-9]{1,3}(?:\.[0-9]+)?"
_PAIR = rf"^(?:POINT\s*\(\s*)?(?P<a>{_NUM})\s*(?:[,，;]\s*|\s+)(?P<b>{_NUM})\s*\)?$"


def mask_email(values: Any) -> Any:
    """``zhangsan@example.com`` → ``z***@example.com``; a value that is not an address → stars."""
    text = strip(as_strings(values))
    parts = pc.extract_regex(text, _EMAIL)
    masked = pc.binary_join_element_wise(
        pc.struct_field(parts, "head"), pc.struct_field(parts, "domain"), "***@"
    )
    stars = pc.binary_repeat("*", pc.utf8_length(text))
    return pc.if_else(pc.is_valid(parts), masked, stars)


def mask_license_plate(values: Any) -> Any:
    """``鄂A12345`` → ``鄂A1***5``; ``鄂AD12345`` → ``鄂AD****5`` (first 3 and last 1 kept)."""
    return keep_ends(normalize_plates(as_strings(values)), 3, 1)


def mask_passport(values: Any) -> Any:
    """``E12345678`` → ``E******78`` (first 1 and last 2 kept)."""
    return keep_ends(compact(as_strings(values)), 1, 2)


def mask_landline_phone(values: Any) -> Any:
    """Keep the area code and the last 4 digits: ``027-87654321`` → ``027-****4321``.

    ``+86``/``0086`` become the trunk ``0``; area codes ``010`` and ``02x`` have three digits,
    the others four. A value without a trunk ``0`` keeps only its last 4 characters.
    """
    number = pc.replace_substring_regex(compact(as_strings(values)), r"^(?:\+86|0086)0?", "0")
    short_area = pc.fill_null(pc.match_substring_regex(number, r"^0(?:10|2[0-9])"), False)
    has_trunk = pc.fill_null(pc.match_substring_regex(number, r"^0[1-9][0-9]{7,}$"), False)
    area = pc.if_else(
        short_area, pc.utf8_slice_codeunits(number, 0, 3), pc.utf8_slice_codeunits(number, 0, 4)
    )
    rest = pc.if_else(
        short_area, pc.utf8_slice_codeunits(number, 3), pc.utf8_slice_codeunits(number, 4)
    )
    with_area = pc.binary_join_element_wise(area, keep_ends(rest, 0, 4), "-")
    return pc.if_else(has_trunk, with_area, keep_ends(number, 0, 4))


def _ipv6_prefix(value: str) -> str | None:
    try:
        address = ipaddress.IPv6Address(value)
    except ValueError:
        return None
    return str(ipaddress.IPv6Network((address, 48), strict=False))


def generalize_ip_address(values: Any) -> Any:
    """Truncate to the network: IPv4 to /16 (``192.168.0.0/16``), IPv6 to /48; else null."""
    text = strip(as_strings(values))
    v4 = pc.extract_regex(text, _IPV4)
    a, b = pc.struct_field(v4, "a"), pc.struct_field(v4, "b")
    octets_ok = pc.and_(
        pc.less_equal(pc.cast(pc.if_else(pc.is_valid(v4), a, "0"), pa.int32()), 255),
        pc.less_equal(pc.cast(pc.if_else(pc.is_valid(v4), b, "0"), pa.int32()), 255),
    )
    net4 = pc.binary_join_element_wise(a, b, pa.scalar("0.0/16"), ".")
    out = pc.if_else(pc.and_(pc.is_valid(v4), octets_ok), net4, _NULL)
    maybe_v6 = pc.fill_null(pc.match_substring_regex(text, ":"), False)
    if pc.any(maybe_v6).as_py():
        unique = pc.unique(text.filter(maybe_v6))
        prefixes = pa.array([_ipv6_prefix(v) for v in unique.to_pylist()], pa.string())
        mapped = pc.take(prefixes, pc.index_in(text, value_set=unique))
        out = pc.if_else(maybe_v6, mapped, out)
    return out


def _round2(text: Any) -> Any:
    ok = pc.fill_null(pc.match_substring_regex(text, rf"^{_NUM}$"), False)
    numbers = pc.cast(pc.if_else(ok, text, _NULL), pa.float64())
    return pc.cast(pc.round(numbers, 2), pa.string())


def generalize_geo_coordinate(values: Any) -> Any:
    """Round coordinates to 2 decimals (about 1 km): ``114.305123`` → ``114.31``.

    A pair becomes ``114.31,30.59`` (its order kept); anything else becomes null.
    """
    text = strip(as_strings(values))
    single = _round2(text)
    parts = pc.extract_regex(text, _PAIR)
    pair = pc.binary_join_element_wise(
        _round2(pc.struct_field(parts, "a")), _round2(pc.struct_field(parts, "b")), ","
    )
    return pc.coalesce(single, pc.if_else(pc.is_valid(parts), pair, _NULL))
