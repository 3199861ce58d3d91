from __future__ import annotations

import base64
import json
import logging
import os
import stat
from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.protect.keys import TokenKey, key_file, load_token_key, parse_token_key

SECRET = b"super-secret-key-material-000001"
ENCODED = base64.b64encode(SECRET).decode()


def test_repr_and_str_hide_the_secret() -> None:
    key = TokenKey("k1", SECRET)
    for text in (repr(key), str(key), f"{key}", repr([key])):
        assert "super-secret" not in text
        assert ENCODED not in text
        assert "redacted" in text
    assert "k1" in repr(key)


def test_from_env_value() -> None:
    key = load_token_key(Path("/nonexistent"), f"k7:{ENCODED}")
    assert key == TokenKey("k7", SECRET)


@pytest.mark.parametrize(
    "value",
    [
        ENCODED,  # no key id
        f":{ENCODED}",
        "k1:",
        "k1:not base64 at all!!",
        f"k1:{base64.b64encode(b'short').decode()}",
        f"bad id:{ENCODED}",
        "",
    ],
)
def test_bad_env_values_do_not_echo_the_value(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_token_key(value)
    message = str(info.value)
    assert ENCODED not in message
    assert "not base64 at all" not in message
    assert "short" not in message or "at least" in message


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        key = load_token_key(tmp_path, None)
    finally:
        os.umask(old)
    path = key_file(tmp_path)
    assert path == tmp_path / "keys" / "token.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key.key_id == "k1" and len(key.secret) == 32
    data = json.loads(path.read_text())
    assert data == {"key_id": "k1", "secret": base64.b64encode(key.secret).decode()}
    assert load_token_key(tmp_path, None) == key  # read back, not recreated
    assert [p.name for p in path.parent.iterdir()] == ["token.key"]  # no temp files left


def test_env_value_wins_over_key_file(tmp_path: Path) -> None:
    load_token_key(tmp_path, None)
    assert load_token_key(tmp_path, f"k2:{ENCODED}").key_id == "k2"


def test_malformed_key_file(tmp_path: Path) -> None:
    path = key_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"key_id": "k1", "secret": "%%%"}))
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="malformed") as info:
        load_token_key(tmp_path, None)
    assert "%%%" not in str(info.value)


def test_readable_key_file_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    load_token_key(tmp_path, None)
    key_file(tmp_path).chmod(0o644)
    with caplog.at_level(logging.WARNING):
        key = load_token_key(tmp_path, None)
    assert "readable by others" in caplog.text
    assert base64.b64encode(key.secret).decode() not in caplog.text


def test_a_key_handed_in_by_the_dag_wins(tmp_path: Path) -> None:
    handed = TokenKey("k7", b"k" * 32)
    assert load_token_key(tmp_path, "k1:" + "QUFB" * 8, provided=handed) is handed
    text = "k8:" + base64.b64encode(b"s" * 32).decode()
    key = load_token_key(tmp_path, None, provided=text)
    assert key.key_id == "k8" and key.secret == b"s" * 32
    assert not (tmp_path / "keys").exists()  # no local key file is created
    with pytest.raises(ConfigError, match="<key_id>:<base64 secret>") as info:
        load_token_key(tmp_path, None, provided="no-colon-secret")
    assert "no-colon-secret" not in str(info.value)
