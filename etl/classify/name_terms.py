"""Dictionary of column-name terms: pinyin initials, English words and Chinese headers.

Latin terms are space-separated token phrases (``"id card"`` matches ``id_card``, ``IdCard``,
``id-card-no``); Chinese terms match a whole Chinese run, its suffix, or (4+ characters) inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

LEGAL_REPRESENTATIVE = "legal_representative"


@dataclass(frozen=True)
class Term:
    """What a dictionary term says about a column.

    Attributes:
        category: category id it hints at.
        ambiguous: the term has other common meanings (``xm`` 姓名/项目), so it is weak evidence.
        role: optional role, e.g. ``legal_representative`` for 法定代表人.
    """

    category: str
    ambiguous: bool = False
    role: str | None = None


def _terms(
    category: str, words: str, *, ambiguous: bool = False, role: str | None = None
) -> dict[str, Term]:
    return {w.replace("_", " "): Term(category, ambiguous, role) for w in words.split(",")}


def _kinds(kind: str, words: str) -> dict[str, str]:
    return {w.replace("_", " "): kind for w in words.split(",")}


#: Terms hinting at a detector category.
CATEGORY_TERMS: dict[str, Term] = {
    **_terms(
        "id_card",
        "sfzh,sfzhm,gmsfhm,sfz,sfzjhm,zjhm,zjh,id_card,idcard,idno,id_no,id_number,id_card_no,"
        "citizen_id,身份证,身份证号,身份证号码,公民身份号码,公民身份证号,证件号码,证件号,身份号码",
    ),
    **_terms("person_name", "xm,name,名字", ambiguous=True),
    **_terms(
        "person_name",
        "xingming,person_name,full_name,real_name,realname,姓名,人名,联系人,申请人,户主,lxr",
    ),
    **_terms(
        "person_name",
        "fddbr,frdb,legal_person,legal_representative,legal_rep,法定代表人,法人代表,法人",
        role=LEGAL_REPRESENTATIVE,
    ),
    **_terms(
        "mobile_phone",
        "lxdh,sjhm,yddh,sjh,shouji,phone,mobile,cellphone,mobile_phone,phone_no,手机,手机号,"
        "手机号码,联系电话,移动电话,联系方式,电话号码",
    ),
    **_terms("mobile_phone", "dh,sj,tel,电话", ambiguous=True),
    **_terms(
        "address",
        "hjdz,jzdz,xzz,jtzz,address,addr,住址,地址,户籍地址,居住地址,现住址,家庭住址,"
        "通讯地址,详细地址,联系地址,住所",
    ),
    **_terms("address", "zz,dz", ambiguous=True),
    **_terms(
        "bank_card",
        "yhzh,yhkh,yhk,bank_card,bankcard,bank_account,bank_card_no,card_number,银行卡,银行卡号,"
        "银行账号,银行账户,开户账号",
    ),
    **_terms("bank_card", "card_no,zh,kh,账号,卡号", ambiguous=True),
    **_terms(
        "uscc",
        "tyshxydm,shxydm,xydm,uscc,credit_code,统一社会信用代码,社会信用代码,信用代码",
    ),
}

#: Terms hinting at a quasi-identifier (rule R2), by kind.
QUASI_IDENTIFIER_TERMS: dict[str, str] = {
    **_kinds("birth_date/age", "csrq,csny,birthday,birth,birth_date,dob,出生日期,出生年月,生日"),
    **_kinds("birth_date/age", "nl,age,年龄"),
    **_kinds("gender", "xb,sex,gender,性别"),
    **_kinds("ethnicity", "mz,nation,ethnicity,民族"),
    **_kinds("district", "qx,xzqh,district,county,town,区县,县区,所属区县,乡镇,街道乡镇,行政区划"),
    **_kinds("occupation", "zy,occupation,profession,job,职业"),
    **_kinds("employer", "gzdw,employer,workplace,work_unit,工作单位,就业单位,就职单位"),
    **_kinds("postcode", "yb,yzbm,zip,zipcode,zip_code,postcode,postal_code,邮编,邮政编码"),
}
