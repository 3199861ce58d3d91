"""The leak harness: what it counts as a published personal value, through the real pipeline."""

from __future__ import annotations

import random

from tests.eval import makers as mk
from tests.eval.corpus import LabelledColumn, LabelledTable
from tests.eval.leaks import count_found, count_leaks, personal_values


def test_a_value_counts_when_a_cell_is_it_or_holds_it_and_is_long_enough() -> None:
    cells = {"张伟", "申请人电话13812345678，已核实", "浙江省杭州市"}
    assert count_found({"张伟"}, cells) == 1
    assert count_found({"13812345678"}, cells) == 1  # inside free text
    assert count_found({"杭州市"}, cells) == 0  # too short to look for inside a cell
    assert count_found({"李娜"}, cells) == 0


def test_only_columns_graded_l3_or_more_are_personal() -> None:
    table = LabelledTable(
        "t",
        "L1",
        "",
        [
            LabelledColumn("fddbr", "person_name", "s", ["张伟 ", None, ""], grade="L1"),
            LabelledColumn("xm", "person_name", "s", ["李娜", " 李娜"]),
            LabelledColumn("xb", "gender", "s", ["男"]),
            LabelledColumn("xb2", "gender", "s", ["女"], grade="L4"),
        ],
    )
    assert personal_values(table) == {"李娜", "女"}


def test_the_pipeline_run_counts_what_it_published_raw_and_not_what_it_protected() -> None:
    rng = random.Random(11)
    n = 40
    # labelled personal, but nothing in name or values says so: the classifier publishes it
    unnoticed = LabelledTable(
        "leak_probe",
        "L3",
        "",
        [
            LabelledColumn("c1", "person_name", "s", [f"仓库编号{i:04d}" for i in range(n)]),
            LabelledColumn("c2", "none", "s", [str(i) for i in range(n)]),
        ],
    )
    ids = [mk.id_number(rng, mk.birth_date(rng)) for _ in range(n)]
    protected = LabelledTable(
        "protected_probe",
        "L3",
        "",
        [
            LabelledColumn("sfzh", "id_card", "s", ids),
            LabelledColumn("c2", "none", "s", [str(i) for i in range(n)]),
        ],
    )
    report = count_leaks([unnoticed, protected])
    by_table = {t.table: t for t in report.tables}
    assert by_table["leak_probe"].status == "success"
    assert by_table["leak_probe"].leaked == n
    assert by_table["protected_probe"].leaked == 0
    assert report.leaks == n
    assert report.summary()["tables_leaking"] == 1
