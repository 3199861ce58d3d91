from __future__ import annotations

import codecs

import pytest

from etl.extract import detect_encoding
from etl.extract.encoding import detect_delimiter, looks_binary

TEXT = "统一社会信用代码,企业名称,登记日期\n91310000MA1FL0001X,上海某某有限公司,2024年5月1日\n"


RARE = "𠀀,䶮\n"  # outside GBK: only GB18030 encodes them


@pytest.mark.parametrize(
    ("data", "expected", "text"),
    [
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig", TEXT),
        (TEXT.encode("utf-8"), "utf-8", TEXT),
        (b"id,name\n1,a\n", "utf-8", "id,name\n1,a\n"),
        (TEXT.encode("gbk"), "gb18030", TEXT),
        (TEXT.encode("gb18030"), "gb18030", TEXT),
        (RARE.encode("gb18030"), "gb18030", RARE),
        (TEXT.encode("utf-16"), "utf-16", TEXT),
        (TEXT.encode("utf-32"), "utf-32", TEXT),
    ],
)
def test_detect_encoding(data: bytes, expected: str, text: str) -> None:
    assert detect_encoding(data) == expected
    assert data.decode(expected) == text


def test_truncated_multibyte_at_end_of_sample_is_still_utf8() -> None:
    data = TEXT.encode("utf-8")
    cut = data[: data.index("上".encode()) + 1]
    assert detect_encoding(cut) == "utf-8"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a,b,c", ","),
        ("a\tb\tc", "\t"),
        ("a;b;c", ";"),
        ("a|b|c", "|"),
        ('"a,b";c;d', ";"),
        ("single", ","),
    ],
)
def test_detect_delimiter(line: str, expected: str) -> None:
    assert detect_delimiter(line) == expected


def test_looks_binary() -> None:
    assert looks_binary(b"PK\x03\x04rest")
    assert looks_binary(b"abc\x00def")
    assert not looks_binary(TEXT.encode("utf-16"))
    assert not looks_binary(TEXT.encode("gbk"))
