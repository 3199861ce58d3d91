"""Value makers for the evaluation corpus: structurally valid identifiers with real region codes."""

from __future__ import annotations

import base64
import datetime as dt
import random
import zlib
from collections.abc import Callable

from faker import Faker
from faker.providers.ssn.zh_CN import Provider as SsnProvider
from stdnum import luhn
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_2

from etl.classify.detectors.codes import org_code_check_char
from etl.classify.detectors.valuesets import ETHNIC_GROUPS
from etl.classify.detectors.vehicle import PLATE_PROVINCES

#: County-level division codes (GB/T 2260) as Faker zh_CN lists them.
COUNTIES = [c for c in SsnProvider.area_codes if not c.endswith("00")]
AREA_CODES = ["010", "021", "022", "023", "027", "0571", "0755", "0731", "0351", "0898"]
ALNUM = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIAGNOSES = [
    *("原发性高血压", "2型糖尿病", "急性上呼吸道感染", "过敏性鼻炎", "慢性胃炎", "高脂血症"),
    *("冠状动脉粥样硬化性心脏病", "腰椎间盘突出", "白内障", "龋齿", "支气管哮喘", "肢体残疾"),
    *("脑梗死", "胆囊结石", "缺铁性贫血", "焦虑状态", "桡骨远端骨折", "头皮裂伤"),
]
ICD10 = [
    *("I10", "E11.9", "J06.9", "J30.4", "K29.5", "E78.5", "I25.1", "M51.2", "H26.9"),
    *("K02.9", "J45.9", "I63.9", "K80.2", "D50.9", "F41.9", "S52.5", "J06.900x003"),
]
STATIONS = [
    *("东湖梨园", "汉口花桥", "沌口新区", "武昌紫阳", "青山钢花", "汉阳月湖", "汉口江滩"),
    *("东西湖", "吴家山", "沉湖七壕", "关山八一", "黄陂前川", "新洲邾城", "江夏金口"),
]


def birth_date(rng: random.Random, first: int = 1940, last: int = 2004) -> dt.date:
    """A birth date between 1 January of ``first`` and 31 December of ``last``."""
    start = dt.date(first, 1, 1)
    return start + dt.timedelta(days=rng.randrange((dt.date(last, 12, 31) - start).days))


def id_number(rng: random.Random, born: dt.date, *, male: bool | None = None) -> str:
    """An 18-digit ID number with a real county code and the MOD 11-2 check character."""
    seq = rng.randrange(1000)
    if male is not None:
        seq = seq - seq % 2 + (1 if male else 0)
    body = rng.choice(COUNTIES) + born.strftime("%Y%m%d") + f"{seq:03d}"
    return body + mod_11_2.calc_check_digit(body)


def make_uscc(rng: random.Random) -> str:
    """A USCC: 9 1, a real division, an organisation code with its GB 11714 check, the check."""
    if rng.random() < 0.5:
        org = "MA" + "".join(rng.choice(ALNUM) for _ in range(6))
    else:
        org = f"{rng.randrange(10**8):08d}"
    body = "91" + rng.choice(COUNTIES) + org + org_code_check_char(org)
    return body + uscc.calc_check_digit(body)


def bank_card(rng: random.Random) -> str:
    """A 16 or 19 digit card number with BIN 62 that passes Luhn."""
    length = rng.choice((16, 19))
    body = "62" + "".join(str(rng.randrange(10)) for _ in range(length - 3))
    return body + luhn.calc_check_digit(body)


def landline(rng: random.Random) -> str:
    """A fixed-line number: trunk 0 + area code + 8 digits, in one of three common layouts."""
    area = rng.choice(AREA_CODES)
    number = f"{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"
    return rng.choice((f"{area}-{number}", f"({area}){number}", f"{area}{number}"))


def plate(rng: random.Random) -> str:
    """A plate: ordinary (鄂A3C7B1) or new energy (鄂AD12345 / 鄂A12345D)."""
    head = rng.choice(PLATE_PROVINCES) + rng.choice(PLATE_LETTERS)
    kind = rng.random()
    if kind < 0.3:
        return head + rng.choice("DF") + "".join(rng.choice(ALNUM[:10]) for _ in range(5))
    if kind < 0.4:
        return head + f"{rng.randrange(10**5):05d}" + rng.choice("DF")
    return (
        head
        + "".join(rng.choice(ALNUM[:10] + "ABCDEFGHJK") for _ in range(4))
        + str(rng.randrange(10))
    )


def ethnicity(rng: random.Random, *, code: bool = False) -> str:
    """Mostly 汉族, the rest from the 56 groups; optionally as the GB/T 3304 code."""
    index = 0 if rng.random() < 0.85 else rng.randrange(56)
    return f"{index + 1:02d}" if code else ETHNIC_GROUPS[index] + "族"


def jpeg_base64(rng: random.Random) -> str:
    """Base64 of a small JPEG-like payload (SOI + APP0 magic, then noise)."""
    payload = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(rng.randrange(256) for _ in range(90))
    return base64.b64encode(payload).decode("ascii")


def feature_vector(rng: random.Random, size: int = 128) -> str:
    """A face-embedding-like vector of ``size`` floats."""
    return "[" + ",".join(f"{rng.uniform(-1, 1):.4f}" for _ in range(size)) + "]"


def property_cert(rng: random.Random) -> str:
    """不动产权证书号 or 不动产单元号."""
    if rng.random() < 0.5:
        return f"鄂({rng.randrange(2016, 2024)})武汉市不动产权第{rng.randrange(10**7):07d}号"
    zone, parcel, unit = rng.randrange(10**6), rng.randrange(10**5), rng.randrange(10**8)
    return f"{rng.choice(COUNTIES)}{zone:06d}GB{parcel:05d}F{unit:08d}"


def seeded(name: str) -> tuple[random.Random, Faker]:
    """A random generator and a Faker zh_CN, both seeded by the table name."""
    seed = zlib.crc32(name.encode())
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return random.Random(seed), fake


def many(n: int, make: Callable[[], str]) -> list[str | None]:
    """``n`` values from ``make``."""
    return [make() for _ in range(n)]
