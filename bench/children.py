"""Benchmark children: a fresh process per measurement, its wall time and peak memory.

A bench script runs itself as ``<script> --child <mode> <spec.json>``; the child writes its
JSON result to the spec's ``result`` path. :func:`run_child` starts it, polls the PSS of its
process tree, and reads the peak RSS from ``os.wait4``.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Where children run (the repository root).
REPO = Path(__file__).resolve().parents[1]
POLL_S = 0.1
#: Not a secret: the local token key of a throwaway lake (the form tests/conftest.py uses).
TOKEN_KEY = "bench:" + "YmVuY2gta2V5LW5vdC1hLXNlY3JldC0zMi1ieXRlcy4uLg=="


@dataclass
class Child:
    """What one child process reported, and what the parent saw of it."""

    ok: bool
    wall_s: float
    peak_rss_mb: float
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    #: Highest PSS of the child and its worker processes together, polled (shared pages
    #: counted once): what the run held, where ``peak_rss_mb`` is its largest process.
    peak_tree_mb: float = 0.0


def _descendants(pid: int) -> list[int]:
    """The process and every process under it (from /proc's children lists)."""
    found = [pid]
    for parent in found:
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                found.extend(int(child) for child in task.read_text(encoding="ascii").split())
            except OSError:
                continue
    return found


def _tree_pss_mb(pid: int) -> float:
    """Proportional set size of a process tree: shared pages divided among their sharers."""
    total = 0
    for member in _descendants(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text(encoding="ascii")
        except OSError:
            continue
        match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
        total += int(match.group(1)) if match else 0
    return total / 1024


def _rss_mb(pid: int) -> float:
    """Current resident set size of a process (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


def run_child(
    script: Path, mode: str, spec: dict[str, Any], workdir: Path, rss_limit_mb: float = math.inf
) -> Child:
    """Run ``script --child mode SPEC``, wait with ``os.wait4`` and read its peak RSS.

    The spec is written as JSON into ``workdir`` with a ``result`` path added, where the child
    writes its JSON result; its output goes to ``<workdir>/../logs/<workdir name>/<mode>.log``.
    The peak RSS is the rusage's ``ru_maxrss``: the child's largest process (itself or a worker
    it waited for). The child is killed if its RSS passes ``rss_limit_mb`` (then it is reported
    as failed).
    """
    spec = {**spec, "result": str(workdir / f"{mode}.result.json")}
    spec_path = workdir / f"{mode}.spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    # logs are kept (they are small and scrubbed) beside the cache, outside the run folder
    log_path = workdir.parent / "logs" / workdir.name / f"{mode}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(script.resolve()), "--child", mode, str(spec_path)]
    killed = False
    tree = 0.0
    with log_path.open("wb") as log:
        began = time.perf_counter()
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            tree = max(tree, _tree_pss_mb(proc.pid))
            if not killed and _rss_mb(proc.pid) > rss_limit_mb:
                # the machine is shared: a run that is not streaming must not exhaust it
                proc.kill()
                killed = True
            time.sleep(POLL_S)
        wall = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024  # kilobytes on Linux
    result = Path(spec["result"])
    if killed:
        error = f"{mode}: stopped when its RSS passed --rss-limit-gb ({rss_limit_mb:,.0f} MB)"
        return Child(False, wall, peak, error=error, peak_tree_mb=tree)
    if proc.returncode != 0 or not result.is_file():
        lines = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        last = lines[-1] if lines else f"exit code {proc.returncode}"
        return Child(
            False, wall, peak, error=f"{mode}: {last} (log: {log_path})", peak_tree_mb=tree
        )
    data = json.loads(result.read_text(encoding="utf-8"))
    return Child(True, wall, peak, data=data, peak_tree_mb=tree)


def fastest(children: list[Child]) -> Child:
    """The fastest of several runs of one child (as ``timeit``: a busy moment does not decide).

    Its data gains every run's seconds (``runs``); its peaks are the highest of the runs.
    """
    best = min(children, key=lambda child: float(child.data["seconds"]))
    best.data["runs"] = [round(float(child.data["seconds"]), 3) for child in children]
    best.peak_rss_mb = max(child.peak_rss_mb for child in children)
    best.peak_tree_mb = max(child.peak_tree_mb for child in children)
    return best


def aligned(header: list[str], rows: list[list[str]], left: set[str]) -> list[str]:
    """A bench table's lines: the columns named in ``left`` left-aligned, the rest right."""
    everything = [header, *rows]
    widths = [max(len(r[i]) for r in everything) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if h in left else c.rjust(w)
            for c, w, h in zip(cells, widths, header, strict=True)
        ).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def progress(message: str) -> None:
    """One ``[bench]`` progress line on stderr."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def load_note(load_before: float) -> str | None:
    """The warning that other work competed with the bench, if the machine was busy."""
    if load_before < 1.0:
        return None
    return (
        f"note: load average {load_before:.1f} before the bench started, on"
        f" {os.cpu_count()} CPUs: other work competed with it, its times are inflated"
    )
