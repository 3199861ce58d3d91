"""The dataset page's columns table shows the registry's data dictionary."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from etl.ui import create_app
from tests.unit.sample_lake import DRIFTED, SampleLake
from tests.unit.ui.auth import AUTH, OPERATOR_SEES_ALL, authenticate


def test_each_column_shows_its_title_description_and_type(lake: SampleLake) -> None:
    client = TestClient(create_app(lambda: lake.settings, authenticate, OPERATOR_SEES_ALL))
    html = client.get(f"/datasets/{DRIFTED}", headers=AUTH).text
    section = html[html.index('<section id="columns">') : html.index('<section id="quality">')]
    rows = {}
    for row in section.split("<tr>")[2:]:  # past the header row
        name = re.search(r"<code>(\w+)</code>", row)
        assert name is not None
        rows[name.group(1)] = row
    assert "公民身份号码" in rows["gmsfhm"]
    assert '<div class="sub">18位公民身份号码（末位校验码可为X）</div>' in rows["gmsfhm"]
    assert "<code>date</code>" in rows["csrq"] and "出生日期" in rows["csrq"]
    assert '<div class="sub">' not in rows["xb"]  # a title without a description
