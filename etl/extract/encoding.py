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
    if decodes(head, "gb18030"):
        return "gb18030"
    from charset_normalizer import from_bytes  # rare path: keep the import lazy

    best = from_bytes(head).best()
    if best is not None:
        guess = codecs.lookup(best.encoding).name
        logger.info("charset_normalizer guessed encoding %s", guess)
        return str(guess)
    return "gb18030"


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
