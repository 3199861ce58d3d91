"""Run Python code as another OS user (uid 65534), as root can.

The tests run as root (this machine and CI), so a child can drop to the unprivileged uid and
meet the file modes and the access decision as a real other user. The child is a fresh
interpreter (delta-rs' runtime does not survive a fork): it starts as root, imports what the
code needs (the interpreter's own files may be unreadable to the other user), drops to the uid
and only then runs the code.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import REPO

NOBODY = 65534
NOBODY_LOGIN = pwd.getpwuid(NOBODY).pw_name
#: Imported before the child drops its privileges.
PRELOAD = (
    "etl.cli.main",
    "etl.cli.access_cmd",
    "etl.cli.read_cmd",
    "etl.read.sql",
    "etl.read.reader",
    "deltalake",
    "duckdb",
    "pyarrow.csv",
    "pyarrow.dataset",
    "pyarrow.parquet",
    "getpass",
    "json",
)

_CHILD = """
import importlib, os, sys
for name in sys.argv[2].split(","):
    importlib.import_module(name)
uid = int(sys.argv[1])
os.setgroups([])
os.setgid(uid)
os.setuid(uid)
os.chdir("/")
exec(compile(sys.argv[3], "<as-other-user>", "exec"))
"""


def reachable_root() -> Path:
    """A fresh folder the other user can enter (pytest's tmp_path is root's own, 0700)."""
    root = Path(tempfile.mkdtemp(prefix="pubdata-other-user-"))
    root.chmod(0o755)
    return root


def run_as(uid: int, code: str, env: Mapping[str, str] | None = None) -> tuple[int, str]:
    """Run ``code`` as ``uid``; ``raise SystemExit(n)`` in it sets the exit code.

    Returns:
        The exit code and everything the code wrote to stdout and stderr.
    """
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("PUBDATA_")}
    child_env.update(env or {})
    child_env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(uid), ",".join(PRELOAD), code],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout
