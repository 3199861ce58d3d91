"""Small value sets: 性别 (gender), 民族 (ethnicity), 宗教信仰 (religion).

Each check is set membership of the stripped value (``pyarrow.compute.is_in``). All three are
weak: a column of ``1``/``2`` or ``01``..``56`` is only gender or ethnicity when its name says so.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.text.strings import strip

#: GB/T 2261.1 codes and the usual words.
GENDER_VALUES = frozenset(
    {
        *("男", "女", "男性", "女性", "未知", "未知的性别", "未说明", "未说明的性别"),
        *("0", "1", "2", "9", "M", "F", "m", "f", "Male", "Female", "male", "female", "MALE"),
        "FEMALE",
    }
)

#: The 56 ethnic groups in GB/T 3304 order (code = position + 1).
ETHNIC_GROUPS: tuple[str, ...] = (
    *("汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白"),
    *("土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡"),
    *("纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬"),
    *("锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安"),
    *("裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"),
)

#: Names with and without 族, the two-digit codes 01-56, and 97 其他 / 98 外国血统中国籍人士.
ETHNICITY_VALUES = frozenset(
    {
        *ETHNIC_GROUPS,
        *(f"{g}族" for g in ETHNIC_GROUPS),
        *(f"{i:02d}" for i in range(1, 57)),
        *("97", "98", "穿青人", "其他", "外国血统", "外国血统中国籍人士"),
    }
)

RELIGION_VALUES = frozenset(
    {
        *("佛教", "藏传佛教", "汉传佛教", "南传佛教", "道教", "伊斯兰教", "天主教", "基督教"),
        *("基督教新教", "新教", "东正教", "犹太教", "印度教", "民间信仰", "其他宗教"),
        *("无", "无宗教信仰", "不信教", "无信仰"),
    }
)


def _member(values: Any, members: frozenset[str]) -> Any:
    value_set = pa.array(sorted(members), pa.string())
    return pc.fill_null(pc.is_in(strip(values), value_set=value_set), False)


def check_gender(values: Any) -> Any:
    """Mask of values in the gender value set (男/女, 1/2/0/9, M/F ...)."""
    return _member(values, GENDER_VALUES)


def check_ethnicity(values: Any) -> Any:
    """Mask of values naming one of the 56 ethnic groups (with or without 族) or its code."""
    return _member(values, ETHNICITY_VALUES)


def check_religion(values: Any) -> Any:
    """Mask of values that name a religion (or none: 无宗教信仰)."""
    return _member(values, RELIGION_VALUES)
