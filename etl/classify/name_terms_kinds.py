"""Dictionary of column-name terms, continued: quasi-identifier kinds (rule R2) and free text.

See :mod:`etl.classify.name_terms` for how terms match; category terms are on the category
records.
"""

from __future__ import annotations

from etl.classify.name_terms import kinds, terms
from etl.classify.name_terms_codes import HEALTH_KINDS, SOCIAL_SECURITY_KINDS

#: Terms hinting at a quasi-identifier (rule R2), by kind.
QUASI_IDENTIFIER_TERMS: dict[str, str] = {
    **kinds("birth_date/age", "csrq,csny,birthday,birth,birth_date,dob,出生日期,出生年月,生日"),
    **kinds("birth_date/age", "nl,age,年龄,年龄段"),
    **kinds("gender", "xb,sex,gender,性别"),
    **kinds("ethnicity", "mz,nation,ethnicity,民族"),
    **kinds("district", "qx,xzqh,district,county,town,区县,县区,所属区县,乡镇,街道乡镇,行政区划"),
    **kinds("occupation", "zy,occupation,profession,job,职业"),
    **kinds("employer", "gzdw,employer,workplace,work_unit,工作单位,就业单位,就职单位"),
    **kinds("postcode", "yb,yzbm,zip,zipcode,zip_code,postcode,postal_code,邮编,邮政编码"),
    **SOCIAL_SECURITY_KINDS,
    **HEALTH_KINDS,
}

#: Terms naming a free-text column (备注, 描述 ...): scanned over every value.
FREE_TEXT_TERMS: frozenset[str] = frozenset(
    terms(
        "free_text",
        "bz,beizhu,remark,remarks,note,notes,memo,comment,comments,description,desc,content,text,"
        "message,msg,summary,detail,details,narrative,备注,描述,说明,内容,情况,摘要,详情,意见,"
        "事由,情况说明,备注信息,附言,留言,sm,nr,qk,ms,xq,yj",
    )
)
