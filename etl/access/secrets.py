"""Secrets of named principals: stored as salted PBKDF2 hashes, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_ALGORITHM = "pbkdf2_sha256"
#: Iterations of PBKDF2-SHA256 (OWASP's 2023 figure); a check costs about 0.3 s on this machine's
#: cores, paid once per command.
ITERATIONS = 600_000


def hash_secret(secret: str, *, iterations: int = ITERATIONS) -> str:
    """The string an access file stores for ``secret``: ``pbkdf2_sha256$<n>$<salt>$<hash>``."""
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, iterations)
    parts = (_ALGORITHM, str(iterations), _b64(salt), _b64(digest))
    return "$".join(parts)


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` is the one ``stored`` was made from (False for a malformed hash)."""
    try:
        algorithm, rounds, salt, digest = stored.split("$")
        iterations = int(rounds)
        expected = base64.b64decode(digest + "=" * (-len(digest) % 4), altchars=b"-_")
        salt_bytes = base64.b64decode(salt + "=" * (-len(salt) % 4), altchars=b"-_")
    except ValueError:
        return False
    if algorithm != _ALGORITHM or iterations < 1:
        return False
    actual = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt_bytes, iterations)
    return hmac.compare_digest(actual, expected)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw, altchars=b"-_").decode().rstrip("=")
