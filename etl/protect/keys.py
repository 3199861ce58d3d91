"""The HMAC token key, and how it is rotated.

Where the key comes from, first match wins (:func:`load_token_key`):

1. a key handed in by the caller: in DAG runs the DAG reads it from the secrets backend (an
   Airflow connection or variable holding ``<key_id>:<base64 secret>``) and passes the
   :class:`TokenKey` or that string — ``etl`` never imports Airflow;
2. ``PUBDATA_TOKEN_KEY`` (``<key_id>:<base64 secret>``), for local runs and tests;
3. the local key file ``PUBDATA_HOME/keys/token.key``, created once with mode 0600.

The secret never appears in ``repr``, logs, error messages, XCom, lineage or Parquet metadata.

Rotation. Every token starts with its key id (``k1:…``), so tokens of different key versions
never collide and a reader can tell which key produced a value. To rotate:

1. create a new key with a new, never reused id (``k2``) in the secrets backend, and keep ``k1``;
2. point the DAGs at ``k2``: new runs publish ``k2:`` tokens;
3. re-run the logical dates whose shared partitions must join with new data: the restricted
   zone keeps the raw values, so each re-run replaces that date's ``k1:`` tokens with ``k2:``
   tokens (a re-run replaces a date, it never duplicates it);
4. once no shared partition carries ``k1:`` tokens, delete ``k1``. Until then, joins across
   key versions do not match (by design: a token reveals nothing without its key).

A compromised key is rotated the same way, at once, and its id is never used again.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from etl.errors import ConfigError

log = logging.getLogger(__name__)

#: Key id of a key created locally.
LOCAL_KEY_ID = "k1"
#: Bytes of a new secret.
SECRET_BYTES = 32
#: Shortest secret accepted.
MIN_SECRET_BYTES = 16

_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")


@dataclass(frozen=True)
class TokenKey:
    """A versioned HMAC key.

    Attributes:
        key_id: version label put in front of every token (``k1:...``); no ``:``.
        secret: the key bytes; never shown by ``repr``/``str``.
    """

    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _KEY_ID.fullmatch(self.key_id):
            raise ConfigError("token key id must be 1-32 characters of A-Z a-z 0-9 . _ -")
        if not isinstance(self.secret, bytes) or len(self.secret) < MIN_SECRET_BYTES:
            raise ConfigError(f"token key secret must be at least {MIN_SECRET_BYTES} bytes")

    def __repr__(self) -> str:
        return f"TokenKey(key_id={self.key_id!r}, secret=<redacted>)"

    __str__ = __repr__


def parse_token_key(value: str) -> TokenKey:
    """Parse ``<key_id>:<base64 secret>``.

    Args:
        value: the setting's text.

    Returns:
        The key.

    Raises:
        ConfigError: if malformed; the message never contains the value.
    """
    key_id, sep, encoded = value.strip().partition(":")
    if not sep or not key_id or not encoded:
        raise ConfigError("token key must have the form <key_id>:<base64 secret>")
    try:
        secret = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("token key secret is not valid base64") from None
    return TokenKey(key_id, secret)


def parse_setting(env_value: str) -> TokenKey:
    """Parse ``PUBDATA_TOKEN_KEY``; an error names the setting (a run checks it before it starts).

    Args:
        env_value: the setting's text.

    Returns:
        The key.

    Raises:
        ConfigError: ``PUBDATA_TOKEN_KEY: ...`` if malformed; never with the value.
    """
    try:
        return parse_token_key(env_value)
    except ConfigError as exc:
        raise ConfigError(f"PUBDATA_TOKEN_KEY: {exc}") from None


def key_file(home: Path) -> Path:
    """Where the local key lives: ``<home>/keys/token.key``."""
    return home / "keys" / "token.key"


def load_token_key(
    home: Path, env_value: str | None, *, provided: TokenKey | str | None = None
) -> TokenKey:
    """The token key: the one handed in, else ``env_value``, else the local key file.

    Args:
        home: ``PUBDATA_HOME``.
        env_value: ``PUBDATA_TOKEN_KEY`` (``<key_id>:<base64 secret>``) or None.
        provided: a key handed in by the caller (the DAG reads it from an Airflow connection
            or variable): a :class:`TokenKey` or its ``<key_id>:<base64 secret>`` text.

    Returns:
        The key.

    Raises:
        ConfigError: if the key handed in, the setting or the key file is malformed.
    """
    if isinstance(provided, TokenKey):
        return provided
    if provided is not None:
        return parse_token_key(provided)
    if env_value is not None:
        return parse_setting(env_value)
    path = key_file(home)
    if not path.exists():
        _create(path)
    return _read(path)


def _read(path: Path) -> TokenKey:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("token key file %s is readable by others (mode %o); use 0600", path, mode)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key_id, encoded = data["key_id"], data["secret"]
        if not isinstance(key_id, str) or not isinstance(encoded, str):
            raise TypeError
        secret = base64.b64decode(encoded, validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ConfigError(f"token key file {path} is malformed") from None
    return TokenKey(key_id, secret)


def _create(path: Path) -> None:
    """Write a new key; if another process wins the race, its key is kept."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    body = json.dumps(
        {
            "key_id": LOCAL_KEY_ID,
            "secret": base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii"),
        }
    ).encode("utf-8")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(body)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic; fails if the key appeared meanwhile
        log.info("created token key %s at %s", LOCAL_KEY_ID, path)
    except FileExistsError:
        log.info("token key %s was created concurrently; keeping that one", LOCAL_KEY_ID)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
