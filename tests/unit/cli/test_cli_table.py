from __future__ import annotations

from etl.cli.table import render, width


def test_cjk_counts_double() -> None:
    assert width("公安") == 4
    assert width("ab") == 2


def test_columns_line_up_with_chinese_cells() -> None:
    text = render(["dataset", "title"], [["hr", "户籍人口"], ["enterprise_registry", "企业"]])
    lines = text.splitlines()
    assert lines[0].startswith("dataset")
    starts = {
        width(line[: line.index(cell)])
        for line, cell in zip(lines[2:], ["户籍", "企业"], strict=True)
    }
    assert len(starts) == 1  # the second column starts at the same display offset


def test_none_renders_empty() -> None:
    assert render(["a", "b"], [[None, "x"]]).splitlines()[2] == "   x"
