"""诊断/病历/病史/残疾 (health): ICD-10 codes and a dictionary of diagnosis words.

:data:`MEDICAL_NARRATIVE` (diagnosis words plus the vocabulary of clinical notes) is used by the
free-text scan to recognise medical narrative, which is L4.
"""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from etl.text.strings import regex_mask, strip

#: ICD-10 (incl. the Chinese clinical extension ``J06.900x003``), dagger/asterisk allowed.
RE_ICD10 = r"^[A-Z][0-9]{2}(?:\.[0-9A-Za-z]{1,8})?[+*\x{2020}]?$"

#: Words that make a short value a diagnosis, a disability or a symptom.
DIAGNOSIS_WORDS: tuple[str, ...] = (
    *("炎", "病", "症", "癌", "瘤", "综合征", "骨折", "感染", "损伤", "中毒", "出血", "梗死"),
    *("梗塞", "衰竭", "结石", "囊肿", "溃疡", "贫血", "哮喘", "高血压", "结核", "畸形"),
    *("功能障碍", "残疾", "失明", "失聪", "抑郁", "焦虑", "精神分裂", "妊娠", "流产", "过敏"),
    *("增生", "硬化", "狭窄", "扭伤", "挫伤", "烧伤", "脱位", "心律失常", "早搏", "房颤"),
    *("发热", "咳嗽", "腹泻", "头痛", "眩晕", "失眠", "肥胖", "痛风", "息肉", "结节", "积液"),
    *("痛", "疹", "疮", "癣", "瘫", "痫", "疝", "艾滋", "HIV", "阳性", "阴性", "伤", "龋"),
    *("内障", "青光眼", "屈光", "近视", "远视", "弱视", "斜视", "椎间盘", "聋", "疣", "痔"),
    *("脓", "癫", "疱", "疽", "痹", "肿", "坏死", "栓塞", "血栓", "不全", "缺损", "亢进"),
    *("低下", "失调", "紊乱"),
)

#: Vocabulary of clinical notes (主诉, 现病史 ...), on top of the diagnosis words.
CLINICAL_WORDS: tuple[str, ...] = (
    *("患者", "主诉", "诊断", "病史", "既往史", "现病史", "症状", "就诊", "入院", "出院"),
    *("住院", "治疗", "手术", "用药", "服药", "复查", "确诊", "查体", "体温", "血压"),
    *("化验", "检查示", "医嘱", "处方", "病历", "门诊", "急诊", "康复"),
)

#: RE2 alternation of the diagnosis words.
RE_DIAGNOSIS = "(?:" + "|".join(DIAGNOSIS_WORDS) + ")"
#: RE2 alternation of every medical word, for narrative text.
RE_MEDICAL_NARRATIVE = "(?:" + "|".join((*CLINICAL_WORDS, *DIAGNOSIS_WORDS)) + ")"


def check_health(values: Any) -> Any:
    """Mask of values that are an ICD-10 code or contain a diagnosis word.

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    text = strip(values)
    code = regex_mask(pc.ascii_upper(text), RE_ICD10)
    return pc.or_(code, regex_mask(text, RE_DIAGNOSIS))
