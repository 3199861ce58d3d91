"""Arguments the terminal could not decode: one line naming the argument, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.cli.main import main

#: 张三 written in GBK, as argv holds it in a UTF-8 terminal (undecodable bytes kept as surrogates)
GARBLED = "张三".encode("gbk").decode("utf-8", "surrogateescape")


@pytest.mark.parametrize(
    ("argv", "argument"),
    [
        (["sql", f"SELECT '{GARBLED}'"], "query"),
        (["entity", "population", GARBLED], "entity"),
        (["trace", "household_register", "--row-key", f"gmsfhm={GARBLED}"], "row_key"),
    ],
)
def test_an_undecodable_argument_is_one_line_naming_it(
    argv: list[str], argument: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == (
        f"pubdata: argument {argument} is not text in this terminal's encoding "
        "(UTF-8 expected; was it pasted from a GBK file?)\n"
    )


def test_a_path_may_hold_any_bytes(tmp_path: Path) -> None:
    folder = tmp_path / GARBLED / "new"  # created
    assert main(["registry", "schema", "--folder", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "domain.schema.json",
        "product.schema.json",
        "registry.schema.json",
    ]


def test_a_folder_that_cannot_be_written_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert main(["registry", "schema", "--folder", str(blocked / "schemas")]) == 2
    assert capsys.readouterr().err.startswith(f"pubdata: cannot write {blocked}/schemas/")
