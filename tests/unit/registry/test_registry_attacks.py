"""Hostile registry files: each is one problem naming the file and field or line, found fast.

Nothing in a registry file is executed, nothing hangs, and the valid datasets beside a hostile
file keep loading (the DAG file and ``pubdata run`` use the same loader).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.registry import load_registry
from etl.registry.edit import set_column_override, validate_override
from etl.registry.safe_yaml import MAX_DEPTH
from tests.conftest import REPO

DATASET = """\
id: {id}
title: t
department: dept
domain: d
source: {{kind: file, format: csv, path: 'd/{{ds}}.csv'}}
"""
GOOD = DATASET.format(id="good")
DEEP = 100_000


def registry_with(root: Path, name: str, text: str | bytes) -> Path:
    """A registry holding one valid dataset and the file under test."""
    (root / "ok").mkdir(parents=True, exist_ok=True)
    (root / "ok" / "good.yaml").write_text(GOOD, encoding="utf-8")
    path = root / "bad" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def only_problem(root: Path, path: Path, seconds: float = 2.0) -> tuple[str | None, str]:
    """Load the registry within ``seconds``; the good dataset loads, ``path`` has one problem.

    Returns the problem's field, or its line where no field applies (a YAML refusal), and its
    message.
    """
    started = time.monotonic()
    registry = load_registry(root)
    assert time.monotonic() - started < seconds
    assert list(registry.datasets) == ["good"]
    [problem] = registry.problems
    assert problem.path == path
    return problem.field or problem.where, problem.message


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("[", "]"), ("{a: ", "}"), ("- ", "")],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
def test_deep_nesting_is_one_problem_and_valid_datasets_stay(
    tmp_path: Path, opening: str, closing: str
) -> None:
    if opening == "- ":  # "- - - x" is a block sequence nested three deep, on one line
        body = "a:\n  " + opening * DEEP + "x\n"
    else:
        body = "a: " + opening * DEEP + "x" + closing * DEEP + "\n"
    path = registry_with(tmp_path, "deep.yaml", GOOD + body)
    field, message = only_problem(tmp_path, path)
    assert message == f"nested deeper than {MAX_DEPTH} levels"
    assert field is not None and field.startswith("line ")


def test_duplicate_key_is_refused_naming_line_and_key(tmp_path: Path) -> None:
    text = GOOD + "classification:\n  core: true\n  important: false\n  core: false\n"
    path = registry_with(tmp_path, "dup.yaml", text)
    assert only_problem(tmp_path, path) == ("line 9", "duplicate key 'core' (first at line 7)")


def test_duplicate_top_level_key_is_refused(tmp_path: Path) -> None:
    path = registry_with(tmp_path, "dup.yaml", GOOD + "department: other\n")
    assert only_problem(tmp_path, path) == (
        "line 6",
        "duplicate key 'department' (first at line 3)",
    )


def test_merge_key_overrides_are_not_duplicates(tmp_path: Path) -> None:
    # a YAML merge key is an explicit override, not a key written twice
    (tmp_path / "m.yaml").write_text(
        GOOD + "quality: {<<: {max_quarantine_share: 0.5}, max_quarantine_share: 0.2}\n"
    )
    registry = load_registry(tmp_path)
    assert registry.problems == ()
    assert registry.get("good").quality.max_quarantine_share == 0.2


BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
tags: *i
"""


def test_alias_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    path = registry_with(tmp_path, "laughs.yaml", GOOD + BILLION_LAUGHS)
    field, message = only_problem(tmp_path, path, seconds=1.0)
    assert message.startswith("expands to more than 100,000 values")
    assert field is not None and field.startswith("line ")


@pytest.mark.parametrize(
    "text",
    ["normalize: &n {<<: *n}\n", "tags: &t [*t]\n"],
    ids=["merge-into-itself", "list-of-itself"],
)
def test_self_referencing_alias_is_refused(tmp_path: Path, text: str) -> None:
    path = registry_with(tmp_path, "self.yaml", GOOD + text)
    _, message = only_problem(tmp_path, path)
    assert message == f"nested deeper than {MAX_DEPTH} levels (through aliases)"


def python_tags(marker: Path) -> list[str]:
    return [
        f"owner: !!python/object/apply:os.system ['touch {marker}']\n",
        f"owner: !!python/object/apply:subprocess.call [['touch', '{marker}']]\n",
        "owner: !!python/object/new:os.system ['true']\n",
        "owner: !!python/name:os.system\n",
        "owner: !!python/module:os\n",
        f"owner: !<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']\n",
    ]


@pytest.mark.parametrize("index", range(6))
def test_python_object_tags_execute_nothing(tmp_path: Path, index: int) -> None:
    marker = tmp_path / "executed"
    path = registry_with(tmp_path, "tag.yaml", GOOD + python_tags(marker)[index])
    field, message = only_problem(tmp_path, path)
    assert field == "line 6"
    assert "could not determine a constructor for the tag" in message
    with pytest.raises(ConfigError, match=r"tag\.yaml: line 6: not valid YAML"):
        set_column_override(path, "x", validate_override(category="none", grade="L1"))
    assert not marker.exists()


def test_twenty_megabyte_file_is_refused_before_parsing(tmp_path: Path) -> None:
    filler = "# " + "x" * 98 + "\n"
    path = registry_with(tmp_path, "big.yaml", (GOOD + filler * 210_000)[: 20 * 2**20])
    field, message = only_problem(tmp_path, path, seconds=0.5)
    assert field is None
    assert message == "file is 20.0 MiB; a registry file may be at most 1 MiB"


@pytest.mark.parametrize("escape", ["\\0", "\\x01", "\\e", "\\x7f", "\\x85", "\\u2028", "\\n"])
def test_control_character_in_source_path_names_the_field(tmp_path: Path, escape: str) -> None:
    text = GOOD.replace("'d/{ds}.csv'", f'"d/{{ds}}{escape}.csv"')
    path = registry_with(tmp_path, "ctl.yaml", text)
    field, message = only_problem(tmp_path, path)
    assert field == "source.path"
    assert message.startswith("contains a control character U+")
    assert "at position 6" in message


def test_raw_nul_byte_names_the_line(tmp_path: Path) -> None:
    path = registry_with(tmp_path, "nul.yaml", GOOD.replace("d/{ds}", "d/\0{ds}").encode())
    assert only_problem(tmp_path, path) == ("line 5", "not valid YAML: control character U+0000")


def test_non_characters_name_the_line(tmp_path: Path) -> None:
    path = registry_with(tmp_path, "nc.yaml", (GOOD + "owner: a\ufffeb\n").encode())
    assert only_problem(tmp_path, path) == ("line 6", "not valid YAML: character U+FFFE")


def test_control_characters_in_keys_and_nested_values(tmp_path: Path) -> None:
    path = registry_with(tmp_path, "key.yaml", GOOD + 'columns: {"a\\x1bb": string}\n')
    field, message = only_problem(tmp_path, path)
    assert (field, message.split(";")[0]) == (
        "columns",
        "contains a key control character U+001B at position 1",
    )


def test_prose_fields_keep_line_breaks(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        GOOD + "description: |\n  line one\n  \tline two\nowner: 市局\n", encoding="utf-8"
    )
    registry = load_registry(tmp_path)
    assert registry.problems == ()
    assert registry.get("good").description == "line one\n\tline two"


@pytest.mark.parametrize(
    "schedule", ["61 * * * *", "* * *", "0 0 * * * *", "@reboot", "every day", "0 0 32 * *"]
)
def test_invalid_cron_names_the_schedule(tmp_path: Path, schedule: str) -> None:
    path = registry_with(tmp_path, "cron.yaml", GOOD + f"schedule: '{schedule}'\n")
    field, message = only_problem(tmp_path, path)
    assert field == "schedule"
    assert message.startswith("not a valid schedule (")


@pytest.mark.parametrize(
    "schedule",
    ["'@daily'", "'@once'", "'@continuous'", "'@quarterly'", "'30 2 * * 1-5'", "'*/15 * * * *'"],
)
def test_valid_schedules_pass(tmp_path: Path, schedule: str) -> None:
    (tmp_path / "s.yaml").write_text(GOOD + f"schedule: {schedule}\n", encoding="utf-8")
    assert load_registry(tmp_path).problems == ()


HOSTILE_NAMES = [
    "../etc",
    "..",
    "a/b",
    "a\\\\b",
    "a'b",
    'a\\"b',
    "a;rm -rf x",
    "$(id)",
    "`id`",
    "a b",
    "a|b",
    "a&b",
    "a*",
    "Upper",
    "x" * 65,
]


@pytest.mark.parametrize("field", ["id", "department", "domain"])
@pytest.mark.parametrize("value", HOSTILE_NAMES)
def test_ids_and_departments_with_separators_or_metacharacters_are_refused(
    tmp_path: Path, field: str, value: str
) -> None:
    text = DATASET.format(id="hostile").replace(
        f"{field}: {'hostile' if field == 'id' else 'dept' if field == 'department' else 'd'}",
        f'{field}: "{value}"',
    )
    path = registry_with(tmp_path, "hostile.yaml", text)
    found, _ = only_problem(tmp_path, path)
    assert found == field


@pytest.mark.parametrize("value", ["../x", ".hidden", "a/b", "..", "a\\\\b"])
def test_suite_names_cannot_leave_the_expectations_folder(tmp_path: Path, value: str) -> None:
    path = registry_with(
        tmp_path, "suite.yaml", GOOD.replace("good", "s") + f'expectations: "{value}"\n'
    )
    assert only_problem(tmp_path, path)[0] == "expectations"


def test_tag_airflow_would_refuse_is_a_registry_problem(tmp_path: Path) -> None:
    # Airflow's DAG() raises for a tag over 100 characters: in ingest.py that would take every
    # dataset's DAG down, so the model refuses it and the other datasets keep theirs
    path = registry_with(tmp_path, "tag.yaml", GOOD.replace("good", "t") + f"tags: [{'x' * 101}]\n")
    field, message = only_problem(tmp_path, path)
    assert (field, message) == ("tags.0", "String should have at most 100 characters")


def test_edit_refuses_duplicate_keys_as_the_loader_does(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(GOOD + "open: false\nopen: true\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(ConfigError) as raised:
        set_column_override(path, "x", validate_override(category="none", reviewed=date.today()))
    assert raised.value.message == f"{path}: line 7: duplicate key 'open' (first at line 6)"
    assert path.read_bytes() == before


def test_edit_refuses_deep_nesting_without_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(GOOD + "tags: " + "[" * DEEP + "]" * DEEP + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"line 6: nested deeper than {MAX_DEPTH} levels"):
        set_column_override(path, "x", validate_override(category="none"))


def test_registry_check_names_every_hostile_file_within_seconds(tmp_path: Path) -> None:
    """The command a person runs: one line per file, no traceback, valid datasets counted."""
    root = tmp_path / "registry"
    marker = tmp_path / "executed"
    hostile = {
        "deep.yaml": GOOD + "a: " + "[" * DEEP + "]" * DEEP + "\n",
        "dup.yaml": GOOD + "classification:\n  core: true\n  core: false\n",
        "laughs.yaml": GOOD + BILLION_LAUGHS,
        "tag.yaml": GOOD + python_tags(marker)[0],
        "cron.yaml": GOOD + "schedule: '61 * * * *'\n",
        "nul.yaml": GOOD.replace("'d/{ds}.csv'", '"d/\\0.csv"'),
        "id.yaml": GOOD.replace("id: good", "id: ../../etc"),
    }
    for name, text in hostile.items():
        registry_with(root, name, text)
    (root / "bad" / "big.yaml").write_text(GOOD + ("#" * 99 + "\n") * 210_000)
    env = dict(os.environ, PUBDATA_REGISTRY=str(root), PUBDATA_HOME=str(tmp_path / "home"))
    started = time.monotonic()
    done = subprocess.run(
        [Path(sys.executable).parent / "pubdata", "registry", "check", "--registry-only"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO,
    )
    assert time.monotonic() - started < 15
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    expected = {
        "deep.yaml": "line 6: nested deeper than",
        "dup.yaml": "line 8: duplicate key 'core' (first at line 7)",
        "laughs.yaml": "expands to more than",
        "tag.yaml": "line 6: not valid YAML: could not determine a constructor",
        "cron.yaml": "schedule: not a valid schedule",
        "nul.yaml": "source.path: contains a control character U+0000",
        "id.yaml": "id: String should match pattern",
        "big.yaml": "a registry file may be at most 1 MiB",
    }
    assert len(lines) == len(expected)
    for name, text in expected.items():
        [line] = [line for line in lines if f"/bad/{name}: " in line]
        assert text in line, line
    assert "1 dataset(s)" in done.stdout
    assert not marker.exists()
