"""Column-name terms that name or number a facility or an organisation.

Two uses. :func:`etl.classify.names.entity_hint` tells that a column names or identifies a
facility or an organisation (机构名称, ``stationName``), so that a table whose rows are
facilities can be recognised. And an entity word before a field says the field is the
entity's, not a person's: ``stationName`` is no person's name, ``hospitalAddress`` and
``orgTel`` are an organisation's address and switchboard (roles ``org_address``/``org_contact``).

The words follow how public data names such tables: 公共数据目录 items of 生态环境 (监测站点/
监测点名称), 卫生健康 (医疗机构名称, WS 363.14 卫生机构), 教育 (学校名称), 市场监管 (企业名称,
单位名称), 人社 (``aab001`` 单位编号, ``aab004`` 单位名称: :mod:`etl.classify.name_terms_codes`).
"""

from __future__ import annotations

from etl.classify.name_terms import Term, terms
from etl.classify.name_terms_codes import SOCIAL_SECURITY_ENTITIES

#: Category of an entity hint.
ENTITY = "entity"

#: Terms naming or numbering a facility or an organisation.
ENTITY_TERMS: dict[str, Term] = {
    **terms(
        ENTITY,
        "机构名称,单位名称,站点名称,监测点名称,监测站名称,医院名称,医疗机构名称,学校名称,企业名称,"
        "公司名称,场所名称,门店名称,网点名称,景区名称,药店名称,酒店名称,机构代码,机构编码,机构编号,"
        "单位编号,单位代码,单位编码,站点编号,站点编码,站点代码,监测点编码,医疗机构,监测站,监测点,"
        "站点,医院,学校,企业,机构,公司,场所,门店,网点,诊所,卫生院,幼儿园,养老机构",
    ),
    **terms(
        ENTITY,
        "jgmc,dwmc,yymc,xxmc,qymc,gsmc,csmc,jcdmc,jczmc,zdbh,jgbm,jgbh,jgdm,dwbm,dwbh,yybm,"
        "xxdm,qybm,station,hospital,org,organization,organisation,company,institution,"
        "facility,site,school,enterprise,clinic,agency,venue,factory",
    ),
    **terms(ENTITY, ",".join(sorted(SOCIAL_SECURITY_ENTITIES))),
    # 站点名称 or 诊断名称; a unit of measure; a person's department in a staff table.
    **terms(ENTITY, "zdmc,单位,unit,dept,department", ambiguous=True),
}

#: Chinese words before a term that make it someone else's organisation, not the row's:
#: 工作单位名称 is a person's employer, 所属机构 the body that manages the row.
RELATED_ORG_PREFIXES: tuple[str, ...] = (
    *("工作", "就业", "就职", "就读", "就诊", "所属", "所在", "归属", "上级", "主管", "管理"),
    *("管辖", "经办", "登记", "发证", "审批", "现", "原"),
)

#: English words before a term that make it someone else's organisation.
RELATED_ORG_WORDS: frozenset[str] = frozenset(
    {"work", "employer", "parent", "affiliated", "superior", "managing", "issuing", "visit"}
)

#: Words before a field that make it a facility's or an organisation's (``stationName``,
#: 医院地址, ``orgTel``). Pinyin initials are left out: ``yy`` is 医院 and 预约, ``xx`` is
#: 学校 and 详细 (``xxdz`` 详细地址 is a person's), so those fields are listed whole
#: (``dwdh``, ``dwdz`` in :mod:`etl.classify.name_terms`).
ENTITY_PREFIXES: frozenset[str] = frozenset(
    {
        *("机构", "单位", "站点", "监测点", "监测站", "医院", "医疗机构", "学校", "企业", "公司"),
        *("场所", "门店", "网点", "诊所", "卫生院", "药店", "酒店", "景区", "幼儿园", "养老机构"),
        *("station", "hospital", "org", "organization", "organisation", "company", "corp"),
        *("institution", "facility", "site", "school", "enterprise", "clinic", "agency"),
        *("unit", "dept", "department", "office", "branch", "store", "shop", "factory"),
        *("venue", "bureau", "center", "centre", "firm"),
    }
)
