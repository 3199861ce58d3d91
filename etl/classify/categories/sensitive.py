"""Sensitive personal information (PIPL Art. 28): 健康, 生物识别, 密码, 违法记录, 个人财产.

``personal_finance`` follows GB/T 35273-2020 附录 A (个人财产信息: 银行账户、鉴别信息、存款信息
(资金数量、支付收款记录)、房产信息、信贷记录、征信信息、交易和消费记录、流水记录, 虚拟财产); its
header terms are how departments name those amounts: wages and the social-security contribution
base (人社 缴费基数/缴费工资, see :mod:`etl.classify.name_terms_codes` for ``aae180``/``aac040``),
loans, deposits and balances, and payments made to a person (救助/补贴/养老金 ...). The detector
only counts unambiguous hints (``clear_name_only``), and only in a table about persons. Weak
evidence: a bare 金额/``je``/``amount``, ``gz`` (工资/规则/故障), 余额/``balance`` (积分余额,
库存余额) and 收入/``income`` (营业收入, 财政收入 are an enterprise's or a government's).
"""

from __future__ import annotations

from etl.classify.category import Category, Shared, Words
from etl.classify.detectors import biometric, health, records
from etl.classify.name_terms_roles import PUBLIC_PENALTY

CATEGORIES: tuple[Category, ...] = (
    Category(
        id="health",
        title="诊断/病历/病史/残疾",
        grade="L4",
        check=health.check_health,
        description="诊断/病史/残疾: ICD-10 codes, diagnosis and disability words",
        headers=(
            Words(
                "zdbm,jbmc,jbbm,icd,icd10,diagnosis,disease,diagnosis_code,symptom,诊断,诊断名称,"
                "诊断编码,诊断代码,诊断描述,疾病,疾病名称,疾病编码,病史,既往史,现病史,主诉,病情,病历,"
                "症状,过敏史,残疾类别,残疾等级,残疾,cjlb,cjdj,jws,xbs,ssmc,手术名称,病种,健康状况,"
                "病程记录,检验结果,检查结果"
            ),
            Words("zd,zdmc,zddm,zs,bs", ambiguous=True),
        ),
    ),
    Category(
        id="biometric",
        title="人脸/指纹/照片",
        grade="L4",
        check=biometric.check_biometric,
        description="人脸/指纹/照片: image or template magic (binary, base64, hex), float vectors",
        strong=True,
        headers=(
            Words(
                "zp,rlzp,rltz,face,photo,portrait,fingerprint,iris,voiceprint,face_feature,"
                "biometric,照片,相片,头像,人脸,人脸照片,人脸特征,指纹,虹膜,声纹,掌纹,证件照"
            ),
            Words("tx,zw,embedding,feature,image,img", ambiguous=True),
        ),
    ),
    Category(
        id="credential",
        title="密码/验证码/token",
        grade="L4",
        check=records.check_credential,
        description="密码/验证码/token: any value in a column named so",
        clear_name_only=True,
        headers=(
            Words(
                "password,passwd,pwd,secret,token,api_key,apikey,access_key,secret_key,"
                "private_key,otp,yzm,密码,口令,验证码,密钥,私钥,令牌,登录密码,支付密码"
            ),
            Words("mm,pin,pass,hash,salt", ambiguous=True),
        ),
        shared=Shared.RESTRICTED,
    ),
    Category(
        id="criminal_record",
        title="案情/违法记录",
        grade="L4",
        check=records.check_criminal_record,
        description="案情/违法记录: vocabulary of case narratives and criminal records",
        headers=(
            Words(
                "jyaq,ajqk,aqms,wfjl,fzjl,qkjl,criminal_record,criminal,conviction,offense,offence,"
                "case_description,案情,简要案情,案情描述,案件情况,犯罪记录,违法记录,违法犯罪记录,前科,"
                "刑事处罚,处罚记录,违法犯罪"
            ),
            Words("aq", ambiguous=True),
            Words(
                "xzcf,cfnr,cfsy,cfjd,wfxw,wfss,行政处罚,处罚内容,处罚决定,处罚事由,违法行为,违法事实,"
                "处罚结果",
                role=PUBLIC_PENALTY,
            ),
        ),
    ),
    # GB/T 35273 个人财产信息: a person's wages, contribution base, loans, deposits, payments
    # received. Sensitive personal information (L4); only ever decided in a table about persons.
    Category(
        id="personal_finance",
        title="个人财产信息",
        grade="L4",
        check=records.check_amount,
        description="个人财产信息: an amount whose header names a wage, loan, deposit or payment",
        clear_name_only=True,
        headers=(
            # Wages and income (工资条, 个人所得税, 低保家庭收入核定).
            Words(
                "工资,应发工资,实发工资,月工资,基本工资,薪酬,薪资,薪金,月薪,年薪,月收入,年收入,"
                "个人收入,家庭收入,人均收入,税前收入,工资收入,工资总额,yfgz,sfgz,gzsr,grsr,jtsr,"
                "salary,wage,wages,monthly_income,annual_income,personal_income,household_income,"
                "gross_pay,net_pay,payroll,monthly_salary,annual_salary"
            ),
            # Social-security and housing-fund contributions (缴费基数, 缴存基数).
            Words(
                "缴费基数,缴费工资,个人缴费,个人缴费金额,个人缴费额,缴存基数,个人月缴存额,个人缴存额,"
                "jfjs,jfgz,grjf,grjfje,contribution_base,contribution_wage,personal_contribution,"
                "employee_contribution"
            ),
            # Loans, deposits and balances (信贷记录, 存款信息).
            Words(
                "贷款金额,借款金额,贷款余额,借款余额,欠款金额,存款,存款余额,存款金额,账户余额,"
                "个人账户余额,dkje,jkje,dkye,jkye,ckye,zhye,loan_amount,loan_balance,borrowed_amount,"
                "outstanding_balance,deposit,deposit_amount,deposit_balance,account_balance"
            ),
            # Payments to a person (救助、补贴、待遇发放).
            Words(
                "发放金额,补助金额,救助金额,补贴金额,补偿金额,赔偿金额,慰问金,养老金,退休金,抚恤金,"
                "低保金,救助金,补助金,补贴,津贴,奖金,待遇金额,月养老金,ffje,bzje,jzje,btje,ylj,txj,"
                "pension,pension_amount,subsidy_amount,allowance,benefit_amount,relief_amount,"
                "compensation_amount,bonus"
            ),
            # Credit and repayment (信贷记录: 本金, 额度, 还款, 逾期), contributions paid, payments
            # made by a person (支付收款记录, 交易和消费记录).
            Words(
                "贷款本金,借款本金,授信额度,贷款额度,放款金额,还款金额,月还款额,逾期金额,缴费金额,"
                "月缴费额,缴纳金额,应缴金额,实缴金额,缴存金额,月缴存额,公积金余额,消费金额,支付金额,"
                "转账金额,收款金额,dkbj,jkbj,sxed,fkje,hkje,yqje,jfje,jcje,xfje,zfje,skje,"
                "loan_principal,principal,credit_limit,repayment_amount,overdue_amount,"
                "payment_amount,paid_amount,transfer_amount,contribution_amount"
            ),
            # Amounts and balances of anything: weak evidence the header must not decide on.
            Words(
                "金额,余额,收入,费用,本金,交易金额,合同金额,je,gz,ye,fy,jyje,amount,balance,income,"
                "fee,total_amount,transaction_amount",
                ambiguous=True,
            ),
        ),
    ),
)
