"""Keyed HMAC-SHA256 tokens for join keys: ``<key_id>:`` + base32 of the first 20 digest bytes.

Unkeyed hashes of ID or phone numbers are reversible by enumeration and are never used.

``HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m))`` is computed three ways, with the same
output: one C loop over the Arrow buffers (:mod:`etl.protect._hmac`, OpenSSL's SHA-256 from
the precomputed inner and outer states, ~0.10 µs per value, the GIL released), compiled when
the project is installed; where no compiler was there, a hashlib loop with the same states
(~0.75 µs per value, holding the GIL); and DuckDB SQL composed from ``sha256`` over BLOBs, the
two padded keys passed as query parameters, never in SQL text. Base32 is done with numpy.
:func:`tokenize_one` is the reference implementation with Python's :mod:`hmac`; the tests hold
all of them equal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import threading
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.canonical import canonical, canonical_one
from etl.forked import ForkedPool
from etl.protect.keys import TokenKey
from etl.text.strings import as_strings

_native: Callable[[bytes, bytes, Any, Any, int, int, int], bytes] | None
try:
    from etl.protect._hmac import digests as _native
except ImportError:  # pragma: no cover - installed where no C compiler was
    _native = None

#: The C loop was built: tokens release the GIL and need no worker processes.
NATIVE = _native is not None

#: Digest bytes kept: 160 bits, 32 base32 characters.
TOKEN_BYTES = 20
#: Without the C loop, arrays at least this long use DuckDB under ``engine="auto"``; shorter
#: ones the hashlib loop.
#: Measured on 2 cores: the loop hashes ~1.15M values/s on one core; DuckDB needs ~1.2 µs of
#: CPU per value and splits a query across cores only past one morsel (122,880 rows), so it
#: is only faster on arrays long enough to keep every core busy. Pipeline batches (100k rows)
#: use the loop, which leaves the other core to the Parquet writers.
DUCKDB_MIN_VALUES = 1_000_000

#: Arrays shorter than this are hashed in the calling process even when workers are given
#: (a round trip through a pipe costs more than hashing a few thousand values).
WORKER_MIN_VALUES = 4096

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


def tokenize(
    values: Any,
    category: str,
    key: TokenKey,
    *,
    engine: str = "auto",
    workers: ForkedPool | None = None,
) -> Any:
    """Tokens of every value; nulls (and values with an empty canonical form) stay null.

    Args:
        values: pyarrow Array or ChunkedArray (cast to string).
        category: category id of the column (selects the canonical form).
        key: the token key.
        engine: ``"native"`` (the C loop), ``"duckdb"`` (SQL), ``"python"`` (hashlib loop) or
            ``"auto"`` (the C loop where it was built).
        workers: forked processes the hashlib loop runs in (it holds the GIL: in a worker it
            leaves this process free for masks and Parquet writes); None runs it here. The C
            loop releases the GIL and always runs here.

    Returns:
        A ``pa.string()`` Array, or ChunkedArray if a ChunkedArray was given.

    Raises:
        ValueError: on an unknown engine, or ``"native"`` where the C loop was not built.
    """
    if engine not in ("auto", "native", "duckdb", "python"):
        raise ValueError(f"unknown tokenize engine {engine!r}")
    if engine == "native" and not NATIVE:
        raise ValueError("the C token loop was not built at install (see hatch_build.py)")
    if isinstance(values, pa.ChunkedArray):
        # One pass over the whole column (a CSV read yields many small chunks), then the
        # result is cut back into the input's chunk boundaries (zero-copy slices).
        whole = tokenize(as_strings(values), category, key, engine=engine, workers=workers)
        bounds = itertools.pairwise(np.cumsum([0, *(len(c) for c in values.chunks)]))
        chunks = [whole.slice(a, b - a) for a, b in bounds]
        return pa.chunked_array(chunks, pa.string())
    forms = canonical(as_strings(values), category)
    if forms.null_count > len(forms) // 2:
        # A mostly empty column (remarks, optional fields): hash only the values there are and
        # put the tokens back in place; nulls stay null.
        valid = pc.is_valid(forms)
        tokens = _tokens(forms.filter(valid), key, engine, workers)
        positions = pa.array(np.cumsum(valid.to_numpy(zero_copy_only=False)) - 1, pa.int64())
        return tokens.take(pc.if_else(valid, positions, pa.scalar(None, pa.int64())))
    return _tokens(forms, key, engine, workers)


def _tokens(forms: Any, key: TokenKey, engine: str, workers: ForkedPool | None = None) -> Any:
    if engine == "native" or (engine == "auto" and NATIVE):
        return _tokens_native(forms, key)
    if engine == "python" or (engine == "auto" and len(forms) < DUCKDB_MIN_VALUES):
        if workers is not None and len(forms) >= WORKER_MIN_VALUES:
            return workers.submit(_tokens_python, forms, key).result()
        return _tokens_python(forms, key)
    return _tokens_duckdb(forms, key)


def _tokens_native(forms: Any, key: TokenKey) -> Any:
    """HMAC in one C call over the array's offsets and data buffers; base32 in numpy."""
    assert _native is not None
    inner_key, outer_key = _padded_keys(key)
    if forms.type != pa.string():  # int32 offsets
        forms = forms.cast(pa.string())
    n = len(forms)
    if n == 0:
        return pa.array([], pa.string())
    _, offsets, data = forms.buffers()
    digests = _native(inner_key, outer_key, offsets, data or b"", forms.offset, n, TOKEN_BYTES)
    fixed = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(TOKEN_BYTES), n, [None, pa.py_buffer(digests)]
    )
    return _tokens_of(fixed, forms, key)


def _tokens_python(forms: Any, key: TokenKey) -> Any:
    """HMAC with Python's hashlib from precomputed inner/outer states; base32 in numpy.

    The values are taken as bytes (no per-value encode) and the digests are cut to
    :data:`TOKEN_BYTES` in numpy: ~0.85 µs per value, less CPU than DuckDB's ~1.2 µs.
    """
    inner_key, outer_key = _padded_keys(key)
    inner, outer = hashlib.sha256(inner_key), hashlib.sha256(outer_key)
    fresh_inner, fresh_outer = inner.copy, outer.copy
    digests: list[bytes] = []
    append = digests.append
    blank = b"\0" * 32
    for form in forms.cast(pa.binary()).to_pylist():
        if form is None:
            append(blank)
            continue
        h_in = fresh_inner()
        h_in.update(form)
        h_out = fresh_outer()
        h_out.update(h_in.digest())
        append(h_out.digest())
    full = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(len(digests), 32)
    cut = np.ascontiguousarray(full[:, :TOKEN_BYTES])
    fixed = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(TOKEN_BYTES), len(digests), [None, pa.py_buffer(cut.tobytes())]
    )
    return _tokens_of(fixed, forms, key)


_LOCAL = threading.local()


def _connection() -> Any:
    """This thread's in-memory DuckDB connection (opening one costs ~15 ms; batches reuse it).

    It holds no data between calls and closes when its thread ends.
    """
    con = getattr(_LOCAL, "con", None)
    if con is None:
        con = duckdb.connect(":memory:")
        con.execute("SET preserve_insertion_order = true")
        _LOCAL.con = con
    return con


def _tokens_duckdb(forms: Any, key: TokenKey) -> Any:
    inner_key, outer_key = _padded_keys(key)
    con = _connection()
    con.register("canonical_values", pa.table({"v": forms}))
    try:
        params = {"inner_key": inner_key, "outer_key": outer_key}
        digests = con.sql(_SQL, params=params).to_arrow_table().column("h").combine_chunks()
    finally:
        con.unregister("canonical_values")
    if len(digests) != len(forms):  # pragma: no cover - DuckDB contract
        raise RuntimeError("DuckDB returned a different number of digests")
    fixed = pc.cast(pc.if_else(digests.is_valid(), digests, b"\0" * TOKEN_BYTES), pa.binary(20))
    return _tokens_of(fixed, forms, key)


def _tokens_of(fixed: Any, forms: Any, key: TokenKey) -> Any:
    """The tokens of 20-byte digests (one per form, whichever engine made them); nulls stay null."""
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
