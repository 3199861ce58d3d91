"""Dictionary of column-name terms: pinyin initials, English words and Chinese headers.

Latin terms are space-separated token phrases (``"id card"`` matches ``id_card``, ``IdCard``,
``id-card-no``); Chinese terms match a whole Chinese run, its suffix, or (4+ characters) inside it.
Pinyin initials with other common meanings (``xm`` 姓名/项目, ``mz`` 民族/门诊, ``zd`` 诊断/站点,
``sj`` 手机/时间, ``dh`` 电话/单号, ``zh`` 账号/证号, ``jd`` 经度/街道) are marked ambiguous: weak
evidence that the values must confirm.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl.classify.name_terms_codes import HEALTH_CODES, SOCIAL_SECURITY_CODES
from etl.classify.name_terms_roles import BARE_ROLE_NAMES
from etl.classify.name_terms_roles import LEGAL_REPRESENTATIVE as LEGAL_REPRESENTATIVE
from etl.classify.name_terms_roles import MINOR_ROLE as MINOR_ROLE
from etl.classify.name_terms_roles import PERSON_ROLE as PERSON_ROLE

#: Roles that change a category's grade in context (see :mod:`etl.classify.context`); the
#: person roles (``legal_representative``, ``person``, ``minor``) are defined with the role
#: words in :mod:`etl.classify.name_terms_roles`.
ORG_ADDRESS = "org_address"
ORG_CONTACT = "org_contact"
PUBLIC_PENALTY = "public_penalty"


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


def terms(
    category: str, words: str, *, ambiguous: bool = False, role: str | None = None
) -> dict[str, Term]:
    """Dictionary entries for comma-separated ``words`` (``_`` stands for a token break)."""
    return {w.replace("_", " "): Term(category, ambiguous, role) for w in words.split(",")}


def kinds(kind: str, words: str) -> dict[str, str]:
    """Quasi-identifier entries of ``kind`` for comma-separated ``words``."""
    return {w.replace("_", " "): kind for w in words.split(",")}


#: Terms of identifiers and contact details, and published data-element codes.
IDENTIFIER_TERMS: dict[str, Term] = {
    **terms(
        "id_card",
        "sfzh,sfzhm,gmsfhm,gmsfzh,sfz,sfzjhm,sfzjh,zjhm,zjh,id_card,idcard,idno,id_no,id_number,"
        "id_card_no,id_card_number,id_cert_no,citizen_id,national_id,身份证,身份证号,身份证号码,"
        "公民身份号码,公民身份证号,身份证件号码,居民身份证号,证件号码,证件号,身份号码",
    ),
    # Any certificate's number; an ID number when the table's 证件类型 says so.
    **terms(
        "id_card",
        "cert_no,cert_num,cert_number,certificate_no,certificate_number,cert_code",
        ambiguous=True,
    ),
    **terms("person_name", "xm,name,名字", ambiguous=True),
    **terms(
        "person_name",
        "xingming,person_name,full_name,real_name,realname,first_name,last_name,given_name,"
        "surname,family_name,姓名,人名",
    ),
    # 监护人, 法定代表人, lxr ... as a whole header: that person's name, with the role.
    **{w: Term("person_name", role=r.role) for w, r in BARE_ROLE_NAMES.items()},
    # 车主姓名, 学生姓名: weak initials (cz 操作, xs 销售) read as a person's name with xm only.
    **terms("person_name", "czxm", role=PERSON_ROLE),
    **terms("person_name", "xsxm", role=MINOR_ROLE),
    **terms(
        "mobile_phone",
        "lxdh,sjhm,yddh,sjh,shouji,phone,mobile,cellphone,mobile_phone,phone_no,phone_number,"
        "mobile_no,手机,手机号,手机号码,联系电话,移动电话,联系方式,电话号码,联系手机",
    ),
    **terms("mobile_phone", "dh,sj,tel,电话", ambiguous=True),
    **terms(
        "landline_phone",
        "gddh,zjdh,landline,fixed_phone,telephone,固定电话,座机,座机号码,固话,家庭电话,传真",
    ),
    **terms(
        "landline_phone",
        "bgdh,dwdh,jgdh,zxdh,fwdh,office_phone,办公电话,单位电话,咨询电话,服务电话,投诉电话,值班电话",
        role=ORG_CONTACT,
    ),
    **terms(
        "address",
        "hjdz,jzdz,xzz,jtzz,jtdz,lxdz,txdz,xjzd,hjszd,hjd,csd,address,addr,home_address,"
        "residential_address,住址,地址,户籍地址,居住地址,现住址,家庭住址,家庭地址,通讯地址,详细地址,"
        "联系地址,户籍所在地,户籍地,居住地,出生地",
    ),
    # 房屋坐落: where a property stands (不动产登记, 房屋租赁, 抵押贷款), a person's in a
    # person's record.
    **terms(
        "address",
        "fwzl,property_address,house_address,property_location,坐落,房屋坐落,房屋地址,"
        "坐落地址,房产地址",
    ),
    **terms("address", "zz,dz,zl", ambiguous=True),
    **terms(
        "address",
        "zcdz,jycs,jydz,dwdz,qydz,jgdz,bgdz,registered_address,注册地址,经营场所,经营地址,单位地址,"
        "企业地址,办公地址,住所",
        role=ORG_ADDRESS,
    ),
    **terms(
        "bank_card",
        "yhzh,yhkh,yhk,bank_card,bankcard,bank_account,bank_card_no,card_number,银行卡,银行卡号,"
        "银行账号,银行账户,开户账号,收款账号,账户号码",
    ),
    **terms("bank_card", "card_no,zh,kh,账号,卡号", ambiguous=True),
    **terms(
        "uscc",
        "tyshxydm,shxydm,xydm,uscc,credit_code,统一社会信用代码,社会信用代码,信用代码",
    ),
    **terms(
        "org_code",
        "zzjgdm,jgdm,org_code,organization_code,组织机构代码,机构代码",
    ),
    **terms(
        "passport",
        "hzhm,txzhm,passport,passport_no,护照,护照号,护照号码,通行证,通行证号码,港澳通行证,"
        "回乡证,台胞证,旅行证件",
    ),
    **terms(
        "license_plate",
        "hphm,cph,cphm,plate,plate_no,plate_number,license_plate,licence_plate,车牌,车牌号,"
        "车牌号码,号牌号码,号牌",
    ),
    **terms(
        "email",
        "email,e_mail,dzyx,yxdz,邮箱,电子邮箱,电子邮件,邮箱地址",
    ),
    **terms("email", "mail,yx", ambiguous=True),
    **terms("ip_address", "ip,ip_addr,ip_address,ipdz,client_ip,remote_ip,source_ip"),
    **terms(
        "geo_coordinate",
        "jwd,lng,lon,lat,longitude,latitude,gps,dwjd,dwwd,经度,纬度,经纬度,坐标,定位",
    ),
    **terms("geo_coordinate", "jd,wd,zb,location", ambiguous=True),
    **terms(
        "social_security",
        "sbkh,shbzh,shbzhm,ybkh,ylbxh,social_security,ssn,社保卡号,社会保障号码,"
        "社会保障号,社会保障卡号,社保号,社保编号,医保卡号,医保号,医保编号,医疗保险号",
    ),
    # sbh is also 设备号/识别号, ybh 样本号/邮包号: weak evidence.
    **terms("social_security", "sbh,ybh", ambiguous=True),
    # Published data-element codes (any category): see etl.classify.name_terms_codes.
    **{code: Term(category) for code, category in SOCIAL_SECURITY_CODES.items()},
    **{code: Term(category, ambiguous) for code, (category, ambiguous) in HEALTH_CODES.items()},
}
