"""A small lake for the integration engine: contributing datasets' restricted tables, written
through the lake's own writer with the lineage columns every loaded row carries.

Persons: ``register`` (公安 household register, authoritative for names and birth dates),
``relief`` (民政, authoritative for phones, fresh within a year) and ``clinic`` (卫健, names
only). Legal entities: ``companies`` (USCC), ``tax`` (USCC) and ``licences`` (an older dataset
keyed by the organisation code).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml
from deltalake import write_deltalake
from stdnum.cn import uscc as stdnum_uscc
from stdnum.iso7064 import mod_11_2

from etl.classify.detectors.codes import org_code_check_char
from etl.extract.cast import arrow_type
from etl.integrate import Domain, load_domains
from etl.integrate.engine import IntegrationResult, integrate, pending_runs
from etl.integrate.gather import ContributingRun
from etl.integrate.tables import BUCKET, BUCKETS, entity_column, key_buckets, read_integrated
from etl.lake import delta
from etl.lake.layout import integrated_table_uri, zone_table_uri
from etl.lake.merge_on_read import SEQ, changes_uri, mark_entity, merged_through
from etl.pipeline.local import local_context, run_local
from etl.registry import Registry, load_registry
from etl.registry.loader import DOMAINS_FOLDER
from etl.settings import Settings
from etl.zones import Zone
from tests.conftest import make_settings

DATASETS: dict[str, dict[str, Any]] = {
    "register": {
        "department": "public_security",
        "domain": "population",
        "columns": {"gmsfhm": "string", "xm": "string", "csrq": "date", "lxdh": "string"},
    },
    "relief": {
        "department": "civil_affairs",
        "domain": "social_assistance",
        "columns": {"sfzh": "string", "xm": "string", "lxdh": "string", "jzdz": "string"},
    },
    "clinic": {
        "department": "health",
        "domain": "health",
        "columns": {"sfzh": "string", "hzxm": "string", "csrq": "date"},
    },
    "companies": {
        "department": "market_regulation",
        "domain": "legal_entity",
        "columns": {"tyshxydm": "string", "qymc": "string", "zcdz": "string"},
    },
    "tax": {
        "department": "tax",
        "domain": "finance",
        "columns": {"nsrsbh": "string", "nsrmc": "string", "zcdz": "string"},
    },
    "licences": {
        "department": "market_regulation",
        "domain": "legal_entity",
        "columns": {"zzjgdm": "string", "jgmc": "string"},
    },
}

POPULATION = Domain.model_validate(
    {
        "id": "population",
        "title": "人口基础信息库",
        "entity": "person",
        "key": {"name": "gmsfhm", "title": "公民身份号码"},
        "attributes": {
            "xm": {"title": "姓名", "sources": ["register", "relief", "clinic"]},
            "csrq": {"title": "出生日期", "type": "date", "sources": ["register", "clinic"]},
            "lxdh": {"title": "联系电话", "sources": ["relief", "register"], "max_age_days": 365},
            "jzdz": {"title": "居住地址", "sources": ["relief"]},
        },
        "contributors": {
            "register": {
                "key": "gmsfhm",
                "attributes": {"xm": "xm", "csrq": "csrq", "lxdh": "lxdh"},
            },
            "relief": {"key": "sfzh", "attributes": {"xm": "xm", "lxdh": "lxdh", "jzdz": "jzdz"}},
            "clinic": {"key": "sfzh", "attributes": {"xm": "hzxm", "csrq": "csrq"}},
        },
    }
)

LEGAL_ENTITY = Domain.model_validate(
    {
        "id": "legal_entity",
        "title": "法人单位基础信息库",
        "entity": "legal_entity",
        "key": {"name": "tyshxydm", "title": "统一社会信用代码"},
        "attributes": {
            "dwmc": {"title": "单位名称", "sources": ["companies", "tax", "licences"]},
            "zcdz": {"title": "注册地址", "sources": ["companies", "tax"]},
        },
        "contributors": {
            "companies": {"key": "tyshxydm", "attributes": {"dwmc": "qymc", "zcdz": "zcdz"}},
            "tax": {"key": "nsrsbh", "attributes": {"dwmc": "nsrmc", "zcdz": "zcdz"}},
            "licences": {
                "key": "zzjgdm",
                "key_form": "org_code",
                "attributes": {"dwmc": "jgmc"},
            },
        },
    }
)


def person(key: str, **values: Any) -> dict[str, Any]:
    """A ``register`` row: the key, the values given, every other column null."""
    return {"gmsfhm": key, "xm": None, "csrq": None, "lxdh": None, **values}


def relief(key: str, **values: Any) -> dict[str, Any]:
    """A ``relief`` row."""
    return {"sfzh": key, "xm": None, "lxdh": None, "jzdz": None, **values}


def clinic(key: str, **values: Any) -> dict[str, Any]:
    """A ``clinic`` row."""
    return {"sfzh": key, "hzxm": None, "csrq": None, **values}


def id_number(sequence: int, born: str = "19900307") -> str:
    """A valid 18-digit ID number (Wuhan, Hongshan district) with sequence ``sequence``."""
    body = f"420111{born}{sequence % 1000:03d}"
    return body + mod_11_2.calc_check_digit(body)


def legacy_id_number(sequence: int, born: str = "900307") -> str:
    """The 15-digit form of ``id_number(sequence, "19" + born)``."""
    return f"420111{born}{sequence % 1000:03d}"


def org_code(sequence: int) -> str:
    """A valid organisation code (nine characters, no hyphen)."""
    body = f"{70000000 + sequence:08d}"
    return body + org_code_check_char(body)


def uscc(sequence: int) -> str:
    """A valid USCC of an enterprise (91, Wuhan) embedding ``org_code(sequence)``."""
    body = "91420100" + org_code(sequence)
    return body + stdnum_uscc.calc_check_digit(body)


@dataclass(frozen=True)
class Lake:
    """Settings over a tmp lake, and the registry of :data:`DATASETS`."""

    settings: Settings
    registry: Registry

    def write(
        self,
        dataset_id: str,
        day: date,
        rows: Sequence[Mapping[str, Any]],
        *,
        run_id: str | None = None,
        source_file: str | None = None,
    ) -> ContributingRun:
        """Load ``rows`` as the run of ``day`` (replacing that date), as the pipeline does."""
        spec = DATASETS[dataset_id]
        run = run_id or f"scheduled__{day.isoformat()}T00:00:00+00:00"
        path = source_file or f"{spec['department']}/{dataset_id}/{day.isoformat()}.csv"
        schema = pa.schema([(c, arrow_type(t)) for c, t in spec["columns"].items()])
        table = pa.Table.from_pylist([dict(r) for r in rows], schema=schema)
        n = table.num_rows
        table = table.append_column("_source_file", pa.array([path] * n, pa.string()))
        table = table.append_column("_source_sha256", pa.array(["0" * 64] * n, pa.string()))
        table = table.append_column("_source_row", pa.array(range(1, n + 1), pa.int64()))
        table = table.append_column("_run_id", pa.array([run] * n, pa.string()))
        table = table.append_column("_logical_date", pa.array([day] * n, pa.date32()))
        uri = zone_table_uri(self.settings.lake, Zone.RESTRICTED, spec["domain"], dataset_id)
        delta.replace_partition(uri, table, day, {"pubdata.run_id": run})
        return ContributingRun(dataset_id, day, run)


def make_lake(root: Path) -> Lake:
    """A registry of :data:`DATASETS` and settings whose lake is under ``root``."""
    registry_root = root / "registry"
    for dataset_id, spec in DATASETS.items():
        folder = registry_root / spec["department"]
        folder.mkdir(parents=True, exist_ok=True)
        document = {
            "id": dataset_id,
            "title": dataset_id,
            "department": spec["department"],
            "domain": spec["domain"],
            "source": {
                "kind": "file",
                "format": "csv",
                "path": f"{spec['department']}/{dataset_id}/{{ds}}.csv",
            },
            "schedule": "@daily",
            "load": "partition",
            "columns": spec["columns"],
        }
        (folder / f"{dataset_id}.yaml").write_text(
            yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
        )
    settings = make_settings(root / "home", PUBDATA_REGISTRY=str(registry_root))
    registry = load_registry(settings.registry)
    assert not registry.problems, registry.problems
    return Lake(settings, registry)


@dataclass(frozen=True)
class SamplePopulation:
    """The sample population repository built from the sample departments' real runs."""

    settings: Settings
    registry: Registry
    domain: Domain
    result: IntegrationResult


def build_sample_population(root: Path, day: date) -> SamplePopulation:
    """Run the population's contributing sample datasets for ``day`` and integrate them."""
    settings = make_settings(root / "home")
    registry = load_registry(settings.registry)
    domain = load_domains(registry).get("population")
    for dataset_id in domain.datasets:
        dataset = registry.datasets[dataset_id]
        run_local(
            settings, dataset, local_context(dataset, day, f"scheduled__{day}T00:00:00+00:00")
        )
    result = integrate(settings, domain, pending_runs(settings, domain), registry=registry)
    return SamplePopulation(settings, registry, domain, result)


def write_domain_files(lake: Lake, *domains: Domain) -> Lake:
    """Write the domain files into the lake's registry; the lake with the registry reloaded."""
    folder = lake.settings.registry / DOMAINS_FOLDER
    folder.mkdir(exist_ok=True)
    for domain in domains:
        document = domain.model_dump(mode="json", exclude_none=True)
        (folder / f"{domain.id}.yaml").write_text(
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return Lake(lake.settings, load_registry(lake.settings.registry))


def append_changes(lake: Lake, domain: Domain, table: str, rows: pa.Table, seq: int) -> None:
    """Append entities' complete row sets to a repository table's changes as update ``seq``.

    What an incremental update writes (:mod:`etl.lake.merge_on_read`), made by hand: ``rows``
    in the base's columns; the entity column is the key (``entity`` for the conflicts).
    ``seq`` counts the updates after the base was written (1: the first).
    """
    base = integrated_table_uri(lake.settings.lake, domain.id, table)
    number = merged_through(delta.open_table(base)) + seq
    tagged = rows.append_column(SEQ, pa.array([number] * rows.num_rows, pa.int64()))
    entity = entity_column(domain, table)
    uri = changes_uri(base)
    marked = tagged.cast(mark_entity(tagged.schema, entity))
    write_deltalake(uri, marked, mode="append", partition_by=[SEQ])


#: The first person's name in :func:`population_with_changes`'s update.
CHANGED_NAME = "张三改"


def _with(rows: pa.Table, **values: Any) -> pa.Table:
    """``rows`` with these columns set to one value each."""
    for name, value in values.items():
        field = rows.schema.field(name)
        column = pa.array([value] * rows.num_rows, field.type)
        rows = rows.set_column(rows.schema.get_field_index(name), field, column)
    return rows


def population_with_changes(root: Path) -> Lake:
    """A population repository, then one update written to its changes tables only.

    Built: ``id_number(1)`` (the register's 张三, relief's 张叁: an open conflict) and
    ``id_number(2)`` (the register's 李四). The update: the first person's name becomes
    :data:`CHANGED_NAME` in the records and in the register's candidate, the conflict is
    resolved on 2024-06-02, and ``id_number(3)``, only in the changes, is a copy of the second
    person (a record and a register candidate).
    """
    lake = write_domain_files(make_lake(root), POPULATION)
    first, second, third = (id_number(i) for i in (1, 2, 3))
    lake.write("register", date(2024, 6, 1), [person(first, xm="张三"), person(second, xm="李四")])
    lake.write("relief", date(2024, 6, 1), [relief(first, xm="张叁")])
    integrate(lake.settings, POPULATION, [], registry=lake.registry)
    key = POPULATION.key.name
    bucket = key_buckets(pa.array([third], pa.string()), BUCKETS)[0].as_py()

    def rows(table: str, of: str) -> pa.Table:
        return read_integrated(lake.settings.lake, POPULATION, table, where=pc.field(key) == of)

    def copy(table: str) -> pa.Table:
        return _with(rows(table, second), **{key: third, BUCKET: bucket})

    records = _with(rows("records", first), xm=CHANGED_NAME)
    append_changes(lake, POPULATION, "records", pa.concat_tables([records, copy("records")]), 1)
    candidates = rows("candidates", first)
    register = pc.field("_dataset") == "register"
    candidates = pa.concat_tables(
        [
            _with(candidates.filter(register), xm=CHANGED_NAME),
            candidates.filter(~register),
            copy("candidates"),
        ]
    )
    append_changes(lake, POPULATION, "candidates", candidates, 1)
    conflicts = read_integrated(lake.settings.lake, POPULATION, "conflicts")
    conflicts = _with(conflicts, is_open=False, resolved=date(2024, 6, 2))
    append_changes(lake, POPULATION, "conflicts", conflicts, 1)
    return lake
