"""The numeric settings a run reads from the environment: batch rows and worker processes."""

from __future__ import annotations

import os

import pytest

from etl.errors import ConfigError
from etl.settings import MAX_DEFAULT_WORKERS, Settings


def test_defaults_follow_the_machine() -> None:
    settings = Settings.from_env({})
    assert settings.batch_rows == 50_000
    assert settings.workers == max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def test_values_are_read() -> None:
    settings = Settings.from_env({"PUBDATA_BATCH_ROWS": "250_000", "PUBDATA_WORKERS": " 3 "})
    assert (settings.batch_rows, settings.workers) == (250_000, 3)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PUBDATA_WORKERS": "two"}, "PUBDATA_WORKERS must be a whole number, not 'two'"),
        ({"PUBDATA_WORKERS": "0"}, "PUBDATA_WORKERS must be at least 1, not 0"),
        ({"PUBDATA_BATCH_ROWS": "1e5"}, "PUBDATA_BATCH_ROWS must be a whole number"),
        ({"PUBDATA_BATCH_ROWS": "0"}, "PUBDATA_BATCH_ROWS must be at least 1, not 0"),
    ],
)
def test_bad_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)
