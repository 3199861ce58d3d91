"""How a person is reached or traced: 手机号, 固定电话, 电子邮箱, 网络账号, IP 地址, 车牌号."""

from __future__ import annotations

import re

from etl.classify.category import Category, InText, Shared, Words
from etl.classify.detectors import contact, phone, vehicle
from etl.classify.name_terms_roles import ORG_CONTACT

_PROV = f"[{vehicle.PLATE_PROVINCES}]"

CATEGORIES: tuple[Category, ...] = (
    Category(
        id="mobile_phone",
        title="手机号",
        grade="L3",
        check=phone.check_mobile_phone,
        description="手机号: phonenumbers region CN, type MOBILE",
        headers=(
            Words(
                "lxdh,sjhm,yddh,sjh,shouji,phone,mobile,cellphone,mobile_phone,phone_no,"
                "phone_number,mobile_no,手机,手机号,手机号码,联系电话,移动电话,联系方式,电话号码,"
                "联系手机"
            ),
            Words("dh,sj,tel,电话", ambiguous=True),
        ),
        in_text=InText(
            r"(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}",
            lambda m: phone.is_mobile(re.sub(r"[- ]", "", m)),
        ),
        canonical="mobile",
        suite_format=r"^1[3-9]\d{9}$",
        identifies_person=True,
    ),
    Category(
        id="landline_phone",
        title="固定电话",
        grade="L3",
        check=phone.check_landline_phone,
        description="固定电话: trunk 0 + area code, phonenumbers region CN, type FIXED_LINE",
        headers=(
            Words(
                "gddh,zjdh,landline,fixed_phone,telephone,固定电话,座机,座机号码,固话,家庭电话,传真"
            ),
            Words(
                "bgdh,dwdh,jgdh,zxdh,fwdh,office_phone,办公电话,单位电话,咨询电话,服务电话,投诉电话,"
                "值班电话",
                role=ORG_CONTACT,
            ),
        ),
        in_text=InText(
            r"0[1-9][0-9]{1,2}-[0-9]{7,8}", lambda m: phone.is_landline(m.replace("-", ""))
        ),
        shared=Shared.MASKED,
        shared_form="area_code_last4",
        identifies_person=True,
    ),
    Category(
        id="email",
        title="电子邮箱",
        grade="L3",
        check=contact.check_email,
        description="电子邮箱: local@domain with a top-level label of letters",
        strong=True,
        headers=(
            Words("email,e_mail,dzyx,yxdz,邮箱,电子邮箱,电子邮件,邮箱地址"),
            Words("mail,yx", ambiguous=True),
        ),
        in_text=InText(
            rf"{contact.EMAIL_LOCAL}@{contact.EMAIL_DOMAIN}", lambda m: True, left_boundary=False
        ),
        shared=Shared.MASKED,
        shared_form="email",
        suite_format=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        identifies_person=True,
    ),
    Category(
        id="online_account",
        title="网络账号 (QQ号/微信号)",
        grade="L3",
        check=contact.check_online_account,
        description="网络账号: a QQ number or WeChat ID, in a column named so",
        headers=(
            Words(
                "qq,qqh,qqhm,lxqq,qq_no,qq_number,wechat,we_chat,weixin,wxh,wxhm,lxwx,wechat_id,"
                "weixin_id,wx_id,qq号,qq号码,微信,微信号,微信号码,微信账号,微信id"
            ),
            Words("wx", ambiguous=True),
        ),
        identifies_person=True,
    ),
    Category(
        id="ip_address",
        title="IP 地址",
        grade="L3",
        check=contact.check_ip_address,
        description="IP 地址: IPv4 or IPv6 (ipaddress.ip_address)",
        strong=True,
        headers=(Words("ip,ip_addr,ip_address,ipdz,client_ip,remote_ip,source_ip"),),
        shared=Shared.GENERALIZED,
        shared_form="network",
    ),
    Category(
        id="license_plate",
        title="车牌号",
        grade="L3",
        check=vehicle.check_license_plate,
        description="车牌号: province + letter + 5 alphanumerics (no I/O); new-energy 8 characters",
        strong=True,
        headers=(
            Words(
                "hphm,cph,cphm,plate,plate_no,plate_number,license_plate,licence_plate,车牌,车牌号,"
                "车牌号码,号牌号码,号牌"
            ),
        ),
        in_text=InText(
            rf"{_PROV}[A-HJ-NP-Z][\x{{b7}}.]?[A-HJ-NP-Z0-9]{{5,6}}",
            lambda m: any(ch.isdigit() for ch in m),
            python=rf"{_PROV}[A-HJ-NP-Z][\u00b7.]?[A-HJ-NP-Z0-9]{{5,6}}",
            left_boundary=False,
        ),
        canonical="plate",
        suite_format=r"^[\u4e00-\u9fa5][A-HJ-NP-Z][A-HJ-NP-Z0-9]{5,6}$",
        identifies_person=True,
    ),
)
