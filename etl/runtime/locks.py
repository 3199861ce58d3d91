"""File locks in the pubdata home that keep concurrent ``pubdata run`` calls off each other.

Airflow's embedded setup is not safe to run twice at once on one metadata database: two
``airflow db migrate`` on a fresh home both create the tables (``table ... already exists``),
and registering the DAG folder writes every DAG of the bundle (``UNIQUE constraint failed:
dag.dag_id`` when two processes insert a new DAG). Runs of one DAG and logical date also share
a DagRun (a re-run clears the date's task instances).

So ``pubdata run`` and its runner (``dags/pubdata_runner.py``) hold:

- the **setup lock** while migrating the database, registering the DAG folder and making a
  DAG run (or a backfill's runs): registrations are one after the other, the pipelines run
  side by side;
- the **date lock** of ``<dag_id, logical date>`` for the whole run: a second run of the same
  date waits for the first one and then replaces the date.

``flock`` locks are released by the kernel when their process dies (``kill -9`` included).
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Name of the setup lock (database migration, DAG and DAG-run registration).
SETUP = "airflow-setup"


def date_lock(dag_id: str, logical_date: str) -> str:
    """Name of the lock of one DAG's runs of one logical date."""
    return f"run-{dag_id}-{logical_date}"


def _lock_path(home: Path, name: str) -> Path:
    folder = home / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.lock"


def acquire(home: Path, name: str) -> int:
    """Open and lock ``<home>/locks/<name>.lock`` exclusively (waits); returns the descriptor."""
    fd = os.open(_lock_path(home, name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def held(home: Path, name: str) -> Iterator[int]:
    """Hold the named lock for the block."""
    fd = acquire(home, name)
    try:
        yield fd
    finally:
        os.close(fd)  # closing the last descriptor releases the lock
