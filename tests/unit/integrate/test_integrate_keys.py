"""Entity keys as departments write them: one canonical key, invalid ones null and unmatched."""

from __future__ import annotations

import pyarrow as pa
import pytest

from etl.integrate.keys import (
    KeyMatch,
    OrgCodeLookup,
    embedded_org_codes,
    entity_keys,
    org_code_keys,
    person_keys,
    tax_number_org_codes,
    uscc_keys,
)

# Check characters are real (ISO 7064 MOD 11-2, GB 32100, GB 11714).
ID_X = "11010519491231002X"  # its 15-digit form is 110105491231002
ID = "420106199003071238"
USCC = "91420100562148998X"  # organisation code 56214899-8 inside
USCC_LETTERS = "91420100MA4K3L2Q1P"  # a post-2015 code: letters in the embedded part
USCC_OTHER = "914201001234567883"


def strings(values: list[str | None]) -> pa.Array:
    return pa.array(values, pa.string())


@pytest.mark.parametrize(
    ("written", "key"),
    [
        (ID, ID),
        ("11010519491231002x", ID_X),  # lower-case check character
        ("110105491231002", ID_X),  # legacy 15 digits → 18
        ("４２０１０６１９９００３０７１２３８", ID),  # full-width digits
        ("１１０１０５１９４９１２３１００２ｘ", ID_X),  # full-width x
        (" 420106 19900307 1238 ", ID),  # spaces
        ("420106-19900307-1238", ID),  # dashes
        ("420106\u300019900307\u30001238", ID),  # ideographic spaces
    ],
)
def test_person_keys_accept_what_people_write(written: str, key: str) -> None:
    assert person_keys(strings([written])).to_pylist() == [key]


@pytest.mark.parametrize(
    "written",
    [
        "420106199003071237",  # wrong check digit
        "420106199013071231",  # month 13 (the check digit is right for the body)
        "00010619900307123X",  # no such province (check digit right)
        "420106299003071236",  # born in 2990 (check digit right)
        "42010619900307123",  # 17 digits
        "110105491331002",  # 15 digits, month 13
        "4201061990030712X8",  # X inside
        "无",
        "",
        "   ",
    ],
)
def test_person_keys_that_fail_their_check_are_null(written: str) -> None:
    assert person_keys(strings([written])).to_pylist() == [None]


def test_person_keys_keep_length_order_and_nulls_of_a_chunked_column() -> None:
    column = pa.chunked_array([strings([ID, None]), strings(["bad", "110105491231002"])])
    assert person_keys(column).to_pylist() == [ID, None, None, ID_X]


def test_uscc_keys_are_compacted_upper_cased_and_checked() -> None:
    written = [
        USCC,
        "91420100562148998x",  # lower case
        "９１４２０１００５６２１４８９９８Ｘ",  # full width
        "9142 0100 5621 4899 8X",
        "91420100562148997X",  # wrong check character
        "91420100I62148998X",  # I is not in the GB 32100 alphabet
        None,
    ]
    assert uscc_keys(strings(written)).to_pylist() == [USCC, USCC, USCC, USCC, None, None, None]


def test_org_code_keys_with_or_without_hyphen() -> None:
    written = ["56214899-8", "562148998", "５６２１４８９９－８", "56214899-7", "MA4K3L2Q-1", None]
    keys = org_code_keys(strings(written)).to_pylist()
    assert keys == ["562148998", "562148998", "562148998", None, "MA4K3L2Q1", None]


def test_the_org_code_embedded_in_a_uscc_is_characters_9_to_17() -> None:
    codes = embedded_org_codes(strings([USCC, USCC_LETTERS, None])).to_pylist()
    assert codes == ["562148998", "MA4K3L2Q1", None]
    # the embedded code carries its own valid GB 11714 check character
    assert org_code_keys(strings(codes)).to_pylist() == codes


def test_lookup_resolves_org_codes_to_the_uscc_that_embeds_them() -> None:
    lookup = OrgCodeLookup.from_usccs(strings([USCC, USCC_LETTERS, USCC, None]))
    found = lookup.resolve(strings(["562148998", "MA4K3L2Q1", "123456788", None]))
    assert found.to_pylist() == [USCC, USCC_LETTERS, None, None]


def test_a_code_embedded_in_two_usccs_resolves_to_neither() -> None:
    # same organisation code under another registration-authority prefix (52: a social
    # organisation): a register error; guessing would join the wrong entity
    lookup = OrgCodeLookup.from_usccs(strings([USCC, "52420100562148998Y", USCC_OTHER]))
    found = lookup.resolve(strings(["562148998", "123456788"]))
    assert found.to_pylist() == [None, USCC_OTHER]


def test_entity_keys_count_delivered_and_matched_persons() -> None:
    written = [ID, "110105491231002", "420106199003071237", None, "  ", "4201061990030712"]
    match = entity_keys(strings(written), "id_number")
    assert match.keys.to_pylist() == [ID, ID_X, None, None, None, None]
    assert (match.delivered, match.matched, match.unmatched) == (4, 2, 2)
    assert match.match_rate == 0.5


def test_entity_keys_of_usccs() -> None:
    match = entity_keys(strings([USCC, "91420100562148997X", None]), "uscc")
    assert match.keys.to_pylist() == [USCC, None, None]
    assert (match.delivered, match.matched) == (2, 1)


def test_entity_keys_of_org_codes_resolve_through_the_lookup() -> None:
    lookup = OrgCodeLookup.from_usccs(strings([USCC, USCC_OTHER]))
    written = ["56214899-8", "12345678-8", "MA4K3L2Q-1", "56214899-0"]
    match = entity_keys(strings(written), "org_code", lookup)
    # a valid code no USCC seen embeds is unmatched; so is an invalid one
    assert match.keys.to_pylist() == [USCC, USCC_OTHER, None, None]
    assert (match.delivered, match.matched, match.match_rate) == (4, 2, 0.5)


def test_org_code_keys_need_the_lookup() -> None:
    with pytest.raises(ValueError, match="OrgCodeLookup"):
        entity_keys(strings(["562148998"]), "org_code")


def test_a_batch_without_keys_has_no_match_rate() -> None:
    match = entity_keys(strings([]), "id_number")
    assert (match.delivered, match.matched, match.match_rate) == (0, 0, None)
    assert entity_keys(strings([None, ""]), "uscc").match_rate is None


def test_the_record_never_shows_keys() -> None:
    match = entity_keys(strings([ID]), "id_number")
    assert isinstance(match, KeyMatch)
    assert ID not in repr(match)
    assert USCC not in repr(OrgCodeLookup.from_usccs(strings([USCC])))


def test_an_old_tax_number_in_a_uscc_column_joins_by_its_org_code() -> None:
    """A 15-character 税务登记证号 (division code + organisation code) finds its entity."""
    lookup = OrgCodeLookup.from_usccs(strings([USCC, USCC_OTHER]))
    written = [USCC, "420102562148998", "42010256214899-8", "420102562148997", "420102999999999"]
    match = entity_keys(strings(written), "uscc", lookup)
    # the third is the same number with the code's hyphen; the fourth has a wrong check
    # character; the fifth is well formed but its org code is no known USCC's
    assert match.keys.to_pylist() == [USCC, USCC, USCC, None, None]
    assert (match.delivered, match.matched) == (5, 3)
    # without a lookup (no USCC seen yet) the old numbers stay unmatched
    assert entity_keys(strings(written), "uscc").keys.to_pylist() == [USCC, *[None] * 4]
    assert tax_number_org_codes(strings(written)).to_pylist() == [
        None,
        "562148998",
        "562148998",
        None,
        None,
    ]
