"""The registry writer: one entry changes, every other byte of the file stays."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.registry import load_registry
from etl.registry.edit import set_column_override, validate_override, write

FLOW = """\
# 户籍 — comments, order and quoting are the team's
id: people
title: 人口 people
department: public_security
domain: population
description: null          # none yet: the round trip would respell this
source: {kind: file, format: csv, path: "ps/{ds}.csv"}   # daily
classification:
  floor: L3  # R6: person-level
  columns:
    csrq: {category: birth_date, grade: L3, reason: "出生日期"}
    xb: {category: gender, grade: L2, reason: "性别: a quasi-identifier"}
open: false
tags: [population,   daily]
"""
BARE = """\
id: bare
title: bare
department: d
domain: x
source:
  kind: file
  format: csv
  path: d/{ds}.csv
description: null   # kept as written
quality: {max_quarantine_share: 0.5}
open: false
"""
BLOCK = """\
id: block
title: block
department: d
domain: x
source: {kind: file, format: csv, path: "d/{ds}.csv"}
classification:
  columns:
    a:
      category: none   # a code list
      grade: L1
    b:
      category: none
      grade: L2
"""
OVERRIDE = {"reason": "户号: not a person", "reviewer": "王五", "reviewed": date(2024, 6, 3)}


def _write(tmp_path: Path, text: str, name: str = "people.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _outside(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(prefix)]


def test_new_entry_is_one_flow_line_and_nothing_else_changes(tmp_path: Path) -> None:
    path = _write(tmp_path, FLOW)
    edit = set_column_override(
        path, "hh", validate_override(category="none", grade="L2", **OVERRIDE)
    )
    assert not edit.replaced
    added = [line for line in edit.after.splitlines() if line not in FLOW.splitlines()]
    assert added == [
        '    hh: {category: none, grade: L2, reason: "户号: not a person", reviewer: 王五, '
        "reviewed: 2024-06-03}"
    ]
    assert _outside(edit.after, "    hh:") == FLOW.splitlines()
    lines = edit.after.splitlines()
    assert lines.index(added[0]) == lines.index("open: false") - 1  # last of the columns


def test_replacing_an_entry_changes_only_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, FLOW)
    edit = set_column_override(
        path, "xb", validate_override(category="none", grade="L1", **OVERRIDE)
    )
    assert edit.replaced
    before, after = FLOW.splitlines(), edit.after.splitlines()
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert [before[i].split(":")[0] for i in changed] == ["    xb"]


def test_classification_is_created_before_the_later_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, BARE)
    edit = set_column_override(path, "bz", validate_override(category="id_card", grade="L3"))
    new = [line for line in edit.after.splitlines() if line not in BARE.splitlines()]
    assert new == ["classification:", "  columns:", "    bz: {category: id_card, grade: L3}"]
    kept = [line for line in edit.after.splitlines() if line not in new]
    assert kept == BARE.splitlines()
    assert edit.after.index("classification:") < edit.after.index("quality:")


def test_block_siblings_get_a_block_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, BLOCK)
    edit = set_column_override(path, "c", validate_override(category="none", grade="L2"))
    assert edit.after == BLOCK + "    c:\n      category: none\n      grade: L2\n"


def test_written_file_round_trips_through_the_registry_loader(tmp_path: Path) -> None:
    path = _write(tmp_path, FLOW)
    path.chmod(0o640)
    write(
        set_column_override(path, "hh", validate_override(category="none", grade="L2", **OVERRIDE))
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["people.yaml"]  # no temporary left
    registry = load_registry(tmp_path)
    assert registry.problems == ()
    override = registry.get("people").classification.columns["hh"]
    assert (override.category, override.grade, override.reviewer) == ("none", "L2", "王五")
    assert override.reviewed == date(2024, 6, 3)
    assert registry.get("people").classification.floor == "L3"


def test_an_edit_that_would_break_the_file_is_refused(tmp_path: Path) -> None:
    text = FLOW.replace("source:", "columns: {csrq: date, xb: string}\nsource:")
    path = _write(tmp_path, text)
    with pytest.raises(
        ConfigError, match=r"classification\.columns\.hh: 'hh' is not declared in columns"
    ):
        set_column_override(path, "hh", validate_override(category="none", grade="L2"))
    assert path.read_text(encoding="utf-8") == text


def test_override_fields_are_validated() -> None:
    with pytest.raises(ConfigError, match="grade"):
        validate_override(category="none", grade="L9")
