"""The home's file locks that keep concurrent ``pubdata run`` calls off Airflow's races."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from etl.runtime import locks


def _free(home: Path, name: str) -> bool:
    fd = os.open(home / "locks" / f"{name}.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


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
