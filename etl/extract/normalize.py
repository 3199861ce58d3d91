"""Normalization declared per dataset (``normalize:`` in the registry), applied vectorized.

Two steps, both before the declared types are applied by :func:`etl.extract.cast.cast_columns`:

* :func:`normalize_headers` cleans header names (BOM, full-width forms, runs of whitespace) and
  renames them to the canonical names, so the raw, typed and quarantine tables all use them;
* :func:`prepare_text` turns one column's text into what the parsers read: trimmed, full-width
  forms made half-width (NFKC for typed columns), null markers made null.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import DataError
from etl.extract._table import clean_name
from etl.extract.reserved import RESERVED_COLUMNS
from etl.registry.normalize import DEFAULT_NULL_MARKERS, NormalizeSpec
from etl.text.fullwidth import halfwidth, halfwidth_text

_SPACES = re.compile(r"\s+")


def clean_header(name: str, *, fullwidth: bool = True) -> str:
    """Clean one header name: BOM, full-width forms, whitespace runs become one space.

    Args:
        name: the header as delivered.
        fullwidth: convert full-width ASCII forms (``（万元）`` -> ``(万元)``).

    Returns:
        The cleaned name (a line break inside a header becomes one space).
    """
    text = clean_name(name)
    if fullwidth:
        text = halfwidth_text(text)
    return _SPACES.sub(" ", text).strip()


def normalize_headers(
    table: pa.Table, spec: NormalizeSpec | None, *, source_name: str = "the source"
) -> pa.Table:
    """Clean the header names, apply the registry's renames, and refuse ``_`` names.

    Rename keys are cleaned the same way as the headers, so ``"注册资本（万元）"`` in the registry
    matches a delivered ``注册资本(万元)``. A rename whose delivered name is absent is ignored (the
    sender may already use the canonical name); a declared column that ends up missing is
    reported when the types are applied.

    A name starting with ``_`` marks the pipeline's own columns, which classification and zone
    projection pass through untouched: a delivered column keeping such a name (``_id`` of a
    document store, ``_phone``) would reach the shared zone unclassified, so it is refused
    unless the registry renames it.

    Args:
        table: the extracted table.
        spec: the dataset's normalization; None only checks the names.
        source_name: how to name the source in messages.

    Returns:
        The table with cleaned, renamed columns (the pipeline's own columns untouched).

    Raises:
        DataError: two columns end up with the same name, or a delivered one starts with ``_``.
    """
    renames = (
        {clean_header(k, fullwidth=spec.fullwidth): v for k, v in spec.rename.items()}
        if spec is not None
        else {}
    )
    names: list[str] = []
    for name in table.column_names:
        if name in RESERVED_COLUMNS:
            names.append(name)
            continue
        cleaned = clean_header(name, fullwidth=spec.fullwidth) if spec is not None else name
        final = renames.get(cleaned, cleaned)
        if final.startswith("_"):
            raise DataError(
                f"column '{name}' of {source_name} starts with '_', which marks the pipeline's"
                f" own columns; rename it in the registry (normalize: rename: {{'{name}':"
                f" '{name.lstrip('_') or 'column'}'}})"
            )
        names.append(final)
    if spec is None:
        return table
    _check_unique(names, source_name)
    return table.rename_columns(names)


def _check_unique(names: Sequence[str], source_name: str) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            raise DataError(f"column {position} of {source_name} has an empty header name")
        if name in seen:
            raise DataError(
                f"duplicate header name '{name}' in {source_name} after cleanup and renames"
                f" (columns {seen[name]} and {position})"
            )
        seen[name] = position


def null_markers(spec: NormalizeSpec | None) -> pa.Array:
    """The null markers in force, as a ``string`` array."""
    markers = DEFAULT_NULL_MARKERS if spec is None else tuple(spec.null_markers)
    return pa.array(markers, pa.string())


def _null_out(text: pa.Array, markers: pa.Array) -> pa.Array:
    """``text`` with the null markers made null (``text`` itself when it holds none).

    Only values no longer than the longest marker can be one: only those are looked up.
    """
    if len(markers) == 0 or len(text) == 0:
        return text
    longest = pc.max(pc.binary_length(markers))
    short = pc.fill_null(pc.less_equal(pc.binary_length(text), longest), False)
    positions = np.flatnonzero(short.to_numpy(zero_copy_only=False))
    if positions.size == 0:
        return text
    whole = positions.size == len(text)
    hits = pc.fill_null(pc.is_in(text if whole else text.take(positions), markers), False)
    if not pc.any(hits).as_py():
        return text
    if not whole:
        mask = np.zeros(len(text), dtype=bool)
        mask[positions] = hits.to_numpy(zero_copy_only=False)
        hits = pa.array(mask)
    return pc.if_else(hits, pa.scalar(None, pa.string()), text)


def prepare_text(text: pa.Array, spec: NormalizeSpec | None, *, typed: bool) -> pa.Array:
    """Normalize one column's text.

    Typed columns (anything but ``string``) are always trimmed; with full-width conversion on
    (the default, and always without a spec) they get NFKC, which also turns full-width digits,
    ``，`` and ``．`` into ASCII. String columns are left as they are without a spec (the
    readers already turned empty fields into null), and otherwise trimmed and converted
    exactly (full-width ASCII forms and U+3000 only) as declared.

    Args:
        text: one column, ``string``.
        spec: the dataset's normalization, or None.
        typed: whether the column is declared with a non-string type.

    Returns:
        The prepared ``string`` array; null markers are null.
    """
    if typed:
        fullwidth = spec is None or spec.fullwidth
        if fullwidth and pc.all(pc.string_is_ascii(text)).as_py() is False:
            text = pc.utf8_normalize(text, form="NFKC")
        return _null_out(pc.utf8_trim_whitespace(text), null_markers(spec))
    if spec is None:
        return text
    if spec.fullwidth:
        text = halfwidth(text)
    if spec.trim:
        text = pc.utf8_trim_whitespace(text)
    return _null_out(text, null_markers(spec))
