"""Who a person is and where: 姓名, 地址, 出生日期, 经纬度, 性别, 民族, 宗教信仰."""

from __future__ import annotations

from etl.classify.category import Category, Shared, Words
from etl.classify.detectors import address, dates, geo, person_name, valuesets
from etl.classify.name_terms_roles import BARE_ROLE_NAMES, MINOR_ROLE, ORG_ADDRESS, PERSON_ROLE

CATEGORIES: tuple[Category, ...] = (
    Category(
        id="person_name",
        title="姓名",
        grade="L3",
        check=person_name.check_person_name,
        description="姓名: 2-4 Han characters with a known surname, or a ·-joined minority name",
        headers=(
            Words("xm,name,名字", ambiguous=True),
            Words(
                "xingming,person_name,full_name,real_name,realname,first_name,last_name,"
                "given_name,surname,family_name,姓名,人名"
            ),
            # 监护人, 法定代表人, lxr ... as a whole header: that person's name, with the role.
            *(Words(word, role=r.role) for word, r in BARE_ROLE_NAMES.items()),
            # 车主姓名, 学生姓名: weak initials (cz 操作, xs 销售) read as a person's name with xm
            # only.
            Words("czxm", role=PERSON_ROLE),
            Words("xsxm", role=MINOR_ROLE),
        ),
        shared=Shared.MASKED,
        shared_form="surname",
        identifies_person=True,
    ),
    Category(
        id="address",
        title="地址",
        grade="L3",
        check=address.check_address,
        description="地址: division prefix (省/市/区/县) + 路/街/号/栋/单元/室/村",
        headers=(
            Words(
                "hjdz,jzdz,xzz,jtzz,jtdz,lxdz,txdz,xjzd,hjszd,hjd,csd,address,addr,home_address,"
                "residential_address,住址,地址,户籍地址,居住地址,现住址,家庭住址,家庭地址,通讯地址,"
                "详细地址,联系地址,户籍所在地,户籍地,居住地,出生地"
            ),
            # 房屋坐落: where a property stands (不动产登记, 房屋租赁, 抵押贷款), a person's in a
            # person's record.
            Words(
                "fwzl,property_address,house_address,property_location,坐落,房屋坐落,房屋地址,坐落地址,房产地址"
            ),
            Words("zz,dz,zl", ambiguous=True),
            Words(
                "zcdz,jycs,jydz,dwdz,qydz,jgdz,bgdz,registered_address,注册地址,经营场所,经营地址,"
                "单位地址,企业地址,办公地址,住所",
                role=ORG_ADDRESS,
            ),
        ),
        shared=Shared.GENERALIZED,
        shared_form="district",
    ),
    Category(
        id="birth_date",
        title="出生日期",
        grade="L3",
        check=dates.check_birth_date,
        description=(
            "出生日期: a date 1900..today (2023-05-12, 2023.05.12, 20230512, 2023年5月12日)"
        ),
        headers=(
            Words(
                "csrq,csny,birthday,birth,birth_date,birthdate,date_of_birth,dob,出生日期,出生年月,"
                "生日,出生时间"
            ),
        ),
        shared=Shared.GENERALIZED,
        shared_form="year",
    ),
    Category(
        id="geo_coordinate",
        title="经纬度",
        grade="L3",
        check=geo.check_geo_coordinate,
        description="经纬度: longitude/latitude (or a pair) inside China with >= 3 decimals",
        headers=(
            Words("jwd,lng,lon,lat,longitude,latitude,gps,dwjd,dwwd,经度,纬度,经纬度,坐标,定位"),
            Words("jd,wd,zb,location", ambiguous=True),
        ),
        shared=Shared.GENERALIZED,
        shared_form="two_decimals",
    ),
    Category(
        id="gender",
        title="性别",
        grade="L2",
        check=valuesets.check_gender,
        description="性别: 男/女, GB/T 2261.1 codes 0/1/2/9, M/F",
        headers=(Words("xb,xbdm,sex,gender,性别,性别代码"),),
    ),
    Category(
        id="ethnicity",
        title="民族",
        grade="L3",
        check=valuesets.check_ethnicity,
        description="民族: the 56 names (with or without 族) or GB/T 3304 codes",
        headers=(
            Words("民族,mzdm,ethnicity,ethnic,ethnic_group,民族代码"),
            Words("mz,nation", ambiguous=True),
        ),
        # a small value set: a token would not hide it
        shared=Shared.DROPPED,
    ),
    Category(
        id="religion",
        title="宗教信仰",
        grade="L4",
        check=valuesets.check_religion,
        description="宗教信仰: religion names, 无宗教信仰",
        headers=(Words("zjxy,religion,宗教,宗教信仰,信仰"),),
    ),
)
