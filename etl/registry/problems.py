"""Registry problems as a person reads them: file, line, field path, what is wrong.

A pydantic error knows the field path but not the line; the YAML nodes know the lines
(:class:`etl.registry.safe_yaml.Document`). :func:`problems_from` joins the two, and for an
unknown key asks :mod:`difflib` which key of the model at that level was meant, so ``shedule``
says ``did you mean 'schedule'?``.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from etl.errors import ConfigError
from etl.registry.safe_yaml import Document

T = TypeVar("T")

#: Discriminated unions: the fields whose value pydantic puts in an error's location.
_TAG_FIELDS = ("kind", "type")


class FieldValueError(ValueError):
    """A model validator's complaint about one field, which it names (pydantic cannot).

    Raised inside a ``model_validator``; pydantic keeps the exception in the error's context,
    where :func:`problems_from` finds the field path.
    """

    def __init__(self, field: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.field = field


class FieldValueErrors(ValueError):
    """Several :class:`FieldValueError` found by one model validator, reported one by one.

    A validator that checks how the parts of a file fit together (every name a file refers to)
    raises this with all it found, so that one check reports every problem at once.
    """

    def __init__(self, errors: Sequence[FieldValueError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = tuple(errors)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the known name closest to ``name`` (``""`` if none is close)."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def known_item(items: Mapping[str, T], wanted: str, kind: str, where: str) -> T:
    """``items[wanted]``, else a :class:`~etl.errors.ConfigError` naming the unknown id.

    Args:
        items: id → item (datasets, domains, products).
        wanted: the id asked for.
        kind: what an item is, for the message (``dataset``, ``domain``, ``product``).
        where: where they were looked for (``registry /path``, ``/path/domains``).
    """
    try:
        return items[wanted]
    except KeyError:
        hint = did_you_mean(wanted, items)
        listed = ", ".join(sorted(items)) or "none"
        raise ConfigError(f"unknown {kind} {wanted!r} in {where}{hint} (known: {listed})") from None


def raise_for(problems: Iterable[RegistryProblem]) -> None:
    """Raise one :class:`~etl.errors.ConfigError` listing every problem, if there are any."""
    shown = [str(problem) for problem in problems]
    if shown:
        raise ConfigError("; ".join(shown))


@dataclass(frozen=True)
class RegistryProblem:
    """One problem in one registry file: the file, the line, the field (dotted), the message."""

    path: Path
    field: str | None
    message: str
    line: int | None = None

    @property
    def where(self) -> str | None:
        """``line N: field`` (either part absent when unknown), or None when both are."""
        parts = [f"line {self.line}" if self.line is not None else None, self.field]
        shown = [part for part in parts if part]
        return ": ".join(shown) if shown else None

    def __str__(self) -> str:
        where = self.where
        return f"{self.path}: {where}: {self.message}" if where else f"{self.path}: {self.message}"


def _models_in(annotation: Any) -> list[Any]:
    """The types a field's annotation may hold, ``None`` and ``Annotated`` stripped."""
    if get_origin(annotation) is Annotated:
        return _models_in(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return [m for arg in get_args(annotation) for m in _models_in(arg) if m is not type(None)]
    return [annotation]


def _tag_matches(model: type[BaseModel], tag: str) -> bool:
    for name in _TAG_FIELDS:
        field = model.model_fields.get(name)
        if field is not None and get_origin(field.annotation) is Literal:
            return tag in get_args(field.annotation)
    return False


def _walk(
    model: type[BaseModel], location: Sequence[str]
) -> tuple[type[BaseModel] | None, set[int]]:
    """The model whose keys are written at ``location`` (a raw pydantic location).

    Also returns which parts of the location are union tags rather than keys the user wrote.
    """
    tags: set[int] = set()
    current: Any = model
    index = 0
    while index < len(location):
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None, tags
        field = current.model_fields.get(location[index])
        index += 1
        if field is None:
            return None, tags
        current = field.annotation
        while True:  # step through unions and containers down to the next value's type
            options = _models_in(current)
            if len(options) == 1 and get_origin(options[0]) not in (dict, list):
                current = options[0]
                break
            if index >= len(location):
                return None, tags
            if len(options) > 1:
                tag = location[index]
                chosen = [o for o in options if isinstance(o, type) and _tag_matches(o, tag)]
                if len(chosen) != 1:
                    return None, tags
                tags.add(index)
                current = chosen[0]
            else:
                current = get_args(options[0])[-1]  # past a mapping's key or a list's index
            index += 1
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current, tags
    return None, tags


def _did_you_mean(model: type[BaseModel], location: Sequence[str]) -> str:
    owner, _ = _walk(model, location[:-1])
    return "" if owner is None else did_you_mean(location[-1], owner.model_fields)


def _problem(
    path: Path,
    model: type[BaseModel],
    raw: list[str],
    kind: str,
    message: str,
    document: Document,
) -> RegistryProblem:
    """One problem at the raw pydantic location ``raw``, named as the file writes it."""
    _, tags = _walk(model, raw)
    user = [part for index, part in enumerate(raw) if index not in tags]
    if kind == "extra_forbidden":
        message = "unknown key" + (
            _did_you_mean(model, raw) or " (check the spelling; the registry model is closed)"
        )
    elif kind == "missing":
        message = "required key is missing"
    return RegistryProblem(path, ".".join(user) or None, message, document.line_of(tuple(user)))


def problems_from(
    path: Path, model: type[BaseModel], error: ValidationError, document: Document
) -> list[RegistryProblem]:
    """One :class:`RegistryProblem` per pydantic error, with its line and field path."""
    problems = []
    for item in error.errors():
        raw = [str(part) for part in item["loc"] if not str(part).startswith("function-")]
        raw = [part for part in raw if part != "[key]"]
        cause = (item.get("ctx") or {}).get("error")
        found = cause.errors if isinstance(cause, FieldValueErrors) else (cause,)
        for each in found:
            if isinstance(each, FieldValueError):
                problems.append(
                    _problem(path, model, [*raw, *each.field], "value_error", str(each), document)
                )
            else:
                message = item["msg"].removeprefix("Value error, ")
                problems.append(_problem(path, model, raw, item["type"], message, document))
    return sorted(problems, key=lambda p: p.line if p.line is not None else 0)
