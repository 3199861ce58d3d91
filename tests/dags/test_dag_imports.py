"""The DAG folder's modules import one another in one direction only (no cycles)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

DAGS = REPO / "dags"


def _imports(path: Path, local: set[str]) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & local


def test_dag_modules_import_each_other_without_cycles() -> None:
    files = {p.stem: p for p in DAGS.glob("*.py")}
    graph = {name: _imports(path, set(files) - {name}) for name, path in files.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or reaches(nxt, goal, seen | {nxt}) for nxt in graph[start] - seen)

    cycles = sorted(name for name in graph if reaches(name, name, set()))
    assert cycles == [], f"modules in an import cycle: {cycles}"
