"""Birth dates and canonical ID numbers cut as bytes give what the Arrow kernels give.

The byte paths (:func:`etl.text.strings.fixed_width`) serve the usual column, 18-character ID
numbers or ``YYYY-MM-DD`` dates in every row; each is compared here with the general path it
stands in for, on the benchmark register's columns and on edge cases.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pytest

from bench import population
from etl.classify import rules_persons
from etl.text.canonical import canonical_form, id_number_rows
from etl.text.strings import fixed_width, from_fixed_width, regex_mask, strip

IDS = [
    "110101199003077777",
    "11010119900307777X",
    "11010119900307777x",
    "11010119900307777Y",  # the register's planted bad check character
    "110101900307777",  # legacy 15 digits
    " 11010119900307777",
    "110101 19900307777",
    "1101011990030777/7",
    "11010119900307777７",  # a full-width digit: 20 bytes
    "000000000000000000",
    "",
    None,
]
DATES = [
    "1990-03-07",
    "2024-13-45",  # shaped as a date: R4 checks the day later
    "1790-01-01",
    "2101-01-01",
    "1990/03/07",
    "19900307",
    " 1990-03-0",
    "1990-03-07 ",
    "２０２４-01-01",
    "2001-1-011",
    None,
]


def _general_dates(values: pa.Array) -> pa.Array:
    """The general path of ``_date_births`` (strip, regex, and parsing past the usual layout)."""
    text = strip(values)
    if pc.all(pc.or_(regex_mask(text, rules_persons._ISO_DATE), pc.is_null(text))).as_py():
        return pc.replace_substring(text, "-", "")
    parsed = pc.cast(rules_persons.parse_dates(values), pa.timestamp("s"))
    return pc.strftime(parsed, format="%Y%m%d")


def _register(tmp_path: Path) -> pa.Table:
    path = tmp_path / "register.csv"
    population.generate(path, 3000)
    names = dict(population.COLUMNS)
    table = pv.read_csv(
        path,
        parse_options=pv.ParseOptions(invalid_row_handler=lambda _row: "skip"),
        convert_options=pv.ConvertOptions(
            column_types={h: pa.string() for h in population.HEADERS}
        ),
    )
    return table.rename_columns([names[h] for h in table.column_names])


def _arrays(values: list[str | None]) -> list[pa.Array]:
    """Every value alone, every prefix, and the whole list sliced (a non-zero offset)."""
    out = [pa.array(values[i : i + 1], pa.string()) for i in range(len(values))]
    out += [pa.array(values[: i + 1], pa.string()) for i in range(len(values))]
    out.append(pa.array(["x", *values], pa.string()).slice(1))
    return out


def test_id_births_match_the_general_path_on_the_register(tmp_path: Path) -> None:
    ids = _register(tmp_path).column("gmsfhm")
    for values in (ids, ids.combine_chunks(), ids.combine_chunks().slice(5, 1000)):
        fast = rules_persons._id_births(values)
        assert fast.equals(rules_persons._id_births_of(rules_persons.as_strings(values)))
    assert fixed_width(ids.combine_chunks(), 18) is not None  # the byte path was taken


@pytest.mark.parametrize("values", _arrays(IDS))
def test_id_births_match_the_general_path_on_edge_cases(values: pa.Array) -> None:
    fast = rules_persons._id_births(values)
    assert fast.to_pylist() == rules_persons._id_births_of(values).to_pylist()


def test_birth_dates_match_the_general_path_on_the_register(tmp_path: Path) -> None:
    dates = _register(tmp_path).column("csrq").combine_chunks()
    assert rules_persons._iso_birth_days(dates) is not None  # the byte path was taken
    for values in (dates, dates.slice(3, 500)):
        assert rules_persons._date_births(values).equals(_general_dates(values))


@pytest.mark.parametrize("values", _arrays(DATES))
def test_birth_dates_match_the_general_path_on_edge_cases(values: pa.Array) -> None:
    fast = rules_persons._date_births(values)
    assert pa.chunked_array([fast]).to_pylist() == _general_dates(values).to_pylist()


@pytest.mark.parametrize("values", _arrays(IDS))
def test_canonical_id_numbers_match_the_regex(values: pa.Array) -> None:
    expected = regex_mask(values, r"^[0-9]{17}[0-9X]$").to_pylist()
    ids = fixed_width(values, 18)
    if ids is not None:
        assert id_number_rows(ids).tolist() == expected
    forms = canonical_form(values, "id_number").to_pylist()
    assert [f for f, ok in zip(forms, expected, strict=True) if ok] == [
        v for v, ok in zip(values.to_pylist(), expected, strict=True) if ok
    ]


def test_fixed_width_only_for_a_full_column_of_one_width() -> None:
    ids = pa.array(["123", "456", "789"])
    matrix = fixed_width(ids, 3)
    assert matrix is not None and matrix.shape == (3, 3)
    assert from_fixed_width(matrix[:, 1:]).to_pylist() == ["23", "56", "89"]
    assert fixed_width(ids.slice(1), 3) is not None
    assert fixed_width(ids, 2) is None
    assert fixed_width(pa.array(["123", None, "789"]), 3) is None
    assert fixed_width(pa.array(["12", "3456"]), 3) is None
    assert fixed_width(pa.array([], pa.string()), 3) is None
    assert fixed_width(pa.array([1, 2]), 1) is None
    assert fixed_width(pa.chunked_array([ids]), 3) is None
