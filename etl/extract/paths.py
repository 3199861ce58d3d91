"""Resolving a registry path template to a file inside the landing zone."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from etl.errors import DataError, PolicyError, SourceNotReady

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
