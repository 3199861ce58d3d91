"""The fingerprint of a source file: where it came from, what it hashed to, how it was read."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

#: Chunk size for streaming a file through SHA-256.
HASH_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class SourceFingerprint:
    """What was read for a run: enough to recognise the same file again and to trace rows to it.

    Attributes:
        uri: ``file://`` URI of the resolved (absolute, symlink-free) source file.
        relative_path: the file's path relative to the landing root, with ``/`` separators.
        sha256: hex SHA-256 of the raw bytes of the file.
        bytes: size of the file in bytes.
        encoding: the codec the text was decoded with (CSV, JSON, JSONL); None for binary formats.
        format: the registry's source format (``csv``, ``excel``, ``json``, ``jsonl``, ``parquet``),
            ``sql`` for a query result, ``json`` for an HTTP page.
        rows: number of data rows read (header excluded).
        kind: the source kind (``file``, ``sql``, ``http``). For ``sql`` and ``http``,
            ``relative_path`` is a locator without credentials (``<conn_id>:<table>``,
            ``<conn_id>:<endpoint>?<query>``) and ``sha256`` hashes the content read.
    """

    uri: str
    relative_path: str
    sha256: str
    bytes: int
    encoding: str | None
    format: str
    rows: int
    kind: str = "file"

    def to_dict(self) -> dict[str, object]:
        """Return the fingerprint as a plain, JSON-serialisable dict (for XCom and lineage)."""
        return dataclasses.asdict(self)


def hash_file(path: Path) -> tuple[str, int]:
    """Stream ``path`` through SHA-256 in 1 MiB chunks.

    Args:
        path: the file to hash.

    Returns:
        The hex digest and the number of bytes read.
    """
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
