"""Benchmark: a population register end to end through the pipeline, against the physical floor.

Usage::

    python bench/ingest.py [--rows N ...] [--gb G ...] [--encoding utf-8|gbk] [--json] [--keep]

For each size (default 1,000,000 rows) the register is generated or found in the cache
(:mod:`bench.population`), then two kinds of child process run one after the other, each fresh so
that start-up and import cost show separately from the work, each ``--floor-runs`` /
``--e2e-runs`` times (3 by default; the fastest counts):

* **floor**: ``pyarrow.csv.open_csv`` with an explicit all-string schema streaming into a zstd
  ``pyarrow.parquet.ParquetWriter`` — the least any ingestion of this file must do;
* **e2e**: ``etl.pipeline.local.run_local`` (extract → validate with the bench's 10-expectation
  suite → classify → load the zones → record lineage) with the bench registry under
  ``bench/datasets``, a fresh ``PUBDATA_HOME`` and a landing folder holding a hard link to the
  generated file. Each step is timed by wrapping the step functions ``run_local`` calls.

Peak RSS of each child is the ``ru_maxrss`` that ``os.wait4`` returns for it (its largest
process: the child or a worker it waited for); the PSS of the child and its workers together is
polled as well. The bench checks ``rows_in = rows_loaded + rows_quarantined`` and that the
quarantine holds exactly the bad rows the generator planted; it exits 1 when a check fails.
Targets: e2e ≤ 4× the floor (issue #4, at 1M rows × 15 columns) and peak RSS ≤ 2 GB (for the
5 GB file).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import population  # noqa: E402
from bench.children import (  # noqa: E402
    TOKEN_KEY,
    Child,
    aligned,
    fastest,
    load_note,
    progress,
    run_child,
)
from etl.pipeline.steps import STAGES  # noqa: E402

BENCH = REPO / "bench"
DATASET = "population_register"
LOGICAL_DATE = date(2024, 6, 1)
#: Where the bench registry's ``source.path`` expects the delivery, inside the landing folder.
LANDING_PATH = Path("population") / "population_register" / f"{LOGICAL_DATE.isoformat()}.csv"
TARGET_RATIO = 4.0
TARGET_RSS_MB = 2048.0
#: Modules the pipeline imports lazily on first use; imported up front so "import s" holds them.
LAZY_IMPORTS = ("pyarrow.parquet", "pandas", "great_expectations", "deltalake", "duckdb")
FLOOR_BLOCK = 8 << 20
#: The quarantine reason (prefix) each planted kind must get, from the extractor or the suite.
REASONS = {
    "ragged": "ragged:",
    "bad_id": "id_format",
    "bad_phone": "phone_format",
    "bad_birth_date": "cast:csrq:",
}


# ----------------------------------------------------------------------------- children


def _floor(spec: dict[str, Any]) -> dict[str, Any]:
    """Read the CSV with an all-string schema and write it as zstd Parquet, streaming."""
    started = time.perf_counter()
    import pyarrow as pa
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    imported = time.perf_counter()
    path = Path(spec["file"])
    with path.open(encoding=spec["encoding"]) as handle:
        names = handle.readline().rstrip("\r\n").split(",")
    schema = pa.schema([(name, pa.string()) for name in names])
    skipped = 0

    def skip(_row: Any) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    reader = pv.open_csv(
        path,
        read_options=pv.ReadOptions(
            encoding=spec["encoding"], column_names=names, skip_rows=1, block_size=FLOOR_BLOCK
        ),
        parse_options=pv.ParseOptions(invalid_row_handler=skip),
        convert_options=pv.ConvertOptions(column_types=schema, strings_can_be_null=True),
    )
    rows = 0
    with pq.ParquetWriter(spec["out"], schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    finished = time.perf_counter()
    return {
        "import_s": imported - started,
        "seconds": finished - imported,
        "rows": rows,
        "skipped": skipped,
        "parquet_bytes": Path(spec["out"]).stat().st_size,
    }


def _cpu_s() -> float:
    """User + system CPU seconds of this process and of the workers it has waited for."""
    own, workers = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _timed(
    times: dict[str, float], cpu: dict[str, float], run_stage: Callable[..., Any]
) -> Callable[..., Any]:
    """``run_stage`` that also records each step's seconds and CPU seconds by stage name.

    A step's CPU seconds count its threads and the worker processes it forked and stopped.
    """

    def run(stage: str, *args: Any, **kwargs: Any) -> Any:
        began, used = time.perf_counter(), _cpu_s()
        try:
            return run_stage(stage, *args, **kwargs)
        finally:
            times[stage] = time.perf_counter() - began
            cpu[stage] = _cpu_s() - used

    return run


def _e2e(spec: dict[str, Any]) -> dict[str, Any]:
    """One ``run_local`` of the bench dataset, with import and per-step times."""
    started = time.perf_counter()
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    from etl.pipeline import local, steps
    from etl.registry import load_registry
    from etl.settings import Settings

    for name in LAZY_IMPORTS:
        with contextlib.suppress(ImportError):  # a library the pipeline no longer uses
            importlib.import_module(name)
    imported = time.perf_counter()
    settings = Settings.from_env(spec["env"])
    dataset = load_registry(settings.registry).get(DATASET)
    ctx = local.local_context(dataset, date.fromisoformat(spec["date"]), run_id="bench")
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    # run_local calls each step through steps.run_stage: wrapping it times the real steps.
    steps.run_stage = _timed(times, cpu, steps.run_stage)  # type: ignore[assignment]
    began, used = time.perf_counter(), _cpu_s()
    if spec.get("profile"):
        import cProfile

        with cProfile.Profile() as profiler:
            summary = local.run_local(settings, dataset, ctx)
        profiler.dump_stats(spec["profile"])
    else:
        summary = local.run_local(settings, dataset, ctx)
    finished, used = time.perf_counter(), _cpu_s() - used
    keys = ("status", "rows_in", "rows_loaded", "rows_quarantined", "dataset_grade", "tables")
    data = summary.to_dict()
    return {
        "import_s": imported - started,
        "seconds": finished - began,
        "cpu_s": used,
        "steps": times,
        "steps_cpu_s": cpu,
        "summary": {key: data.get(key) for key in keys},
        "reasons": _reason_counts(summary.quarantine_table),
    }


def _reason_counts(uri: str | None) -> dict[str, int] | None:
    """Quarantined rows per planted kind, from the ``_reasons`` column only (no values).

    After the timed run; None when the quarantine table is not where the summary said.
    """
    if not uri:
        return None
    import pyarrow.compute as pc

    from etl.lake import delta

    try:
        # Through etl.lake.delta: delta-rs' own Python filesystem handler aborts the interpreter
        # at exit ("terminate called without an active exception").
        reasons = delta.read(uri, columns=["_reasons"]).column("_reasons")
    except Exception:  # the layout changed under the bench: report no breakdown
        logging.getLogger(__name__).exception("cannot read the quarantine reasons")
        return None
    counts = {
        kind: int(pc.sum(pc.match_substring(reasons, code)).as_py() or 0)
        for kind, code in REASONS.items()
    }
    counts["total"] = len(reasons)
    return counts


def _child_main(mode: str, spec_path: Path) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    result = _floor(spec) if mode == "floor" else _e2e(spec)
    Path(spec["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


# ----------------------------------------------------------------------------- parent


def _landing(workdir: Path, source: Path) -> Path:
    """A landing folder with the delivery where the bench registry expects it."""
    landing = workdir / "landing"
    target = landing / LANDING_PATH
    target.parent.mkdir(parents=True)
    try:
        os.link(source, target)
    except OSError:  # another filesystem: the pipeline refuses symlinks leaving the landing zone
        shutil.copyfile(source, target)
    return landing


@dataclass
class Measurement:
    """One size's row of the table (``--json`` prints these)."""

    rows: int
    encoding: str
    file_mb: float
    planted: int
    floor: Child
    e2e: Child | None
    checks: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.e2e is None or not self.e2e.ok or not self.floor.ok:
            return None
        return float(self.e2e.data["seconds"]) / float(self.floor.data["seconds"])

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["targets"] = self.targets()
        return data

    def targets(self) -> dict[str, bool | None]:
        peak: bool | None = None
        if self.e2e is not None:
            # the largest process, and the run with its worker processes (shared pages once)
            peak = max(self.e2e.peak_rss_mb, self.e2e.peak_tree_mb) <= TARGET_RSS_MB
            if peak and not self.e2e.ok:
                peak = None  # an unfinished run may not have reached its peak
        return {
            "ratio_le_4": None if self.ratio is None else self.ratio <= TARGET_RATIO,
            "peak_rss_le_2gb": peak,
        }


def _check(m: Measurement) -> list[str]:
    """Problems with the counts of a finished run (empty: every row is accounted for)."""
    if m.e2e is None or not m.e2e.ok:
        return ["the end-to-end run failed"]
    summary = m.e2e.data["summary"]
    rows_in, loaded, quarantined = (
        summary.get("rows_in"),
        summary.get("rows_loaded"),
        summary.get("rows_quarantined"),
    )
    problems = []
    if summary.get("status") != "success":
        problems.append(f"status {summary.get('status')}")
    if None in (rows_in, loaded, quarantined):
        return [*problems, "the summary has no row counts"]
    if rows_in != loaded + quarantined:
        problems.append(f"rows_in {rows_in} != loaded {loaded} + quarantined {quarantined}")
    if rows_in != m.rows:
        problems.append(f"rows_in {rows_in} != generated rows {m.rows}")
    if quarantined != m.planted:
        problems.append(f"quarantined {quarantined} != planted bad rows {m.planted}")
    reasons = m.e2e.data.get("reasons")
    if reasons is None:
        problems.append("the quarantine reasons could not be read")
        return problems
    for kind, expected in population.planted_counts(m.rows).items():
        if reasons.get(kind) != expected:
            problems.append(
                f"{reasons.get(kind)} quarantined rows carry {REASONS[kind]!r},"
                f" {expected} {kind} rows were planted"
            )
    return problems


def _best_e2e(
    rows: int,
    encoding: str,
    workdir: Path,
    landing: Path,
    rss_limit_mb: float,
    runs: int,
    profile: Path | None,
    keep: bool = False,
) -> Child:
    """The fastest of ``runs`` end-to-end children, each on a lake of its own.

    Measured like the floor (best of several fresh processes), so that a machine busy for a
    moment does not decide the ratio. Its peak RSS is the highest of the runs; a failed run
    is returned at once.
    """
    children = []
    for run in range(max(1, runs)):
        home = workdir / f"home-{run}"
        env = {
            "PUBDATA_HOME": str(home),
            "PUBDATA_REGISTRY": str(BENCH / "datasets"),
            "PUBDATA_LANDING": str(landing),
            "PUBDATA_EXPECTATIONS": str(BENCH / "expectations"),
            "PUBDATA_LAKE": str(home / "lake"),
            "PUBDATA_TOKEN_KEY": TOKEN_KEY,
        }
        spec: dict[str, Any] = {"env": env, "date": LOGICAL_DATE.isoformat()}
        if profile is not None and run == 0:
            profile.mkdir(parents=True, exist_ok=True)
            spec["profile"] = str(profile.resolve() / f"e2e-{rows}-{encoding}.pstats")
            progress(f"{rows:,} rows: profiling into {spec['profile']} (times include overhead)")
        children.append(run_child(Path(__file__), "e2e", spec, workdir, rss_limit_mb))
        if not children[-1].ok:
            return children[-1]
        if not keep:  # a 5 GB run leaves tens of GB of staging
            shutil.rmtree(home, ignore_errors=True)
    return fastest(children)


def _best_floor(path: Path, encoding: str, workdir: Path, rss_limit_mb: float, runs: int) -> Child:
    """The fastest of ``runs`` floor children (the floor is cheap; the machine may be busy).

    Its peak RSS is the highest of the runs.
    """
    spec = {"file": str(path), "encoding": encoding, "out": str(workdir / "floor.parquet")}
    children = []
    for _ in range(max(1, runs)):
        children.append(run_child(Path(__file__), "floor", spec, workdir, rss_limit_mb))
        (workdir / "floor.parquet").unlink(missing_ok=True)
        if not children[-1].ok:
            return children[-1]
    return fastest(children)


def measure(
    rows: int,
    encoding: str,
    seed: int,
    cache: Path,
    keep: bool,
    rss_limit_mb: float,
    profile: Path | None = None,
    floor_runs: int = 3,
    e2e_runs: int = 3,
) -> Measurement:
    """Generate (or find) the file, then run the floor and the end-to-end child on it."""
    path, manifest, cached = population.ensure(rows, encoding=encoding, seed=seed, cache=cache)
    state = "cached" if cached else f"generated in {manifest.seconds:.1f} s"
    progress(f"{rows:,} rows: {path} ({state})")
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=cache))
    try:
        progress(f"{rows:,} rows: floor x{floor_runs} (pyarrow CSV read + zstd Parquet write)")
        floor = _best_floor(path, encoding, workdir, rss_limit_mb, floor_runs)
        progress(f"{rows:,} rows: end to end x{e2e_runs} (run_local)")
        landing = _landing(workdir, path)
        e2e = _best_e2e(rows, encoding, workdir, landing, rss_limit_mb, e2e_runs, profile, keep)
        m = Measurement(rows, encoding, manifest.bytes / 1e6, manifest.bad_rows, floor, e2e)
        m.checks = _check(m)
        return m
    finally:
        if keep:
            progress(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


# ----------------------------------------------------------------------------- output


def _seconds(value: Any) -> str:
    return "-" if value is None else f"{float(value):.2f}"


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "-"


def _row(m: Measurement) -> list[str]:
    floor = m.floor.data if m.floor.ok else {}
    e2e = m.e2e.data if m.e2e is not None and m.e2e.ok else {}
    summary = e2e.get("summary", {})
    steps = e2e.get("steps", {})
    seconds = e2e.get("seconds")
    targets = m.targets()
    verdict = {True: "yes", False: "NO", None: "-"}
    return [
        f"{m.rows:,}",
        m.encoding,
        f"{m.file_mb:,.0f}",
        _seconds(floor.get("seconds")),
        _seconds(e2e.get("import_s")),
        _seconds(seconds),
        "/".join(f"{steps[s]:.1f}" if s in steps else "-" for s in STAGES),
        _seconds(e2e.get("cpu_s")),
        "-" if m.ratio is None else f"{m.ratio:.1f}x",
        f"{m.floor.peak_rss_mb:,.0f}",
        "-" if m.e2e is None else f"{m.e2e.peak_rss_mb:,.0f}",
        "-" if m.e2e is None or not m.e2e.peak_tree_mb else f"{m.e2e.peak_tree_mb:,.0f}",
        "-" if not seconds else f"{m.rows / float(seconds):,.0f}",
        _count(summary.get("rows_loaded")),
        _count(summary.get("rows_quarantined")),
        f"{m.planted:,}",
        verdict[targets["ratio_le_4"]],
        verdict[targets["peak_rss_le_2gb"]],
        "ok" if not m.checks else "FAIL",
    ]


HEADER = [
    "rows",
    "enc",
    "file MB",
    "floor s",
    "import s",
    "e2e s",
    "ext/val/cls/load/rec s",
    "e2e CPU s",
    "ratio",
    "floor RSS MB",
    "e2e RSS MB",
    "e2e+workers PSS MB",
    "rows/s",
    "loaded",
    "quarantined",
    "planted",
    "ratio<=4",
    "RSS<=2GB",
    "counts",
]
_LEFT = {"enc", "ext/val/cls/load/rec s", "ratio<=4", "RSS<=2GB", "counts"}


def table(measurements: Sequence[Measurement]) -> str:
    """The measurements as an aligned plain-text table."""
    out = aligned(HEADER, [_row(m) for m in measurements], _LEFT)
    for m in measurements:
        for problem in m.checks:
            out.append(f"{m.rows:,} rows: {problem}")
        for child in (m.floor, m.e2e):
            if child is not None and child.error:
                out.append(f"{m.rows:,} rows: {child.error}")
    return "\n".join(out)


def _host() -> dict[str, Any]:
    import pyarrow

    return {
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "pyarrow": pyarrow.__version__,
        "machine": platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--child"]:
        return _child_main(args[1], Path(args[2]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, action="append", default=[], help="rows (repeatable)")
    parser.add_argument(
        "--gb", type=float, action="append", default=[], help="file size in GB (repeatable)"
    )
    parser.add_argument("--encoding", choices=population.ENCODINGS, default="utf-8")
    parser.add_argument("--seed", type=int, default=population.DEFAULT_SEED)
    parser.add_argument("--cache", type=Path, default=population.CACHE)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--keep", action="store_true", help="keep the run folders (lake, logs)")
    parser.add_argument(
        "--rss-limit-gb",
        type=float,
        default=4.0,
        help="kill a child whose RSS passes this (default 4; the machine may be shared)",
    )
    parser.add_argument(
        "--floor-runs", type=int, default=3, help="floor repetitions; the fastest counts (3)"
    )
    parser.add_argument(
        "--e2e-runs",
        type=int,
        default=3,
        help="end-to-end repetitions, each on a fresh lake; the fastest counts (3)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run the e2e child under cProfile and write e2e-<rows>-<enc>.pstats into DIR",
    )
    options = parser.parse_args(args)
    load_before = os.getloadavg()[0]
    sizes = list(options.rows)
    sizes += [population.rows_for_gb(g, encoding=options.encoding) for g in options.gb]
    measurements = [
        measure(
            rows,
            options.encoding,
            options.seed,
            options.cache,
            options.keep,
            options.rss_limit_gb * 1024,
            options.profile,
            options.floor_runs,
            options.e2e_runs,
        )
        for rows in sizes or [1_000_000]
    ]
    if options.json:
        print(
            json.dumps(
                {
                    "host": _host(),
                    "load_before": load_before,
                    "measurements": [m.to_dict() for m in measurements],
                },
                indent=2,
            )
        )
    else:
        print(table(measurements))
        note = load_note(load_before)
        if note:
            print(note)
    return 0 if all(not m.checks for m in measurements) else 1


if __name__ == "__main__":
    sys.exit(main())
