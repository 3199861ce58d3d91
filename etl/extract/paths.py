"""Resolving a registry path template to a file inside the landing zone, and opening it.

A path is checked by name first (:func:`relative_to_landing`), but a name can be swapped for a
symlink between that check and the read. :func:`open_delivered` therefore opens the file once,
without following a final symlink and without blocking on a FIFO, checks the open handle (a
regular file, really inside the landing zone) and hands readers a path that reopens that very
handle: nothing done to the landing zone's names afterwards changes what is read.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import weakref
from datetime import date
from pathlib import Path

from etl.errors import DataError, PolicyError, SourceNotReady
from etl.registry.sources import FileSource, Source

logger = logging.getLogger(__name__)

#: What a non-regular file is called in the refusal.
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
#: O_NOFOLLOW: a final symlink is refused (ELOOP), not followed; O_NONBLOCK: opening a FIFO
#: with no writer returns at once instead of hanging the task; O_NOCTTY: a terminal device
#: never becomes the task's controlling terminal.
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "of an unknown type")


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
    try:
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        raise SourceNotReady(f"source not delivered: {rel}") from None
    if not stat.S_ISREG(mode):
        raise DataError(f"source path '{rel}' is {_kind(mode)}, not a regular file")
    logger.debug("resolved source %s to %s", template, resolved)
    return resolved


class OpenedFile:
    """A delivered file, opened once and checked; read it only through :attr:`path`.

    Attributes:
        relative_path: where the handle really is, relative to the landing root (``/``).
        location: the handle's real absolute path when it was opened (for the file's URI).
        size: its size in bytes when it was opened.
    """

    def __init__(self, fd: int, relative_path: str, location: Path, size: int) -> None:
        self._fd = fd
        self.relative_path = relative_path
        self.location = location
        self.size = size
        # a delivery dropped without close() (a run that stops early) still frees its handle
        self._finalizer = weakref.finalize(self, os.close, fd)

    @property
    def path(self) -> Path:
        """A path that reopens this handle's file (Linux ``/proc/self/fd/N``).

        Opening it reaches the file the handle holds, whatever happens to its name in the
        landing zone meanwhile (renamed, deleted, replaced by a symlink); forked workers
        inherit the handle, so the path works there too.
        """
        return Path(f"/proc/self/fd/{self._fd}")

    def close(self) -> None:
        """Release the handle (idempotent)."""
        self._finalizer()

    def __enter__(self) -> OpenedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OpenedFile({self.relative_path!r}, size={self.size})"


def open_delivered(path: Path, landing: Path, *, shown_as: str | None = None) -> OpenedFile:
    """Open a delivered file once, so that what is read is what was checked.

    The name is checked first (:func:`relative_to_landing`); then the file is opened without
    following a final symlink, and the handle itself is checked: it must be a regular file
    (not a FIFO, socket, device or directory) and its real location must be inside the landing
    zone (a directory swapped for a symlink on the way is caught here).

    Args:
        path: the file; relative paths are taken relative to ``landing``.
        landing: the landing-zone root.
        shown_as: how to name the path in messages (defaults to its path in the landing zone).

    Returns:
        The open file; close it (or use it as a context manager) once read.

    Raises:
        PolicyError: the name or the opened handle is outside the landing zone, or the name
            became a symlink after the check.
        SourceNotReady: nothing is there (any more).
        DataError: not a regular file, or it cannot be opened (permissions, I/O).
    """
    root = landing.resolve()
    if shown_as is None:  # messages name a file by its path in the landing zone
        absolute = root / path
        shown_as = absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else None
    rel = relative_to_landing(path, landing, shown_as=shown_as)
    try:
        fd = os.open(root / rel, _OPEN_FLAGS)
    except FileNotFoundError:
        raise SourceNotReady(f"source not delivered: {rel}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symlink: the name changed since
            raise PolicyError(
                f"source path '{rel}' was replaced by a symlink after it was checked; not read"
            ) from None
        raise DataError(f"source path '{rel}' cannot be opened: {exc.strerror}") from None
    try:
        facts = os.fstat(fd)
        if not stat.S_ISREG(facts.st_mode):
            raise DataError(f"source path '{rel}' is {_kind(facts.st_mode)}, not a regular file")
        location = Path(f"/proc/self/fd/{fd}").readlink()
        if not location.is_relative_to(root):
            raise PolicyError(
                f"source path '{rel}' was opened outside the landing zone {landing}; not read"
            )
    except BaseException:
        os.close(fd)
        raise
    opened = location.relative_to(root).as_posix()
    logger.debug("opened %s (%d bytes)", opened, facts.st_size)
    return OpenedFile(fd, opened, location, facts.st_size)


_GLOB_CHARS = frozenset("*?[")


def is_glob(template: str) -> bool:
    """Whether a path template is a glob (contains ``*``, ``?`` or ``[``)."""
    return any(char in _GLOB_CHARS for char in template)


def resolve_source_paths(landing: Path, template: str, logical_date: date) -> list[Path]:
    """Resolve a path template, or a glob, to the delivered files inside the landing zone.

    Hidden files (a leading ``.``, as upload tools name partial files) and directories are
    never matched. Every match is checked like a single path: a match that resolves outside
    ``landing`` (through a symlink) is refused, and so is a match that is a FIFO, socket or
    device.

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
        DataError: a path or match exists but is not a regular file.
    """
    if not is_glob(template):
        return [resolve_source_path(landing, template, logical_date)]
    pattern = fill_template(template, logical_date)
    relative_to_landing(Path(pattern), landing, shown_as=template)
    root = landing.resolve()
    matches: dict[str, Path] = {}
    for match in root.glob(pattern):
        if match.name.startswith(".") or match.is_dir():
            continue
        rel = relative_to_landing(match, landing, shown_as=match.relative_to(root).as_posix())
        try:
            mode = (root / rel).stat().st_mode
        except FileNotFoundError:  # removed since the glob listed it
            continue
        if not stat.S_ISREG(mode):  # a FIFO or device matched: refused, not silently skipped
            raise DataError(f"source path '{rel}' is {_kind(mode)}, not a regular file")
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
