"""Benchmark: parse time of the DAG folder for a registry of N generated datasets.

Usage: ``python bench/parse_dags.py [N ...]`` (default 10 100 1000). Prints a table.

Besides the whole folder (what the DAG processor does), it times what every task process does
first: parse ``ingest.py`` for its one DAG (Airflow's parsing context names it), in a process
forked from one that has not loaded the registry (cold) and from one that has (warm: the DAG
runner, LocalExecutor's scheduler and a Celery worker load it before they fork).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

ENTRY = """\
id: {id}
title: 生成的数据集 {n}
department: dept_{dept}
domain: domain_{domain}
source:
  kind: file
  format: csv
  path: dept_{dept}/{id}/{{ds}}.csv
columns:
  xm: string
  sfzh: string
  amount: float64
classification:
  columns:
    xm: {{category: person_name, grade: L3}}
open: {open}
"""

TIMER = """
import json, os, sys, time
from pathlib import Path
t0 = time.perf_counter()
import airflow.sdk
from airflow.dag_processing.dagbag import BundleDagBag
t1 = time.perf_counter()

def task_parse():
    # a task process: forked, then its DAG file parsed for its one DAG
    read, write = os.pipe()
    if os.fork() == 0:
        os.environ["_AIRFLOW_PARSING_CONTEXT_DAG_ID"] = sys.argv[2]
        start = time.perf_counter()
        bag = BundleDagBag(dag_folder=sys.argv[1] + "/ingest.py", bundle_path=Path(sys.argv[1]))
        spent = time.perf_counter() - start if list(bag.dags) == [sys.argv[2]] else -1.0
        os.write(write, repr(spent).encode())
        os._exit(0)
    os.close(write)
    os.wait()
    return float(os.read(read, 64))

sys.path.insert(0, sys.argv[1])
import pubdata_wiring  # what the DAG file imports, as a preloaded process has it imported
cold = task_parse()
t2 = time.perf_counter()
bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]))
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "parse_s": t3 - t2, "dags": len(bag.dags),
                  "errors": len(bag.import_errors), "task_cold_s": cold,
                  "task_warm_s": task_parse()}))
"""


def write_registry(root: Path, n: int) -> None:
    """Write ``n`` valid dataset files spread over 20 departments."""
    for i in range(n):
        dept = i % 20
        path = root / f"dept_{dept}" / f"gen_{i:05d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = ENTRY.format(
            id=f"gen_{i:05d}", n=i, dept=dept, domain=i % 7, open=str(i % 3 == 0).lower()
        )
        path.write_text(text, encoding="utf-8")


def measure(n: int) -> dict[str, float]:
    from etl.runtime.airflow_env import airflow_environment
    from etl.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "registry"
        write_registry(registry, n)
        settings = Settings.from_env(
            {"PUBDATA_HOME": str(Path(tmp) / "home"), "PUBDATA_REGISTRY": str(registry)}
        )
        env = airflow_environment(settings, base=dict(os.environ))
        env["PUBDATA_REGISTRY"] = str(registry)
        done = subprocess.run(
            [sys.executable, "-c", TIMER, str(REPO / "dags"), "ingest__dept_0__gen_00000"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10, 100, 1000]
    header = (
        "datasets",
        "dags",
        "errors",
        "import airflow s",
        "parse s",
        "ms/dag",
        "task parse cold s",
        "task parse warm s",
    )
    widths = (8, 5, 6, 16, 8, 7, 17, 17)
    print("  ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for n in sizes:
        r = measure(n)
        per_dag = 1000 * r["parse_s"] / max(n, 1)
        values = (
            n,
            r["dags"],
            r["errors"],
            f"{r['import_s']:.2f}",
            f"{r['parse_s']:.2f}",
            f"{per_dag:.2f}",
            f"{r['task_cold_s']:.3f}",
            f"{r['task_warm_s']:.3f}",
        )
        print("  ".join(f"{v:>{w}}" for v, w in zip(values, widths, strict=True)))


if __name__ == "__main__":
    main()
