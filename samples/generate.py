"""Write the deterministic sample landing files for the demo and the tests.

Run ``.venv/bin/python samples/generate.py``: every run writes the same bytes under
``samples/landing/<department>/<dataset>/`` (Faker ``zh_CN`` and ``random.Random`` are seeded per
dataset and date; nothing depends on the clock, the locale or ``PYTHONHASHSEED``).

The data are synthetic but structurally real: ID numbers carry valid region codes, birth dates and
ISO 7064 MOD 11-2 check characters; 统一社会信用代码 carry a GB 11714 organisation code and the GB
32100 check character; bank cards start with 62 and pass Luhn. Each file also carries a few
deliberately bad rows (listed in ``samples/README.md``) that the dataset's Great Expectations suite
must catch, and nothing else in the file should fail it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from clinic_relief import CLINIC_SHEET, build_clinic_visits, build_relief_payments
from entities import ENTERPRISES, build_enterprise_registry
from people import HOUSEHOLD_ROWS, build_household_register
from synthetic import DEMO_DATE, SECOND_DATE, WUHAN, Row, pick_distinct, seeded_rng, weighted
from tax_insurance import (
    TAX_SHEET,
    build_insured_units,
    build_tax_changes,
    build_tax_registration,
)

HERE = Path(__file__).resolve().parent
LANDING = HERE / "landing"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O
#: What the tax system writes above its header: a merged title and a ``key：value`` line.
TAX_PREAMBLE = ("纳税人登记信息查询结果", "导出机关：国家税务总局武汉市税务局")


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def _csv_bytes(header: Sequence[str], rows: Sequence[Row], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _json_value(value: object) -> str:
    if isinstance(value, Raw):
        return value.text
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Raw:
    """A JSON number written exactly as given (keeps trailing zeros such as ``114.305500``)."""

    text: str


def _json_object(header: Sequence[str], row: Row) -> str:
    fields = (f"{json.dumps(k)}: {_json_value(v)}" for k, v in zip(header, row, strict=True))
    return "{" + ", ".join(fields) + "}"


def _jsonl_bytes(header: Sequence[str], rows: Sequence[Row]) -> bytes:
    return "".join(_json_object(header, row) + "\n" for row in rows).encode("utf-8")


def _json_array_bytes(header: Sequence[str], rows: Sequence[Row]) -> bytes:
    body = ",\n".join("  " + _json_object(header, row) for row in rows)
    return ("[\n" + body + "\n]\n").encode("utf-8")


VEHICLE_HEADER = ("hphm", "jd", "wd", "sd", "dwsj", "clzt")
VEHICLE_FLEET = 150
VEHICLE_BAD = {DEMO_DATE: 2, SECOND_DATE: 1}  # rows with speed 999
VEHICLE_STATES = (("载客", 45), ("空车", 35), ("电召", 8), ("停运", 12))


def _fleet() -> list[str]:
    """The taxi fleet: stable across days, ~30% 8-character new-energy plates."""
    rng = seeded_rng("vehicle_positions", "fleet")
    plates: list[str] = []
    while len(plates) < VEHICLE_FLEET:
        if rng.random() < 0.3:
            plate = "鄂A" + rng.choice("DF") + f"{rng.randrange(10**5):05d}"
        else:
            chars = [str(rng.randrange(10)) for _ in range(5)]
            for at in rng.sample(range(5), rng.choice((0, 1, 1, 2))):
                chars[at] = rng.choice(PLATE_LETTERS)
            plate = "鄂A" + "".join(chars)
        if plate not in plates:
            plates.append(plate)
    return plates


def build_vehicle_positions(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """营运车辆定位: GPS fixes of the taxi fleet, a time series per vehicle, ordered by time."""
    rng = seeded_rng("vehicle_positions", day)
    fleet = _fleet()
    per_vehicle = n_rows // len(fleet)
    fixes: list[tuple[str, str, Row]] = []
    for plate in fleet:
        lon, lat = rng.uniform(114.15, 114.45), rng.uniform(30.45, 30.65)
        seconds = sorted(rng.sample(range(6 * 3600, 23 * 3600), per_vehicle))
        for second in seconds:
            state = weighted(rng, VEHICLE_STATES)
            speed = 0.0 if state == "停运" else round(rng.uniform(0, 75), 1)
            lon = min(114.62, max(113.95, lon + rng.uniform(-0.02, 0.02)))
            lat = min(30.80, max(30.35, lat + rng.uniform(-0.015, 0.015)))
            stamp = (
                f"{day.isoformat()}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            )
            fixes.append((stamp, plate, [plate, lon, lat, speed, stamp, state]))
    fixes.sort(key=lambda fix: (fix[0], fix[1]))
    rows = [fix[2] for fix in fixes]
    for i in pick_distinct(rng, len(rows), (VEHICLE_BAD[day],))[0]:
        rows[i][3] = 999.0  # device fault: speed field saturated
    for row in rows:
        row[1], row[2], row[3] = Raw(f"{row[1]:.6f}"), Raw(f"{row[2]:.6f}"), Raw(f"{row[3]:.1f}")
    return VEHICLE_HEADER, rows


AIR_HEADER = ("zdmc", "zddm", "jcsj", "pm25", "pm10", "so2", "no2", "o3", "co", "aqi", "sywrw")
AIR_STATIONS = (
    ("东湖梨园", "1325A"), ("汉阳月湖", "1326A"), ("汉口花桥", "1327A"), ("武昌紫阳", "1328A"),
    ("青山钢花", "1329A"), ("沌口新区", "1330A"), ("汉口江滩", "1331A"), ("东湖高新", "1332A"),
    ("吴家山", "1333A"), ("沉湖七壕", "1334A"), ("江夏纸坊", "3421A"), ("黄陂前川", "3422A"),
    ("新洲邾城", "3423A"), ("蔡甸奓山", "3424A"), ("汉南纱帽", "3425A"), ("洪山南湖", "3426A"),
    ("硚口古田", "3427A"), ("江岸后湖", "3428A"), ("江汉常青", "3429A"), ("青山白玉山", "3430A"),
    ("东西湖走马岭", "3431A"),
)  # fmt: skip
AIR_BAD = {DEMO_DATE: 2, SECOND_DATE: 0}  # rows with negative pm25
# HJ 633-2012 breakpoints (hourly where the standard has them) and the matching IAQI values.
IAQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)
BREAKPOINTS = {
    "PM2.5": (0, 35, 75, 115, 150, 250, 350, 500),
    "PM10": (0, 50, 150, 250, 350, 420, 500, 600),
    "SO2": (0, 150, 500, 650, 800, 1600, 2100, 2620),
    "NO2": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "O3": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "CO": (0, 5, 10, 35, 60, 90, 120, 150),
}


def _iaqi(pollutant: str, value: float) -> float:
    points = BREAKPOINTS[pollutant]
    for i in range(1, len(points)):
        if value <= points[i]:
            low, high = points[i - 1], points[i]
            return IAQI_STEPS[i - 1] + (IAQI_STEPS[i] - IAQI_STEPS[i - 1]) * (value - low) / (
                high - low
            )
    return 500.0


def build_air_quality(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """空气质量监测: hourly readings of the city's monitoring stations (public data)."""
    del n_rows  # stations x 24 hours
    rng = seeded_rng("air_quality", day)
    rows: list[Row] = []
    day_factor = rng.uniform(0.8, 1.2)
    for station, code in AIR_STATIONS:
        local = rng.uniform(0.85, 1.15)
        for hour in range(24):
            rush = 1.35 if hour in (7, 8, 9, 17, 18, 19) else 1.0
            sun = max(0.0, 1 - abs(hour - 15) / 7)
            pm25 = round(max(3, rng.gauss(32, 8) * day_factor * local * (1.1 if hour < 8 else 1.0)))
            pm10 = round(pm25 * rng.uniform(1.4, 2.0))
            so2 = round(max(2, rng.gauss(7, 2)))
            no2 = round(max(5, rng.gauss(28, 7) * rush * local))
            o3 = round(max(5, 40 + 150 * sun * day_factor + rng.gauss(0, 12)))
            co = round(max(0.2, rng.gauss(0.7, 0.15)), 1)
            values = {"PM2.5": pm25, "PM10": pm10, "SO2": so2, "NO2": no2, "O3": o3, "CO": co}
            scores = {k: _iaqi(k, v) for k, v in values.items()}
            aqi = round(max(scores.values()))
            primary = max(scores, key=lambda k: scores[k]) if aqi > 50 else "—"
            rows.append(
                [
                    station,
                    code,
                    f"{day.isoformat()}T{hour:02d}:00:00",
                    pm25,
                    pm10,
                    so2,
                    no2,
                    o3,
                    Raw(f"{co:.1f}"),
                    aqi,
                    primary,
                ]
            )
    for i, value in zip(
        pick_distinct(rng, len(rows), (AIR_BAD[day],))[0], (-999, -1), strict=False
    ):
        rows[i][3] = value  # analyser fault code / negative drift
    return AIR_HEADER, rows


BUDGET_HEADER = ("xmbm", "xm", "ysdw", "gnkm", "ysje", "zxje", "zxl", "tjyf")
# budget unit, projects (name template, 功能科目, min amount, max amount in 万元)
BUDGET_UNITS: tuple[tuple[str, tuple[tuple[str, str, int, int], ...]], ...] = (
    (
        "武汉市交通运输局",
        (
            ("城市道路改造工程", "2140104 公路建设", 500, 30000),
            ("桥梁隧道维修养护", "2140106 公路养护", 200, 8000),
            ("公交运营补贴", "2140199 其他公路水路运输支出", 1000, 20000),
        ),
    ),
    (
        "武汉市住房和城市更新局",
        (
            ("老旧小区改造", "2120399 其他城乡社区公共设施支出", 300, 15000),
            ("保障性住房建设", "2210199 其他保障性安居工程支出", 500, 20000),
            ("城中村改造", "2210101 棚户区改造", 1000, 50000),
        ),
    ),
    (
        "武汉市教育局",
        (
            ("中小学校舍维修改造", "2050202 小学教育", 100, 5000),
            ("学前教育发展专项", "2050201 学前教育", 100, 6000),
            ("义务教育学生营养改善", "2050299 其他普通教育支出", 200, 3000),
        ),
    ),
    (
        "武汉市卫生健康委员会",
        (
            ("基本公共卫生服务", "2100408 基本公共卫生服务", 500, 12000),
            ("公立医院改革补助", "2100201 综合医院", 300, 10000),
            ("疾病预防控制", "2100401 疾病预防控制机构", 100, 4000),
        ),
    ),
    (
        "武汉市生态环境局",
        (
            ("大气污染防治", "2110301 大气", 100, 6000),
            ("水污染防治专项", "2110302 水体", 100, 8000),
            ("环境监测能力建设", "2110203 环境监测与信息", 50, 2000),
        ),
    ),
    (
        "武汉市民政局",
        (
            ("城乡低保资金", "2081901 城市最低生活保障金支出", 1000, 30000),
            ("特困人员供养", "2082101 城市特困人员救助供养支出", 300, 8000),
            ("养老服务体系建设", "2080299 其他民政管理事务支出", 100, 5000),
        ),
    ),
    (
        "武汉市公安局",
        (
            ("公安业务装备购置", "2040299 其他公安支出", 100, 6000),
            ("视频监控系统运维", "2040299 其他公安支出", 50, 3000),
        ),
    ),
    (
        "武汉市园林和林业局",
        (
            ("公园绿地建设", "2120501 城乡社区环境卫生", 100, 8000),
            ("绿道建设", "2120399 其他城乡社区公共设施支出", 100, 6000),
        ),
    ),
    (
        "武汉市水务局",
        (
            ("排水管网改造", "2130305 水利工程建设", 300, 20000),
            ("防汛抗旱", "2130314 防汛", 100, 5000),
            ("污水处理厂运营", "2120501 城乡社区环境卫生", 200, 9000),
        ),
    ),
    (
        "武汉市城市管理执法委员会",
        (
            ("环卫作业市场化", "2120501 城乡社区环境卫生", 200, 10000),
            ("生活垃圾分类", "2120501 城乡社区环境卫生", 100, 4000),
        ),
    ),
)


def build_budget_execution(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """预算执行情况: monthly snapshot of project budgets and cumulative execution."""
    rng = seeded_rng("budget_execution", day)
    month_end = day.replace(day=1) - dt.timedelta(days=1)
    projects = [(unit, p) for unit, ps in BUDGET_UNITS for p in ps]
    used_codes: set[str] = set()
    rows: list[Row] = []
    while len(rows) < n_rows:
        unit, (template, subject, low, high) = rng.choice(projects)
        where = rng.choice((*(d[1] for d in WUHAN), "全市", "市本级"))
        name = (
            f"{month_end.year}年{where}{template}"
            if rng.random() < 0.8
            else f"{where}{template}项目"
        )
        kind = rng.choice("TY")
        code = f"420100{month_end.year % 100:02d}{kind}{rng.randrange(10**9):09d}"
        if code in used_codes:
            continue
        used_codes.add(code)
        budget = round(rng.uniform(low, high) * 10000, -2)
        share = min(1.0, max(0.0, rng.gauss(month_end.month / 12, 0.15)))
        executed = round(budget * share, 2)
        rows.append([code, name, unit, subject, budget, executed, 0.0, f"{month_end:%Y-%m}"])
    for i in pick_distinct(rng, len(rows), (1,))[0]:
        rows[i][5] = -float(rows[i][5])  # 冲销 entered with the wrong sign
    for row in rows:
        row[6] = round(float(row[5]) / float(row[4]) * 100, 2)  # 执行率 in percent
    return BUDGET_HEADER, rows


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _write_csv(encoding: str) -> Callable[[Path, tuple[str, ...], list[Row]], bytes]:
    def write(path: Path, header: tuple[str, ...], rows: list[Row]) -> bytes:
        return _csv_bytes(header, rows, encoding)

    return write


def _write_jsonl(path: Path, header: tuple[str, ...], rows: list[Row]) -> bytes:
    return _jsonl_bytes(header, rows)


def _write_json(path: Path, header: tuple[str, ...], rows: list[Row]) -> bytes:
    return _json_array_bytes(header, rows)


def _write_parquet(path: Path, header: tuple[str, ...], rows: list[Row]) -> bytes:
    columns = list(zip(*rows, strict=True))
    numeric = {"ysje", "zxje", "zxl"}
    table = pa.table(
        {
            name: pa.array(values, type=pa.float64() if name in numeric else pa.string())
            for name, values in zip(header, columns, strict=True)
        }
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _write_xlsx(
    sheet_name: str, author: str, preamble: Sequence[str] = ()
) -> Callable[[Path, tuple[str, ...], list[Row]], bytes]:
    """A workbook writer: ``preamble`` rows (a merged title first) above the header.

    Identifiers and serials are text cells, floats numbers, dates date cells.
    """

    def write(path: Path, header: tuple[str, ...], rows: list[Row]) -> bytes:
        import xlsxwriter  # a dev dependency (uv.lock); only the Excel samples need it

        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
        # A fixed creation time keeps docProps/core.xml, and so the file, identical on every run.
        workbook.set_properties({"created": dt.datetime(2024, 6, 1, 18, 0, 0), "author": author})
        sheet = workbook.add_worksheet(sheet_name)
        for r, line in enumerate(preamble):
            if r == 0:
                sheet.merge_range(0, 0, 0, len(header) - 1, line)
            else:
                sheet.write_string(r, 0, line)
        top = len(preamble)
        for col, name in enumerate(header):
            sheet.write_string(top, col, name)
        date_cell = (
            workbook.add_format({"num_format": "yyyy-mm-dd"})
            if any(isinstance(v, dt.date) for row in rows for v in row)
            else None
        )
        for r, row in enumerate(rows, start=top + 1):
            for col, value in enumerate(row):
                if isinstance(value, float):
                    sheet.write_number(r, col, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date_cell)
                else:
                    sheet.write_string(r, col, str(value))  # IDs and serials stay text
        workbook.close()
        return buffer.getvalue()

    return write


@dataclass(frozen=True)
class Spec:
    """One landing file to write."""

    department: str
    dataset: str
    day: dt.date
    file_name: str
    rows: int  # rows to build; 0 where the builder derives them from another dataset
    build: Callable[[dt.date, int], tuple[tuple[str, ...], list[Row]]]
    write: Callable[[Path, tuple[str, ...], list[Row]], bytes]


def specs() -> list[Spec]:
    """Return every landing file the samples consist of, in writing order."""
    d1, d2 = DEMO_DATE, SECOND_DATE
    tax_workbook = _write_xlsx(TAX_SHEET, "金税三期", TAX_PREAMBLE)
    return [
        Spec("public_security", "household_register", d1, f"{d1}.csv", HOUSEHOLD_ROWS,
             build_household_register, _write_csv("gbk")),
        Spec("public_security", "household_register", d2, f"{d2}.csv", 900,
             build_household_register, _write_csv("gbk")),
        Spec("market_regulation", "enterprise_registry", d1, f"{d1}.csv", ENTERPRISES,
             build_enterprise_registry, _write_csv("utf-8-sig")),
        Spec("tax", "tax_registration", d1, f"{d1}.xlsx", 0,
             build_tax_registration, tax_workbook),
        Spec("tax", "tax_registration", d2, f"{d2}.xlsx", 0, build_tax_changes, tax_workbook),
        Spec("human_resources", "insured_units", d1, f"{d1}.csv", 0,
             build_insured_units, _write_csv("gbk")),
        Spec("health", "clinic_visits", d1, f"{d1:%Y%m%d}.xlsx", 600,
             build_clinic_visits, _write_xlsx(CLINIC_SHEET, "HIS")),
        Spec("transport", "vehicle_positions", d1, f"{d1}.jsonl", 1200,
             build_vehicle_positions, _write_jsonl),
        Spec("transport", "vehicle_positions", d2, f"{d2}.jsonl", 1200,
             build_vehicle_positions, _write_jsonl),
        Spec("ecology", "air_quality", d1, f"{d1}.json", 504, build_air_quality, _write_json),
        Spec("ecology", "air_quality", d2, f"{d2}.json", 504, build_air_quality, _write_json),
        Spec("finance", "budget_execution", d1, f"{d1:%Y%m%d}.parquet", 300,
             build_budget_execution, _write_parquet),
        Spec("civil_affairs", "relief_payments", d1, f"{d1}.csv", 700,
             build_relief_payments, _write_csv("gb18030")),
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Write the landing files and print one line per file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=LANDING, help="landing root (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    for spec in specs():
        path = args.out / spec.department / spec.dataset / spec.file_name
        header, rows = spec.build(spec.day, spec.rows)
        data = spec.write(path, header, rows)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{path.relative_to(args.out)}  {len(rows)} rows  {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
