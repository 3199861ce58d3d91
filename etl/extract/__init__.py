"""Extract: delivered files -> ``pyarrow.Table`` of strings + :class:`SourceFingerprint`.

Also the first version of normalize: :func:`cast_columns` applies the registry's declared types.

The public names are loaded lazily, so that ``import etl.extract`` (e.g. from a DAG file being
parsed) does not import pyarrow or python-calamine until a reader is actually used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etl.extract.cast import NULL_MARKERS, CastResult, cast_columns
    from etl.extract.encoding import detect_encoding
    from etl.extract.fingerprint import SourceFingerprint
    from etl.extract.paths import resolve_source_path
    from etl.extract.reader import read_source

_EXPORTS = {
    "NULL_MARKERS": "etl.extract.cast",
    "CastResult": "etl.extract.cast",
    "cast_columns": "etl.extract.cast",
    "detect_encoding": "etl.extract.encoding",
    "SourceFingerprint": "etl.extract.fingerprint",
    "resolve_source_path": "etl.extract.paths",
    "read_source": "etl.extract.reader",
}

__all__ = [
    "NULL_MARKERS",
    "CastResult",
    "SourceFingerprint",
    "cast_columns",
    "detect_encoding",
    "read_source",
    "resolve_source_path",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'etl.extract' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
