"""The JSON Schema of a registry file, generated from the pydantic model, for editors.

``datasets/registry.schema.json`` is this schema checked in; the sample files point to it with a
``# yaml-language-server: $schema=...`` comment, so an editor with the YAML language server
completes keys and flags mistakes while the file is written. ``pubdata registry schema``
regenerates it; a test fails when the checked-in copy is not current. The model stays the
authority: the schema cannot express every check (cron syntax, columns named across keys).
"""

from __future__ import annotations

import json
from typing import Any

from etl.registry.model import Dataset

#: The file name of the schema beside the registry files.
SCHEMA_FILE = "registry.schema.json"
#: The JSON Schema dialect pydantic generates.
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def registry_schema() -> dict[str, Any]:
    """The JSON Schema of one dataset file."""
    schema = Dataset.model_json_schema()
    return {"$schema": _DIALECT, **schema, "title": "pubdata dataset registry file"}


def schema_text() -> str:
    """:func:`registry_schema` as the text checked in (stable key order, final newline)."""
    return json.dumps(registry_schema(), ensure_ascii=False, indent=2) + "\n"
