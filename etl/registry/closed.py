r"""The base of every registry model: closed, frozen, and free of control characters.

A control character in a registry value is never intended: a NUL in ``source.path`` passed the
check and failed only when the run opened the file, an escape sequence in a title reaches
terminals and logs. YAML's double-quoted escapes (``"\0"``, ``"\e"``) write them without a raw
control byte in the file, so the model refuses them in every string, keys of mappings included.
Line breaks and tabs are allowed only in the fields that hold prose or SQL
(:data:`MULTILINE_FIELDS`).
"""

from __future__ import annotations

import unicodedata
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

#: Fields whose text may span lines (and hold tabs).
MULTILINE_FIELDS = frozenset({"description", "query", "reason"})
_LINE_BREAKS = frozenset("\n\r\t")
#: Unicode categories refused: controls (C0, DEL, C1) and the line/paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def _control_character(text: str, multiline: bool) -> str | None:
    for position, char in enumerate(text):
        if multiline and char in _LINE_BREAKS:
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return f"control character U+{ord(char):04X} at position {position}"
    return None


def _find_control(value: object, multiline: bool) -> str | None:
    if isinstance(value, str):
        return _control_character(value, multiline)
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_control(key, False)
            if found:
                return f"key {found}"
            found = _find_control(item, multiline)
            if found:
                return f"{found} (under key {key!r})"
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _find_control(item, multiline)
            if found:
                return f"{found} (item {index})"
    return None


class Closed(BaseModel):
    """Unknown keys are errors, values are frozen and trimmed, control characters refused."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True
    )

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        found = _find_control(value, info.field_name in MULTILINE_FIELDS)
        if found:
            raise ValueError(f"contains a {found}; registry values must be printable text")
        return value
