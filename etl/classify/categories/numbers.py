"""Numbers with check characters: 居民身份证号, 统一社会信用代码, 组织机构代码, 银行卡号."""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.iso7064 import mod_11_2

from etl.classify.category import Category, InText, Words
from etl.classify.detectors import codes, id_card

#: A date of birth as eight digits, inside an ID number in free text.
_DATE = r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
#: Words that say the number after them is a card (卡号, 银行卡, 账号 ...).
_CARD_WORD = "(?:卡号|银行卡|储蓄卡|信用卡|借记卡|账号|帐号|账户|帐户|卡)"

CATEGORIES: tuple[Category, ...] = (
    Category(
        id="id_card",
        title="居民身份证号",
        grade="L3",
        check=id_card.check_id_card,
        description="居民身份证号: province prefix, birth date, ISO 7064 MOD 11-2; legacy 15-digit",
        strong=True,
        headers=(
            Words(
                "sfzh,sfzhm,gmsfhm,gmsfzh,sfz,sfzjhm,sfzjh,zjhm,zjh,id_card,idcard,idno,id_no,"
                "id_number,id_card_no,id_card_number,id_cert_no,citizen_id,national_id,身份证,"
                "身份证号,身份证号码,公民身份号码,公民身份证号,身份证件号码,居民身份证号,证件号码,"
                "证件号,身份号码"
            ),
            # Any certificate's number; an ID number when the table's 证件类型 says so.
            Words(
                "cert_no,cert_num,cert_number,certificate_no,certificate_number,cert_code",
                ambiguous=True,
            ),
        ),
        in_text=InText(
            rf"[1-9][0-9]{{5}}{_DATE}[0-9]{{3}}[0-9Xx]",
            lambda m: bool(mod_11_2.is_valid(m.upper())),
        ),
        canonical="id_number",
        suite_format=r"^\d{17}[\dXx]$",
        identifies_person=True,
    ),
    Category(
        id="uscc",
        title="统一社会信用代码",
        grade="L1",
        check=codes.check_uscc,
        description="统一社会信用代码: 18 characters, check character (stdnum calc_check_digit)",
        strong=True,
        headers=(
            Words("tyshxydm,shxydm,xydm,uscc,credit_code,统一社会信用代码,社会信用代码,信用代码"),
        ),
        suite_format=r"^[0-9A-HJ-NPQRTUWXY]{18}$",
        personal=False,
    ),
    Category(
        id="org_code",
        title="组织机构代码",
        grade="L1",
        check=codes.check_org_code,
        description="组织机构代码: 8+1 characters, GB 11714 weights 3,7,9,10,5,8,4,2",
        strong=True,
        headers=(Words("zzjgdm,jgdm,org_code,organization_code,组织机构代码,机构代码"),),
        suite_format=r"^[0-9A-Z]{8}-?[0-9X]$",
        personal=False,
    ),
    Category(
        id="bank_card",
        title="银行卡号",
        grade="L4",
        check=codes.check_bank_card,
        description="银行卡号: 13-19 digits, Luhn",
        strong=True,
        headers=(
            Words(
                "yhzh,yhkh,yhk,bank_card,bankcard,bank_account,bank_card_no,card_number,银行卡,"
                "银行卡号,银行账号,银行账户,开户账号,收款账号,账户号码"
            ),
            Words("card_no,zh,kh,账号,卡号", ambiguous=True),
        ),
        # Luhn passes one random number in ten, and prose is full of order numbers: a card
        # number counts only right after a word that says so (卡号, 银行卡, 账号 ...).
        in_text=InText(
            rf"{_CARD_WORD}[^0-9]{{0,6}}(?:62|4[0-9]|5[1-5])[0-9]{{14,17}}",
            lambda m: bool(luhn.is_valid(re.sub(r"[^0-9]", "", m))),
            left_boundary=False,
        ),
        canonical="digits",
        suite_format=r"^\d{13,19}$",
    ),
)
