"""Published data-element codes that business systems use as column headers.

A code is matched as one whole token, case-insensitively, with any prefix or suffix split off
(``t.aac003``, ``AAC003_1``, ``prm_aac003``). Only codes confirmed by more than one independent
published system are listed; a code whose meaning differs between sources is left out.
"""

from __future__ import annotations

#: Social-security indicator codes (人力资源社会保障管理信息系统 指标编码: three letters — scope,
#: business, object: ``C`` person, ``B`` employer, ``E`` general — and a three-digit number), as
#: the national core platform's tables use them (AC01 个人基本信息, AB01 单位基本信息). Each
#: meaning below agrees across the public sources: MOHRSS 《公共就业服务指标体系》 and
#: 《就业监测基础数据库(表)结构及代码》 (2016), and the social-security clients
#: github.com/tangpan100/PullToSCXTPT (Model/PersonInfo.cs), github.com/cdxibao/Palm
#: (model/UserInfo.java), github.com/asengine/ng-sqjyw (shehuibaoxian/renyuanjiben.ts) and the
#: 易联众/银海 yhsi3 pages (缴费基数 ``aae180``, 工资 ``aac040``, 银行账号 ``aae010``).
#: ``aac010`` is 户口所在地 (户籍地址 in two sources); ``aac058`` 证件类型 is a code list, not
#: personal, and is left out. code → category.
SOCIAL_SECURITY_CODES: dict[str, str] = {
    "aac001": "social_security",  # 个人编号 (the insured person's number in the scheme)
    "aac002": "id_card",  # 社会保障号码 / 公民身份号码
    "aac003": "person_name",  # 姓名
    "aac004": "gender",  # 性别
    "aac005": "ethnicity",  # 民族
    "aac006": "birth_date",  # 出生日期
    "aac010": "address",  # 户口所在地
    "aac040": "personal_finance",  # 缴费工资 / 工资
    "aac067": "mobile_phone",  # 移动电话
    "aac147": "id_card",  # 证件号码
    "acb501": "mobile_phone",  # 联系手机
    "aae005": "mobile_phone",  # 联系电话
    "aae006": "address",  # 地址 (常住地 / 联系地址)
    "aae010": "bank_card",  # 银行账号
    "aae180": "personal_finance",  # 缴费基数
}

#: Social-security codes that are quasi-identifiers (rule R2): code → kind.
SOCIAL_SECURITY_KINDS: dict[str, str] = {
    "aac004": "gender",
    "aac005": "ethnicity",
    "aac006": "birth_date/age",
    "aae007": "postcode",  # 邮政编码
}

#: Social-security codes naming or numbering the employer (an organisation).
SOCIAL_SECURITY_ENTITIES: frozenset[str] = frozenset(
    {
        "aab001",  # 单位编号
        "aab004",  # 单位名称
    }
)

#: Health data elements, WS 363 《卫生信息数据元目录》 (WS 363.3 人口学及社会经济学特征), keyed
#: by class, subclass and element (``DE02.01.039``); the version and any usage suffix
#: (``.00``, ``.00.015``) are ignored, as is the ``WS02_01_039_01`` column form of the CDA
#: data sets (WS/T 500). Confirmed against the data-element tables of HL7 CDA gateways and EMR
#: editors on GitHub (e.g. ``HDSD00.01.006 DE02.01.030.00 身份证件号码``). DE02.01.009 is an
#: address part (省/市/县/乡/村/门牌号码): only 门牌号码 locates a home, so it is weak evidence.
#: code → (category, ambiguous).
HEALTH_CODES: dict[str, tuple[str, bool]] = {
    "de02.01.039": ("person_name", False),  # 姓名
    "de02.01.030": ("id_card", False),  # 身份证件号码
    "de02.01.040": ("gender", False),  # 性别代码
    "de02.01.005": ("birth_date", False),  # 出生日期
    "de02.01.010": ("mobile_phone", False),  # 电话号码
    "de02.01.009": ("address", True),  # 地址 (one part)
}

#: Health data elements that are quasi-identifiers: code → kind.
HEALTH_KINDS: dict[str, str] = {
    "de02.01.040": "gender",
    "de02.01.005": "birth_date/age",
    "de02.01.026": "birth_date/age",  # 年龄
}
