"""Sniffing text files: encoding, delimiter and binary content.

Encoding policy: a UTF-8 BOM gives ``utf-8-sig``; bytes that decode as UTF-8 give ``utf-8``;
otherwise bytes that decode as GB18030 give ``gb18030``. GB18030 is a strict superset of GBK and
GB2312, so a GBK file decodes to the same text with it, and the name reported (in the fingerprint)
is the codec actually used rather than a guess at which subset the sender had in mind. Only other
encodings (UTF-16/32 with a BOM, or text that is neither UTF-8 nor GB18030) fall back to BOM checks
and ``charset_normalizer``. Big5 text often decodes as GB18030 too: a Big5 source must declare its
encoding in the registry.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from etl.errors import DataError

logger = logging.getLogger(__name__)

#: How many leading bytes are sniffed for encoding, delimiter and binary content.
HEAD_BYTES = 64 * 1024

#: Delimiters tried, in order of preference when counts tie.
DELIMITERS = (",", "\t", ";", "|")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_MAGIC = (
    b"PK\x03\x04",  # zip (xlsx, docx, …)
    b"\xd0\xcf\x11\xe0",  # OLE2 (xls, doc)
    b"PAR1",  # parquet
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",  # jpeg
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
)


def _bom_encoding(head: bytes) -> str | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def decodes(head: bytes, encoding: str, *, final: bool = False) -> bool:
    """Whether ``head`` decodes strictly with ``encoding``.

    Args:
        head: leading bytes of a file.
        encoding: a Python codec name.
        final: True when ``head`` is the whole file; otherwise a multi-byte sequence cut off at
            the end of the sample is not an error.

    Returns:
        True if the bytes decode without error.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(head, final=final)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(head: bytes) -> str:
    """Pick the codec to read a text file with, from its leading bytes.

    Args:
        head: the first bytes of the file (``HEAD_BYTES`` is plenty).

    Returns:
        A Python codec name: ``utf-8-sig`` (UTF-8 with BOM), ``utf-8``, ``gb18030`` (also used for
        GBK/GB2312 content), ``utf-16``/``utf-32`` (with a BOM), or ``charset_normalizer``'s best
        guess. When nothing fits, ``gb18030`` is returned and reading fails with a DataError
        naming the file.
    """
    bom = _bom_encoding(head)
    if bom is not None:
        return bom
    if decodes(head, "utf-8"):
        return "utf-8"
    if _utf8_share(head):
        # UTF-8 text with broken bytes: read as UTF-8, the read refuses it naming the byte,
        # rather than a guess that would decode its text into other characters.
        return "utf-8"
    if decodes(head, "gb18030"):
        return "gb18030"
    from charset_normalizer import from_bytes  # rare path: keep the import lazy

    best = from_bytes(head).best()
    if best is not None:
        guess = codecs.lookup(best.encoding).name
        logger.info("charset_normalizer guessed encoding %s", guess)
        return str(guess)
    return "gb18030"


#: Bytes read per step when looking for where a file stops being UTF-8.
_STEP_BYTES = 1024 * 1024
_NON_ASCII = re.compile(rb"[\x80-\xff]")


@dataclass(frozen=True)
class Utf8Break:
    """Where a file that is not UTF-8 throughout first stops being UTF-8.

    Attributes:
        offset: 0-based byte offset of the first byte that is not part of a UTF-8 character.
        line: the 1-based line that byte is on.
        utf8_text: whether the file's non-ASCII text is mostly valid UTF-8 (a UTF-8 file with
            broken bytes) rather than mostly not (text in another encoding, such as GBK).
    """

    offset: int
    line: int
    utf8_text: bool


def _utf8_share(sample: bytes) -> bool:
    """Whether most non-ASCII characters of ``sample`` decode as UTF-8.

    GBK text decoded as UTF-8 gives a replacement character for nearly every character (its
    byte pairs are rarely valid UTF-8); UTF-8 text with a few broken bytes gives mostly real
    characters.
    """
    text = sample.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid = sum(1 for char in text if char > "\x7f") - broken
    return valid > broken


def utf8_break(path: Path) -> Utf8Break | None:
    """Find the first byte of ``path`` that is not part of a UTF-8 character.

    Read in steps until that byte (the whole file when it is UTF-8), so it is cheap for a file
    in another encoding (the break is at its first non-ASCII character) and only as costly as
    the file for a UTF-8 file broken near its end.

    Args:
        path: the file.

    Returns:
        None when the whole file is UTF-8; else where it breaks and what its text looks like.
    """
    base = 0  # file offset of ``carry[0]``
    lines = 1
    carry = b""
    first_non_ascii: int | None = None
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_STEP_BYTES)
            data = carry + chunk
            if first_non_ascii is None and (found := _NON_ASCII.search(data)):
                first_non_ascii = base + found.start()
            try:
                _, used = codecs.utf_8_decode(data, "strict", not chunk)
            except UnicodeDecodeError as exc:
                offset = base + exc.start
                handle.seek(first_non_ascii if first_non_ascii is not None else offset)
                sample = handle.read(HEAD_BYTES)
                line = lines + data.count(b"\n", 0, exc.start)
                return Utf8Break(offset, line, _utf8_share(sample))
            if not chunk:
                return None
            lines += data.count(b"\n", 0, used)
            carry = data[used:]
            base += used


def settle_utf8(path: Path, rel: str, head: bytes, *, declared: bool) -> str:
    """The codec for a file whose head is UTF-8 but whose bytes are not UTF-8 throughout.

    A head that is UTF-8 (often pure ASCII) followed by text that is mostly not UTF-8 is GBK
    or GB18030 text: it is read as ``gb18030``. A file whose text is mostly UTF-8 but has bytes
    that are not is refused with the first such byte, rather than read in a codec that would
    turn its UTF-8 text into other characters without an error.

    Args:
        path: the file.
        rel: its relative path, for messages.
        head: its first bytes.
        declared: whether the registry declared UTF-8 (then nothing else is tried).

    Returns:
        ``gb18030`` when the file is GBK text after a UTF-8 head, else the UTF-8 codec
        (the file is UTF-8 after all).

    Raises:
        DataError: UTF-8 text with bytes that are not UTF-8, naming the byte offset and line.
    """
    codec = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    broken = utf8_break(path)
    if broken is None:
        return codec
    if not declared and not broken.utf8_text and decodes(head, "gb18030"):
        logger.info("%s is not UTF-8 past its first %d bytes; reading as gb18030", rel, len(head))
        return "gb18030"
    raise DataError(
        f"{rel} is not valid UTF-8: byte {broken.offset:,} (line {broken.line:,}) is not part"
        " of a UTF-8 character; nothing was read (re-export the file in one encoding)"
    )


def looks_binary(head: bytes) -> bool:
    """Whether the leading bytes belong to a binary file rather than text.

    Args:
        head: the first bytes of the file.

    Returns:
        True for known binary signatures (zip/xlsx, xls, parquet, pdf, images, archives) or NUL
        bytes in text that has no UTF-16/32 BOM.
    """
    if head.startswith(_BINARY_MAGIC):
        return True
    bom = _bom_encoding(head)
    return bom not in ("utf-16", "utf-32") and b"\x00" in head


def detect_delimiter(header_line: str) -> str:
    """Pick the delimiter that occurs most often (outside quotes) in a header line.

    Args:
        header_line: the first line of a CSV file, decoded.

    Returns:
        One of comma, tab, semicolon or pipe; ``,`` when none occurs (a one-column file).
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def canonical_codec(encoding: str) -> str:
    """Return Python's canonical name for a codec (``UTF8`` -> ``utf-8``, ``GBK`` -> ``gbk``).

    Raises:
        LookupError: the codec is unknown.
    """
    return str(codecs.lookup(encoding).name)


_MAGIC_NAMES = (
    (b"PAR1", "a Parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
)


def describe_content(head: bytes) -> str | None:
    """Say what a file that failed to open looks like, for a clearer error.

    Args:
        head: the first bytes of the file.

    Returns:
        ``an HTML page`` (web systems often export ``.xls`` that way), ``JSON text``,
        ``delimited text``, a known binary kind, or None when it cannot tell (zip and OLE2
        containers, which are what workbooks are, are not named).
    """
    for magic, name in _MAGIC_NAMES:
        if head.startswith(magic):
            return name
    if looks_binary(head):
        return None
    encoding = detect_encoding(head)
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n").lower()
    if text.startswith(("<!doctype html", "<html", "<table", "<?xml")) or "<table" in text[:2048]:
        return "an HTML page" if "<?xml" not in text[:6] else "an XML document"
    if text.startswith(("{", "[")):
        return "JSON text"
    return "delimited text" if text else None
