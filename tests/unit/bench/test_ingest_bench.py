"""The ingestion benchmark's bookkeeping: row accounting checks, targets and the table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import ingest, population

ROWS = 1_000_000


def _measurement(summary: dict[str, Any], reasons: dict[str, int] | None) -> ingest.Measurement:
    floor = ingest.Child(True, 2.5, 460.0, data={"seconds": 2.0, "import_s": 0.1})
    e2e = ingest.Child(
        True,
        20.0,
        1500.0,
        data={
            "seconds": 7.0,
            "import_s": 5.0,
            "steps": {"extract": 2.0, "validate": 2.0, "classify": 1.0, "load": 1.5},
            "summary": summary,
            "reasons": reasons,
        },
    )
    m = ingest.Measurement(ROWS, "utf-8", 256.5, 1000, floor, e2e)
    m.checks = ingest._check(m)
    return m


def _good_summary() -> dict[str, Any]:
    return {"status": "success", "rows_in": ROWS, "rows_loaded": 999_000, "rows_quarantined": 1000}


def _planted() -> dict[str, int]:
    return {**population.planted_counts(ROWS), "total": 1000}


def test_accounted_rows_pass_and_targets_are_judged() -> None:
    m = _measurement(_good_summary(), _planted())
    assert m.checks == []
    assert m.ratio == 3.5
    assert m.targets() == {"ratio_le_4": True, "peak_rss_le_2gb": True}


def test_every_accounting_problem_is_named() -> None:
    summary = {**_good_summary(), "rows_loaded": 999_001}
    reasons = {**_planted(), "bad_phone": 249}
    problems = _measurement(summary, reasons).checks
    assert any("!= loaded 999001 + quarantined 1000" in p for p in problems)
    assert any("'phone_format'" in p and "250 bad_phone" in p for p in problems)
    few = _measurement({**_good_summary(), "rows_quarantined": 999}, _planted()).checks
    assert any("quarantined 999 != planted bad rows 1000" in p for p in few)


def test_a_killed_run_fails_the_memory_target_only_when_it_passed_it() -> None:
    floor = ingest.Child(True, 2.5, 460.0, data={"seconds": 2.0})
    over = ingest.Measurement(ROWS, "utf-8", 256.5, 1000, floor, ingest.Child(False, 9, 4200.0))
    under = ingest.Measurement(ROWS, "utf-8", 256.5, 1000, floor, ingest.Child(False, 9, 900.0))
    assert over.targets() == {"ratio_le_4": None, "peak_rss_le_2gb": False}
    assert under.targets() == {"ratio_le_4": None, "peak_rss_le_2gb": None}
    assert ingest._check(over) == ["the end-to-end run failed"]


def test_table_is_aligned_and_shows_the_step_times() -> None:
    text = ingest.table([_measurement(_good_summary(), _planted())])
    header, rule, row = text.splitlines()
    assert header.split()[:3] == ["rows", "enc", "file"]
    assert len(rule) >= len(header) and len(rule) >= len(row)
    assert "2.0/2.0/1.0/1.5/-" in row
    assert row.split()[0] == "1,000,000"
    assert row.rstrip().endswith("ok")
    assert "3.5x" in row


def test_the_end_to_end_child_runs_a_small_register_and_accounts_for_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the bench's own run of the pipeline (its child, in this process): it follows the
    # pipeline's API (a typed summary), so a change there breaks this test, not the benchmark
    from etl.pipeline import steps

    monkeypatch.setattr(steps, "run_stage", steps.run_stage)  # _e2e wraps it to time the steps
    rows = 3000
    source = tmp_path / "register.csv"
    population.generate(source, rows, seed=7)
    landing = ingest._landing(tmp_path, source)
    home = tmp_path / "home"
    env = {
        "PUBDATA_HOME": str(home),
        "PUBDATA_REGISTRY": str(ingest.BENCH / "datasets"),
        "PUBDATA_LANDING": str(landing),
        "PUBDATA_EXPECTATIONS": str(ingest.BENCH / "expectations"),
        "PUBDATA_LAKE": str(home / "lake"),
        "PUBDATA_TOKEN_KEY": ingest.TOKEN_KEY,
    }
    data = ingest._e2e({"env": env, "date": ingest.LOGICAL_DATE.isoformat()})
    assert set(data["steps"]) == {"extract", "validate", "classify", "load", "record"}
    assert set(data["steps_cpu_s"]) == set(data["steps"])
    assert 0 < sum(data["steps_cpu_s"].values()) <= data["cpu_s"] + 1e-6
    summary = data["summary"]
    assert summary["status"] == "success"
    assert summary["rows_loaded"] + summary["rows_quarantined"] == summary["rows_in"] == rows
    assert sum(data["reasons"].values()) >= summary["rows_quarantined"]
