"""Certificate numbers: 护照/通行证, 社保/医保号, 不动产权证."""

from __future__ import annotations

from etl.classify.category import Category, Words
from etl.classify.detectors import documents

CATEGORIES: tuple[Category, ...] = (
    Category(
        id="passport",
        title="护照/港澳通行证/回乡证/台胞证",
        grade="L3",
        check=documents.check_passport,
        description=(
            "护照/港澳通行证/回乡证/台胞证: community patterns (unverified vs GA standards)"
        ),
        headers=(
            Words(
                "hzhm,txzhm,passport,passport_no,护照,护照号,护照号码,通行证,通行证号码,港澳通行证,"
                "回乡证,台胞证,旅行证件"
            ),
        ),
        canonical="plate",
        identifies_person=True,
    ),
    Category(
        id="social_security",
        title="社保/医保号",
        grade="L3",
        check=documents.check_social_security,
        description="社保/医保号: an ID number or a local 8-20 character insurance number",
        # any serial passes the local-number check: only a header that can mean nothing else counts
        clear_name_only=True,
        headers=(
            Words(
                "sbkh,shbzh,shbzhm,ybkh,ylbxh,social_security,ssn,社保卡号,社会保障号码,社会保障号,"
                "社会保障卡号,社保号,社保编号,医保卡号,医保号,医保编号,医疗保险号"
            ),
            # sbh is also 设备号/识别号, ybh 样本号/邮包号: weak evidence.
            Words("sbh,ybh", ambiguous=True),
        ),
        canonical="id_number",
        identifies_person=True,
    ),
    Category(
        id="property_cert",
        title="不动产权证号/单元号",
        grade="L4",
        check=documents.check_property_cert,
        description="不动产权证号/不动产单元号/房产证号: certificate patterns",
        strong=True,
        headers=(
            Words(
                "bdcqzh,bdczh,cqzh,fczh,bdcdyh,tdzh,不动产权证号,不动产权证书号,不动产证号,"
                "不动产单元号,房产证号,产权证号,房屋所有权证号,土地证号"
            ),
        ),
    ),
)
