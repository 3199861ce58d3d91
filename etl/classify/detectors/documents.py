"""Certificate numbers: 护照/通行证, 不动产权证, 社保/医保号.

Categories passport, property_cert and social_security. Passport and social-security numbers
are weak (short letter-and-digit codes look like serials): they need a name hint. Real-estate
certificate and unit numbers are strongly structured (province character, year in brackets,
不动产权第…号; the 28-character unit number) and are accepted on content alone.

Passport patterns are community patterns, *unverified against GA standards*:
``E12345678``/``EA1234567`` (ordinary passport), ``G``/``D``/``S``/``P``/``H`` + 8 digits (older
and service passports), ``C``/``W`` + 8 (港澳通行证), ``H``/``M`` + 8 or 10 (回乡证), 8 or 10 digits
(台胞证).
"""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from etl.classify.detectors.id_card import check_id_card
from etl.text.strings import compact, regex_mask, strip

RE_PASSPORT = (
    r"^(?:[EGDSPH][0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|[CW][0-9]{8}|C[A-Z][0-9]{7}"
    r"|[HM][0-9]{8}(?:[0-9]{2})?|[0-9]{8}(?:[0-9]{2})?)$"
)

#: 不动产权证书号 ``鄂(2019)武汉市不动产权第0012345号``, 不动产证明 and the older 房产证 forms.
RE_PROPERTY_CERT = (
    r"^\p{Han}[(（〔\[][0-9]{4}[)）〕\]]\p{Han}{1,12}不动产(?:权|证明)第?[0-9]{5,10}号?$"
    r"|^\p{Han}{1,8}(?:房权证|房产证|房屋所有权证|国用|集用)\p{Han}{0,6}(?:第|字第)?"
    r"[0-9A-Z-]{3,12}号?$"
)
#: 不动产单元号: 6-digit division, 6-digit cadastral zone/subzone, 2 letters, 5 digits
#: (宗地/宗海), 1 letter (定着物), 8 digits.
RE_PROPERTY_UNIT = r"^[0-9]{12}[A-Z]{2}[0-9]{5}[A-Z][0-9]{8}$"

#: Social-security and medical-insurance numbers other than ID numbers: city schemes vary,
#: so letters and digits with at least six digits.
RE_SOCIAL_SECURITY = r"^[0-9A-Z]{8,20}$"


def check_passport(values: Any) -> Any:
    """Mask of values shaped like a passport or travel-permit number (unverified patterns)."""
    return regex_mask(compact(values), RE_PASSPORT)


def check_property_cert(values: Any) -> Any:
    """Mask of values that are real-estate certificate or unit numbers."""
    text = pc.replace_substring_regex(strip(values), r"\s+", "")
    return pc.or_(regex_mask(text, RE_PROPERTY_CERT), regex_mask(text, RE_PROPERTY_UNIT))


def check_social_security(values: Any) -> Any:
    """Mask of values that are ID numbers or local insurance numbers.

    The national social-security number is the ID number; city schemes use 8-20 letters and
    digits (at least six digits).
    """
    codes = compact(values)
    digits = pc.utf8_length(pc.replace_substring_regex(codes, "[^0-9]", ""))
    local = pc.and_(regex_mask(codes, RE_SOCIAL_SECURITY), pc.greater_equal(digits, 6))
    return pc.or_(check_id_card(values), pc.fill_null(local, False))
