from __future__ import annotations

import base64
import hashlib
import hmac
import re
from pathlib import Path

import pyarrow as pa
import pytest

from etl.classify.canonical import canonical, canonical_one
from etl.protect.keys import TokenKey
from etl.protect.tokens import DUCKDB_MIN_VALUES, NATIVE, tokenize, tokenize_one

REPO = Path(__file__).resolve().parents[3]
KEY = TokenKey("k1", b"0123456789abcdef0123456789abcdef")
OTHER = TokenKey("k2", b"fedcba9876543210fedcba9876543210")
LONG = TokenKey("k3", bytes(range(100)))  # longer than the SHA-256 block: hashed first

VECTORS: dict[str, list[str]] = {
    "id_card": [
        "11010519491231002X",
        "11010519491231002x",
        " 110105-19491231-002X ",
        "110105491231002",
        "440524188001010014",
        "12345",  # a typo is still tokenized
        "身份证",
    ],
    "social_security": ["11010519491231002X", "110105491231002", "SB123"],
    "mobile_phone": [
        "13812345678",
        "+86 138-1234-5678",
        "8613812345678",
        "0086138 1234 5678",
        "12",
    ],
    "bank_card": ["6222 0212 3456 7890 128", "6222021234567890128", "no digits"],
    "passport": ["e12345678", "E 1234-5678"],
    "license_plate": ["鄂A·12345", "鄂a 12345"],
    "person_name": [" 张三 ", "张三", "欧阳娜娜", "\u3000李四"],
    "email": ["zhangsan@example.com", " a@b.cn "],
    "landline_phone": ["027-87654321", "(010)12345678"],
    "free_text": ["联系电话13812345678，已核实", "身份证11010519491231002X"],
    "none": ["anything", "全角　空格"],
}
TOKEN = re.compile(r"^k1:[a-z2-7]{32}$")
#: The C loop where the install built it (it does wherever it can: the test below holds it).
NATIVE_ENGINES = ["native"] if NATIVE else []


def test_reference_is_plain_hmac_sha256() -> None:
    digest = hmac.new(KEY.secret, b"11010519491231002X", hashlib.sha256).digest()
    expected = "k1:" + base64.b32encode(digest[:20]).decode().lower()
    assert tokenize_one("11010519491231002x", "id_card", KEY) == expected
    assert TOKEN.match(expected)


def test_canonical_forms() -> None:
    assert canonical_one("110105491231002", "id_card") == "11010519491231002X"
    assert canonical_one(" 138-1234-5678", "mobile_phone") == "+8613812345678"
    assert canonical_one("0086 13812345678", "mobile_phone") == "+8613812345678"
    assert canonical_one("6222 0212 3456", "bank_card") == "622202123456"
    assert canonical_one("鄂a·12345", "license_plate") == "鄂A12345"
    assert canonical_one("  ", "person_name") is None


@pytest.mark.parametrize("category", sorted(VECTORS))
def test_vectorized_canonical_equals_reference(category: str) -> None:
    values = VECTORS[category]
    got = canonical(pa.array(values), category).to_pylist()
    assert got == [canonical_one(v, category) for v in values]


@pytest.mark.parametrize("engine", [*NATIVE_ENGINES, "duckdb", "python", "auto"])
@pytest.mark.parametrize("key", [KEY, LONG], ids=["k1", "long"])
@pytest.mark.parametrize("category", sorted(VECTORS))
def test_vectorized_equals_reference_on_every_vector(
    category: str, key: TokenKey, engine: str
) -> None:
    values = VECTORS[category]
    got = tokenize(pa.array(values), category, key, engine=engine).to_pylist()
    assert got == [tokenize_one(v, category, key) for v in values]


def test_the_c_loop_was_built_wherever_it_compiles(tmp_path: Path) -> None:
    # make install compiles etl/protect/_hmac.c (hatch_build.py); without it every shared-zone
    # load pays ~7x the CPU for its tokens. Where this machine can compile it, the install
    # must have; where it cannot (no compiler or OpenSSL headers), the hashlib loop stands in.
    from hatch_build import compile_extension

    problem = compile_extension(REPO, tmp_path / "_hmac.so")
    assert NATIVE is (problem is None), problem or "compiles here, but make install did not"
    if not NATIVE:
        with pytest.raises(ValueError, match="not built"):
            tokenize(pa.array(["x"]), "none", KEY, engine="native")


@pytest.mark.parametrize("engine", [*NATIVE_ENGINES, "duckdb"])
def test_engines_agree_on_a_large_array_with_nulls(engine: str) -> None:
    base = [*VECTORS["id_card"], None, "", "   "]
    values = base * (DUCKDB_MIN_VALUES // len(base) + 5)
    fast = tokenize(pa.array(values), "id_card", KEY, engine=engine)
    slow = tokenize(pa.array(values), "id_card", KEY, engine="python")
    assert fast.type == pa.string()
    assert fast.equals(slow)
    assert fast.to_pylist()[: len(base)] == [
        *[tokenize_one(v, "id_card", KEY) for v in VECTORS["id_card"]],
        None,
        None,
        None,
    ]


def test_same_value_same_token_across_formats() -> None:
    ids = tokenize(pa.array(["11010519491231002X", "110105491231002"]), "id_card", KEY)
    assert ids[0] == ids[1]
    phones = tokenize(pa.array(VECTORS["mobile_phone"][:4]), "mobile_phone", KEY).to_pylist()
    assert len(set(phones)) == 1


def test_tokens_are_deterministic_keyed_and_versioned() -> None:
    a = tokenize_one("13812345678", "mobile_phone", KEY)
    assert a == tokenize_one("13812345678", "mobile_phone", KEY)
    b = tokenize_one("13812345678", "mobile_phone", OTHER)
    assert b.startswith("k2:") and a.startswith("k1:")
    assert a[3:] != b[3:]
    assert "13812345678" not in a


def test_chunked_input_stays_chunked() -> None:
    chunked = pa.chunked_array([["13812345678"], [None, "13912345678"]])
    out = tokenize(chunked, "mobile_phone", KEY)
    assert isinstance(out, pa.ChunkedArray) and out.num_chunks == 2
    assert out.to_pylist()[1] is None


def test_errors() -> None:
    with pytest.raises(ValueError, match="empty"):
        tokenize_one("   ", "none", KEY)
    with pytest.raises(ValueError, match="engine"):
        tokenize(pa.array(["x"]), "none", KEY, engine="gpu")


@pytest.mark.parametrize("engine", [*NATIVE_ENGINES, "python"])
def test_slices_and_empty_arrays(engine: str) -> None:
    values = pa.array(["13812345678", None, "13912345678", "15012345678", ""])
    part = values.slice(2, 2)  # a non-zero offset into the buffers
    expected = [tokenize_one(v, "mobile_phone", KEY) for v in ("13912345678", "15012345678")]
    assert tokenize(part, "mobile_phone", KEY, engine=engine).to_pylist() == expected
    assert tokenize(pa.array([], pa.string()), "mobile_phone", KEY, engine=engine).to_pylist() == []
    nulls = tokenize(pa.array([None, None], pa.string()), "none", KEY, engine=engine)
    assert nulls.to_pylist() == [None, None]


@pytest.mark.skipif(not NATIVE, reason="the C loop was not built (no compiler at install)")
def test_the_c_loop_checks_its_buffers() -> None:
    from etl.protect import _hmac

    pad = bytes(64)
    values = pa.array(["ab", "cd"])
    _, offsets, data = values.buffers()
    assert len(_hmac.digests(pad, pad, offsets, data, 0, 2, 20)) == 40
    with pytest.raises(ValueError, match="64 bytes"):
        _hmac.digests(b"short", pad, offsets, data, 0, 2, 20)
    with pytest.raises(ValueError, match="offsets buffer is shorter"):
        _hmac.digests(pad, pad, offsets, data, 0, 3, 20)
    with pytest.raises(ValueError, match="outside the data"):
        _hmac.digests(pad, pad, offsets, b"a", 0, 2, 20)
    with pytest.raises(ValueError, match="keep"):
        _hmac.digests(pad, pad, offsets, data, 0, 2, 33)


@pytest.mark.parametrize(
    ("category", "values"),
    [
        ("id_card", ["11010519491231002X", "440524188001010014", None]),
        ("mobile_phone", ["13812345678", None, "19912345678"]),
    ],
)
def test_already_canonical_columns_take_the_fast_path(category: str, values: list) -> None:
    got = tokenize(pa.array(values), category, KEY, engine="duckdb").to_pylist()
    assert got == [tokenize_one(v, category, KEY) if v else None for v in values]
    assert canonical(pa.array(values), category).to_pylist() == [
        canonical_one(v, category) if v else None for v in values
    ]


@pytest.mark.parametrize("engine", [*NATIVE_ENGINES, "duckdb", "python"])
def test_a_mostly_empty_column_gets_the_same_tokens_in_place(engine: str) -> None:
    phones = ["13812345678", "139 1234 5678", "+86 150-1234-5678"]
    values = [phones[i % 3] if i % 10 == 0 else None for i in range(61_440)]
    tokens = tokenize(pa.array(values), "mobile_phone", KEY, engine=engine).to_pylist()
    expected = [None if v is None else tokenize_one(v, "mobile_phone", KEY) for v in values]
    assert tokens == expected
    assert sum(t is not None for t in tokens) == len(values) // 10


def test_tokens_from_forked_workers_equal_tokens_made_here() -> None:
    from etl.forked import ForkedPool
    from etl.protect.tokens import WORKER_MIN_VALUES

    base = [*VECTORS["id_card"], None, ""]
    values = pa.array(base * (WORKER_MIN_VALUES // len(base) + 3), pa.string())
    here = tokenize(values, "id_card", KEY, engine="python")
    with ForkedPool(2) as workers:
        there = tokenize(values, "id_card", KEY, engine="python", workers=workers)
        small = tokenize(pa.array(base), "id_card", KEY, workers=workers)  # hashed here
    assert there.equals(here)
    assert small.to_pylist() == here.to_pylist()[: len(base)]
