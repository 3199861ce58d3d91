"""Generate a realistic population-register CSV (人口登记) of any size, fast and deterministic.

Usage::

    python bench/population.py --rows 1000000 [--encoding utf-8|gbk] [--seed 20240601] [--out F]
    python bench/population.py --gb 5

Fifteen columns with the Chinese headers a public-security department exports (the bench
registry renames them to pinyin-initial canonical names). Faker (zh_CN) only fills value pools
once (names, addresses, jobs, registration offices); rows are then assembled in chunks with numpy
and pyarrow compute, so a million rows take seconds and a 5 GB file a few minutes, written
streaming (one chunk in memory at a time).

* ``身份证号``: GB 11643 identifiers: a real county code (about 300 of Faker's list), the birth
  date of ``出生日期``, a sequence whose parity is ``性别`` (odd: 男) and a valid ISO 7064 MOD
  11-2 check character. Every identifier is distinct: (county, birth day, sequence) is an affine
  permutation of the row index, so no two rows can meet.
* ``手机号``: valid mobile prefixes; ``户号``: nine digits with leading zeros; ``登记日期``: on or
  after the birth date, up to 2024-06-01; ``备注``: mostly empty, some notes, rarely a phone.
* Planted bad rows (row index ``i % 1000 == 500``, 0.1%), four kinds in turn: ``ragged`` (a note
  with an unquoted comma: 16 fields), ``bad_id`` (the check character replaced by ``Y``),
  ``bad_phone`` (prefix ``12``), ``bad_birth_date`` (``YYYY-02-30``). The suite and the
  extractor must quarantine exactly these rows; their counts are in the ``.json`` manifest
  written beside the file.

Files are cached (default ``~/.cache/pubdata-bench/``, or ``PUBDATA_BENCH_CACHE``) under a name
holding rows, encoding, seed and :data:`GENERATOR_VERSION`; an existing file is reused ("cached").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Bump when the output for a given (rows, encoding, seed) changes: cached files are keyed by it.
GENERATOR_VERSION = 2
DEFAULT_SEED = 20240601
CACHE = Path(os.environ.get("PUBDATA_BENCH_CACHE", Path.home() / ".cache" / "pubdata-bench"))
ENCODINGS = ("utf-8", "gbk")
#: Rows assembled at once; fixed, because the random streams are drawn per chunk.
CHUNK_ROWS = 200_000

#: (delivered header, canonical name), in file order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("身份证号", "gmsfhm"),
    ("姓名", "xm"),
    ("性别", "xb"),
    ("民族", "mz"),
    ("出生日期", "csrq"),
    ("手机号", "sjhm"),
    ("户籍地址", "hjdz"),
    ("现住址", "xzz"),
    ("婚姻状况", "hyzk"),
    ("文化程度", "whcd"),
    ("职业", "zy"),
    ("登记日期", "djrq"),
    ("登记机关", "djjg"),
    ("户号", "hh"),
    ("备注", "bz"),
)
HEADERS = tuple(header for header, _ in COLUMNS)

#: Planted bad rows: every ``BAD_EVERY`` rows, at offset ``BAD_OFFSET``, kinds in turn.
BAD_EVERY = 1000
BAD_OFFSET = 500
BAD_KINDS = ("ragged", "bad_id", "bad_phone", "bad_birth_date")

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = "10X98765432"  # indexed by (weighted sum) mod 11
FIRST_BIRTH = dt.date(1940, 1, 1)
LAST_BIRTH = dt.date(2006, 12, 31)
FIRST_REGISTRATION = dt.date(2000, 1, 1)
LAST_REGISTRATION = dt.date(2024, 6, 1)
MOBILE_PREFIXES = (
    *("130", "131", "132", "133", "134", "135", "136", "137", "138", "139"),
    *("147", "150", "151", "152", "153", "155", "156", "157", "158", "159"),
    *("166", "170", "173", "175", "176", "177", "178", "180", "181", "182"),
    *("183", "184", "185", "186", "187", "188", "189", "191", "198", "199"),
)
ETHNICITIES = (
    ("汉族", 0.915),
    ("壮族", 0.013),
    ("回族", 0.008),
    ("满族", 0.008),
    ("维吾尔族", 0.008),
    ("苗族", 0.007),
    ("彝族", 0.007),
    ("土家族", 0.006),
    ("藏族", 0.005),
    ("蒙古族", 0.005),
    ("侗族", 0.003),
    ("布依族", 0.003),
    ("瑶族", 0.003),
    ("白族", 0.002),
    ("朝鲜族", 0.002),
    ("哈尼族", 0.002),
    ("黎族", 0.001),
    ("哈萨克族", 0.001),
    ("傣族", 0.001),
)
MARITAL = (("已婚", 0.62), ("未婚", 0.28), ("离婚", 0.06), ("丧偶", 0.04))
EDUCATION = (
    ("小学", 0.18),
    ("初中", 0.34),
    ("高中", 0.16),
    ("中专", 0.07),
    ("大学专科", 0.11),
    ("大学本科", 0.11),
    ("硕士研究生", 0.02),
    ("博士研究生", 0.003),
    ("文盲或半文盲", 0.007),
)
NOTES = (
    *("户口迁入", "户口迁出", "补录", "信息核实中", "更正姓名", "出生登记", "投靠亲属"),
    *("婚迁", "大中专院校毕业回迁", "退役回原籍", "更正出生日期", "分户", "立户", "集体户"),
)
#: Shares of the 备注 column: a note, and a note carrying a phone number.
NOTE_SHARE = 0.02
NOTE_PHONE_SHARE = 0.0001
POOL_SIZES = {"names": 50_000, "addresses": 50_000, "jobs": 600, "offices": 400}


@dataclass(frozen=True)
class Manifest:
    """What a generated file holds; written as JSON beside it.

    Attributes:
        rows: data rows (the header not counted), bad ones included.
        encoding: the file's encoding.
        seed: the random seed.
        version: :data:`GENERATOR_VERSION`.
        bytes: the file size.
        planted: planted bad rows by kind (:data:`BAD_KINDS`).
        seconds: generation time.
    """

    rows: int
    encoding: str
    seed: int
    version: int = GENERATOR_VERSION
    bytes: int = 0
    planted: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def bad_rows(self) -> int:
        """Rows the pipeline must quarantine."""
        return sum(self.planted.values())


def planted_counts(rows: int) -> dict[str, int]:
    """Planted bad rows by kind for a file of ``rows`` rows (a closed form of the layout)."""
    slots = max(0, math.ceil((rows - BAD_OFFSET) / BAD_EVERY))
    counts = dict.fromkeys(BAD_KINDS, slots // len(BAD_KINDS))
    for kind in BAD_KINDS[: slots % len(BAD_KINDS)]:
        counts[kind] += 1
    return counts


def bad_kind_of(rows: np.ndarray) -> np.ndarray:
    """Per row index: the index of its planted bad kind in :data:`BAD_KINDS`, or -1."""
    kind = (rows // BAD_EVERY) % len(BAD_KINDS)
    return np.where(rows % BAD_EVERY == BAD_OFFSET, kind, -1)


def cache_path(rows: int, encoding: str, seed: int, cache: Path = CACHE) -> Path:
    """Where the file for these parameters is cached."""
    tag = encoding.replace("-", "")
    return cache / f"population_register-r{rows}-{tag}-s{seed}-v{GENERATOR_VERSION}.csv"


def _clean(values: list[str], encoding: str = "gbk") -> list[str]:
    """Distinct values without CSV-special characters, encodable in GBK (so both encodings
    hold the same text)."""
    out: dict[str, None] = {}
    for value in values:
        text = " ".join(value.replace(",", " ").replace('"', " ").split())
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            continue
        if text:
            out[text] = None
    return list(out)


@dataclass(frozen=True)
class Pools:
    """Value pools drawn from once per row (Faker is slow per value, fast enough per pool)."""

    names: pa.Array
    addresses: pa.Array
    jobs: pa.Array
    offices: pa.Array
    counties: list[str]


def build_pools(seed: int, scale: float = 1.0) -> Pools:
    """Fill the pools with Faker zh_CN, seeded.

    Args:
        seed: the Faker seed.
        scale: pool sizes relative to :data:`POOL_SIZES` (small pools make quick tests).
    """
    sizes = {name: max(10, round(size * scale)) for name, size in POOL_SIZES.items()}
    from faker import Faker
    from faker.providers.ssn.zh_CN import Provider as SsnProvider

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    names = _clean([fake.name() for _ in range(sizes["names"])])
    addresses = _clean([fake.address() for _ in range(sizes["addresses"])])
    jobs = _clean([fake.job() for _ in range(sizes["jobs"])])
    offices = _clean(
        [
            f"{fake.city_name()}市公安局{fake.district()}分局{fake.street_name()}派出所"
            for _ in range(sizes["offices"])
        ]
    )
    # Real county-level codes (not prefecture totals ending in 00): every tenth, about 300.
    counties = sorted(c for c in SsnProvider.area_codes if not c.endswith("00"))[::10]
    return Pools(
        names=pa.array(names),
        addresses=pa.array(addresses),
        jobs=pa.array(jobs),
        offices=pa.array(offices),
        counties=counties,
    )


class _Layout:
    """The identifier space and the day lookup tables shared by every chunk."""

    def __init__(self, pools: Pools, seed: int) -> None:
        self.counties = pa.array(pools.counties)
        county_digits = np.array([[int(ch) for ch in c] for c in pools.counties], dtype=np.int64)
        self.county_weight = county_digits @ ID_WEIGHTS[:6]
        first = FIRST_BIRTH.toordinal()
        days = [dt.date.fromordinal(o) for o in range(first, LAST_REGISTRATION.toordinal() + 1)]
        self.iso = pa.array([d.isoformat() for d in days])
        self.compact = pa.array([d.strftime("%Y%m%d") for d in days])
        day_digits = np.array([[int(ch) for ch in d.strftime("%Y%m%d")] for d in days])
        self.day_weight = day_digits @ ID_WEIGHTS[6:14]
        self.year = np.array([d.year for d in days], dtype=np.int64)
        self.birth_days = LAST_BIRTH.toordinal() - first + 1
        self.first_registration = FIRST_REGISTRATION.toordinal() - first
        self.last_day = len(days) - 1
        # born after this day index: under 22 (the legal marriage age for men) on 2024-06-01
        self.marriage_age = dt.date(2002, 6, 1).toordinal() - first
        self.seqs = pa.array([f"{s:03d}" for s in range(1000)])
        seq_digits = np.array([[s // 100, s // 10 % 10, s % 10] for s in range(1000)])
        self.seq_weight = seq_digits @ ID_WEIGHTS[14:]
        # (county, birth day, sequence pair) space and an affine permutation of it
        self.space = len(pools.counties) * self.birth_days * 500
        rng = np.random.default_rng([seed, 0])
        multiplier = int(rng.integers(self.space // 3, self.space // 2))
        while math.gcd(multiplier, self.space) != 1:
            multiplier += 1
        self.multiplier = multiplier
        self.shift = int(rng.integers(0, self.space))


def weighted(values: tuple[tuple[str, float], ...], rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` labels drawn with the given shares."""
    labels = pa.array([v for v, _ in values])
    weights = np.array([w for _, w in values])
    return labels.take(rng.choice(len(values), size=n, p=weights / weights.sum()))


def pick(pool: pa.Array, rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` values drawn uniformly from ``pool``."""
    return pool.take(rng.integers(0, len(pool), size=n))


def digits(values: np.ndarray, width: int) -> pa.Array:
    """Non-negative integers as zero-padded digit strings of ``width``."""
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width=width, padding="0")


def mobile_numbers(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` mobile numbers with real prefixes."""
    prefixes = pa.array(MOBILE_PREFIXES).take(rng.integers(0, len(MOBILE_PREFIXES), size=n))
    return pc.binary_join_element_wise(prefixes, digits(rng.integers(0, 10**8, size=n), 8), "")


def _chunk(layout: _Layout, pools: Pools, seed: int, start: int, n: int) -> list[pa.Array]:
    """The columns of rows ``start .. start + n - 1``, in :data:`COLUMNS` order."""
    rng = np.random.default_rng([seed, 1 + start // CHUNK_ROWS])
    index = np.arange(start, start + n, dtype=np.int64)
    if layout.multiplier * (start + n) + layout.shift >= 2**63:
        raise ValueError("too many rows for the identifier permutation")
    slot = (index * layout.multiplier + layout.shift) % layout.space
    county = slot % len(pools.counties)
    birth = (slot // len(pools.counties)) % layout.birth_days
    pair = slot // (len(pools.counties) * layout.birth_days)
    male = rng.integers(0, 2, size=n)
    seq = pair * 2 + male
    total = layout.county_weight[county] + layout.day_weight[birth] + layout.seq_weight[seq]
    check = pa.array(list(CHECK_CHARS)).take(total % 11)
    kind = bad_kind_of(index)
    check = pc.if_else(pa.array(kind == 1), "Y", check)
    ids = pc.binary_join_element_wise(
        layout.counties.take(county), layout.compact.take(birth), layout.seqs.take(seq), check, ""
    )
    birth_text = layout.iso.take(birth)
    bad_birth = np.flatnonzero(kind == 3)
    if bad_birth.size:
        year = layout.year[birth[bad_birth]]
        wrong = pa.array([f"{y:04d}-02-30" for y in year])
        mask = np.zeros(n, dtype=bool)
        mask[bad_birth] = True
        filler = np.zeros(n, dtype=np.int64)
        filler[bad_birth] = np.arange(bad_birth.size)
        birth_text = pc.if_else(pa.array(mask), wrong.take(filler), birth_text)
    phones = mobile_numbers(rng, n)
    bad_phone = pa.array(kind == 2)
    phones = pc.if_else(
        bad_phone, pc.binary_join_element_wise("12", pc.utf8_slice_codeunits(phones, 2), ""), phones
    )
    lo = np.maximum(birth, layout.first_registration)
    registered = lo + (rng.random(n) * (layout.last_day - lo + 1)).astype(np.int64)
    households = digits(rng.integers(0, 3 * 10**8, size=n), 9)
    notes = _notes(rng, n, kind)
    return [
        ids,
        pick(pools.names, rng, n),
        pc.if_else(pa.array(male == 1), "男", "女"),
        weighted(ETHNICITIES, rng, n),
        birth_text,
        phones,
        pick(pools.addresses, rng, n),
        pick(pools.addresses, rng, n),
        pc.if_else(pa.array(birth > layout.marriage_age), "未婚", weighted(MARITAL, rng, n)),
        weighted(EDUCATION, rng, n),
        pick(pools.jobs, rng, n),
        layout.iso.take(registered),
        pick(pools.offices, rng, n),
        households,
        notes,
    ]


def _notes(rng: np.random.Generator, n: int, kind: np.ndarray) -> pa.Array:
    """备注: empty, a note, rarely a note with a phone; ragged rows get an unquoted comma."""
    draw = rng.random(n)
    notes = pa.array(NOTES).take(rng.integers(0, len(NOTES), size=n))
    with_phone = pc.binary_join_element_wise(notes, "，联系电话", mobile_numbers(rng, n), "")
    text = pc.if_else(pa.array(draw < NOTE_PHONE_SHARE), with_phone, notes)
    text = pc.if_else(pa.array(draw < NOTE_SHARE), text, "")
    return pc.if_else(pa.array(kind == 0), pc.binary_join_element_wise(notes, "待核实", ","), text)


def _lines(columns: list[pa.Array]) -> memoryview:
    """The chunk as CSV text (no value needs quoting), one ``\\n``-terminated line per row."""
    line = pc.binary_join_element_wise(*columns, ",")
    line = pc.binary_join_element_wise(line, "", "\n")
    if line.null_count:
        raise ValueError("a generated row has a null field")
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int32)[
        line.offset : line.offset + len(line) + 1
    ]
    data = line.buffers()[2]
    assert data is not None
    return memoryview(data)[int(offsets[0]) : int(offsets[-1])]


def _write(handle: BinaryIO, text: memoryview, encoding: str) -> None:
    if encoding == "utf-8":
        handle.write(text)
    else:
        handle.write(bytes(text).decode("utf-8").encode(encoding))


def tables(
    rows: int, *, seed: int = DEFAULT_SEED, pools: Pools | None = None
) -> Iterator[pa.Table]:
    """The rows :func:`generate` writes, as string tables of :data:`COLUMNS`' canonical names.

    One table per :data:`CHUNK_ROWS` rows; the planted bad rows are included (row index ``i``
    is bad when ``bad_kind_of(i) >= 0``).
    """
    pools = pools or build_pools(seed)
    layout = _Layout(pools, seed)
    names = [name for _, name in COLUMNS]
    for start in range(0, rows, CHUNK_ROWS):
        n = min(CHUNK_ROWS, rows - start)
        yield pa.Table.from_arrays(_chunk(layout, pools, seed, start, n), names=names)


def generate(
    path: Path,
    rows: int,
    *,
    encoding: str = "utf-8",
    seed: int = DEFAULT_SEED,
    pools: Pools | None = None,
) -> Manifest:
    """Write ``rows`` rows to ``path`` (atomically) and the manifest beside it.

    Args:
        path: the CSV file to write.
        rows: data rows.
        encoding: ``utf-8`` or ``gbk``.
        seed: random seed; the same arguments give the same bytes.
        pools: pools already built with :func:`build_pools` for this seed (None: build them).

    Returns:
        The manifest (also written to ``<path>.json``).
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}")
    started = time.perf_counter()
    pools = pools or build_pools(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        handle.write((",".join(HEADERS) + "\n").encode(encoding))
        for chunk in tables(rows, seed=seed, pools=pools):
            _write(handle, _lines([column.chunk(0) for column in chunk.columns]), encoding)
    tmp.replace(path)
    manifest = Manifest(
        rows=rows,
        encoding=encoding,
        seed=seed,
        bytes=path.stat().st_size,
        planted=planted_counts(rows),
        seconds=round(time.perf_counter() - started, 2),
    )
    manifest_path(path).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
    return manifest


def manifest_path(path: Path) -> Path:
    """The manifest file of a generated CSV."""
    return path.with_name(path.name + ".json")


def read_manifest(path: Path) -> Manifest | None:
    """The manifest of a generated file, or None when the file or its manifest is missing."""
    meta = manifest_path(path)
    if not path.is_file() or not meta.is_file():
        return None
    data = json.loads(meta.read_text(encoding="utf-8"))
    if data.get("bytes") != path.stat().st_size:
        return None
    return Manifest(**data)


def rows_for_gb(gb: float, *, encoding: str = "utf-8", seed: int = DEFAULT_SEED) -> int:
    """Rows for a file of about ``gb`` GB (10^9 bytes), from the size of a sample chunk.

    Rounded to thousands, so the cache name is stable.
    """
    pools = build_pools(seed)
    sample = _lines(_chunk(_Layout(pools, seed), pools, seed, 0, 20_000))
    size = len(bytes(sample).decode("utf-8").encode(encoding)) / 20_000
    return max(1000, round(gb * 1e9 / size / 1000) * 1000)


def ensure(
    rows: int,
    *,
    encoding: str = "utf-8",
    seed: int = DEFAULT_SEED,
    cache: Path = CACHE,
    out: Path | None = None,
) -> tuple[Path, Manifest, bool]:
    """The file for these parameters, generated unless it is already there.

    Returns:
        The path, its manifest, and whether it was cached.
    """
    path = out or cache_path(rows, encoding, seed, cache)
    manifest = read_manifest(path)
    if manifest is not None and (manifest.rows, manifest.encoding, manifest.seed) == (
        rows,
        encoding,
        seed,
    ):
        return path, manifest, True
    return path, generate(path, rows, encoding=encoding, seed=seed), False


def main(argv: list[str] | None = None) -> int:
    """Command line: generate (or find) one file and print its path and manifest."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--rows", type=int, help="data rows (default 1,000,000)")
    size.add_argument("--gb", type=float, help="approximate file size in GB (10^9 bytes)")
    parser.add_argument("--encoding", choices=ENCODINGS, default="utf-8")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="file to write (default: in the cache folder)")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"cache folder ({CACHE})")
    args = parser.parse_args(argv)
    rows = args.rows
    if rows is None:
        rows = 1_000_000 if args.gb is None else rows_for_gb(args.gb, encoding=args.encoding)
    path, manifest, cached = ensure(
        rows, encoding=args.encoding, seed=args.seed, cache=args.cache, out=args.out
    )
    state = "cached" if cached else f"generated in {manifest.seconds:.1f} s"
    print(
        f"{path} ({state}): {manifest.rows:,} rows, {manifest.bytes / 1e6:,.1f} MB, "
        f"{manifest.encoding}, planted bad rows {manifest.bad_rows} {manifest.planted}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
