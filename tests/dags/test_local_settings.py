"""airflow_local_settings warms exactly the processes that fork task processes."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from etl.runtime.airflow_env import LOCAL_SETTINGS


@pytest.fixture(scope="module")
def local_settings() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "airflow_local_settings", LOCAL_SETTINGS / "airflow_local_settings.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # pytest's argv: nothing is preloaded
    return module


@pytest.mark.parametrize(
    ("argv", "executor", "warm"),
    [
        (["airflow", "scheduler"], "LocalExecutor", True),
        (["airflow", "scheduler"], "airflow.executors.local_executor.LocalExecutor", True),
        (["airflow", "scheduler"], "CeleryExecutor,LocalExecutor", True),
        (["airflow", "scheduler"], "CeleryExecutor", False),  # its tasks run on the workers
        (["airflow", "celery", "worker", "--concurrency", "2"], "CeleryExecutor", True),
        (["airflow", "celery", "flower"], "CeleryExecutor", False),
        (["airflow", "api-server"], "LocalExecutor", False),
        (["airflow", "dag-processor"], "LocalExecutor", False),
        (["airflow", "dags", "list"], "LocalExecutor", False),
    ],
)
def test_only_processes_that_fork_tasks_are_warmed(
    local_settings: ModuleType, argv: list[str], executor: str, warm: bool
) -> None:
    assert local_settings._forks_tasks(argv, executor) is warm


@pytest.mark.parametrize(
    ("argv", "parses"),
    [
        (["airflow", "dag-processor"], True),
        (["airflow", "dags", "list"], False),
        (["airflow", "scheduler"], False),
    ],
)
def test_the_dag_processor_parses_the_registry_before_its_file_parsers(
    local_settings: ModuleType, argv: list[str], parses: bool
) -> None:
    assert local_settings._forks_parsers(argv) is parses


def test_the_embedded_airflow_finds_the_local_settings(tmp_path: Path) -> None:
    from etl.runtime.airflow_env import airflow_environment
    from tests.conftest import make_settings

    env = airflow_environment(make_settings(tmp_path / "home"), base={"PYTHONPATH": "/x"})
    assert env["PYTHONPATH"].split(":") == [str(LOCAL_SETTINGS), "/x"]


def test_what_tasks_import_is_compiled_bytecode() -> None:
    """``make install`` compiles bytecode: no task process compiles Airflow or GX again.

    With ``PYTHONDONTWRITEBYTECODE`` set (this machine, CI, many images) an interpreter that
    finds no ``.pyc`` compiles every module it imports, in every process, and caches nothing.
    """
    from etl.pipeline.warm import WARM_MODULES

    names = (*WARM_MODULES, "airflow.sdk", "airflow.sdk.execution_time.task_runner", "pyarrow")
    missing = []
    for name in names:
        source = getattr(importlib.import_module(name), "__file__", None)
        assert source is not None and source.endswith(".py"), name
        cached = importlib.util.cache_from_source(source)
        if not Path(cached).is_file():
            missing.append(name)
    assert not missing, f"no compiled bytecode for {missing}: run `make install`"


def test_preload_parses_the_registry_before_the_forks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from etl.pipeline.warm import preload
    from etl.registry import load_registry, safe_yaml

    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "people.yaml").write_text(
        f"id: people_{tmp_path.name}\ntitle: People\ndepartment: public_security\n"
        "domain: population\nsource:\n  kind: file\n  format: csv\n  path: p/{ds}.csv\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PUBDATA_REGISTRY", str(registry))
    preload()
    parsed: list[str] = []
    monkeypatch.setattr(safe_yaml, "parse_document", lambda text: parsed.append(text))
    assert load_registry(registry).problems == ()
    assert parsed == []  # what a task forked now would find: nothing left to parse

    monkeypatch.setenv("PUBDATA_BATCH_ROWS", "many")  # settings a task would refuse too
    preload()  # the process still starts, and says why the registry was not preloaded
    assert "the registry was not preloaded" in caplog.text
