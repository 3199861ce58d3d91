"""Detectors added for every category of the spec, on fixed examples."""

from __future__ import annotations

import base64
import datetime as dt

import pyarrow as pa
import pytest
from stdnum.iso7064 import mod_11_2

from etl.classify import classify_table, get_detector
from etl.classify.detectors.codes import org_code_check_char
from etl.classify.detectors.dates import check_birth_date, parse_dates


def check(category: str, values: list[str | None]) -> list[bool]:
    return get_detector(category).check(pa.array(values, pa.string())).to_pylist()


def make_id(prefix: str, birth: str, seq: str = "001") -> str:
    body = prefix + birth + seq
    return body + mod_11_2.calc_check_digit(body)


def test_id_card_forms_from_hutool_and_stdnum_vectors() -> None:
    # hutool IdcardUtilTest and python-stdnum test_cn_ric.doctest
    valid = [
        "321083197812162119",
        "150102880730303",  # legacy 15-digit
        "932682198501010017",  # 外国人永久居留身份证 (2023 form)
        "81000019980902013X",  # 港澳台居民居住证: Hong Kong
        "820000200009100032",  # Macao
        "830000200209060065",  # Taiwan
        "33010219200403064x",  # lower-case check character
        "360426199101010071",
        "44011320141005001x",
    ]
    assert all(check("id_card", valid))
    invalid = ["360198910283844", "201511221897205960", "3301022011022000D6", "36042619910102009X"]
    assert not any(check("id_card", invalid))


def test_org_code_gb_11714() -> None:
    # organisation codes embedded in real USCCs (python-stdnum test vectors)
    for uscc in ("91110000600037341L", "91340600MA2PBM9HXD", "121200004013590816"):
        assert org_code_check_char(uscc[8:16]) == uscc[16]
    assert check("org_code", ["60003734-1", "MA2PBM9HX", "40135908 1", "401359081"]) == [True] * 4
    assert (
        check("org_code", ["600037342", "60003734", "6000373411", "I0003734X", None]) == [False] * 5
    )
    with pytest.raises(ValueError):
        org_code_check_char("abc")


def test_landline_phone() -> None:
    ok = ["027-87654321", "(010)12345678", "0571-12345678", "+86 27 8765 4321", "02787654321"]
    assert all(check("landline_phone", ok))
    bad = ["13812345678", "87654321", "0101234567", "4008001234", "12345678901", "027-123"]
    assert not any(check("landline_phone", bad))


def test_email_and_ip() -> None:
    assert all(check("email", ["a@example.com", " zhang.san+x@mail.163.com ", "X_Y@a-b.cn"]))
    assert not any(check("email", ["a@b", "@example.com", "a b@example.com", "张三@例子.中国"]))
    ips = ["192.168.1.10", "8.8.8.8", "2001:db8::1", "::1", "fe80::1%eth0"]
    assert check("ip_address", ips) == [True, True, True, True, True]
    assert not any(check("ip_address", ["256.1.1.1", "1.2.3", "12345", "2001:db8::g", "a:b"]))


def test_online_account_qq_and_wechat() -> None:
    accounts = ["10001", "123456789012", "wxid_a1b2c3", "Zhang-San_88", "13812345678", "a@qq.com"]
    assert all(check("online_account", accounts))
    assert not any(check("online_account", ["0123456", "1234", "张三", "ab", "1" * 13, None]))


def test_an_online_account_needs_a_header_that_says_so() -> None:
    digits = pa.array([str(100_000 + 7919 * i) for i in range(200)])
    table = pa.table({"QQ号码": digits, "联系微信": digits, "WeChatID": digits, "ddh": digits})
    got = {c.name: (c.category, c.grade) for c in classify_table(table).columns}
    assert got == {
        "QQ号码": ("online_account", "L3"),
        "联系微信": ("online_account", "L3"),
        "WeChatID": ("online_account", "L3"),
        "ddh": ("none", "L2"),  # an order number reads the same
    }


def test_license_plate_including_new_energy() -> None:
    ok = ["鄂A12345", "鄂A32C7B", "京AD12345", "粤B12345F", "沪A·12345", "鄂a 1234挂", "川A1234学"]
    assert all(check("license_plate", ok))
    bad = ["鄂AI2345", "鄂A1234", "鄂ABCDEFG", "A123456", "鄂A123456789", "项目A12345"]
    assert not any(check("license_plate", bad))


def test_passport_property_social_security() -> None:
    assert all(
        check("passport", ["E12345678", "EA1234567", "G12345678", "C12345678", "H1234567890"])
    )
    assert not any(check("passport", ["E1234567", "X12345678", "护照"]))
    certs = [
        "鄂(2019)武汉市不动产权第0012345号",
        "京（2020）朝阳区不动产证明第0001234号",
        "武房权证江字第123456号",
        "420102001001GB00012F00010001",
    ]
    assert all(check("property_cert", certs))
    assert not any(check("property_cert", ["2019不动产", "42010200100", "第0012345号"]))
    assert all(check("social_security", ["11010519491231002X", "SB12345678", "1234567890123"]))
    assert not any(check("social_security", ["ABCDEFGHIJ", "12345", "社保"]))


@pytest.mark.parametrize(
    "value",
    [
        "2023年5月12日",
        "2023.05.12",
        "20230512",
        "2023/5/12",
        "2023-5-12",
        "1990-05-12 00:00:00",
        "1990-05-12T08:30:00",
        "1990-05",
        "199005",
        "1990年5月",
    ],
)
def test_birth_date_formats(value: str) -> None:
    assert check("birth_date", [value]) == [True]


def test_birth_date_rejects_impossible_and_out_of_range() -> None:
    bad = ["20230230", "2023-13-01", "1899-12-31", "2999-01-01", "12/05/1990", "abc", "2023"]
    assert not any(check("birth_date", bad))
    assert check_birth_date(pa.array(["2024-06-02"]), today=dt.date(2024, 6, 1)).to_pylist() == [
        False
    ]
    dates = parse_dates(pa.array([dt.date(2000, 1, 2), None], pa.date32()))
    assert dates.to_pylist() == [dt.date(2000, 1, 2), None]


def test_value_sets() -> None:
    assert all(check("gender", ["男", "女", "1", "2", "9", "M", "f", " 男 "]))
    assert not any(check("gender", ["3", "男女", "unknown"]))
    assert all(check("ethnicity", ["汉族", "汉", "维吾尔族", "01", "56", "97", "柯尔克孜族"]))
    assert not any(check("ethnicity", ["57", "1", "中国", "门诊"]))
    assert all(check("religion", ["佛教", "伊斯兰教", "无宗教信仰", "基督教"]))
    assert not any(check("religion", ["教育", "宗教局"]))


def test_health_codes_and_words() -> None:
    ok = [
        "J30.4",
        "I10",
        "E11.9",
        "J06.900x003",
        "过敏性鼻炎",
        "高血压",
        "腰椎间盘突出",
        "肢体残疾",
    ]
    assert all(check("health", ok))
    assert not any(check("health", ["1325A", "东湖梨园", "汉口花桥", "A1", "内科"]))


def test_biometric() -> None:
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(80)).decode()
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(80)).decode()
    vector = "[" + ",".join(f"{i / 128:.4f}" for i in range(128)) + "]"
    ok = [jpeg, png, "data:image/png;base64," + png, vector, "ffd8ffe0" + "00" * 40]
    assert all(check("biometric", ok))
    assert not any(check("biometric", ["/9j/", "1,2,3", "hello", "[0.1, 0.2]"]))
    binary = pa.array([b"\xff\xd8\xff\xe0....", b"\x89PNG....", b"plain", None], pa.binary())
    assert get_detector("biometric").check(binary).to_pylist() == [True, True, False, False]


def test_credential_and_criminal_record() -> None:
    assert check("credential", ["x", "", "  ", None]) == [True, False, False, False]
    assert get_detector("credential").clear_name_only
    narrative = ["嫌疑人张某涉嫌盗窃被刑事拘留", "2019年因诈骗被判处有期徒刑三年"]
    assert all(check("criminal_record", narrative))
    assert not any(check("criminal_record", ["办理营业执照", "道路改造工程"]))


def test_geo_coordinates() -> None:
    ok = [
        "114.416048",
        "30.516053",
        "114.305123,30.593456",
        "30.593456 114.305123",
        "POINT(114.305123 30.593456)",
    ]
    assert all(check("geo_coordinate", ok))
    bad = ["114.4", "200.123456", "1.123456", "60.123456", "114.3,30.5", "abc"]
    assert not any(check("geo_coordinate", bad))
    floats = pa.array([114.416048, 30.51], pa.float64())
    assert get_detector("geo_coordinate").check(floats).to_pylist() == [True, False]
