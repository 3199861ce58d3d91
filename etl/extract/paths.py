"""Resolving a registry path template to a file inside the landing zone."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from etl.errors import DataError, PolicyError, SourceNotReady
from etl.registry.sources import FileSource, Source

logger = logging.getLogger(__name__)


def fill_template(template: str, logical_date: date) -> str:
    """Fill ``{ds}`` (``2024-05-01``) and ``{ds_nodash}`` (``20240501``) in a path template.

    Args:
        template: a registry ``source.path``.
        logical_date: the run's logical date.

    Returns:
        The template with both placeholders replaced; other text is left as it is.
    """
    return template.replace("{ds_nodash}", logical_date.strftime("%Y%m%d")).replace(
        "{ds}", logical_date.isoformat()
    )


def relative_to_landing(path: Path, landing: Path, *, shown_as: str | None = None) -> str:
    """Return ``path`` (resolved, symlinks followed) relative to the resolved landing root.

    Args:
        path: a path to check; relative paths are taken relative to ``landing``.
        landing: the landing-zone root.
        shown_as: how to name the path in the error message (defaults to ``path``).

    Returns:
        The relative path with ``/`` separators.

    Raises:
        PolicyError: the path resolves outside the landing zone.
    """
    root = landing.resolve()
    resolved = (root / path).resolve()
    if not resolved.is_relative_to(root):
        name = path.as_posix() if shown_as is None else shown_as
        raise PolicyError(f"source path '{name}' resolves outside the landing zone {landing}")
    return resolved.relative_to(root).as_posix()


def resolve_source_path(landing: Path, template: str, logical_date: date) -> Path:
    """Resolve a registry path template to an existing file inside the landing zone.

    Symlinks are followed before the containment check, so neither ``../`` nor a link pointing
    elsewhere can reach a file outside ``landing``.

    Args:
        landing: the landing-zone root (``PUBDATA_LANDING``).
        template: the registry's ``source.path``, relative to ``landing``.
        logical_date: the run's logical date, for ``{ds}`` and ``{ds_nodash}``.

    Returns:
        The absolute, resolved path of the delivered file.

    Raises:
        PolicyError: the path resolves outside the landing zone.
        SourceNotReady: nothing has been delivered at that path yet (the caller adds the dataset).
        DataError: the path exists but is not a regular file (a folder, a device).
    """
    relative = fill_template(template, logical_date)
    rel = relative_to_landing(Path(relative), landing, shown_as=template)
    resolved = landing.resolve() / rel
    if not resolved.exists():
        raise SourceNotReady(f"source not delivered: {rel}")
    if not resolved.is_file():
        raise DataError(f"source path '{rel}' is not a regular file")
    logger.debug("resolved source %s to %s", template, resolved)
    return resolved


_GLOB_CHARS = frozenset("*?[")


def is_glob(template: str) -> bool:
    """Whether a path template is a glob (contains ``*``, ``?`` or ``[``)."""
    return any(char in _GLOB_CHARS for char in template)


def resolve_source_paths(landing: Path, template: str, logical_date: date) -> list[Path]:
    """Resolve a path template, or a glob, to the delivered files inside the landing zone.

    Hidden files (a leading ``.``, as upload tools name partial files) are never matched.
    Every match is checked like a single path: a match that resolves outside ``landing``
    (through a symlink) is refused.

    Args:
        landing: the landing-zone root.
        template: the registry's ``source.path``; may hold ``{ds}``/``{ds_nodash}`` and
            glob characters (``*``, ``?``, ``[...]``, ``**``).
        logical_date: the run's logical date.

    Returns:
        The resolved files, sorted by their path relative to ``landing``.

    Raises:
        PolicyError: the pattern or a match resolves outside the landing zone.
        SourceNotReady: nothing matches yet.
        DataError: a single (non-glob) path exists but is not a regular file.
    """
    if not is_glob(template):
        return [resolve_source_path(landing, template, logical_date)]
    pattern = fill_template(template, logical_date)
    relative_to_landing(Path(pattern), landing, shown_as=template)
    root = landing.resolve()
    matches: dict[str, Path] = {}
    for match in root.glob(pattern):
        if match.name.startswith(".") or not match.is_file():
            continue
        rel = relative_to_landing(match, landing, shown_as=match.relative_to(root).as_posix())
        matches[rel] = root / rel
    if not matches:
        raise SourceNotReady(f"source not delivered: nothing matches {pattern}")
    logger.debug("%s matched %d files", pattern, len(matches))
    return [matches[rel] for rel in sorted(matches)]


def delivered(landing: Path, template: str, logical_date: date, marker: str | None) -> bool:
    """Whether the delivery for ``logical_date`` is there (cheap: for a sensor's poke).

    Args:
        landing: the landing-zone root.
        template: the registry's ``source.path``.
        logical_date: the run's logical date.
        marker: the registry's ``source.marker``: when set, the delivery is complete only once
            this file exists.

    Returns:
        True when the marker (if any) and at least one matching file exist.

    Raises:
        PolicyError: a path resolves outside the landing zone.
    """
    try:
        if marker is not None:
            resolve_source_path(landing, marker, logical_date)
        resolve_source_paths(landing, template, logical_date)
    except SourceNotReady:
        return False
    return True


def source_delivered(source: Source, *, landing: Path, logical_date: date) -> bool:
    """Whether a run's source is there to read: for a sensor's poke (no heavy imports).

    Databases and APIs are always "delivered" (their reads fail or retry on their own).

    Raises:
        PolicyError: a file path resolves outside the landing zone.
    """
    if not isinstance(source, FileSource):
        return True
    return delivered(landing, source.path, logical_date, source.marker)
