"""Context of the dataset: items of registered organisations that are public (L1).

In a dataset that carries an organisation identifier (统一社会信用代码 or 组织机构代码), a few
detected columns describe the organisation rather than a person and are public registration
items (企业信用信息公示, 双公示): the registered address (注册地址/住所/经营场所), the published
office telephone, and an administrative penalty (行政处罚). Only detector decisions change; a
registry label always stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from etl.classify.decide import ColumnFinding
from etl.classify.name_terms import ORG_ADDRESS, ORG_CONTACT, PUBLIC_PENALTY

#: Categories that identify an organisation.
ORG_IDENTIFIERS = frozenset({"uscc", "org_code"})

#: role → (categories it applies to, grade, reason for people).
_PUBLIC_ITEMS: dict[str, tuple[frozenset[str], str, str]] = {
    ORG_ADDRESS: (frozenset({"address"}), "L1", "registered address of an organisation"),
    ORG_CONTACT: (
        frozenset({"landline_phone", "mobile_phone"}),
        "L1",
        "published telephone of an organisation",
    ),
    PUBLIC_PENALTY: (
        frozenset({"criminal_record"}),
        "L1",
        "administrative penalty of an enterprise (双公示)",
    ),
}


def apply_context(findings: Sequence[ColumnFinding]) -> list[ColumnFinding]:
    """Grade organisation items L1 when the dataset identifies organisations.

    Args:
        findings: one per column.

    Returns:
        The findings, with public organisation items regraded.
    """
    orgs = [f.classification.name for f in findings if f.classification.category in ORG_IDENTIFIERS]
    if not orgs:
        return list(findings)
    out: list[ColumnFinding] = []
    for f in findings:
        c = f.classification
        item = _PUBLIC_ITEMS.get(f.role or "")
        if item and c.decided_by == "detector" and c.category in item[0] and c.grade != item[1]:
            evidence = f"{c.evidence}; {item[2]} (dataset has {orgs[0]!r}) → {item[1]}"
            f = replace(f, classification=replace(c, grade=item[1], evidence=evidence))
        out.append(f)
    return out
