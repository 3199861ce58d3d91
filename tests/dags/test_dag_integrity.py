"""Every registry dataset produces its DAG; parsing is cheap; broken YAML is loud."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from etl.integrate import load_domains
from etl.registry import load_registry
from tests.conftest import REPO, fresh_python

DAGS = REPO / "dags"
HEAVY = ("pandas", "pyarrow", "great_expectations", "deltalake", "duckdb")
#: DAGs that are not built from the registry, each listed on purpose.
MAINTENANCE_DAGS = {"maintenance__data_docs"}
#: The sample products' DAGs (datasets/products/).
PRODUCT_DAGS = {
    "product__air_quality_by_station",
    "product__relief_by_district",
    "product__relief_recipients",
}
#: The sample downstream consumer; built only when its source dataset is registered.
EXAMPLE_DAGS = {"example_downstream__household_register"}

STEPS = ["extract", "validate", "classify", "load", "record"]
#: Extra registry entries parsed beside the samples: a waiting file source and a sql source.
EXTRA = {
    "waiting.yaml": (
        "id: waiting\ntitle: t\ndepartment: extra\ndomain: d\nsource: {kind: file,"
        " format: csv, path: 'w/{ds}/*.csv', wait: {timeout_minutes: 60, poke_minutes: 5}}\n"
    ),
    "from_db.yaml": (
        "id: from_db\ntitle: t\ndepartment: extra\ndomain: d\nsource: {kind: sql,"
        " conn_id: dept_db, table: orders, mode: incremental, watermark: updated_at}\n"
        "start_paused: false\n"
    ),
}

_HOSTILE_BASE = (
    "id: {id}\ntitle: t\ndepartment: x\ndomain: y\n"
    "source: {{kind: file, format: csv, path: a.csv}}\n"
)
HOSTILE = {
    "deep.yaml": _HOSTILE_BASE.format(id="deep") + "tags: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "dup.yaml": _HOSTILE_BASE.format(id="dup") + "classification: {core: true, core: false}\n",
    "cron.yaml": _HOSTILE_BASE.format(id="cron") + "schedule: '61 * * * *'\n",
    "nul.yaml": _HOSTILE_BASE.format(id="nul").replace("a.csv", '"a\\0.csv"'),
    "tag.yaml": _HOSTILE_BASE.format(id="tag") + f"tags: [{'x' * 101}]\n",
}
HOSTILE_PROBLEMS = {
    "deep.yaml": "line 6: nested deeper than",
    "dup.yaml": "line 6: duplicate key 'core'",
    "cron.yaml": "line 6: schedule: not a valid schedule",
    "nul.yaml": "line 5: source.path: contains a control character U+0000",
    "tag.yaml": "line 6: tags.0: String should have at most 100 characters",
}

PARSE = """
import json, sys
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo
from airflow.dag_processing.dagbag import BundleDagBag
import airflow.sdk
before = set(sys.modules)
bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]))
new = sorted({m.split(".")[0] for m in set(sys.modules) - before})
print(json.dumps({
    "dags": {d: {"tags": sorted(dag.tags), "tasks": [t.task_id for t in dag.topological_sort()],
                 "outlets": [o.name for t in dag.tasks for o in t.outlets],
                 "schedule_assets": [a.name for a in getattr(
                     getattr(dag.timetable, "asset_condition", None), "objects", ())],
                 "retries": dag.default_args.get("retries"),
                 "timezone": dag.timezone.name, "start_date": dag.start_date.isoformat(),
                 "end_date": dag.end_date.isoformat() if dag.end_date else None,
                 "schedule": dag.schedule if isinstance(dag.schedule, str) else None,
                 "description": dag.description,
                 "paused_on_creation": dag.is_paused_upon_creation,
                 "catchup": dag.catchup, "max_active_runs": dag.max_active_runs}
             for d, dag in bag.dags.items()},
    "errors": {Path(k).name: v for k, v in bag.import_errors.items()},
    "new_modules": new,
}))
"""


def parse(registry: Path, tmp_path: Path) -> dict:
    env = dict(os.environ, PUBDATA_REGISTRY=str(registry), PUBDATA_HOME=str(tmp_path / "home"))
    found: dict = fresh_python(PARSE, str(DAGS), env=env, timeout=300)
    return found


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return parse(REPO / "datasets", tmp_path_factory.mktemp("parse"))


def ingest_dags(result: dict) -> set[str]:
    return {d for d in result["dags"] if d.startswith("ingest__")}


def test_every_registry_dataset_has_its_dag(parsed: dict) -> None:
    registry = load_registry(REPO / "datasets")
    assert registry.datasets, "the sample registry is empty"
    expected = {d.dag_id for d in registry.datasets.values()}
    integrations = {d.dag_id for d in load_domains(registry).domains.values()}
    assert integrations == {"integrate__population", "integrate__legal_entity"}
    assert set(parsed["dags"]) == (
        expected | integrations | MAINTENANCE_DAGS | EXAMPLE_DAGS | PRODUCT_DAGS
    )
    assert parsed["errors"] == {}


def test_each_repository_is_scheduled_on_its_contributors_restricted_assets(
    parsed: dict,
) -> None:
    registry = load_registry(REPO / "datasets")
    for domain in load_domains(registry).domains.values():
        dag = parsed["dags"][domain.dag_id]
        contributors = [registry.datasets[d] for d in domain.datasets]
        restricted = sorted(f"restricted.{d.domain}.{d.id}" for d in contributors)
        assert sorted(dag["schedule_assets"]) == restricted, domain.id
        for ds in contributors:  # the very assets the contributors' load tasks publish
            assert f"restricted.{ds.domain}.{ds.id}" in parsed["dags"][ds.dag_id]["outlets"]
        assert dag["tasks"] == ["integrate"]
        assert dag["outlets"] == [
            *(
                f"restricted.integrated.{domain.id}.{t}"
                for t in ("records", "candidates", "conflicts")
            ),
            f"shared.integrated.{domain.id}.records",
        ]
        assert f"domain:{domain.id}" in dag["tags"]
        assert (dag["catchup"], dag["max_active_runs"]) == (False, 1)
        # an asset event is not queued for a paused DAG: it starts unpaused
        assert dag["paused_on_creation"] is False


def test_dags_schedule_in_the_citys_time_zone(parsed: dict) -> None:
    # cron runs in local time and the start date is local midnight (Airflow keeps it in UTC)
    registry = load_registry(REPO / "datasets")
    for dataset in registry.datasets.values():
        dag = parsed["dags"][dataset.dag_id]
        assert dag["timezone"] == "Asia/Shanghai", dataset.id
        start = datetime.fromisoformat(dag["start_date"]).astimezone(ZoneInfo("Asia/Shanghai"))
        assert (start.date(), start.time()) == (dataset.start_date, time.min), dataset.id


def test_downstream_example_is_scheduled_on_a_published_asset(parsed: dict) -> None:
    (example,) = EXAMPLE_DAGS
    consumer = parsed["dags"][example]
    assert consumer["schedule_assets"] == ["shared.population.household_register"]
    producer = parsed["dags"]["ingest__public_security__household_register"]
    assert set(consumer["schedule_assets"]) <= set(producer["outlets"])


def test_dag_shape_tags_retries_and_assets(parsed: dict) -> None:
    registry = load_registry(REPO / "datasets")
    for ds in registry.datasets.values():
        dag = parsed["dags"][ds.dag_id]
        waits = ds.source.kind == "file" and ds.source.wait.timeout_minutes > 0
        assert dag["tasks"] == ["wait_for_source"] * waits + STEPS
        assert f"department:{ds.department}" in dag["tags"]
        assert f"domain:{ds.domain}" in dag["tags"]
        assert dag["retries"] == ds.retries
        assert dag["paused_on_creation"] is True  # the default: an operator unpauses it
        assert f"restricted.{ds.domain}.{ds.id}" in dag["outlets"]
        assert (f"open.{ds.domain}.{ds.id}" in dag["outlets"]) == (
            ds.open and not ds.classification.important
        )


def test_parsing_imports_no_heavy_library(parsed: dict) -> None:
    heavy = [m for m in parsed["new_modules"] if m in HEAVY]
    assert heavy == []


def test_broken_yaml_is_an_import_error_naming_the_file(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    for src in (REPO / "datasets").rglob("*.yaml"):
        target = registry / src.relative_to(REPO / "datasets")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    broken = registry / "broken" / "bad_dataset.yaml"
    broken.parent.mkdir()
    broken.write_text("id: bad_dataset\ntitle: t\ndepartment: x\ndomain: y\nsorce: {}\n")
    # hostile files: each is a problem of its own file, none takes the other DAGs down
    for name, text in HOSTILE.items():
        (registry / "broken" / name).write_text(text, encoding="utf-8")
    for name, text in EXTRA.items():
        (registry / "extra").mkdir(exist_ok=True)
        (registry / "extra" / name).write_text(text, encoding="utf-8")
    result = parse(registry, tmp_path)
    assert "registry_check.py" in result["errors"]
    message = result["errors"]["registry_check.py"]
    assert "bad_dataset.yaml" in message and "sorce" in message
    for name, what in HOSTILE_PROBLEMS.items():
        assert f"{name}: {what}" in message
    assert "RecursionError" not in message
    # the valid datasets keep their DAGs
    samples = len(load_registry(REPO / "datasets").datasets)
    assert len(ingest_dags(result)) == samples + len(EXTRA)
    # a file source with a wait gets a reschedule sensor first; a sql source never waits
    assert result["dags"]["ingest__extra__waiting"]["tasks"] == ["wait_for_source", *STEPS]
    assert result["dags"]["ingest__extra__from_db"]["tasks"] == STEPS
    assert result["dags"]["ingest__extra__from_db"]["paused_on_creation"] is False  # start_paused


def test_a_broken_domain_file_is_an_import_error_and_leaves_the_dataset_dags(
    tmp_path: Path,
) -> None:
    registry = tmp_path / "registry"
    shutil.copytree(REPO / "datasets", registry)
    domain = registry / "domains" / "population.yaml"
    text = domain.read_text(encoding="utf-8").replace("{xm: hzxm}", "{xm: hzmx}")
    domain.write_text(text, encoding="utf-8")
    (registry / "domains" / "broken.yaml").write_text("id: broken\ntitle: [\n", encoding="utf-8")
    result = parse(registry, tmp_path)
    assert set(result["errors"]) == {"registry_check.py"}
    message = result["errors"]["registry_check.py"]
    line = text.splitlines().index("    attributes: {xm: hzmx}") + 1
    assert f"population.yaml: line {line}: contributors.clinic_visits.attributes.xm:" in message
    assert "broken.yaml: line 3: not valid YAML" in message
    # every dataset keeps its DAG: a domain file is never a dataset, broken or not
    assert ingest_dags(result) == {d.dag_id for d in load_registry(registry).datasets.values()}
    assert len(ingest_dags(result)) == len(load_registry(REPO / "datasets").datasets)
    # the broken repository has no DAG; the valid one keeps its own
    assert "integrate__population" not in result["dags"]
    assert "integrate__legal_entity" in result["dags"]


@pytest.mark.slow  # generates and parses a 1,000-entry registry
def test_thousand_generated_entries_all_produce_dags(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from parse_dags import write_registry
    finally:
        sys.path.pop(0)
    registry = tmp_path / "registry"
    write_registry(registry, 1000)
    result = parse(registry, tmp_path)
    assert len(ingest_dags(result)) == 1000
    # the example consumer needs household_register, which a generated registry lacks
    assert set(result["dags"]) - ingest_dags(result) == MAINTENANCE_DAGS
    assert result["errors"] == {}


def test_delivery_sensor_settings_and_timeout_message(tmp_path: Path) -> None:
    from datetime import date

    sys.path.insert(0, str(DAGS))
    try:
        import pubdata_task_context as task_context

        import pubdata_wiring as wiring
    finally:
        sys.path.pop(0)
    import yaml

    from etl.registry import Dataset
    from tests.conftest import make_settings

    waiting = Dataset.model_validate(yaml.safe_load(EXTRA["waiting.yaml"]))
    settings = make_settings(tmp_path / "home")
    sensor = wiring.wait_for_source(waiting, settings)
    assert sensor is not None
    assert (sensor.task_id, sensor.mode, sensor.poke_interval, sensor.timeout, sensor.retries) == (
        "wait_for_source",
        "reschedule",
        300,
        3600,
        0,
    )
    message = task_context.not_delivered_message(waiting, date(2024, 6, 1))
    assert message == "source not delivered: w/2024-06-01/*.csv (waited 60 min)"
    from_db = Dataset.model_validate(yaml.safe_load(EXTRA["from_db.yaml"]))
    assert wiring.wait_for_source(from_db, settings) is None


def test_each_product_has_its_dag_on_its_schedule_until_expiry(parsed: dict) -> None:
    from etl.products import load_products

    registry = load_registry(REPO / "datasets")
    products = load_products(registry, load_domains(registry)).products
    assert {p.dag_id for p in products.values()} == PRODUCT_DAGS
    shanghai = ZoneInfo("Asia/Shanghai")
    for product in products.values():
        dag = parsed["dags"][product.dag_id]
        assert dag["tasks"] == ["release"]
        assert dag["schedule"] == product.schedule  # the file's own: @monthly, @daily
        # from the authorisation's local midnight to the last second of the expiry day
        start = datetime.fromisoformat(dag["start_date"]).astimezone(shanghai)
        assert (start.date(), start.time()) == (product.authorisation.date, time.min)
        end = datetime.fromisoformat(dag["end_date"]).astimezone(shanghai)
        assert (end.date(), end.time()) == (product.expires, time(23, 59, 59))
        # the release's asset, named for the consumer and the product
        assert dag["outlets"] == [f"product.{product.consumer.uscc}.{product.id}"]
        assert "product" in dag["tags"] and f"consumer:{product.consumer.uscc}" in dag["tags"]
        assert product.consumer.name in dag["description"]
        assert (dag["catchup"], dag["max_active_runs"], dag["paused_on_creation"]) == (
            False,
            1,
            True,
        )


def test_a_product_triggered_after_expiry_is_refused_in_one_line(tmp_path: Path) -> None:
    from datetime import date

    from etl.integrate import load_domains as domains_of
    from etl.products import load_products
    from etl.products.status import release_records
    from tests.conftest import make_settings

    sys.path.insert(0, str(DAGS))
    try:
        import pubdata_wiring as wiring
    finally:
        sys.path.pop(0)
    registry = load_registry(REPO / "datasets")
    product = load_products(registry, domains_of(registry)).get("relief_by_district")
    settings = make_settings(tmp_path / "home")
    # a logical date before expiry: the run is made after it, so the authorisation has ended
    with pytest.raises(wiring.AirflowFailException) as refused:
        wiring.run_product_release(product, settings, date(2025, 5, 1))
    assert str(refused.value) == (
        "release of product relief_by_district refused: product relief_by_district expired on "
        "2025-05-31; no release for 2025-05-01"
    )
    [record] = release_records(settings.lake, ["relief_by_district"])
    assert (record.status, record.logical_date) == ("refused", date(2025, 5, 1))
    assert not (settings.home / "products").exists()
