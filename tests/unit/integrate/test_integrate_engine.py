"""The integration engine over real Delta tables: sources, freshness, lineage, keys, match rates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from etl.errors import ConfigError
from etl.integrate import Domain
from etl.integrate.engine import integrate, pending_runs
from etl.integrate.gather import ContributingRun
from etl.integrate.tables import current_records, read_integrated
from etl.lake import delta
from etl.lake.layout import integrated_table_uri, zone_table_uri
from etl.lineage import append_rows, read_meta
from etl.zones import Zone
from tests.unit.integrate.builders import (
    LEGAL_ENTITY,
    POPULATION,
    Lake,
    id_number,
    legacy_id_number,
    make_lake,
    org_code,
    person,
    relief,
    uscc,
)

D1, D2, D3 = date(2024, 6, 1), date(2024, 6, 2), date(2024, 6, 3)
A, B, C = id_number(1), id_number(2), id_number(3)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return make_lake(tmp_path)


def records(lake: Lake, domain: Domain = POPULATION) -> dict[str, dict[str, Any]]:
    """The current records by key."""
    rows = current_records(lake.settings.lake, domain).to_pylist()
    return {r[domain.key.name]: r for r in rows}


def run(lake: Lake, runs: list[ContributingRun], domain: Domain = POPULATION, **kw: Any) -> Any:
    return integrate(lake.settings, domain, runs, registry=lake.registry, **kw)


def test_the_authoritative_source_wins_and_the_next_fills_its_gaps(lake: Lake) -> None:
    register = lake.write("register", D1, [person(A, xm="张三", csrq=date(1990, 3, 7))])
    payments = lake.write(
        "relief",
        D1,
        [relief(A, xm="张叁", lxdh="13800138000"), relief(B, xm="李四", jzdz="洪山路1号")],
    )
    result = run(lake, [register, payments])
    found = records(lake)
    assert found[A]["xm"] == "张三"
    assert found[A]["xm__dataset"] == "register"  # authoritative, though relief differs
    assert (found[A]["lxdh"], found[A]["lxdh__dataset"]) == ("13800138000", "relief")
    assert (found[B]["xm"], found[B]["xm__dataset"]) == ("李四", "relief")  # a fallback
    assert found[B]["csrq"] is None and found[B]["csrq__dataset"] is None
    assert result.mode == "full"
    assert (result.counts.touched, result.counts.inserted, result.counts.changed) == (2, 2, 0)


def test_attribute_lineage_names_the_file_and_row_that_supplied_the_value(lake: Lake) -> None:
    # two files in one delivery; in each, a later row for the same person wins
    lake.write(
        "relief",
        D1,
        [relief(A, xm="旧名"), relief(B, xm="李四"), relief(A, xm="王五")],
        source_file="civil_affairs/relief/2024-06-01/part-1.csv",
    )
    run(lake, [])
    found = records(lake)[A]
    assert found["xm"] == "王五"
    assert (found["xm__source_file"], found["xm__source_row"]) == (
        "civil_affairs/relief/2024-06-01/part-1.csv",
        3,
    )
    assert found["xm__run_id"] == "scheduled__2024-06-01T00:00:00+00:00"
    assert found["xm__date"] == D1
    # the row the lineage names holds that value in the dataset's restricted table
    table = delta.read(
        zone_table_uri(lake.settings.lake, Zone.RESTRICTED, "social_assistance", "relief")
    )
    row = table.filter(
        pc.and_(
            pc.equal(table.column("_source_file"), found["xm__source_file"]),
            pc.equal(table.column("_source_row"), found["xm__source_row"]),
        )
    ).to_pylist()
    assert [(r["sfzh"], r["xm"], r["_run_id"]) for r in row] == [(A, "王五", found["xm__run_id"])]


def test_a_stale_authoritative_value_yields_to_a_fresh_one(lake: Lake) -> None:
    # lxdh: relief first, register next, a value older than 365 days is stale
    old = lake.write(
        "relief", date(2023, 1, 2), [relief(A, lxdh="13800000001"), relief(B, lxdh="13800000002")]
    )
    recent = lake.write("relief", date(2024, 5, 1), [relief(B, lxdh="13800000022")])
    register = lake.write(
        "register", D1, [person(A, lxdh="13900000001"), person(B, lxdh="13900000002")]
    )
    run(lake, [old, recent, register])
    found = records(lake)
    assert (found[A]["lxdh"], found[A]["lxdh__dataset"]) == ("13900000001", "register")
    assert (found[B]["lxdh"], found[B]["lxdh__dataset"]) == ("13800000022", "relief")
    # both disagree with the other source; A's record took a fallback's value
    conflicts = read_integrated(lake.settings.lake, POPULATION, "conflicts")
    found_conflicts = sorted(
        (r["source"], r["other"], r["source_authoritative"], r["other_run_id"])
        for r in conflicts.to_pylist()
    )
    assert found_conflicts == [
        ("register", "relief", False, old.run_id),
        ("relief", "register", True, register.run_id),
    ]


def test_a_value_going_stale_between_integrations_is_recomputed(lake: Lake) -> None:
    # relief's phone of A is fresh on D1 (362 days old) and stale on 2024-06-10 (371 days)
    payments = lake.write("relief", date(2023, 6, 5), [relief(A, lxdh="13800000001")])
    register = lake.write("register", D1, [person(A, lxdh="13900000001"), person(B, xm="李四")])
    run(lake, [payments, register])
    assert records(lake)[A]["lxdh__dataset"] == "relief"
    # a later run that does not deliver A
    later = lake.write("register", date(2024, 6, 10), [person(B, xm="李四")])
    result = run(lake, [later])
    found = records(lake)[A]
    assert (found["lxdh"], found["lxdh__dataset"]) == ("13900000001", "register")
    assert found["valid_from"] == date(2024, 6, 10)
    assert result.counts.changed == 1


def test_legacy_keys_join_the_entity_of_their_canonical_number(lake: Lake) -> None:
    with_x = id_number(5)  # ends in X
    register = lake.write(
        "register", D1, [person(A, xm="张三"), person(with_x, xm="赵六"), person(C, xm="孙七")]
    )
    payments = lake.write(
        "relief",
        D1,
        [
            relief(legacy_id_number(1), jzdz="洪山路1号"),  # 15 digits
            relief(with_x.lower(), jzdz="洪山路5号"),  # lower-case x
            relief(
                C.translate(str.maketrans("0123456789", "０１２３４５６７８９")), jzdz="洪山路3号"
            ),
            relief(A[:-1] + ("0" if A[-1] != "0" else "1"), jzdz="错号"),  # wrong check digit
            relief("  ", jzdz="无号"),
        ],
    )
    result = run(lake, [register, payments])
    found = records(lake)
    assert sorted(found) == sorted([A, with_x, C])
    assert found[A]["jzdz"] == "洪山路1号"
    assert found[with_x]["jzdz"] == "洪山路5号"
    assert found[C]["jzdz"] == "洪山路3号"
    matches = {m.run.dataset: m for m in result.runs}
    assert (matches["relief"].rows, matches["relief"].keys_delivered) == (5, 4)
    assert matches["relief"].keys_matched == 3
    assert matches["relief"].match_rate == 0.75
    assert matches["register"].match_rate == 1.0


def test_match_rates_and_totals_are_recorded_per_run(lake: Lake) -> None:
    first = lake.write("register", D1, [person(A, xm="张三"), person("123", xm="无效")])
    run(lake, [first], integration_id="integrate__population__one")
    second = lake.write("relief", D2, [relief(A, xm="张叁"), relief(B, xm="李四")])
    run(lake, [second], integration_id="integrate__population__two")
    rows = read_meta(lake.settings.lake, "integration_runs").to_pylist()
    by_run = {(r["integration_id"], r["dataset"]): r for r in rows}
    one = by_run[("integrate__population__one", "register")]
    assert (one["mode"], one["rows"], one["keys_delivered"], one["keys_matched"]) == (
        "full",
        2,
        2,
        1,
    )
    assert (one["as_of"], one["entities_inserted"]) == (D1, 1)
    two = by_run[("integrate__population__two", "relief")]
    assert (two["mode"], two["logical_date"], two["run_id"]) == (
        "incremental",
        D2,
        "scheduled__2024-06-02T00:00:00+00:00",
    )
    assert (two["entities_touched"], two["entities_inserted"], two["conflicts_opened"]) == (2, 1, 1)
    assert len(rows) == 2


def test_a_run_whose_rows_were_replaced_reads_nothing(lake: Lake) -> None:
    first = lake.write("register", D1, [person(A, xm="张三")])
    lake.write("register", D1, [person(A, xm="张三")], run_id="manual__2024-06-01T08:00:00+00:00")
    result = run(lake, [first])  # a full build reads the rerun; the first run is gone
    assert [m.run.run_id for m in result.runs] == ["manual__2024-06-01T08:00:00+00:00"]
    again = run(lake, [first])
    assert [(m.run, m.rows) for m in again.runs] == [(first, 0)]
    assert again.versions == {}


def test_org_codes_join_the_legal_entity_whose_uscc_embeds_them(lake: Lake) -> None:
    u1, u2 = uscc(1), uscc(2)
    companies = lake.write(
        "companies",
        D1,
        [
            {"tyshxydm": u1, "qymc": "甲公司", "zcdz": "A路1号"},
            {"tyshxydm": u2, "qymc": "乙公司", "zcdz": None},
        ],
    )
    code1 = org_code(1)
    licences = lake.write(
        "licences",
        D1,
        [
            {"zzjgdm": f"{code1[:8]}-{code1[8]}", "jgmc": "甲公司"},
            {"zzjgdm": org_code(3), "jgmc": "丙公司"},  # valid, but no known USCC embeds it
        ],
    )
    result = run(lake, [companies, licences], LEGAL_ENTITY)
    found = records(lake, LEGAL_ENTITY)
    assert sorted(found) == sorted([u1, u2])
    assert found[u1]["dwmc"] == "甲公司"
    matched = {m.run.dataset: (m.keys_delivered, m.keys_matched) for m in result.runs}
    assert matched == {"companies": (2, 2), "licences": (2, 1)}
    # later, an org code of an entity the repository knows (from its records) joins it
    later = lake.write("licences", D2, [{"zzjgdm": org_code(2), "jgmc": "乙有限公司"}])
    result = run(lake, [later], LEGAL_ENTITY)
    assert [(m.keys_delivered, m.keys_matched) for m in result.runs] == [(1, 1)]
    assert records(lake, LEGAL_ENTITY)[u2]["dwmc"] == "乙公司"  # the authoritative value stands
    assert result.counts.opened == 1  # 乙有限公司 differs


def test_integrating_the_same_runs_again_changes_nothing(lake: Lake) -> None:
    register = lake.write("register", D1, [person(A, xm="张三"), person(B, xm="李四")])
    payments = lake.write("relief", D2, [relief(A, xm="张叁")])
    run(lake, [register])
    run(lake, [payments])
    uris = [
        integrated_table_uri(lake.settings.lake, "population", t)
        for t in ("records", "candidates", "conflicts")
    ]
    before = [delta.version(u) for u in uris]
    again = run(lake, [register, payments])
    assert again.versions == {}
    assert [delta.version(u) for u in uris] == before
    assert (again.counts.changed, again.counts.opened, again.counts.closed) == (0, 0, 0)


def test_a_rerun_of_a_date_replaces_that_dates_candidates(lake: Lake) -> None:
    lake.write("register", D1, [person(A, xm="张三"), person(B, xm="李四")])
    run(lake, [])
    # the rerun delivers A with another name, in an earlier row than before
    rerun = lake.write(
        "register", D1, [person(A, xm="张三丰")], run_id="manual__2024-06-01T09:00:00+00:00"
    )
    run(lake, [rerun])
    found = records(lake)[A]
    assert (found["xm"], found["xm__run_id"]) == ("张三丰", rerun.run_id)
    # the same date: the version is replaced, not closed (no empty interval)
    versions = read_integrated(lake.settings.lake, POPULATION, "records")
    mine = versions.filter(pc.equal(versions.column("gmsfhm"), A)).to_pylist()
    assert [(v["xm"], v["valid_from"], v["valid_to"]) for v in mine] == [("张三丰", D1, None)]


def test_a_late_run_is_applied_as_of_the_last_integrated_date(lake: Lake) -> None:
    run(lake, [lake.write("register", D2, [person(A, xm="张三")])])
    late = lake.write("relief", D1, [relief(A, jzdz="洪山路1号")])
    result = run(lake, [late])
    assert result.as_of == D2
    found = records(lake)[A]
    assert (found["jzdz"], found["jzdz__date"], found["valid_from"]) == ("洪山路1号", D1, D2)


def test_pending_runs_are_the_published_runs_no_integration_read(lake: Lake) -> None:
    register = lake.write("register", D1, [person(A, xm="张三")])
    payments = lake.write("relief", D1, [relief(B, xm="李四")])

    def row(r: ContributingRun, zone: str, status: str) -> dict[str, Any]:
        return {
            "dataset": r.dataset,
            "run_id": r.run_id,
            "logical_date": r.logical_date,
            "zone": zone,
            "status": status,
        }

    failed = ContributingRun("clinic", D1, "scheduled__2024-06-01T00:00:00+00:00")
    append_rows(
        lake.settings.lake,
        "lineage_runs",
        [
            row(register, "restricted", "success"),
            row(register, "shared", "success"),
            row(payments, "restricted", "success"),
            row(failed, "restricted", "failed"),
            row(ContributingRun("air_quality", D1, "x"), "restricted", "success"),
        ],
    )
    assert pending_runs(lake.settings, POPULATION) == [register, payments]
    run(lake, pending_runs(lake.settings, POPULATION))
    assert pending_runs(lake.settings, POPULATION) == []


def test_tables_built_from_another_domain_file_need_a_rebuild(lake: Lake) -> None:
    register = lake.write("register", D1, [person(A, xm="张三")])
    run(lake, [register])
    narrower = POPULATION.model_copy(
        update={
            "attributes": {k: v for k, v in POPULATION.attributes.items() if k != "csrq"},
            "contributors": {
                "register": POPULATION.contributors["register"].model_copy(
                    update={"attributes": {"xm": "xm", "lxdh": "lxdh"}}
                ),
                "relief": POPULATION.contributors["relief"],
                "clinic": POPULATION.contributors["clinic"].model_copy(
                    update={"attributes": {"xm": "hzxm"}}
                ),
            },
        }
    )
    with pytest.raises(ConfigError, match="records table of population has other columns"):
        run(lake, [register], narrower)
    result = run(lake, [register], narrower, rebuild=True)
    assert result.mode == "full"
    assert "csrq" not in current_records(lake.settings.lake, narrower).column_names
    assert records(lake, narrower)[A]["xm"] == "张三"


def test_a_contributor_missing_from_the_registry_is_a_config_error(lake: Lake) -> None:
    stray = POPULATION.model_copy(
        update={
            "contributors": {
                **POPULATION.contributors,
                "clinic_visits": POPULATION.contributors["clinic"],
            }
        }
    )
    with pytest.raises(ConfigError, match="'clinic_visits' is not in the registry"):
        run(lake, [], stray)
