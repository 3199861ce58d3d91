"""The committed sample files: what generate.py writes, and the facts samples/README.md promises.

The integrated repositories (issue #13) are tested against these files: the persons the population
datasets share with the household register, the entities the legal-entity datasets share with the
enterprise register, and the planted conflicts and legacy keys. The files are read here as a
department's reader would (csv, calamine), independently of the generator.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from etl.classify.detectors.codes import org_code_check_char
from etl.text.canonical import canonical_form_one
from tests.conftest import REPO

LANDING = REPO / "samples" / "landing"


def test_the_committed_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, str(REPO / "samples" / "generate.py"), "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(LANDING) for p in LANDING.rglob("*") if p.is_file())
    assert written == committed
    changed = [p for p in written if (tmp_path / p).read_bytes() != (LANDING / p).read_bytes()]
    assert not changed, "regenerate with .venv/bin/python samples/generate.py"


# ---------------------------------------------------------------------------------------------
# Reading the files
# ---------------------------------------------------------------------------------------------

Rows = dict[int, dict[str, str]]  # _source_row -> the row's fields as text


def _csv(path: str, encoding: str) -> Rows:
    with (LANDING / path).open(encoding=encoding, newline="") as handle:
        return dict(enumerate(csv.DictReader(handle), start=1))


def _xlsx(path: str, header_row: int) -> Rows:
    sheet = CalamineWorkbook.from_path(str(LANDING / path)).get_sheet_by_index(0).to_python()
    header = [str(v) for v in sheet[header_row - 1]]
    return {
        i: {k: str(v) for k, v in zip(header, row, strict=True)}
        for i, row in enumerate(sheet[header_row:], start=1)
    }


def _person(number: str) -> str:
    """The canonical ID number (18 characters, upper-case X)."""
    canonical = canonical_form_one(number, "id_number")
    assert canonical is not None
    return canonical


@pytest.fixture(scope="module")
def register() -> dict[str, tuple[int, dict[str, str]]]:
    """Persons of household_register 2024-06-01 that load: ID number -> (row, fields)."""
    rows = _csv("public_security/household_register/2024-06-01.csv", "gbk")
    return {r["gmsfhm"]: (i, r) for i, r in rows.items() if len(r["gmsfhm"]) == 18 and r["xm"]}


def _by_person(rows: Rows, column: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, row in rows.items():
        out.setdefault(row[column], []).append(i)
    return out


# ---------------------------------------------------------------------------------------------
# Persons
# ---------------------------------------------------------------------------------------------

#: Per dataset: distinct ID numbers, how many are register persons, then the rows written with a
#: legacy 15-digit number, with a lower-case ``x`` and with a homophone in the name, each as
#: ``{row: register row}`` (samples/README.md, "Shared persons and entities").
PERSONS = {
    "clinic_visits": (
        566,
        485,
        {44: 215, 138: 376, 322: 352, 586: 677},
        {51: 109, 317: 109, 261: 144, 527: 792},
        {41: 564, 350: 509, 416: 554},
    ),
    "relief_payments": (
        700,
        600,
        {64: 1299, 70: 536, 623: 444},
        {207: 499, 661: 306},
        {175: 1226, 326: 1099},
    ),
}
RELIEF_PHONES = {76: 461, 363: 605, 370: 484, 691: 19}


def _person_rows(dataset: str) -> tuple[Rows, str]:
    if dataset == "clinic_visits":
        return _xlsx("health/clinic_visits/20240601.xlsx", 1), "hzxm"
    return _csv("civil_affairs/relief_payments/2024-06-01.csv", "gb18030"), "xm"


@pytest.mark.parametrize("dataset", sorted(PERSONS))
def test_persons_shared_with_the_register_and_the_planted_differences(
    dataset: str, register: dict[str, tuple[int, dict[str, str]]]
) -> None:
    numbers, matched, legacy, lower_x, renamed = PERSONS[dataset]
    rows, name = _person_rows(dataset)
    people = _by_person(rows, "sfzh")
    assert len(people) == numbers
    assert sum(_person(n) in register for n in people) == matched
    found_legacy = {
        i: register[_person(r["sfzh"])][0] for i, r in rows.items() if len(r["sfzh"]) == 15
    }
    found_x = {i: register[_person(r["sfzh"])][0] for i, r in rows.items() if r["sfzh"][-1] == "x"}
    assert (found_legacy, found_x) == (legacy, lower_x)
    differ: dict[str, dict[int, int]] = {"name": {}, "phone": {}, "address": {}}
    for i, row in rows.items():
        if _person(row["sfzh"]) not in register:
            continue
        at, known = register[_person(row["sfzh"])]
        for kind, here, there in (
            ("name", name, "xm"),
            ("phone", "lxdh", "lxdh"),
            ("address", "jzdz", "hjdz"),
        ):
            if here in row and row[here] != known[there]:
                differ[kind][i] = at
    assert differ["name"] == renamed
    for i in renamed:  # a homophone typed for the last character
        assert rows[i][name][:-1] == register[_person(rows[i]["sfzh"])][1]["xm"][:-1]
    assert differ["phone"] == (RELIEF_PHONES if dataset == "relief_payments" else {})
    assert differ["address"] == {}  # relief's 居住地址 is the 户籍地址


def test_the_population_datasets_share_persons_with_each_other(
    register: dict[str, tuple[int, dict[str, str]]],
) -> None:
    clinic = {_person(n) for n in _by_person(_person_rows("clinic_visits")[0], "sfzh")}
    relief = {_person(n) for n in _by_person(_person_rows("relief_payments")[0], "sfzh")}
    assert len(clinic & relief) == len(clinic & relief & register.keys()) == 210
    later = _csv("public_security/household_register/2024-06-02.csv", "gbk")
    assert not {r["gmsfhm"] for r in later.values()} & (clinic | relief)


# ---------------------------------------------------------------------------------------------
# Legal entities
# ---------------------------------------------------------------------------------------------


ENTERPRISE_FILE = "market_regulation/enterprise_registry/2024-06-01.csv"
USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")  # the register suite's regex


@pytest.fixture(scope="module")
def enterprises() -> dict[str, tuple[int, dict[str, str]]]:
    """Entities of enterprise_registry 2024-06-01 that load: USCC -> (row, fields)."""
    rows = _csv(ENTERPRISE_FILE, "utf-8-sig")
    return {r["tyshxydm"]: (i, r) for i, r in rows.items() if USCC.match(r["tyshxydm"])}


def _org_codes(enterprises: dict[str, tuple[int, dict[str, str]]]) -> dict[str, str]:
    return {code[8:17]: code for code in enterprises}


def _tax(day: str) -> Rows:
    return _xlsx(f"tax/tax_registration/{day}.xlsx", 3)  # under a title and an 导出机关 line


def _entity_of(number: str, enterprises: dict[str, tuple[int, dict[str, str]]]) -> str | None:
    """The register USCC a 纳税人识别号 names: the USCC itself, or the org code of an old one."""
    if number in enterprises:
        return number
    if len(number) == 15:
        return _org_codes(enterprises).get(number[6:])
    return None


def _differences(
    rows: Rows,
    keys: dict[int, str | None],
    enterprises: dict[str, tuple[int, dict[str, str]]],
    columns: dict[str, tuple[str, str]],
) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {kind: {} for kind in columns}
    for i, code in keys.items():
        if code is None:
            continue
        at, known = enterprises[code]
        for kind, (here, there) in columns.items():
            if rows[i][here] and rows[i][here] != known[there]:
                out[kind][i] = at
    return out


def test_tax_registration_against_the_register(
    enterprises: dict[str, tuple[int, dict[str, str]]],
) -> None:
    rows = _tax("2024-06-01")
    keys = {i: _entity_of(r["纳税人识别号"], enterprises) for i, r in rows.items()}
    assert len(rows) == 764
    assert {i: r["纳税人识别号"] for i, r in rows.items() if keys[i] is None} == {
        113: "91420106683395119X",  # register row 260, typed there with a lower-case x
        716: "91420105MA4K3P883D",  # register row 507, typed there with the letter O for 0
        65: "12420104441623078B",
        95: "124201114417523392",
        136: "12420103441600124U",
        610: "91420111M4KYH2P10",  # quarantined: a character dropped
        638: "52420106MJH005215G",
    }
    old = {i: keys[i] for i, r in rows.items() if len(r["纳税人识别号"]) == 15}
    assert old == {27: "91420115695588786G", 313: "91420103735076962W", 414: "91420111575087303T"}
    columns = {
        "address": ("注册地址", "zcdz"),
        "representative": ("法定代表人姓名", "fddbr"),
        "name": ("纳税人名称", "qymc"),
    }
    assert _differences(rows, keys, enterprises, columns) == {
        "address": {176: 395, 188: 661, 321: 581, 391: 441, 609: 287, 658: 107},
        "representative": {111: 147, 256: 497, 472: 316},
        "name": {19: 379, 162: 372},
    }
    assert [i for i, r in rows.items() if not r["纳税人名称"]] == [74]
    mistyped = _csv(ENTERPRISE_FILE, "utf-8-sig")
    assert mistyped[260]["tyshxydm"] == rows[113]["纳税人识别号"].lower()
    assert mistyped[507]["tyshxydm"] == rows[716]["纳税人识别号"].replace("0", "O", 1)


def test_tax_changes_of_the_second_day(enterprises: dict[str, tuple[int, dict[str, str]]]) -> None:
    first = {r["纳税人识别号"]: r for r in _tax("2024-06-01").values()}
    rows = _tax("2024-06-02")
    assert [r["纳税人识别号"] for r in rows.values()] == sorted(
        r["纳税人识别号"] for r in rows.values()
    )
    assert [i for i, r in rows.items() if r["纳税人识别号"] not in enterprises] == [4, 6, 10]
    changed: dict[str, list[int]] = {}
    for i, row in rows.items():
        if row["纳税人识别号"] not in enterprises:
            continue
        known = enterprises[row["纳税人识别号"]][1]
        before = first[row["纳税人识别号"]]
        for column, there in (
            ("注册地址", "zcdz"),
            ("法定代表人姓名", "fddbr"),
            ("纳税人状态", None),
        ):
            if row[column] != before[column]:
                agrees = there is not None and row[column] == known[there]
                changed.setdefault(f"{column} {'resolved' if agrees else 'changed'}", []).append(i)
    assert changed == {
        "注册地址 changed": [1, 8],
        "纳税人状态 changed": [2, 3, 11],
        "法定代表人姓名 resolved": [5],
        "注册地址 resolved": [7, 9],
    }


def test_insured_units_against_the_register(
    enterprises: dict[str, tuple[int, dict[str, str]]],
) -> None:
    rows = _csv("human_resources/insured_units/2024-06-01.csv", "gbk")
    org_codes = _org_codes(enterprises)
    written = {i: r["zzjgdm"] for i, r in rows.items()}
    assert len(rows) == 699 and sum("-" in c for c in written.values()) == 312
    bare = {i: c.replace("-", "") for i, c in written.items()}
    valid = {i: c for i, c in bare.items() if len(c) == 9}
    assert set(bare) - set(valid) == {64}  # quarantined: the check character lost
    assert all(org_code_check_char(c[:8]) == c[8] for c in valid.values())
    keys = {i: org_codes.get(c) for i, c in valid.items()}
    assert {i: written[i] for i, k in keys.items() if k is None} == {
        108: "68339511-9",  # register row 260, mistyped there
        1: "177630542",
        2: "300157325",
        3: "177712484",
        36: "441581963",
        51: "441623078",
        584: "MJH005215",
        599: "MJH01837-4",
    }
    columns = {"address": ("dwdz", "zcdz"), "name": ("dwmc", "qymc")}
    assert _differences(rows, keys, enterprises, columns) == {
        "address": {172: 199, 365: 441, 560: 287},
        "name": {79: 126, 143: 22, 346: 69},
    }
    tax = {_entity_of(r["纳税人识别号"], enterprises): r for r in _tax("2024-06-01").values()}
    three_way, two_to_one = keys[365], keys[560]
    assert three_way is not None and two_to_one is not None
    assert rows[365]["dwdz"] != tax[three_way]["注册地址"]  # three sources, three addresses
    assert rows[560]["dwdz"] == tax[two_to_one]["注册地址"]  # two sources against the register


def test_entities_in_all_three_datasets(enterprises: dict[str, tuple[int, dict[str, str]]]) -> None:
    # rows that load only: the tax row without a name and the insured row without a check character
    tax = {
        _entity_of(r["纳税人识别号"], enterprises)
        for r in _tax("2024-06-01").values()
        if r["纳税人名称"]
    }
    org_codes = _org_codes(enterprises)
    insured = {
        org_codes.get(r["zzjgdm"].replace("-", ""))
        for r in _csv("human_resources/insured_units/2024-06-01.csv", "gbk").values()
    }
    loaded = set(enterprises)  # 798: rows 260 and 507 are quarantined
    assert len(loaded & tax & insured) == 652
    assert len((loaded & tax) - insured) == 104  # most of them 注销
    assert len((loaded & insured) - tax) == 38
    assert len(loaded - tax - insured) == 4
