"""Protection: token key, keyed HMAC tokens, display masks, generalisations and zone projection."""

from etl.protect.keys import TokenKey, load_token_key, parse_token_key
from etl.protect.masks import (
    generalize_birth_date,
    mask_address,
    mask_bank_card,
    mask_id_card,
    mask_mobile_phone,
    mask_person_name,
    mask_uscc,
)
from etl.protect.masks_more import (
    generalize_geo_coordinate,
    generalize_ip_address,
    mask_email,
    mask_landline_phone,
    mask_license_plate,
    mask_passport,
)
from etl.protect.tokens import tokenize, tokenize_one
from etl.protect.zones import ColumnLineage, ZoneProjection, ZoneTarget, project_zone

__all__ = [
    "ColumnLineage",
    "TokenKey",
    "ZoneProjection",
    "ZoneTarget",
    "generalize_birth_date",
    "generalize_geo_coordinate",
    "generalize_ip_address",
    "load_token_key",
    "mask_address",
    "mask_bank_card",
    "mask_email",
    "mask_id_card",
    "mask_landline_phone",
    "mask_license_plate",
    "mask_mobile_phone",
    "mask_passport",
    "mask_person_name",
    "mask_uscc",
    "parse_token_key",
    "project_zone",
    "tokenize",
    "tokenize_one",
]
