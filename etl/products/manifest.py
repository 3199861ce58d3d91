"""The record of one release: what ``manifest.json`` says and what ``release()`` returns.

The manifest sits beside the release's Parquet files and says, without a data value: the
product and its consumer, the release id and when it was made, each file with its row count and
sha256, the Delta version of every source table read, k, the number of aggregate cells
suppressed, and every gate check's outcome.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from etl.errors import ConfigError
from etl.products.gate import GateCheck

__all__ = ["MANIFEST_FILE", "Release", "ReleasedFile", "SourceVersion", "file_sha256"]

#: The manifest's file name inside a release folder.
MANIFEST_FILE = "manifest.json"
#: The manifest format's version.
MANIFEST_VERSION = 1


def file_sha256(path: Path) -> str:
    """The sha256 of a file, in hex (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ReleasedFile:
    """One Parquet file of a release.

    Attributes:
        name: its file name in the release folder (``<source name>.parquet``).
        source: the source table it was made from.
        rows: its row count.
        sha256: its checksum.
        bytes: its size.
    """

    name: str
    source: str
    rows: int
    sha256: str
    bytes: int


@dataclass(frozen=True)
class SourceVersion:
    """One source table read, at the Delta version read.

    Attributes:
        source: its name in the release.
        zone: ``shared`` or ``open``.
        uri: the Delta table.
        version: the Delta version read.
    """

    source: str
    zone: str
    uri: str
    version: int


@dataclass(frozen=True)
class Release:
    """One release of a product (``release()``'s result; ``manifest.json`` holds the same).

    Attributes:
        release_id: ``<product id>-<YYYY-MM-DD>``: one release per product and day.
        product: the product id.
        consumer_uscc: the consumer's 统一社会信用代码.
        consumer_name: the consumer's name.
        logical_date: the day released for.
        created_at: when the release was written (UTC).
        path: the release folder (``<destination>/<release id>``).
        files: the Parquet files.
        sources: the source tables read and their versions.
        k: the product's k.
        suppressed_cells: aggregate cells left out because they counted fewer than k rows.
        gate: every gate check, in the order made.
        reused: the release existed already (a repeated call for the same day returns it).
    """

    release_id: str
    product: str
    consumer_uscc: str
    consumer_name: str
    logical_date: date
    created_at: datetime
    path: Path
    files: tuple[ReleasedFile, ...]
    sources: tuple[SourceVersion, ...]
    k: int
    suppressed_cells: int
    gate: tuple[GateCheck, ...]
    reused: bool = False

    @property
    def rows(self) -> int:
        """Rows over every file."""
        return sum(f.rows for f in self.files)

    @property
    def manifest_path(self) -> Path:
        """The release's ``manifest.json``."""
        return self.path / MANIFEST_FILE

    def manifest(self) -> dict[str, Any]:
        """The manifest's content (JSON-safe, no data value)."""
        return {
            "manifest_version": MANIFEST_VERSION,
            "release_id": self.release_id,
            "product": self.product,
            "consumer": {"name": self.consumer_name, "uscc": self.consumer_uscc},
            "logical_date": self.logical_date.isoformat(),
            "created_at": self.created_at.isoformat(),
            "files": [vars(f) for f in self.files],
            "sources": [vars(s) for s in self.sources],
            "k": self.k,
            "suppressed_cells": self.suppressed_cells,
            "gate": [c.to_dict() for c in self.gate],
        }

    def manifest_text(self) -> str:
        """The manifest as written (stable key order, final newline)."""
        return json.dumps(self.manifest(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_manifest(cls, path: Path) -> Release:
        """Read a release back from its folder's ``manifest.json``.

        Raises:
            ConfigError: the manifest is missing or malformed (the message names the file).
        """
        file = path / MANIFEST_FILE
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            return cls(
                release_id=str(data["release_id"]),
                product=str(data["product"]),
                consumer_uscc=str(data["consumer"]["uscc"]),
                consumer_name=str(data["consumer"]["name"]),
                logical_date=date.fromisoformat(data["logical_date"]),
                created_at=datetime.fromisoformat(data["created_at"]),
                path=path,
                files=tuple(ReleasedFile(**f) for f in data["files"]),
                sources=tuple(SourceVersion(**s) for s in data["sources"]),
                k=int(data["k"]),
                suppressed_cells=int(data["suppressed_cells"]),
                gate=tuple(GateCheck(**c) for c in data["gate"]),
                reused=True,
            )
        except (OSError, ValueError, KeyError, TypeError):
            raise ConfigError(f"release manifest {file} is missing or malformed") from None
