"""The JSON Schema of a registry file, generated from the pydantic model, for editors.

``datasets/registry.schema.json`` is this schema checked in; the sample files point to it with a
``# yaml-language-server: $schema=...`` comment, so an editor with the YAML language server
completes keys and flags mistakes while the file is written. ``pubdata registry schema``
regenerates it (and the domain files' schema, :mod:`etl.integrate.schema`); a test fails when a
checked-in copy is not current. The model stays the authority: the schema cannot express every
check (cron syntax, columns named across keys).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from etl.registry.model import Dataset

#: The file name of the schema beside the registry files.
SCHEMA_FILE = "registry.schema.json"
#: The JSON Schema dialect pydantic generates.
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """The JSON Schema of one file that ``model`` reads, titled for editors."""
    return {"$schema": _DIALECT, **model.model_json_schema(), "title": title}


def as_text(schema: dict[str, Any]) -> str:
    """A schema as the text checked in (stable key order, final newline)."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def registry_schema() -> dict[str, Any]:
    """The JSON Schema of one dataset file."""
    return json_schema(Dataset, "pubdata dataset registry file")


def schema_text() -> str:
    """:func:`registry_schema` as the text checked in."""
    return as_text(registry_schema())
