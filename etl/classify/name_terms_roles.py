"""Whose field it is: role words that, before a field, say the field belongs to a natural person.

Department schemas name a person's fields by who the person is in the record: ``jkrxm``
借款人姓名, ``jhrdh`` 监护人电话, ``hzsfzh`` 患者身份证号, ``guardianPhone``, ``borrowerName``.
A role before a field makes the field a person's: ``jkrxm`` cannot be 借款人项目,
``borrowerName`` is not a station's name. The role also goes into the hint:

- :data:`LEGAL_REPRESENTATIVE` for 法人/法定代表人 (an enterprise's registration item);
- :data:`MINOR_ROLE` where the role implies a minor (儿童, 新生儿, 受种者 ...);
- :data:`PERSON_ROLE` for every other natural person named by role.

Sources of the role words: the person roles of 《个人信息安全规范》 GB/T 35273 examples and of the
data sets the project receives — 出生医学证明 (父亲/母亲姓名), 预防接种 (受种者/监护人), 不动产登记
(权利人), 社会保险 (参保人), 贷款/担保 (借款人/担保人), 机动车/驾驶人 (车主/驾驶人), 保险
(投保人/被保险人/受益人), 病案首页 WS 445 (患者/联系人).
"""

from __future__ import annotations

from dataclasses import dataclass

#: A natural person named by role (借款人, 监护人, patient ...).
PERSON_ROLE = "person"
#: A natural person whom the role says is a minor (儿童, 新生儿, 受种者, child ...).
MINOR_ROLE = "minor"
#: 法人/法定代表人: the name is a public registration item of an enterprise.
LEGAL_REPRESENTATIVE = "legal_representative"

#: Roles that change a category's grade in context (see :mod:`etl.classify.context`): an
#: organisation's registered address, its switchboard, a published administrative penalty.
ORG_ADDRESS = "org_address"
ORG_CONTACT = "org_contact"
PUBLIC_PENALTY = "public_penalty"


@dataclass(frozen=True)
class Role:
    """What a role word says about the field after it.

    Attributes:
        role: :data:`PERSON_ROLE`, :data:`MINOR_ROLE` or :data:`LEGAL_REPRESENTATIVE`.
        strong: the word makes an ambiguous field unambiguous (``jkr`` + ``xm``). Two-letter
            initials with other common readings are not strong: ``cz`` is 车主 and 操作
            (``czsj`` is 操作时间), ``xs`` is 学生 and 销售 (``xsdh`` is 销售单号).
        names_person: the word alone, as a header, holds that person's name (``监护人``).
    """

    role: str
    strong: bool = True
    names_person: bool = False


def roles(
    role: str, words: str, *, strong: bool = True, names_person: bool = False
) -> dict[str, Role]:
    """Role entries for comma-separated ``words`` (``_`` stands for a token break)."""
    return {w.replace("_", " "): Role(role, strong, names_person) for w in words.split(",")}


#: Pinyin initials of roles, as one Latin token before a field (``jkrxm``, ``jhr_dh``).
PINYIN_ROLES: dict[str, Role] = {
    **roles(
        PERSON_ROLE,
        "jhr,lxr,jjlxr,jkr,sqr,jsr,dbr,syr,dlr,dsr,bbxr,tbr,skr,fkr,cbr,qlr,fzr,jbr,bjhr,"
        "hz,br,po,fq,mq",
    ),
    **roles(PERSON_ROLE, "cz,zg,yg,gr", strong=False),
    **roles(MINOR_ROLE, "et,ye,xse,szz"),
    **roles(MINOR_ROLE, "xs", strong=False),
    **roles(LEGAL_REPRESENTATIVE, "fr,fddbr,frdb"),
}

#: Chinese role words, before a field in the same header (``监护人电话``, ``借款人姓名``).
CHINESE_ROLES: dict[str, Role] = {
    **roles(
        PERSON_ROLE,
        "监护人,联系人,紧急联系人,患者,病人,借款人,申请人,车主,驾驶人,驾驶员,户主,当事人,担保人,"
        "受益人,代理人,投保人,被保险人,收款人,付款人,参保人,权利人,负责人,经办人,家长,配偶,"
        "父亲,母亲,被监护人,产妇,业主,承租人,购房人,买受人,持卡人,开户人",
        names_person=True,
    ),
    **roles(PERSON_ROLE, "职工,员工,个人,本人,居民,亲属,人员,救助对象,老人,残疾人"),
    **roles(MINOR_ROLE, "儿童,学生,婴儿,新生儿,受种者,幼儿,未成年人"),
    **roles(LEGAL_REPRESENTATIVE, "法人,法定代表人,法人代表", names_person=True),
}

#: English role words of business-system exports (``guardianPhone``, ``borrower_name``).
ENGLISH_ROLES: dict[str, Role] = {
    **roles(
        PERSON_ROLE,
        "guardian,patient,borrower,applicant,contact,contact_person,emergency_contact,owner,"
        "driver,insured,policyholder,beneficiary,spouse,employee,staff,worker,member,customer,"
        "client,resident,citizen,person,personal,parent,father,mother,holder,cardholder,"
        "account_holder,payee,payer,debtor,guarantor,tenant,householder,recipient,claimant,"
        "home,family,household",
    ),
    **roles(MINOR_ROLE, "child,children,kid,infant,baby,newborn,minor,student,pupil,vaccinee"),
    **roles(LEGAL_REPRESENTATIVE, "legal_person,legal_representative,legal_rep,corporate_rep"),
}

#: Role words that, as a whole header, name a person (``lxr`` 联系人, ``fzr`` 负责人).
BARE_ROLE_NAMES: dict[str, Role] = {
    **{w: r for w, r in CHINESE_ROLES.items() if r.names_person},
    **roles(PERSON_ROLE, "lxr,fzr", names_person=True),
    **roles(LEGAL_REPRESENTATIVE, "fddbr,frdb", names_person=True),
    **roles(LEGAL_REPRESENTATIVE, "legal_person,legal_representative,legal_rep", names_person=True),
}
