from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from etl.protect.masks_more import (
    generalize_geo_coordinate,
    generalize_ip_address,
    mask_email,
    mask_landline_phone,
    mask_license_plate,
    mask_passport,
)


def run(fn: Callable[[Any], Any], values: list[str | None]) -> list[str | None]:
    out = fn(pa.array(values, pa.string()))
    assert len(out) == len(values)
    return list(out.to_pylist())


def test_mask_email() -> None:
    assert run(mask_email, ["zhangsan@example.com", " a@b.cn ", "not an email", "", None]) == [
        "z***@example.com",
        "a***@b.cn",
        "************",
        "",
        None,
    ]


def test_mask_license_plate() -> None:
    assert run(mask_license_plate, ["鄂A12345", "鄂AD12345", "鄂a·12345", "鄂A", None]) == [
        "鄂A1***5",
        "鄂AD****5",
        "鄂A1***5",
        "**",
        None,
    ]


def test_mask_passport() -> None:
    assert run(mask_passport, ["E12345678", "e 1234 5678", "AB"]) == [
        "E******78",
        "E******78",
        "**",
    ]


def test_mask_landline_keeps_area_code_and_last_four() -> None:
    assert run(
        mask_landline_phone,
        ["027-87654321", "(0571)12345678", "+86 10 1234 5678", "010-1234567", "12", None],
    ) == ["027-****4321", "0571-****5678", "010-****5678", "010-***4567", "**", None]


def test_generalize_ip() -> None:
    assert run(
        generalize_ip_address,
        ["192.168.10.20", " 8.8.8.8 ", "300.1.1.1", "2001:db8:1234:5678::1", "::1", "x", None],
    ) == ["192.168.0.0/16", "8.8.0.0/16", None, "2001:db8:1234::/48", "::/48", None, None]


def test_generalize_coordinates_to_two_decimals() -> None:
    assert run(
        generalize_geo_coordinate,
        ["114.305123", "30.596", "114.305123,30.593456", "POINT(114.305123 30.593456)", "x", None],
    ) == ["114.31", "30.6", "114.31,30.59", "114.31,30.59", None, None]
    floats = generalize_geo_coordinate(pa.array([114.305123, None], pa.float64()))
    assert floats.to_pylist() == ["114.31", None]


def test_masks_never_return_the_raw_value() -> None:
    raw = ["zhangsan@example.com", "027-87654321", "鄂A12345", "E12345678", "192.168.10.20"]
    fns = [
        mask_email,
        mask_landline_phone,
        mask_license_plate,
        mask_passport,
        generalize_ip_address,
        generalize_geo_coordinate,
    ]
    for fn in fns:
        out = fn(pa.array(raw)).to_pylist()
        assert not set(out) & set(raw), fn.__name__
