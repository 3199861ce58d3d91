"""The SVG drawings of the dataset page: quality bars and the lineage graph."""

from __future__ import annotations

from etl.catalog.dataset import lineage_graph
from etl.ui import svg
from tests.unit.sample_lake import DRIFTED, SampleLake


def test_quality_chart_has_a_bar_per_evaluation() -> None:
    series = {
        "expectation": "expect_x(<col>)",
        "severity": "warn",
        "runs": 3,
        "passed": 1,
        "points": [
            {"date": "2024-06-01", "success": True, "unexpected_percent": None},
            {"date": "2024-06-02", "success": False, "unexpected_percent": 50.0},
            {"date": "2024-06-03", "success": False, "unexpected_percent": None},
        ],
    }
    chart = svg.quality_chart(series)
    assert chart.count("<rect") == 3
    assert chart.count(svg.WARN) == 2 and chart.count(svg.PASS) == 1
    assert "expect_x(&lt;col&gt;)" in chart and "<col>" not in chart
    assert "warned (50.00% rows)" in chart


def test_lineage_svg_draws_sources_tables_and_versions(lake: SampleLake) -> None:
    graph = lineage_graph(lake.settings, lake.registry.datasets[DRIFTED])
    drawing = svg.lineage_svg(graph)
    assert drawing.startswith("<svg") and drawing.endswith("</svg>")
    assert drawing.count("<path") == len(graph["edges"]) == 6
    assert "共享区 shared" in drawing and "not written" in drawing
    assert "2024-06-02.csv" in drawing
    assert "v1 · runs wrote v0, v1" in drawing  # restricted: written by both runs


def test_a_file_read_by_several_runs_is_drawn_once() -> None:
    graph = {
        "sources": [
            {
                "id": "s0",
                "label": "ps/2024-06-01.csv",
                "sha256": "abcdef012345",
                "rows": 4,
                "date": "2024-06-02",
                "dates": ["2024-06-01"],
                "repeated": ["2024-06-02"],
                "runs": 3,
                "role": "delivery",
                "kind": "file",
            }
        ],
        "tables": [{"kind": "restricted", "uri": "x", "version": 1, "exists": True}],
        "edges": [{"source": "s0", "table": "restricted", "versions": [0, 1]}],
    }
    drawing = svg.lineage_svg(graph)
    assert drawing.count("ps/2024-06-01.csv</text>") == 1 and drawing.count("<path") == 1
    assert "2024-06-01 · delivery · 3 runs · 4 rows · sha256 abcdef012345" in drawing
    assert "<title>v0, v1</title>" in drawing and "v1 · runs wrote v0, v1" in drawing
    assert "delivered again for 2024-06-02 (not loaded)" in drawing
