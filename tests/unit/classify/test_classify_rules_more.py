"""Rules over rows (R4 minors, location series, R5 scale), R7, settings and context."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest
from stdnum.iso7064 import mod_11_2

from etl.classify import (
    ColumnOverride,
    DerivedFrom,
    PersonCount,
    RuleSettings,
    apply_scale_rule,
    classify_table,
    count_distinct_persons,
    person_columns,
)
from etl.errors import ConfigError

DAY = dt.date(2024, 6, 1)


def make_id(rng: random.Random, birth: dt.date) -> str:
    body = "420102" + birth.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    return body + mod_11_2.calc_check_digit(body)


def people(n: int, *, child_every: int = 0, seed: int = 1) -> pa.Table:
    rng = random.Random(seed)
    births = [
        DAY - dt.timedelta(days=365 * 5)
        if child_every and i % child_every == 0
        else dt.date(rng.randrange(1950, 2000), rng.randrange(1, 13), rng.randrange(1, 29))
        for i in range(n)
    ]
    return pa.table(
        {
            "xm": [rng.choice("王李张刘陈") + rng.choice("伟芳娜敏静") for _ in range(n)],
            "sfzh": [make_id(rng, b) for b in births],
            "xb": [rng.choice("男女") for _ in range(n)],
            "djrq": ["2024-06-01"] * n,
        }
    )


def test_r4_minors_lift_every_personal_column() -> None:
    result = classify_table(people(200, child_every=50), logical_date=DAY)
    grades = {c.name: (c.grade, c.base_grade, c.lifted_by) for c in result.columns}
    assert grades == {
        "xm": ("L4", "L3", "R4"),
        "sfzh": ("L4", "L3", "R4"),
        "xb": ("L4", "L2", "R4"),
        "djrq": ("L2", None, None),
    }
    (r4,) = [r.text for r in result.rules if r.id == "R4"]
    assert "4 of 200 rows describe a person under 14 at 2024-06-01" in r4
    assert "'sfzh'" in r4
    assert "R4: lifted from L3 to L4" in result.column("sfzh").evidence


def test_r4_depends_on_the_logical_date() -> None:
    adults = people(200)
    assert not any(r.text.startswith("R4") for r in classify_table(adults, logical_date=DAY).rules)
    born = adults.column("sfzh").to_pylist()[0][6:14]
    young = dt.datetime.strptime(born, "%Y%m%d").date() + dt.timedelta(days=365 * 10)
    assert any(r.text.startswith("R4") for r in classify_table(adults, logical_date=young).rules)


def test_r4_from_birth_dates_in_chinese_format() -> None:
    n = 60
    table = pa.table({"csrq": ["2020年5月12日"] + ["1980年1月2日"] * (n - 1), "xb": ["男"] * n})
    result = classify_table(table, logical_date=DAY)
    assert result.column("csrq").grade == "L4"
    assert any("1 of 60 rows" in r.text for r in result.rules)


def test_location_series_lifts_coordinates_and_plates() -> None:
    rng = random.Random(2)
    plates = [f"鄂A{rng.randrange(10**5):05d}" for _ in range(20)]
    n = 200
    table = pa.table(
        {
            "hphm": [plates[i % 20] for i in range(n)],
            "jd": [f"114.{rng.randrange(10**6):06d}" for _ in range(n)],
            "wd": [f"30.{rng.randrange(10**6):06d}" for _ in range(n)],
        }
    )
    result = classify_table(table)
    assert [c.grade for c in result.columns] == ["L4", "L4", "L4"]
    assert [c.lifted_by for c in result.columns] == ["TRACK"] * 3
    (track,) = [r.text for r in result.rules if r.id == "TRACK"]
    assert "per-vehicle" in track and "20 keys in 'hphm' with 10.0 rows each" in track
    once = table.slice(0, 20)
    assert [c.grade for c in classify_table(once).columns] == ["L3", "L3", "L3"]


def test_r5_counts_distinct_persons_not_rows() -> None:
    table = people(300, child_every=100)
    doubled = pa.concat_tables([table, table])
    result = classify_table(doubled, logical_date=DAY)
    count = count_distinct_persons(doubled, result, logical_date=DAY)
    assert count == PersonCount("sfzh", 300, 3)
    small = RuleSettings(persons_important=300, persons_l4_important=3)
    imp = classify_table(doubled, logical_date=DAY, settings=small)
    assert imp.flags == ("IMP",)
    (r5,) = [r.text for r in imp.rules if r.id == "R5"]
    assert "300 distinct persons ≥ 300" in r5 and "3 distinct persons with an L4 attribute" in r5


def test_r5_over_many_partitions_and_formats() -> None:
    table = people(100)
    result = classify_table(table, logical_date=DAY)
    legacy = table.set_column(
        1, "sfzh", pa.array([v[:6] + v[8:17] for v in table.column("sfzh").to_pylist()])
    )
    count = count_distinct_persons([table, legacy], result, logical_date=DAY)
    assert count.persons == 100  # 15-digit forms of the same people count once
    assert person_columns(result) == ["sfzh"]
    settings = RuleSettings(persons_important=100)
    flagged = apply_scale_rule(result, count, settings)
    assert flagged.flags == ("IMP",) and flagged.rules[-1].text.startswith("R5 scale: 100 distinct")
    assert apply_scale_rule(flagged, count, settings) == flagged
    assert apply_scale_rule(result, count) == result


def test_r5_without_a_person_key() -> None:
    result = classify_table(pa.table({"a": ["x"] * 5}))
    assert count_distinct_persons(pa.table({"a": ["x"] * 5}), result) == PersonCount(None, 0, 0)
    assert person_columns(result) == []


def test_r7_derived_data() -> None:
    table = pa.table({"qx": ["江岸区", "江汉区"], "rs": ["12", "40"], "nd": ["2024", "2024"]})
    overrides = {"qx": ColumnOverride("none", "L1"), "rs": ColumnOverride("none", "L1")}
    overrides["nd"] = ColumnOverride("none", "L1")
    derived = DerivedFrom(source_grade="L3", count_column="rs")
    result = classify_table(table, overrides=overrides, derived_from=derived)
    assert "R7 derived data: every released cell counts ≥ 10" not in " ".join(
        r.text for r in result.rules
    )
    assert result.dataset_grade == "L3"  # 区县 is a quasi-identifier: keeps the source grade
    coarse = table.drop_columns(["qx"])
    over = {k: v for k, v in overrides.items() if k != "qx"}
    ok = classify_table(coarse, overrides=over, derived_from=derived)
    assert ok.dataset_grade == "L1"
    assert any(
        r.text.startswith("R7 derived data: every released cell counts ≥ 10") for r in ok.rules
    )
    small = coarse.set_column(0, "rs", pa.array(["3", "40"]))
    low = classify_table(small, overrides=over, derived_from=derived)
    assert low.dataset_grade == "L3" and any("counts 3 < k=10" in r.text for r in low.rules)


def test_rule_settings() -> None:
    assert RuleSettings().k_anonymity == 10
    assert RuleSettings.from_mapping({"k_anonymity": 5}).k_anonymity == 5
    with pytest.raises(ConfigError, match="unknown rule setting"):
        RuleSettings.from_mapping({"k": 5})
    with pytest.raises(ConfigError, match="must be a number"):
        RuleSettings(minor_age=0)


def test_organisation_items_are_public_only_with_an_organisation_identifier() -> None:
    n = 50
    address = "湖北省武汉市江汉区建设大道350号14栋3单元1404室"
    with_org = pa.table(
        {
            "tyshxydm": ["91110000600037341L"] * n,
            "zcdz": [address] * n,
            "bgdh": ["027-87654321"] * n,
            "xzcf": ["因违法行为被处以罚款"] * n,
        }
    )
    result = classify_table(with_org)
    got = {c.name: (c.category, c.grade) for c in result.columns}
    assert got["zcdz"] == ("address", "L1")
    assert got["bgdh"] == ("landline_phone", "L1")
    assert got["xzcf"] == ("criminal_record", "L1")
    assert "registered address of an organisation" in result.column("zcdz").evidence
    alone = classify_table(with_org.drop_columns(["tyshxydm"]))
    assert {c.grade for c in alone.columns} == {"L3", "L4"}


def test_mobile_and_landline_are_decided_together() -> None:
    phones = [f"1380000{i:04d}" if i % 2 else f"027-8765{i:04d}" for i in range(100)]
    column = classify_table(pa.table({"lxdh": phones})).column("lxdh")
    assert column.category in {"mobile_phone", "landline_phone"}
    assert "mobile_phone or landline_phone" in column.evidence


def test_credential_needs_a_clear_name() -> None:
    table = pa.table({"password": ["x1"] * 40, "rainfall_mm": ["12"] * 40, "yzm": ["1234"] * 40})
    got = {c.name: c.category for c in classify_table(table).columns}
    assert got == {"password": "credential", "rainfall_mm": "none", "yzm": "credential"}


def test_binary_photo_column() -> None:
    photos = pa.array([b"\xff\xd8\xff\xe0" + bytes(50)] * 40, pa.binary())
    result = classify_table(pa.table({"col": photos, "blob": pa.array([b"x"] * 40)}))
    assert (result.column("col").category, result.column("col").grade) == ("biometric", "L4")
    assert result.column("blob").category == "none"


def test_r4_from_iso_dates_ignores_impossible_and_future_dates() -> None:
    n = 40
    births = ["1980-01-02"] * (n - 3) + ["2020-02-30", "2024-06-02", "2014-06-02"]
    result = classify_table(pa.table({"csrq": births}), logical_date=DAY)
    (r4,) = [r.text for r in result.rules if r.id == "R4"]
    assert "1 of 40 rows" in r4  # born 2014-06-02: 13 at 2024-06-01
    turned_14 = classify_table(pa.table({"csrq": [*births[:-1], "2010-06-01"]}), logical_date=DAY)
    assert not any(r.text.startswith("R4") for r in turned_14.rules)


def test_r5_counts_the_same_when_keys_spill_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.classify import scale

    table = people(300, child_every=100)
    batches = [table.slice(i, 50) for i in range(0, 300, 50)] * 2  # every person twice
    result = classify_table(table, logical_date=DAY)
    in_memory = count_distinct_persons(batches, result, logical_date=DAY)
    monkeypatch.setattr(scale._DistinctKeys, "_IN_MEMORY_KEYS", 60)
    spilled = count_distinct_persons(batches, result, logical_date=DAY)
    assert spilled == in_memory == PersonCount("sfzh", 300, 3)


def test_a_sample_without_repeats_still_sees_the_whole_tables_location_series() -> None:
    rng = random.Random(3)
    plates = [f"鄂A{rng.randrange(10**5):05d}" for _ in range(20)]
    n = 200
    whole = pa.table(
        {
            "hphm": [plates[i % 20] for i in range(n)],
            "jd": [f"114.{rng.randrange(10**6):06d}" for _ in range(n)],
            "wd": [f"30.{rng.randrange(10**6):06d}" for _ in range(n)],
        }
    )
    sample = whole.slice(0, 20)  # each plate once: no series in the sample alone
    assert [c.grade for c in classify_table(sample).columns] == ["L3", "L3", "L3"]
    result = classify_table(sample, whole_column=whole.column)
    assert [c.lifted_by for c in result.columns] == ["TRACK"] * 3
    assert any("20 keys in 'hphm' with 10.0 rows each" in r.text for r in result.rules)
