"""The home's file locks that keep concurrent ``pubdata run`` calls off Airflow's races."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

from etl.runtime import locks

CHILD = """
import sys, time
from etl.runtime.locks import release_inherited_setup_lock
time.sleep(float(sys.argv[1]))          # Airflow registering the DAG and its run
release_inherited_setup_lock()          # the first task starts
time.sleep(float(sys.argv[2]))          # the pipeline runs
"""


def _free(home: Path, name: str) -> bool:
    fd = os.open(home / "locks" / f"{name}.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_the_setup_lock_passes_to_the_run_and_is_released_when_its_first_task_starts(
    tmp_path: Path,
) -> None:
    fd = locks.acquire(tmp_path, locks.SETUP)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "0.8", "3"],
        env={**os.environ, locks.SETUP_LOCK_FD: str(fd)},
        pass_fds=(fd,),
    )
    os.close(fd)  # as pubdata run does: only the child holds it now
    time.sleep(0.3)
    assert not _free(tmp_path, locks.SETUP)  # registering: a second run waits
    deadline = time.time() + 10
    while not _free(tmp_path, locks.SETUP):
        assert time.time() < deadline
        time.sleep(0.05)
    assert child.poll() is None  # released while the run goes on
    child.kill()
    child.wait()


def test_a_killed_run_releases_its_locks(tmp_path: Path) -> None:
    name = locks.date_lock("ingest__d__x", "2024-06-01")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from etl.runtime import locks;"
            f"locks.acquire(Path(sys.argv[1]), {name!r});"
            "print('held', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    assert not _free(tmp_path, name)
    holder.kill()  # SIGKILL
    holder.wait()
    assert _free(tmp_path, name)
