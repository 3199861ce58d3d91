"""Dictionary of column-name terms, continued: sensitive attributes, quasi-identifiers, free text.

See :mod:`etl.classify.name_terms` for how terms match.
"""

from __future__ import annotations

from etl.classify.name_terms import IDENTIFIER_TERMS, PUBLIC_PENALTY, Term, kinds, terms
from etl.classify.name_terms_codes import HEALTH_KINDS, SOCIAL_SECURITY_KINDS
from etl.classify.name_terms_finance import FINANCE_TERMS

#: Terms of sensitive attributes.
SENSITIVE_TERMS: dict[str, Term] = {
    **terms(
        "birth_date",
        "csrq,csny,birthday,birth,birth_date,birthdate,date_of_birth,dob,出生日期,出生年月,生日,"
        "出生时间",
    ),
    **terms("gender", "xb,xbdm,sex,gender,性别,性别代码"),
    **terms("ethnicity", "民族,mzdm,ethnicity,ethnic,ethnic_group,民族代码"),
    **terms("ethnicity", "mz,nation", ambiguous=True),
    **terms("religion", "zjxy,religion,宗教,宗教信仰,信仰"),
    **terms(
        "health",
        "zdbm,jbmc,jbbm,icd,icd10,diagnosis,disease,diagnosis_code,symptom,诊断,"
        "诊断名称,诊断编码,诊断代码,诊断描述,疾病,疾病名称,疾病编码,病史,既往史,现病史,主诉,病情,"
        "病历,症状,过敏史,残疾类别,残疾等级,残疾,cjlb,cjdj,jws,xbs,ssmc,手术名称,病种,健康状况,"
        "病程记录,检验结果,检查结果",
    ),
    **terms("health", "zd,zdmc,zddm,zs,bs", ambiguous=True),
    **terms(
        "biometric",
        "zp,rlzp,rltz,face,photo,portrait,fingerprint,iris,voiceprint,face_feature,biometric,"
        "照片,相片,头像,人脸,人脸照片,人脸特征,指纹,虹膜,声纹,掌纹,证件照",
    ),
    **terms("biometric", "tx,zw,embedding,feature,image,img", ambiguous=True),
    **terms(
        "property_cert",
        "bdcqzh,bdczh,cqzh,fczh,bdcdyh,tdzh,不动产权证号,不动产权证书号,不动产证号,不动产单元号,"
        "房产证号,产权证号,房屋所有权证号,土地证号",
    ),
    **terms(
        "credential",
        "password,passwd,pwd,secret,token,api_key,apikey,access_key,secret_key,private_key,otp,"
        "yzm,密码,口令,验证码,密钥,私钥,令牌,登录密码,支付密码",
    ),
    **terms("credential", "mm,pin,pass,hash,salt", ambiguous=True),
    **terms(
        "criminal_record",
        "jyaq,ajqk,aqms,wfjl,fzjl,qkjl,criminal_record,criminal,conviction,offense,offence,"
        "case_description,案情,简要案情,案情描述,案件情况,犯罪记录,违法记录,违法犯罪记录,前科,"
        "刑事处罚,处罚记录,违法犯罪",
    ),
    **terms("criminal_record", "aq", ambiguous=True),
    **terms(
        "criminal_record",
        "xzcf,cfnr,cfsy,cfjd,wfxw,wfss,行政处罚,处罚内容,处罚决定,处罚事由,违法行为,违法事实,"
        "处罚结果",
        role=PUBLIC_PENALTY,
    ),
    **FINANCE_TERMS,
}

#: Terms hinting at a detector category.
CATEGORY_TERMS: dict[str, Term] = {**IDENTIFIER_TERMS, **SENSITIVE_TERMS}

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
