"""密码/验证码/token (credential), 案情/违法记录 (criminal_record), 个人财产 (personal_finance).

All three are decided by the column's name; records also by the vocabulary of case narratives.

A credential column is L4 whatever its values look like: every non-empty value counts. An amount
is a person's property (wages, contribution base, loan, deposit, payment received) only by what
its header says and only in a table about persons (:mod:`etl.classify.context`); its values
must be amounts.
"""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from etl.text.strings import regex_mask, strip

#: Words of case narratives and criminal or public-security records.
CASE_WORDS: tuple[str, ...] = (
    *("涉嫌", "犯罪", "嫌疑人", "判处", "判决", "有期徒刑", "无期徒刑", "拘役", "缓刑", "拘留"),
    *("逮捕", "取保候审", "监视居住", "盗窃", "诈骗", "抢劫", "抢夺", "故意伤害", "故意杀人"),
    *("强奸", "吸毒", "贩毒", "贩卖毒品", "赌博", "寻衅滋事", "聚众斗殴", "前科", "刑满释放"),
    *("服刑", "立案侦查", "作案", "案发", "被害人", "报案", "违法行为", "行政拘留", "治安处罚"),
    *("社区矫正", "通缉", "在逃", "犯罪记录", "刑事处罚", "判刑"),
)
RE_CASE = "(?:" + "|".join(CASE_WORDS) + ")"


def check_credential(values: Any) -> Any:
    """Every non-empty value: in a credential column, any value is a secret."""
    return pc.fill_null(pc.not_equal(strip(values), ""), False)


def check_criminal_record(values: Any) -> Any:
    """Mask of values that use the vocabulary of case narratives or criminal records."""
    return regex_mask(strip(values), RE_CASE)


#: An amount: optional sign, digits with optional thousands separators, optional decimals, and
#: an optional currency unit (元/万元) — as departments export money columns.
RE_AMOUNT = r"^[-+]?[¥￥]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,4})?(?:元|万元)?$"


def check_amount(values: Any) -> Any:
    """Mask of values that are amounts of money (``5230.50``, ``1,200``, ``3000元``)."""
    return regex_mask(strip(values), RE_AMOUNT)


#: An amount kept to the fen (分): two decimal places, the way financial systems store 元
#: (DECIMAL(n, 2)). Unlike any number, this says "money" without a header.
RE_FEN_AMOUNT = r"^[-+]?[¥￥]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\.[0-9]{2}(?:元)?$"


def check_fen_amount(values: Any) -> Any:
    """Mask of values that are amounts kept to the fen (``5230.50``, ``¥1,200.00``)."""
    return regex_mask(strip(values), RE_FEN_AMOUNT)
