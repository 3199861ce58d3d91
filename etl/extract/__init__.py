"""Extract: sources -> ``pyarrow.Table`` of strings + fingerprints, and normalization.

:func:`extract_source` is the one interface over every source kind (landing-zone files and
globs, SQLAlchemy databases, HTTP JSON APIs); :func:`normalize_headers` and
:func:`cast_columns` apply the registry's ``normalize`` spec and declared types;
:func:`compare_schema` and :func:`duplicate_deliveries` support the run's decisions.

The public names are loaded lazily, so that ``import etl.extract`` (e.g. from a DAG file being
parsed) does not import pyarrow, SQLAlchemy or python-calamine until a reader is actually used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etl.extract.api import extract_source, iter_parts
    from etl.extract.cast import NULL_MARKERS, CastResult, cast_columns
    from etl.extract.connections import (
        ConnectionFields,
        ConnectionResolver,
        EnvConnections,
        FieldsResolver,
        HttpTarget,
        StaticConnections,
    )
    from etl.extract.duplicates import Duplicate, PreviousDelivery, duplicate_deliveries
    from etl.extract.encoding import detect_encoding
    from etl.extract.fingerprint import SourceFingerprint
    from etl.extract.normalize import normalize_headers
    from etl.extract.parts import Extracted, ExtractedPart, Rejected
    from etl.extract.paths import resolve_source_path, resolve_source_paths, source_delivered
    from etl.extract.reader import read_source
    from etl.extract.schema_change import SchemaChange, compare_schema

_EXPORTS = {
    "extract_source": "etl.extract.api",
    "iter_parts": "etl.extract.api",
    "NULL_MARKERS": "etl.extract.cast",
    "CastResult": "etl.extract.cast",
    "cast_columns": "etl.extract.cast",
    "ConnectionFields": "etl.extract.connections",
    "ConnectionResolver": "etl.extract.connections",
    "EnvConnections": "etl.extract.connections",
    "FieldsResolver": "etl.extract.connections",
    "HttpTarget": "etl.extract.connections",
    "StaticConnections": "etl.extract.connections",
    "Duplicate": "etl.extract.duplicates",
    "PreviousDelivery": "etl.extract.duplicates",
    "duplicate_deliveries": "etl.extract.duplicates",
    "detect_encoding": "etl.extract.encoding",
    "SourceFingerprint": "etl.extract.fingerprint",
    "normalize_headers": "etl.extract.normalize",
    "Extracted": "etl.extract.parts",
    "ExtractedPart": "etl.extract.parts",
    "Rejected": "etl.extract.parts",
    "resolve_source_path": "etl.extract.paths",
    "resolve_source_paths": "etl.extract.paths",
    "source_delivered": "etl.extract.paths",
    "read_source": "etl.extract.reader",
    "SchemaChange": "etl.extract.schema_change",
    "compare_schema": "etl.extract.schema_change",
}

__all__ = [
    "NULL_MARKERS",
    "CastResult",
    "ConnectionFields",
    "ConnectionResolver",
    "Duplicate",
    "EnvConnections",
    "Extracted",
    "ExtractedPart",
    "FieldsResolver",
    "HttpTarget",
    "PreviousDelivery",
    "Rejected",
    "SchemaChange",
    "SourceFingerprint",
    "StaticConnections",
    "cast_columns",
    "compare_schema",
    "detect_encoding",
    "duplicate_deliveries",
    "extract_source",
    "iter_parts",
    "normalize_headers",
    "read_source",
    "resolve_source_path",
    "resolve_source_paths",
    "source_delivered",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'etl.extract' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
