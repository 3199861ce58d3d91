"""人脸/指纹/照片 (biometric): images and feature vectors.

- binary values starting with an image or biometric-template magic number (JPEG, PNG, GIF, BMP,
  WebP, WSQ fingerprint, ISO/IEC 19794 ``FMR``/``FIR``/``FAC`` records);
- text: base64 of those images (``/9j/``, ``iVBORw0KGgo`` ...), ``data:image/`` URIs, hex dumps;
- fixed-length float vectors (face or voice embeddings): 64 or more numbers.

Strongly structured and L4, so it is accepted on content alone: a column of photographs of
people is biometric data whatever its name (fail closed).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.text.strings import regex_mask, strip

#: Magic numbers by length.
MAGIC: dict[int, tuple[bytes, ...]] = {
    2: (b"BM", b"\xff\xa0"),
    3: (b"\xff\xd8\xff",),
    4: (b"\x89PNG", b"GIF8", b"RIFF", b"FMR\x00", b"FIR\x00", b"FAC\x00"),
}
#: Text forms: base64 of the magic numbers, data URIs, hex dumps.
RE_IMAGE_TEXT = (
    r"^(?:data:image/[a-z+]+;base64,|/9j/|iVBORw0KGgo|R0lGOD|Qk[0-9A-Za-z+/]|UklGR"
    r"|Rk1SA|RklSA|RkFDA|(?i:ffd8ff|89504e47))"
)
#: Shortest text that can hold an image.
MIN_IMAGE_TEXT = 64
_FLOAT = r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
RE_VECTOR = rf"^\[?\s*{_FLOAT}(?:\s*[,;\s]\s*{_FLOAT}){{63,}}\s*\]?$"


def _binary_magic(values: Any) -> Any:
    out = pa.array([False] * len(values), pa.bool_())
    for size, magics in MAGIC.items():
        head = pc.binary_slice(values, 0, size)
        hit = pc.is_in(head, value_set=pa.array(magics, pa.binary()))
        out = pc.or_(out, pc.fill_null(hit, False))
    return out


def check_biometric(values: Any) -> Any:
    """Mask of values that are images, biometric templates or float feature vectors.

    Args:
        values: string or binary array.

    Returns:
        Boolean array, null → False.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    if pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type):
        return _binary_magic(values)
    text = strip(values)
    long_enough = pc.fill_null(pc.greater_equal(pc.utf8_length(text), MIN_IMAGE_TEXT), False)
    image = pc.and_(long_enough, regex_mask(text, RE_IMAGE_TEXT))
    return pc.or_(image, regex_mask(text, RE_VECTOR))
