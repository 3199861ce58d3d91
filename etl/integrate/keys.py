"""Entity keys as real data writes them, normalised to one canonical key, vectorized over Arrow.

A contributing dataset writes the entity key in one of three forms (:data:`KeyForm`):

- ``id_number`` (persons): full-width digits and separators removed, ``x`` upper-cased, a
  15-digit legacy number converted to 18 digits (:func:`etl.text.canonical.canonical_form`);
  then checked as the ``id_card`` detector checks (province, birth date, MOD 11-2).
- ``uscc`` (legal entities): compacted and upper-cased, then checked (GB 32100 alphabet and
  check character). A column of USCCs may still hold, for entities that never changed their
  certificates, the 15-character 税务登记证号 of before 2015 (6-digit administrative division +
  organisation code): given an :class:`OrgCodeLookup`, such a number joins the entity whose
  USCC embeds its organisation code, as an ``org_code`` key does.
- ``org_code`` (legal entities, older datasets): compacted (``12345678-9`` → ``123456789``) and
  checked (GB 11714 check character), then mapped to the USCC that embeds it at characters
  9-17 (:func:`embedded_org_codes`) through an :class:`OrgCodeLookup` built from the USCCs seen.

A key that fails its check is null: the row matches no entity and counts as unmatched in
:class:`KeyMatch` (a typo in a key must not create or join a wrong entity). The checks are the
classification detectors' own (:mod:`etl.classify.detectors`), so a key integration accepts is
exactly a value classification recognises. Messages and errors never carry key values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.detectors.codes import check_org_code, check_uscc
from etl.classify.detectors.id_card import check_id_card
from etl.integrate.model import KeyForm
from etl.text.canonical import canonical_form
from etl.text.fullwidth import halfwidth
from etl.text.strings import as_strings, compact, strip

__all__ = [
    "KeyMatch",
    "OrgCodeLookup",
    "embedded_org_codes",
    "entity_keys",
    "org_code_keys",
    "person_keys",
    "tax_number_org_codes",
    "uscc_keys",
]

#: Characters 9-17 of a USCC (0-based slice 8:17) are the organisation code with its check.
_ORG_CODE_IN_USCC = slice(8, 17)
#: A 15-character 税务登记证号: a 6-digit division code, then the organisation code.
_TAX_NUMBER = r"^[0-9]{6}[0-9A-Z]{8}[0-9X]$"
_ORG_CODE_IN_TAX_NUMBER = slice(6, 15)


def _kept(values: Any, valid: Any) -> Any:
    """``values`` where ``valid`` holds, null elsewhere."""
    return pc.if_else(valid, values, pa.scalar(None, pa.string()))


def person_keys(values: Any) -> Any:
    """Canonical 18-digit ID numbers (upper-case ``X``); null where a value is not one.

    Args:
        values: pyarrow string array (or chunked array) of ID numbers as delivered.

    Returns:
        String array of the same length.
    """
    numbers = canonical_form(halfwidth(as_strings(values)), "id_number")
    return _kept(numbers, check_id_card(numbers))


def uscc_keys(values: Any) -> Any:
    """Canonical USCCs (18 characters, upper case, no separators); null where not valid.

    Args:
        values: pyarrow string array (or chunked array) of USCCs as delivered.

    Returns:
        String array of the same length.
    """
    codes = compact(halfwidth(as_strings(values)))
    return _kept(codes, check_uscc(codes))


def org_code_keys(values: Any) -> Any:
    """Canonical organisation codes (nine characters, no hyphen); null where not valid.

    Args:
        values: pyarrow string array (or chunked array) of codes as delivered
            (``12345678-9`` or ``123456789``).

    Returns:
        String array of the same length.
    """
    codes = compact(halfwidth(as_strings(values)))
    return _kept(codes, check_org_code(codes))


def tax_number_org_codes(values: Any) -> Any:
    """The organisation code inside each 15-character 税务登记证号; null for anything else.

    Args:
        values: pyarrow string array (or chunked array) of taxpayer numbers as delivered.

    Returns:
        String array of canonical organisation codes (check character verified), the same
        length.
    """
    numbers = compact(halfwidth(as_strings(values)))
    span = _ORG_CODE_IN_TAX_NUMBER
    codes = pc.utf8_slice_codeunits(numbers, span.start, span.stop)
    shaped = pc.fill_null(pc.match_substring_regex(numbers, _TAX_NUMBER), False)
    codes = _kept(codes, shaped)
    return _kept(codes, pc.fill_null(check_org_code(codes), False))


def embedded_org_codes(usccs: Any) -> Any:
    """The organisation code inside each canonical USCC (characters 9-17); null stays null.

    Args:
        usccs: string array of canonical USCCs (as :func:`uscc_keys` returns them).

    Returns:
        String array of nine-character codes.
    """
    span = _ORG_CODE_IN_USCC
    return pc.utf8_slice_codeunits(as_strings(usccs), span.start, span.stop)


@dataclass(frozen=True)
class OrgCodeLookup:
    """Organisation code → the USCC that embeds it, for the USCCs seen.

    Build it with :meth:`from_usccs` from every USCC the repository knows (its key column and
    the USCC-keyed contributors of the run). A code embedded in two different USCCs (a data
    error in some register) is left out: a key it would resolve stays unmatched rather than
    joining the wrong entity.

    Attributes:
        org_codes: the unambiguous codes, each once.
        usccs: the USCC of each code, position by position.
    """

    org_codes: pa.Array = field(repr=False)
    usccs: pa.Array = field(repr=False)

    @classmethod
    def from_usccs(cls, usccs: Any) -> OrgCodeLookup:
        """The lookup of the USCCs ``usccs`` (canonical keys; nulls and repeats are fine)."""
        known = pc.unique(pc.drop_null(as_strings(usccs)))
        codes = embedded_org_codes(known)
        counts = pc.value_counts(codes)
        shared = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
        alone = pc.invert(pc.is_in(codes, value_set=shared))
        return cls(codes.filter(alone), known.filter(alone))

    def resolve(self, org_codes: Any) -> Any:
        """The USCC embedding each canonical organisation code; null where none (or null).

        Args:
            org_codes: string array of canonical codes (as :func:`org_code_keys` returns them).

        Returns:
            String array of USCCs, the same length.
        """
        positions = pc.index_in(as_strings(org_codes), value_set=self.org_codes)
        return self.usccs.take(positions)


@dataclass(frozen=True)
class KeyMatch:
    """A contributor's batch of entity keys, and how many of its rows found their entity's key.

    Attributes:
        keys: the entity key of each row (18-digit ID number or USCC), null where the row's key
            is missing, invalid, or (an organisation code) embedded in no USCC seen.
        delivered: rows that delivered a key (not null, not blank).
        matched: rows whose key became an entity key.
    """

    keys: pa.Array = field(repr=False)
    delivered: int
    matched: int

    @property
    def unmatched(self) -> int:
        """Rows that delivered a key that matched no entity key."""
        return self.delivered - self.matched

    @property
    def match_rate(self) -> float | None:
        """``matched / delivered``; None when no row delivered a key."""
        return self.matched / self.delivered if self.delivered else None


def entity_keys(values: Any, form: KeyForm, org_codes: OrgCodeLookup | None = None) -> KeyMatch:
    """Normalise a contributor's key column to entity keys, and count what matched.

    Args:
        values: the contributor's key column as delivered (string array or chunked array).
        form: how the column writes the key (the contributor's key form).
        org_codes: the USCCs an organisation code may resolve to: required for ``org_code``
            keys; for ``uscc`` keys, lets a 15-character 税务登记证号 join its entity (without
            it such a number stays unmatched); ignored for ``id_number``.

    Returns:
        The keys of the batch with its delivered and matched counts.

    Raises:
        ValueError: ``form`` is ``org_code`` and no lookup is given.
    """
    text = as_strings(values)
    if form == "id_number":
        keys = person_keys(text)
    elif form == "uscc":
        keys = uscc_keys(text)
        if org_codes is not None:
            keys = pc.coalesce(keys, org_codes.resolve(tax_number_org_codes(text)))
    elif org_codes is None:
        raise ValueError("org_code keys resolve through an OrgCodeLookup of the USCCs seen")
    else:
        keys = org_codes.resolve(org_code_keys(text))
    given = pc.fill_null(pc.not_equal(strip(text), ""), False)
    delivered = int(pc.sum(given).as_py() or 0)  # the sum of an empty array is null
    return KeyMatch(keys, delivered, len(keys) - keys.null_count)
