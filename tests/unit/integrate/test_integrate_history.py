"""SCD2 history, conflicts, bucket rewrites and what never leaves the restricted tables."""

from __future__ import annotations

import json
import logging
import random
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl.errors import ConcurrentRun, ConfigError
from etl.integrate import engine, tables
from etl.integrate.engine import integrate
from etl.integrate.tables import (
    BUCKET,
    BUCKETS,
    BUCKETS_APP,
    UNRECORDED_BUCKETS,
    key_buckets,
    read_integrated,
    records_as_of,
)
from etl.lake import delta, merge_on_read
from etl.lake.layout import integrated_table_uri
from etl.protect.keys import load_token_key
from etl.protect.tokens import tokenize_one
from tests.unit.integrate.builders import (
    POPULATION,
    Lake,
    clinic,
    id_number,
    make_lake,
    person,
    relief,
)

D1, D2, D3 = date(2024, 6, 1), date(2024, 6, 2), date(2024, 6, 3)
A, B = id_number(1), id_number(2)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return make_lake(tmp_path)


def run(lake: Lake, *runs: Any) -> Any:
    return integrate(lake.settings, POPULATION, list(runs), registry=lake.registry)


def uri(lake: Lake, table: str) -> str:
    return integrated_table_uri(lake.settings.lake, "population", table)


def as_of(lake: Lake, day: date) -> dict[str, dict[str, Any]]:
    return {r["gmsfhm"]: r for r in records_as_of(lake.settings.lake, POPULATION, day).to_pylist()}


def conflicts(lake: Lake) -> list[dict[str, Any]]:
    return read_integrated(lake.settings.lake, POPULATION, "conflicts").to_pylist()


def token(lake: Lake, key: str) -> str:
    return tokenize_one(key, "id_card", load_token_key(lake.settings.home, lake.settings.token_key))


def test_history_across_three_runs_answers_as_of_any_date(lake: Lake) -> None:
    run(lake, lake.write("register", D1, [person(A, xm="张三"), person(B, xm="李四")]))
    run(lake, lake.write("register", D2, [person(A, xm="张三丰"), person(B, xm="李四")]))
    run(lake, lake.write("relief", D3, [relief(A, jzdz="洪山路1号")]))
    versions = read_integrated(lake.settings.lake, POPULATION, "records")
    mine = versions.filter(pc.equal(versions.column("gmsfhm"), A)).sort_by("valid_from")
    assert [
        (v["xm"], v["jzdz"], v["valid_from"], v["valid_to"], v["is_current"])
        for v in mine.to_pylist()
    ] == [
        ("张三", None, D1, D2, False),
        ("张三丰", None, D2, D3, False),
        ("张三丰", "洪山路1号", D3, None, True),
    ]
    # B never changed: one version, its lineage still the first delivery
    theirs = versions.filter(pc.equal(versions.column("gmsfhm"), B)).to_pylist()
    assert [(v["valid_from"], v["xm__run_id"]) for v in theirs] == [
        (D1, "scheduled__2024-06-01T00:00:00+00:00")
    ]
    assert as_of(lake, date(2024, 5, 31)) == {}
    assert as_of(lake, D1)[A]["xm"] == "张三"
    assert (as_of(lake, D2)[A]["xm"], as_of(lake, D2)[A]["jzdz"]) == ("张三丰", None)
    assert as_of(lake, date(2030, 1, 1))[A]["jzdz"] == "洪山路1号"
    assert as_of(lake, D3)[B]["xm"] == "李四"


def test_a_full_build_rebuilds_the_same_history_from_the_restricted_tables(lake: Lake) -> None:
    runs = [
        lake.write("register", D1, [person(A, xm="张三"), person(B, xm="李四")]),
        lake.write("register", D2, [person(A, xm="张三丰")]),
        lake.write("relief", D3, [relief(A, jzdz="洪山路1号", xm="张三")]),
    ]
    for one in runs:
        run(lake, one)
    incremental = read_integrated(lake.settings.lake, POPULATION, "records").sort_by(
        [("gmsfhm", "ascending"), ("valid_from", "ascending")]
    )
    open_before = [
        (c["attribute"], c["source"], c["other"], c["detected"]) for c in conflicts(lake)
    ]
    rebuilt = integrate(lake.settings, POPULATION, [], registry=lake.registry, rebuild=True)
    assert rebuilt.mode == "full"
    full = read_integrated(lake.settings.lake, POPULATION, "records").sort_by(
        [("gmsfhm", "ascending"), ("valid_from", "ascending")]
    )
    assert full.to_pylist() == incremental.to_pylist()
    assert [
        (c["attribute"], c["source"], c["other"], c["detected"]) for c in conflicts(lake)
    ] == open_before


def test_conflicts_are_recorded_by_token_without_values(lake: Lake) -> None:
    run(
        lake,
        lake.write(
            "register",
            D1,
            [
                person(A, xm="张三", csrq=date(1990, 3, 7), lxdh="13800138000"),
                person(B, xm="李四", csrq=date(1991, 1, 1), lxdh="13900139000"),
            ],
        ),
        lake.write(
            "relief",
            D1,
            [
                relief(A, xm="张叁", lxdh="138 0013 8000"),  # the same phone, spelt otherwise
                relief(B, xm="李四 ", lxdh="+86 139-0013-9001"),  # the same name, another phone
            ],
        ),
        lake.write(
            "clinic",
            D1,
            [
                clinic(A, hzxm="张三", csrq=date(1990, 3, 8)),
                clinic(B, hzxm="李四", csrq=date(1991, 1, 1)),
            ],
        ),
    )
    found = sorted(
        (c["entity"], c["attribute"], c["source"], c["other"], c["source_authoritative"])
        for c in conflicts(lake)
    )
    assert found == sorted(
        [
            (token(lake, A), "xm", "register", "relief", True),
            (token(lake, A), "csrq", "register", "clinic", True),
            (token(lake, B), "lxdh", "relief", "register", True),
        ]
    )
    row = conflicts(lake)[0]
    assert (row["detected"], row["last_seen"], row["resolved"], row["is_open"]) == (
        D1,
        D1,
        None,
        True,
    )
    assert row["source_run_id"] == row["other_run_id"] == "scheduled__2024-06-01T00:00:00+00:00"
    cells = {str(v) for c in conflicts(lake) for k, v in c.items() if k != BUCKET}
    for secret in (A, B, "张叁", "张三", "13900139000", "1990-03-08"):
        assert not any(secret in cell for cell in cells)


def test_a_conflict_is_resolved_when_the_other_source_corrects_its_value(lake: Lake) -> None:
    run(
        lake,
        lake.write("register", D1, [person(A, xm="张三")]),
        lake.write("relief", D1, [relief(A, xm="张叁")]),
    )
    run(lake, lake.write("relief", D2, [relief(A, xm="张三")]))
    assert [(c["detected"], c["resolved"], c["is_open"]) for c in conflicts(lake)] == [
        (D1, D2, False)
    ]
    # found again later: a new conflict, the resolved one stays as it was
    result = run(lake, lake.write("relief", D3, [relief(A, xm="章三")]))
    assert (result.counts.opened, result.counts.closed) == (1, 0)
    assert sorted((c["detected"], c["resolved"], c["is_open"]) for c in conflicts(lake)) == [
        (D1, D2, False),
        (D3, None, True),
    ]


def test_a_conflict_found_again_keeps_its_first_date(lake: Lake) -> None:
    run(
        lake,
        lake.write("register", D1, [person(A, xm="张三")]),
        lake.write("relief", D1, [relief(A, xm="张叁")]),
    )
    second = lake.write("relief", D2, [relief(A, xm="张叁")])
    result = run(lake, second)
    assert (result.counts.opened, result.counts.closed) == (0, 0)
    [row] = conflicts(lake)
    assert (row["detected"], row["last_seen"], row["other_run_id"]) == (D1, D2, second.run_id)


def files(table_uri: str) -> set[str]:
    """The data files of the table's current version (relative paths)."""
    actions = pa.table(delta.open_table(table_uri).get_add_actions(flatten=True))
    return set(actions.column("path").to_pylist())


def _log_actions(table_uri: str, version: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    path = Path(table_uri) / "_delta_log" / f"{version:020d}.json"
    actions = [json.loads(line) for line in path.read_text().splitlines()]
    return [a["add"] for a in actions if "add" in a], [
        a["remove"] for a in actions if "remove" in a
    ]


def test_an_update_of_a_few_entities_writes_only_their_rows(lake: Lake) -> None:
    people = [id_number(i, born=f"19{50 + i % 40:02d}0{1 + i % 9}1{i % 10}") for i in range(300)]
    run(
        lake,
        lake.write("register", D1, [person(k, xm=f"人{i}") for i, k in enumerate(people)]),
        lake.write("relief", D1, [relief(k, jzdz=f"路{i}号") for i, k in enumerate(people)]),
    )
    files_before = {t: files(uri(lake, t)) for t in ("records", "candidates", "conflicts")}
    assert len({f.split("/")[0] for f in files_before["records"]}) == BUCKETS  # every bucket
    changed = [people[7], people[123]]
    result = run(lake, lake.write("relief", D2, [relief(k, jzdz="新地址") for k in changed]))
    assert (result.partitions, result.folded) == ({}, False)
    # no file of the base tables is added or removed: the records commit only claims
    assert {t: files(uri(lake, t)) for t in files_before} == files_before
    # the changes hold the two entities' complete rows: old and new version, both candidates
    assert result.appended == {"records": 4, "candidates": 4}
    for table in ("records", "candidates"):
        held = delta.read(merge_on_read.changes_uri(uri(lake, table)))
        assert sorted(set(held.column("gmsfhm").to_pylist())) == sorted(changed)
    found = as_of(lake, D2)
    assert [found[k]["jzdz"] for k in changed] == ["新地址", "新地址"]
    assert found[people[8]]["jzdz"] == "路8号"
    assert as_of(lake, D1)[people[7]]["jzdz"] == "路7号"


def test_changes_are_folded_into_the_base_once_they_outgrow_a_tenth_of_it(lake: Lake) -> None:
    people = [id_number(i, born=f"19{50 + i % 40:02d}0{1 + i % 9}1{i % 10}") for i in range(100)]
    run(lake, lake.write("register", D1, [person(k, xm=f"人{i}") for i, k in enumerate(people)]))
    small = run(lake, lake.write("relief", D2, [relief(k, jzdz="甲路") for k in people[:2]]))
    assert not small.folded
    big = run(lake, lake.write("relief", D3, [relief(k, jzdz="乙路") for k in people[:30]]))
    assert big.folded
    for table in ("records", "candidates"):  # no conflict: nothing in its changes, ever
        base = uri(lake, table)
        assert delta.read(merge_on_read.changes_uri(base)).num_rows == 0
        assert merge_on_read.merged_through(delta.open_table(base)) > 0
    assert not delta.table_exists(merge_on_read.changes_uri(uri(lake, "conflicts")))
    # the base alone now holds what the repository holds
    records = delta.read(uri(lake, "records"))
    assert records.num_rows == 100 + 2 + 30  # a first version each, then the new addresses
    assert {r["gmsfhm"]: r["jzdz"] for r in as_of(lake, D3).values()} == {
        k: ("乙路" if i < 30 else None) for i, k in enumerate(people)
    }


def test_a_fold_interrupted_before_the_changes_are_emptied_reads_the_same(
    lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = [id_number(i, born=f"19{50 + i % 40:02d}0{1 + i % 9}1{i % 10}") for i in range(100)]
    run(lake, lake.write("register", D1, [person(k, xm=f"人{i}") for i, k in enumerate(people)]))
    run(lake, lake.write("relief", D2, [relief(k, jzdz="甲路") for k in people[:3]]))
    commit = delta.commit

    def crashing(staged: Any, *args: Any, **kwargs: Any) -> int:
        if staged.uri.endswith(merge_on_read.SUFFIX) and staged.whole:
            raise OSError("the machine went down")
        return commit(staged, *args, **kwargs)

    monkeypatch.setattr(delta, "commit", crashing)
    with pytest.raises(OSError, match="went down"):
        run(lake, lake.write("relief", D3, [relief(k, jzdz="乙路") for k in people[10:20]]))
    monkeypatch.undo()
    changes = delta.read(merge_on_read.changes_uri(uri(lake, "records")))
    assert changes.num_rows  # left behind, but older than what the base is current to
    expected = {
        k: ("乙路" if 10 <= i < 20 else "甲路" if i < 3 else None) for i, k in enumerate(people)
    }
    assert {k: r["jzdz"] for k, r in as_of(lake, D3).items()} == expected
    assert delta.read(uri(lake, "records")).num_rows == 100 + 3 + 10
    # the next integration carries on from there
    later = run(lake, lake.write("relief", date(2024, 6, 4), [relief(people[0], jzdz="丙路")]))
    assert as_of(lake, later.as_of)[people[0]]["jzdz"] == "丙路"


def test_groups_of_buckets_give_the_same_tables_as_one(
    lake: Lake, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    people = [id_number(i, born=f"19{60 + i % 30:02d}0{1 + i % 9}2{i % 9}") for i in range(60)]

    def build(target: Lake) -> list[pa.Table]:
        integrate(
            target.settings,
            POPULATION,
            [
                target.write(
                    "register", D1, [person(k, xm=f"人{i}") for i, k in enumerate(people)]
                ),
                target.write(
                    "relief", D1, [relief(k, xm=f"人{i % 7}") for i, k in enumerate(people)]
                ),
            ],
            registry=target.registry,
        )
        integrate(
            target.settings,
            POPULATION,
            [target.write("relief", D2, [relief(k, xm="改名") for k in people[::5]])],
            registry=target.registry,
        )
        order = {
            "records": [("gmsfhm", "ascending"), ("valid_from", "ascending")],
            "candidates": [("gmsfhm", "ascending"), ("_dataset", "ascending")],
            "conflicts": [
                ("entity", "ascending"),
                ("attribute", "ascending"),
                ("detected", "ascending"),
            ],
        }
        return [
            read_integrated(target.settings.lake, POPULATION, t).sort_by(o)
            for t, o in order.items()
        ]

    whole = build(lake)
    monkeypatch.setattr(engine, "GROUP_ROWS", 5)
    grouped = build(make_lake(tmp_path / "grouped"))
    assert [t.to_pylist() for t in grouped] == [t.to_pylist() for t in whole]


def test_a_concurrent_integration_that_commits_first_wins(
    lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(lake, lake.write("register", D1, [person(A, xm="张三")]))
    first = lake.write("relief", D2, [relief(A, jzdz="洪山路1号")])
    second = lake.write("clinic", D2, [clinic(A, hzxm="张三")])
    commit = engine._Work._commit_changes
    calls: list[str] = []

    def racing(self: Any, stages: Any, metadata: Any, claim: Any) -> Any:
        calls.append(metadata["pubdata.integration_id"])
        if len(calls) == 1:  # the other integration commits while this one is staged
            integrate(
                lake.settings, POPULATION, [second], registry=lake.registry, integration_id="other"
            )
        return commit(self, stages, metadata, claim)

    monkeypatch.setattr(engine._Work, "_commit_changes", racing)
    with pytest.raises(ConcurrentRun, match=r"records .*replaced it while this run was loading"):
        integrate(lake.settings, POPULATION, [first], registry=lake.registry, integration_id="mine")
    monkeypatch.undo()
    # the loser's run is still pending: integrating it again applies it on top of the winner's
    run(lake, first)
    [found] = records_as_of(lake.settings.lake, POPULATION, D2).to_pylist()
    assert (found["jzdz"], found["xm"]) == ("洪山路1号", "张三")


def test_no_id_number_leaves_the_restricted_tables(
    lake: Lake, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    result = run(
        lake,
        lake.write("register", D1, [person(A, xm="张三"), person(B, xm="李四")]),
        lake.write("relief", D1, [relief(A, xm="张叁"), relief(B[:-1] + "0", xm="无效")]),
    )
    secrets = {A, B, B[:-1] + "0", A[:6] + A[8:17]}  # and the 15-digit form
    texts = [repr(result), caplog.text]
    root = Path(lake.settings.lake)
    integrated = root / "restricted" / "_integrated"
    for path in root.rglob("*"):
        outside = path.relative_to(root).parts[0] != "restricted"
        logged = path.is_relative_to(integrated) and "_delta_log" in path.parts
        if path.is_file() and (outside or logged):  # commit metadata and file statistics
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    for table in ("integration_runs",):
        texts.append(str(delta.read(str(root / "_meta" / table)).to_pylist()))
    texts.append(str(conflicts(lake)))
    for text in texts:
        assert not any(secret in text for secret in secrets)
    # the spill folder of delivered rows is gone
    assert not list(lake.settings.staging.glob("integrate-*"))


def test_open_conflicts_of_a_rotated_token_key_need_a_rebuild(lake: Lake) -> None:
    run(
        lake,
        lake.write("register", D1, [person(A, xm="张三")]),
        lake.write("relief", D1, [relief(A, xm="张叁")]),
    )
    rotated = replace(
        lake.settings, token_key="k2:" + "a2V5LXR3by1ub3QtYS1zZWNyZXQtMzItYnl0ZXMuLi4="
    )
    later = lake.write("relief", D2, [relief(A, xm="张叁")])
    with pytest.raises(ConfigError, match="tokens of another token key than 'k2'"):
        integrate(rotated, POPULATION, [later], registry=lake.registry)
    integrate(rotated, POPULATION, [later], registry=lake.registry, rebuild=True)
    assert [c["entity"].split(":")[0] for c in conflicts(lake)] == ["k2"]


def test_a_run_of_a_dataset_that_does_not_contribute_is_refused(lake: Lake) -> None:
    stray = lake.write("companies", D1, [{"tyshxydm": "91420100562148998X", "qymc": "甲"}])
    with pytest.raises(ConfigError, match="'companies' does not contribute to domain population"):
        run(lake, stray)


def test_integrating_date_by_date_equals_a_full_build(lake: Lake) -> None:
    # random deliveries over two years: names, birth dates and phones from small pools, so
    # sources agree, disagree, go stale and come back
    rng = random.Random(13)
    people = [id_number(i, born=f"19{70 + i % 20:02d}0{1 + i % 9}1{i % 10}") for i in range(40)]
    days = [
        date(2023, 1, 1),
        date(2023, 6, 1),
        date(2024, 1, 10),
        date(2024, 2, 1),
        date(2024, 6, 3),
    ]
    names, phones = (
        ["张三", "张叁", "李四", None],
        ["13800000001", "138 0000 0001", "13900000002", None],
    )
    births = [date(1990, 1, 1), date(1990, 1, 2), None]
    for day in days:
        who = {d: rng.sample(people, rng.randint(0, 25)) for d in ("register", "relief", "clinic")}
        runs = [
            lake.write(
                "register",
                day,
                [
                    person(
                        k, xm=rng.choice(names), csrq=rng.choice(births), lxdh=rng.choice(phones)
                    )
                    for k in who["register"]
                ],
            ),
            lake.write(
                "relief",
                day,
                [
                    relief(
                        k,
                        xm=rng.choice(names),
                        lxdh=rng.choice(phones),
                        jzdz=rng.choice(["甲路", None]),
                    )
                    for k in who["relief"]
                ],
            ),
            lake.write(
                "clinic",
                day,
                [clinic(k, hzxm=rng.choice(names), csrq=rng.choice(births)) for k in who["clinic"]],
            ),
        ]
        run(lake, *runs)

    def tables() -> list[list[dict[str, Any]]]:
        order = {
            "records": ["gmsfhm", "valid_from"],
            "candidates": ["gmsfhm", "_dataset"],
            "conflicts": ["entity", "attribute", "source", "other", "detected"],
        }
        return [
            read_integrated(lake.settings.lake, POPULATION, t)
            .sort_by([(c, "ascending") for c in cols])
            .to_pylist()
            for t, cols in order.items()
        ]

    incremental = tables()
    assert len(incremental[0]) > len(people) and incremental[2]  # history and conflicts
    integrate(lake.settings, POPULATION, [], registry=lake.registry, rebuild=True)
    assert tables() == incremental


def _buckets(lake: Lake, table: str) -> int | None:
    return delta.open_table(uri(lake, table)).transaction_version(BUCKETS_APP)


def _bucketed_by(rows: pa.Table, buckets: int) -> bool:
    return (
        rows.column(BUCKET).to_pylist() == key_buckets(rows.column("gmsfhm"), buckets).to_pylist()
    )


def test_a_repository_keeps_the_bucket_count_it_was_built_with(
    lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = [id_number(i, born=f"19{50 + i % 40:02d}0{1 + i % 9}1{i % 10}") for i in range(100)]
    monkeypatch.setattr(engine, "bucket_count", lambda rows: 7)  # as chosen by another release
    run(lake, lake.write("register", D1, [person(k, xm=f"人{i}") for i, k in enumerate(people)]))
    monkeypatch.undo()
    assert {t: _buckets(lake, t) for t in ("records", "candidates", "conflicts")} == dict.fromkeys(
        ("records", "candidates", "conflicts"), 7
    )
    small = run(lake, lake.write("relief", D2, [relief(k, jzdz="甲路") for k in people[:2]]))
    assert not small.folded and small.counts.inserted == 0  # each found in its bucket of 7
    for table in ("records", "candidates"):
        assert _bucketed_by(delta.read(merge_on_read.changes_uri(uri(lake, table))), 7)
    big = run(lake, lake.write("relief", D3, [relief(k, jzdz="乙路") for k in people[:30]]))
    assert big.folded and big.counts.inserted == 0
    assert _buckets(lake, "records") == 7
    assert _bucketed_by(delta.read(uri(lake, "records")), 7)
    found = as_of(lake, D3)
    assert len(found) == 100
    assert [(found[k]["xm"], found[k]["jzdz"]) for k in (people[0], people[30])] == [
        ("人0", "乙路"),
        ("人30", None),
    ]


def test_a_repository_recording_no_bucket_count_was_built_with_a_hundred(
    lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tables written before the count was recorded: bucketed by 100, no BUCKETS_APP
    people = [id_number(i, born=f"19{50 + i % 40:02d}0{1 + i % 9}1{i % 10}") for i in range(40)]
    moved = [k for k in people if key_buckets(pa.array([k]), 100)[0].as_py() >= BUCKETS]
    monkeypatch.setattr(engine, "bucket_count", lambda rows: UNRECORDED_BUCKETS)
    monkeypatch.setattr(engine, "BUCKETS_APP", "test:not-the-bucket-count")
    run(lake, lake.write("register", D1, [person(k, xm=f"人{i}") for i, k in enumerate(people)]))
    monkeypatch.undo()
    assert _buckets(lake, "records") is None
    update = run(lake, lake.write("relief", D2, [relief(k, jzdz="甲路") for k in moved]))
    assert update.counts.inserted == 0
    changes = delta.read(merge_on_read.changes_uri(uri(lake, "records")))
    assert _bucketed_by(changes, UNRECORDED_BUCKETS)
    found = as_of(lake, D2)
    assert len(found) == len(people)
    assert all(found[k]["jzdz"] == "甲路" and found[k]["xm"] is not None for k in moved)
    # a rebuild buckets the repository anew, and records its count
    integrate(lake.settings, POPULATION, [], registry=lake.registry, rebuild=True)
    assert _buckets(lake, "records") == BUCKETS
    assert _bucketed_by(delta.read(uri(lake, "records")), BUCKETS)

    def unbucketed(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {k: {c: v for c, v in r.items() if c != BUCKET} for k, r in rows.items()}

    assert unbucketed(as_of(lake, D2)) == unbucketed(found)


def test_a_larger_repository_is_built_with_more_buckets(
    lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = [id_number(i, born=f"19{50 + i % 40:02d}0{1 + i % 9}1{i % 10}") for i in range(100)]
    register = lake.write("register", D1, [person(k, xm=f"人{i}") for i, k in enumerate(people)])
    payments = lake.write("relief", D1, [relief(k, lxdh="13800138000") for k in people[:40]])
    monkeypatch.setattr(tables, "BUCKET_ROWS", 2)  # 140 contributed rows: 70 buckets
    run(lake, register, payments)
    monkeypatch.undo()
    assert {t: _buckets(lake, t) for t in ("records", "candidates", "conflicts")} == dict.fromkeys(
        ("records", "candidates", "conflicts"), 70
    )
    assert _bucketed_by(delta.read(uri(lake, "records")), 70)
    assert max(delta.read(uri(lake, "candidates")).column(BUCKET).to_pylist()) >= BUCKETS
    update = run(lake, lake.write("relief", D2, [relief(k, jzdz="甲路") for k in people[:3]]))
    assert update.counts.inserted == 0
    assert _bucketed_by(delta.read(merge_on_read.changes_uri(uri(lake, "records"))), 70)
    found = as_of(lake, D2)
    assert len(found) == 100
    assert (found[people[0]]["xm"], found[people[0]]["jzdz"]) == ("人0", "甲路")
