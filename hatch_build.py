"""Builds pubdata's one C extension, :mod:`etl.protect._hmac`, when the project is installed.

The token loop (keyed HMAC-SHA256 of every shared-zone join key) is the largest CPU cost of a
load left in Python: ~0.74 µs per value through hashlib's objects, ~0.10 µs in one C loop over
the Arrow buffers with OpenSSL's SHA-256 (SHA-NI where the CPU has it). ``uv sync`` builds the
project editable, so the module is compiled next to its source; a wheel carries it inside.

Without a C compiler or OpenSSL's headers the install still succeeds, says so, and the tokens
are computed by the hashlib loop (the same tokens; ``etl.protect.tokens.NATIVE`` tells which).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("etl/protect/_hmac.c")


def compile_extension(root: Path, target: Path) -> str | None:
    """Compile :data:`SOURCE` into ``target``; the compiler's complaint if it could not."""
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    command = [
        *compiler,
        "-O2",
        "-fPIC",
        "-shared",
        "-Wall",
        f"-I{sysconfig.get_paths()['include']}",
        str(root / SOURCE),
        "-lcrypto",
        "-o",
        str(target),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        return str(exc)
    if done.returncode == 0:
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    errors = [line for line in lines if "error" in line]
    return (errors or lines or [f"{compiler[0]} exited with {done.returncode}"])[0]


class CustomBuildHook(BuildHookInterface):
    """Hatchling's hook: the extension in the source tree (editable) or in the wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile before the wheel is assembled (hatchling calls this for every target)."""
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        name = f"_hmac{sysconfig.get_config_var('EXT_SUFFIX')}"
        inside = SOURCE.parent / name
        if version == "editable":
            target = root / inside
        else:
            self._scratch = tempfile.mkdtemp(prefix="pubdata-build-")
            target = Path(self._scratch) / name
        problem = compile_extension(root, target)
        if problem is not None:
            self.app.display_warning(
                f"pubdata: {SOURCE} was not compiled ({problem}); "
                "tokens will use the slower hashlib loop"
            )
            return
        if version != "editable":
            build_data["force_include"][str(target)] = str(inside)
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the scratch folder of a wheel's extension once the wheel holds it."""
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
