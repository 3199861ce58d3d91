"""Per-consumer tokens: a product's token columns are re-keyed for the consumer they go to.

The shared zone's tokens (``k1:…``, :mod:`etl.protect.tokens`) join across every table of the
lake. A product must not let two consumers join their releases on person tokens, and a file that
leaks must name its consumer. So each token of a release is a keyed HMAC of the shared token
under a key derived from the pipeline's token key and the consumer's USCC::

    consumer secret = HMAC-SHA256(pipeline secret, "pubdata/product-consumer/v1" NUL uscc)
    consumer token  = "<key id>-<tag>:" + base32(HMAC-SHA256(consumer secret, shared token)[:20])

``<tag>`` is 8 base32 characters of a second keyed hash of the USCC: it tells consumers' files
apart without naming the consumer to anyone who lacks the key. The same consumer gets the same
tokens in every release (its releases join among themselves); another consumer's never match.
:func:`find_consumer` answers which consumer a leaked file was released to, by re-keying the
shared tokens for each candidate; the tag is not trusted (it may have been stripped).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.protect.keys import TokenKey
from etl.protect.tokens import tokenize

__all__ = ["ConsumerMatch", "consumer_key", "consumer_tag", "find_consumer", "rekey"]

_SECRET_LABEL = b"pubdata/product-consumer/v1\0"
_TAG_LABEL = b"pubdata/product-consumer-tag/v1\0"
#: Characters of the consumer tag in a consumer token's key id.
TAG_CHARS = 8
#: The longest key id a :class:`TokenKey` takes.
_KEY_ID_MAX = 32


def _mac(key: TokenKey, label: bytes, uscc: str) -> bytes:
    return hmac.new(key.secret, label + uscc.encode("ascii"), hashlib.sha256).digest()


def consumer_tag(key: TokenKey, uscc: str) -> str:
    """The consumer's tag: 8 lower-case base32 characters, keyed (it does not name the USCC)."""
    return base64.b32encode(_mac(key, _TAG_LABEL, uscc)[:5]).decode("ascii").lower()


def consumer_key(key: TokenKey, uscc: str) -> TokenKey:
    """The token key of one consumer, derived from the pipeline's key and the consumer's USCC.

    Args:
        key: the pipeline's token key (the shared zone's).
        uscc: the consumer's 统一社会信用代码.

    Returns:
        A key whose id is ``<pipeline key id>-<consumer tag>`` (the pipeline key's version
        stays visible for rotation) and whose secret only the pipeline can derive.
    """
    prefix = key.key_id[: _KEY_ID_MAX - TAG_CHARS - 1]
    return TokenKey(f"{prefix}-{consumer_tag(key, uscc)}", _mac(key, _SECRET_LABEL, uscc))


def rekey(tokens: Any, key: TokenKey, uscc: str) -> Any:
    """The consumer's tokens of shared-zone tokens; nulls stay null.

    Args:
        tokens: a string Array or ChunkedArray of shared-zone tokens.
        key: the pipeline's token key.
        uscc: the consumer's USCC.
    """
    return tokenize(tokens, "none", consumer_key(key, uscc))


def _body(token: str) -> str:
    return token.rpartition(":")[2]


@dataclass(frozen=True)
class ConsumerMatch:
    """How many of a leaked file's tokens one consumer's key produces.

    Attributes:
        uscc: the consumer.
        matched: leaked tokens that are this consumer's tokens of a shared token.
        checked: distinct leaked tokens compared.
    """

    uscc: str
    matched: int
    checked: int


def find_consumer(
    leaked: Iterable[str], shared_tokens: Any, consumers: Iterable[str], key: TokenKey
) -> list[ConsumerMatch]:
    """Which consumer a leaked file's tokens were released to, best match first.

    Args:
        leaked: the tokens found in the file (with or without their ``<key id>:`` prefix).
        shared_tokens: the shared-zone tokens they may derive from (the token columns of the
            products' source tables), a string Array or ChunkedArray.
        consumers: the candidate consumers' USCCs.
        key: the pipeline's token key.

    Returns:
        One entry per consumer with at least one match, most matches first.
    """
    bodies = {_body(t) for t in leaked if t}
    if isinstance(shared_tokens, pa.ChunkedArray):
        shared_tokens = shared_tokens.combine_chunks()
    shared = pc.unique(pc.drop_null(shared_tokens))
    found = []
    for uscc in dict.fromkeys(consumers):
        mine = {_body(t) for t in rekey(shared, key, uscc).to_pylist() if t is not None}
        matched = len(bodies & mine)
        if matched:
            found.append(ConsumerMatch(uscc, matched, len(bodies)))
    return sorted(found, key=lambda m: (-m.matched, m.uscc))
