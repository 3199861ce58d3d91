"""One pass over a delivered file's bytes: its SHA-256 and what the streaming reader needs to know.

Reading a large delivery is the expensive part of a run, so the bytes are read once before any
row is parsed and everything that needs every byte is learnt then:

* the SHA-256 (duplicate deliveries are recognised before a row is read);
* whether the whole file is valid UTF-8 (a head that decodes as UTF-8 does not make the file
  UTF-8, and a streaming read cannot switch codecs half way), checked with Arrow's validator;
* the line ends, so that a ragged record's number can be taken for its line number when the
  file has one line per record.
"""

from __future__ import annotations

import hashlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

#: Bytes read per step: large enough that the per-chunk work is negligible.
SCAN_CHUNK_BYTES = 8 * 1024 * 1024
_CONTINUATION = 0x80  # 10xxxxxx
_LEAD = 0xC0  # 11xxxxxx
#: Chunks being checked at once, at most (memory: this many chunks).
_AHEAD = 4


@dataclass(frozen=True)
class FileScan:
    """What one pass over a file's bytes found.

    Attributes:
        sha256: hex SHA-256 of the bytes.
        size: bytes read.
        utf8: whether the bytes are valid UTF-8 throughout.
        lines: physical lines (a last line without a line end counts).
        bare_cr: whether a carriage return ends a line on its own (old Mac line ends).
    """

    sha256: str
    size: int
    utf8: bool
    lines: int
    bare_cr: bool


def _complete(data: bytes) -> int:
    """Where the last character of ``data`` starts if it is cut short, else ``len(data)``."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & _LEAD == _CONTINUATION:
            continue
        if byte >= _LEAD:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) - back if need > back else len(data)
        return len(data)
    return len(data)


def _valid_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32).tobytes())
    array = pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


@dataclass(frozen=True)
class _Facts:
    newlines: int
    carriage: int
    crlf: int
    utf8: bool


def _facts(chunk: bytes, text: bytes | None) -> _Facts:
    """Line ends of ``chunk`` and whether ``text`` (its complete characters) is UTF-8.

    numpy's comparisons and Arrow's validator release the GIL: chunks are looked at on two
    threads while the next ones are read and hashed.
    """
    raw = np.frombuffer(chunk, dtype=np.uint8)
    newlines = int(np.count_nonzero(raw == 0x0A))
    carriage = int(np.count_nonzero(raw == 0x0D)) if b"\r" in chunk else 0  # memchr: no pass
    crlf = chunk.count(b"\r\n") if carriage else 0
    return _Facts(newlines, carriage, crlf, text is None or _valid_utf8(text))


def scan_file(path: Path) -> FileScan:
    """Read ``path`` once: hash it, check UTF-8 and count its line ends.

    The digest is fed in order on one thread (hashlib releases the GIL on large buffers) while
    the chunks are checked and counted on two others, a few chunks ahead at most.

    Args:
        path: the file.

    Returns:
        The scan.
    """
    digest = hashlib.sha256()
    size = newlines = carriage = crlf = 0
    utf8 = True
    carry = b""
    last = b""
    hashing: Future[None] | None = None
    window: deque[Future[_Facts]] = deque()

    def add(facts: _Facts) -> None:
        nonlocal newlines, carriage, crlf, utf8
        newlines += facts.newlines
        carriage += facts.carriage
        crlf += facts.crlf
        utf8 = utf8 and facts.utf8

    with (
        path.open("rb") as handle,
        ThreadPoolExecutor(max_workers=1) as hasher,
        ThreadPoolExecutor(max_workers=2) as checkers,
    ):
        while chunk := handle.read(SCAN_CHUNK_BYTES):
            if hashing is not None:
                hashing.result()  # chunks go into the digest in order
            hashing = hasher.submit(digest.update, chunk)
            size += len(chunk)
            crlf += last.endswith(b"\r") and chunk.startswith(b"\n")  # split across chunks
            text: bytes | None = None
            if utf8:
                text = carry + chunk if carry else chunk
                cut = _complete(text)
                carry = text[cut:]
                text = text[:cut] if cut < len(text) else text
            window.append(checkers.submit(_facts, chunk, text))
            while len(window) > _AHEAD:
                add(window.popleft().result())
            last = chunk
        while window:
            add(window.popleft().result())
        if hashing is not None:
            hashing.result()
    if carry:
        utf8 = False  # the file ends inside a character
    lines = newlines + (0 if not last or last.endswith(b"\n") else 1)
    return FileScan(digest.hexdigest(), size, utf8, lines, carriage != crlf)
