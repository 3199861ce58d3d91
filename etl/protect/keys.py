"""The HMAC token key: from ``PUBDATA_TOKEN_KEY`` or a local key file created once with mode 0600.

The secret never appears in ``repr``, logs or error messages.
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
        raise ConfigError("PUBDATA_TOKEN_KEY must have the form <key_id>:<base64 secret>")
    try:
        secret = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("PUBDATA_TOKEN_KEY secret is not valid base64") from None
    return TokenKey(key_id, secret)


def key_file(home: Path) -> Path:
    """Where the local key lives: ``<home>/keys/token.key``."""
    return home / "keys" / "token.key"


def load_token_key(home: Path, env_value: str | None) -> TokenKey:
    """The token key: from ``env_value`` if given, else the local key file (created if missing).

    Args:
        home: ``PUBDATA_HOME``.
        env_value: ``PUBDATA_TOKEN_KEY`` (``<key_id>:<base64 secret>``) or None.

    Returns:
        The key.

    Raises:
        ConfigError: if the setting or the key file is malformed.
    """
    if env_value is not None:
        return parse_token_key(env_value)
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
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
