"""The reader installs and reads on its own: no Airflow, no Great Expectations, no pipeline.

``packages/pubdata-reader`` builds a wheel from the repository's own modules. These tests check
that the modules it lists are exactly what ``etl.read`` and ``pubdata-sql`` import, that the
wheel declares nothing of the pipeline, and that it installs into an empty virtual environment
(offline, from uv's cache that ``make install`` fills) and reads a lake there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO
from tests.unit.read.conftest import Lake

PACKAGE = REPO / "packages" / "pubdata-reader"
#: What the reader must never bring along (pandas is an extra: reading works without it).
PIPELINE = ("airflow", "great_expectations", "pandas", "ruamel", "openlineage", "sqlalchemy")
UV = REPO / ".tools" / "bin" / "uv"

#: Run in a child with the pipeline's packages made unimportable: read a table, run
#: ``pubdata-sql`` and load the project's registry, then report every ``etl`` module loaded.
CHILD = """
import json, sys
from pathlib import Path

BLOCKED = set(sys.argv[1].split(","))

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, Block())
import etl
from etl.cli.read_cmd import main
from etl.read import read, versions
from etl.registry import load_registry

table = read("people", date="2024-06-01", columns=["xm"])
assert main(["SELECT count(*) AS n FROM shared.population.people", "--format", "csv"]) == 0
problems = load_registry(Path(sys.argv[2])).problems
print(json.dumps({
    "etl": etl.__file__,
    "rows": table.column("xm").to_pylist(),
    "versions": [v["version"] for v in versions("people")],
    "registry_problems": [str(p) for p in problems],
    "modules": sorted(m for m in sys.modules if m == "etl" or m.startswith("etl.")),
}))
"""


def _lake_env(lake: Lake) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBDATA_")}
    env.update(
        PUBDATA_HOME=str(lake.settings.home),
        PUBDATA_LAKE=lake.settings.lake,
        PUBDATA_REGISTRY=str(lake.settings.registry),
        PUBDATA_CLEARANCE="shared",
    )
    return env


def _pyproject(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def _shipped_modules() -> list[str]:
    """The modules the reader's pyproject puts in the wheel, e.g. ``etl.read.sql``."""
    targets = _pyproject(PACKAGE / "pyproject.toml")["tool"]["hatch"]["build"]["targets"]
    return sorted(_module(path) for path in targets["wheel"]["force-include"].values())


def _module(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def test_the_reader_reads_with_the_pipeline_unimportable(lake_read_only: Lake) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, ",".join(PIPELINE), str(REPO / "datasets")],
        env={**_lake_env(lake_read_only), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    *printed, last = done.stdout.splitlines()
    report = json.loads(last)
    assert Path(report["etl"]).is_relative_to(REPO)
    assert report["rows"] == ["甲", "乙", "戊"]  # 2024-06-01 after its re-run
    assert report["versions"] == [2, 1, 0]
    assert printed == ['"n"', "4"]  # pubdata-sql's csv
    assert report["registry_problems"] == []  # the project's registry loads within the closure
    # the wheel ships exactly the modules the reader imports: none missing, none unused
    shipped = _shipped_modules()
    missing = sorted(set(report["modules"]) - set(shipped))
    unused = sorted(set(shipped) - set(report["modules"]))
    assert (missing, unused) == ([], []), "packages/pubdata-reader/pyproject.toml is out of date"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reader's wheel, built offline with the dev environment's hatchling."""
    out = tmp_path_factory.mktemp("dist")
    build = "import sys; from hatchling.build import build_wheel; print(build_wheel(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(out)],
        cwd=PACKAGE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out / done.stdout.strip().splitlines()[-1]


def _metadata(wheel: Path) -> tuple[list[str], list[Requirement], str]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(archive.read(info).decode())
        entries = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    return names, [Requirement(r) for r in meta.get_all("Requires-Dist") or []], entries


def test_the_wheel_holds_the_reader_and_declares_nothing_of_the_pipeline(wheel: Path) -> None:
    names, requires, entries = _metadata(wheel)
    modules = sorted(_module(n) for n in names if n.endswith(".py"))
    assert modules == _shipped_modules()
    assert "etl.read.sql" in modules and not any(
        m.startswith(("etl.pipeline", "etl.validate", "etl.classify", "etl.extract", "etl.ui"))
        for m in modules
    )
    declared = {canonicalize_name(r.name) for r in requires}
    core = {canonicalize_name(r.name) for r in requires if r.marker is None}
    assert core == {
        *("pyarrow", "deltalake", "duckdb", "pydantic", "pyyaml", "croniter", "tzdata"),
        "python-stdnum",  # the product files grants end with name their consumer by USCC
    }
    assert declared - core == {"pandas", "polars"}  # extras
    assert not {"apache-airflow", "great-expectations"} & declared
    assert not any(n.startswith(("apache-airflow", "great-expectations")) for n in declared)
    # the same lower bounds as the project's where both name a package
    project = _pyproject(REPO / "pyproject.toml")
    ours = {
        canonicalize_name(r.name): r.specifier
        for r in map(
            Requirement, [*project["project"]["dependencies"], *project["dependency-groups"]["dev"]]
        )
    }
    shared = declared & set(ours)
    assert shared == declared - {"tzdata"}  # tzdata comes to the project through its dependencies
    assert {
        canonicalize_name(r.name): r.specifier
        for r in requires
        if canonicalize_name(r.name) in shared
    } == {name: ours[name] for name in shared}
    assert re.search(r"^pubdata-sql = etl\.cli\.read_cmd:main$", entries, re.M)


def test_the_wheel_installs_alone_and_reads(
    wheel: Path, lake_read_only: Lake, tmp_path: Path
) -> None:
    """An empty venv, the locked versions of the wheel's dependencies only, then the wheel."""
    uv = str(UV) if UV.exists() else shutil.which("uv")
    assert uv is not None, "no uv: make install puts it in .tools/bin"
    _, requires, _ = _metadata(wheel)
    pylock = tmp_path / "pylock.reader.toml"
    pylock.write_text(_locked(uv, [r for r in requires if r.marker is None]), encoding="utf-8")
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    offline = [uv, "pip", "install", "--offline", "--python", str(python)]
    done = subprocess.run(
        [*offline, "--preview-features", "pylock", "-r", str(pylock)],
        capture_output=True,
        text=True,
        check=False,
    )
    # make install fills uv's cache with the locked wheels: an offline install must find them
    assert done.returncode == 0, f"offline install of the locked dependencies: {done.stderr}"
    # resolved offline against what is installed: a dependency the lock closure lacks fails here
    done = subprocess.run([*offline, str(wheel)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr

    env = {k: v for k, v in _lake_env(lake_read_only).items() if k != "PYTHONPATH"}
    code = (
        "import importlib.util, etl; from etl.read import read;"
        "print(etl.__file__); print(read('people', date='2024-06-02').num_rows);"
        "print([m for m in ('airflow', 'great_expectations', 'pandas')"
        " if importlib.util.find_spec(m)])"
    )
    done = subprocess.run(
        [str(python), "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    where, rows, present = done.stdout.splitlines()
    assert Path(where).is_relative_to(venv) and rows == "1" and present == "[]"
    sql = venv / "bin" / "pubdata-sql"
    query = "SELECT xm FROM open.population.people WHERE _logical_date = '2024-06-02'"
    done = subprocess.run(
        [str(sql), query, "--format", "csv"], env=env, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout.splitlines()) == (0, ['"xm"', '"丙"']), done.stderr
    env["PUBDATA_REGISTRY"] = str(tmp_path / "nowhere")
    done = subprocess.run(
        [str(sql), "--tables"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert (
        done.stderr.startswith("pubdata-sql: registry folder") and "PUBDATA_REGISTRY" in done.stderr
    )


def _locked(uv: str, requires: list[Requirement]) -> str:
    """The lock's pylock export cut to ``requires`` and what they depend on (uv.lock's graph)."""
    graph = {
        canonicalize_name(p["name"]): [
            canonicalize_name(d["name"]) for d in p.get("dependencies", [])
        ]
        for p in _pyproject(REPO / "uv.lock")["package"]
    }
    wanted: set[str] = set()
    todo = [canonicalize_name(r.name) for r in requires]
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(graph[name])
    exported = subprocess.run(
        [uv, "export", "--format", "pylock.toml", "--no-dev", "--frozen", "--no-emit-project"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    head, *packages = exported.split("\n[[packages]]\n")
    kept = [p for p in packages if _name(p) in wanted]
    assert len(kept) == len(wanted), "a dependency of the wheel is not in the lock's export"
    return head + "".join(f"\n[[packages]]\n{p}" for p in kept)


def _name(package: str) -> str:
    """The normalized name of one ``[[packages]]`` entry of a pylock file."""
    found = re.search(r'^name = "([^"]+)"', package, re.M)
    assert found is not None, package
    return canonicalize_name(found.group(1))
