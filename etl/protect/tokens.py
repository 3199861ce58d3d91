"""Keyed HMAC-SHA256 tokens for join keys: ``<key_id>:`` + base32 of the first 20 digest bytes.

Unkeyed hashes of ID or phone numbers are reversible by enumeration and are never used.

The vectorized path composes HMAC in DuckDB from ``sha256`` over BLOBs:
``HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m))`` with the two padded keys passed as query
parameters (never in SQL text); base32 is done with numpy. :func:`tokenize_one` is the reference
implementation with Python's :mod:`hmac`; the tests hold the two equal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.detectors.base import as_strings
from etl.protect.canonical import canonical, canonical_one
from etl.protect.keys import TokenKey

#: Digest bytes kept: 160 bits, 32 base32 characters.
TOKEN_BYTES = 20
#: Arrays at least this long use DuckDB under ``engine="auto"``; shorter ones the Python loop
#: (about 1M values/s on one core; DuckDB runs on every core, ~1.5M values/s on two).
DUCKDB_MIN_VALUES = 2048

_BLOCK = 64  # SHA-256 block size
_ALPHABET = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)
_SQL = (
    "SELECT unhex(left(sha256($outer_key || unhex(sha256($inner_key || encode(v)))), "
    f"{TOKEN_BYTES * 2})) AS h FROM canonical_values"
)


def _padded_keys(key: TokenKey) -> tuple[bytes, bytes]:
    secret = key.secret
    if len(secret) > _BLOCK:
        secret = hashlib.sha256(secret).digest()
    secret = secret.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in secret), bytes(b ^ 0x5C for b in secret)


def _encode(digest: bytes, key: TokenKey) -> str:
    return f"{key.key_id}:" + base64.b32encode(digest[:TOKEN_BYTES]).decode("ascii").lower()


def tokenize_one(value: str, category: str, key: TokenKey) -> str:
    """Reference token of one value (Python :mod:`hmac`).

    Args:
        value: the raw value.
        category: category id of its column (selects the canonical form).
        key: the token key.

    Returns:
        ``<key_id>:<32 lowercase base32 characters>``.

    Raises:
        ValueError: if the value's canonical form is empty.
    """
    form = canonical_one(value, category)
    if form is None:
        raise ValueError("nothing to tokenize: the value is empty")
    return _encode(hmac.new(key.secret, form.encode("utf-8"), hashlib.sha256).digest(), key)


def tokenize(values: Any, category: str, key: TokenKey, *, engine: str = "auto") -> Any:
    """Tokens of every value; nulls (and values with an empty canonical form) stay null.

    Args:
        values: pyarrow Array or ChunkedArray (cast to string).
        category: category id of the column (selects the canonical form).
        key: the token key.
        engine: ``"duckdb"`` (vectorized), ``"python"`` (hmac loop) or ``"auto"``.

    Returns:
        A ``pa.string()`` Array, or ChunkedArray if a ChunkedArray was given.

    Raises:
        ValueError: on an unknown engine.
    """
    if engine not in ("auto", "duckdb", "python"):
        raise ValueError(f"unknown tokenize engine {engine!r}")
    if isinstance(values, pa.ChunkedArray):
        # One pass over the whole column (a CSV read yields many small chunks), then the
        # result is cut back into the input's chunk boundaries (zero-copy slices).
        whole = tokenize(as_strings(values), category, key, engine=engine)
        bounds = itertools.pairwise(np.cumsum([0, *(len(c) for c in values.chunks)]))
        chunks = [whole.slice(a, b - a) for a, b in bounds]
        return pa.chunked_array(chunks, pa.string())
    forms = canonical(as_strings(values), category)
    if forms.null_count > len(forms) // 2:
        # A mostly empty column (remarks, optional fields): hash only the values there are and
        # put the tokens back in place; nulls stay null.
        valid = pc.is_valid(forms)
        tokens = _tokens(forms.filter(valid), key, engine)
        positions = pa.array(np.cumsum(valid.to_numpy(zero_copy_only=False)) - 1, pa.int64())
        return tokens.take(pc.if_else(valid, positions, pa.scalar(None, pa.int64())))
    return _tokens(forms, key, engine)


def _tokens(forms: Any, key: TokenKey, engine: str) -> Any:
    if engine == "python" or (engine == "auto" and len(forms) < DUCKDB_MIN_VALUES):
        return _tokens_python(forms, key)
    return _tokens_duckdb(forms, key)


def _tokens_python(forms: Any, key: TokenKey) -> Any:
    """HMAC with Python's hashlib from precomputed inner/outer states; base32 in numpy."""
    inner_key, outer_key = _padded_keys(key)
    inner, outer = hashlib.sha256(inner_key), hashlib.sha256(outer_key)
    digests: list[bytes] = []
    blank = b"\0" * TOKEN_BYTES
    for form in forms.to_pylist():
        if form is None:
            digests.append(blank)
            continue
        h_in = inner.copy()
        h_in.update(form.encode("utf-8"))
        h_out = outer.copy()
        h_out.update(h_in.digest())
        digests.append(h_out.digest()[:TOKEN_BYTES])
    fixed = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(TOKEN_BYTES), len(digests), [None, pa.py_buffer(b"".join(digests))]
    )
    dense = _base32_with_prefix(fixed, f"{key.key_id}:".encode("ascii"))
    return pc.if_else(forms.is_valid(), dense, pa.scalar(None, pa.string()))


def _tokens_duckdb(forms: Any, key: TokenKey) -> Any:
    inner_key, outer_key = _padded_keys(key)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET preserve_insertion_order = true")
        con.register("canonical_values", pa.table({"v": forms}))
        params = {"inner_key": inner_key, "outer_key": outer_key}
        digests = con.sql(_SQL, params=params).to_arrow_table().column("h").combine_chunks()
    finally:
        con.close()
    if len(digests) != len(forms):  # pragma: no cover - DuckDB contract
        raise RuntimeError("DuckDB returned a different number of digests")
    fixed = pc.cast(pc.if_else(digests.is_valid(), digests, b"\0" * TOKEN_BYTES), pa.binary(20))
    dense = _base32_with_prefix(fixed, f"{key.key_id}:".encode("ascii"))
    return pc.if_else(forms.is_valid(), dense, pa.scalar(None, pa.string()))


def _base32_with_prefix(fixed: Any, prefix: bytes) -> Any:
    """Lower-case base32 (no padding) of each 20-byte value, behind ``prefix``, as strings."""
    n = len(fixed)
    raw = np.frombuffer(fixed.buffers()[1], dtype=np.uint8)
    groups = raw[fixed.offset * TOKEN_BYTES : (fixed.offset + n) * TOKEN_BYTES].reshape(n, 4, 5)
    b0, b1, b2, b3, b4 = (groups[..., i] for i in range(5))
    width = len(prefix) + 32
    out = np.empty((n, width), dtype=np.uint8)
    out[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    chars = out[:, len(prefix) :].reshape(n, 4, 8)
    fives = (
        b0 >> 3,
        ((b0 & 7) << 2) | (b1 >> 6),
        (b1 >> 1) & 31,
        ((b1 & 1) << 4) | (b2 >> 4),
        ((b2 & 15) << 1) | (b3 >> 7),
        (b3 >> 2) & 31,
        ((b3 & 3) << 3) | (b4 >> 5),
        b4 & 31,
    )
    for i, five in enumerate(fives):
        chars[..., i] = _ALPHABET[five]
    offsets = np.arange(n + 1, dtype=np.int64) * width
    if offsets[-1] > np.iinfo(np.int32).max:
        raise ValueError("too many values for one string array; tokenize a chunked array")
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(out.tobytes())
    )
