"""Benchmark: accuracy of the classifier on the labelled corpus, and what leaks when it errs.

Usage::

    python bench/classify_eval.py [--part dev|frozen|all] [--json] [--skip-leaks]

For each part (``tests/eval/corpus.json`` = dev, ``tests/eval/frozen/corpus.json`` = frozen) it
prints per-category precision/recall/F1, the column micro-F1, column-grade accuracy, distractor
false positives, the dataset-grade confusion matrix and throughput; then the leak count: every
table run through the pipeline with a plain registry entry and the raw L3/L4 values found in the
shared and open zones (``tests/eval/leaks.py``). The dev part also lists its mistakes by
``table.column``; the frozen part is printed in aggregate only (no table or column name, no
value), so that nobody tunes the classifier on it. Floors: ``tests/eval/test_eval_floor.py`` and
``tests/eval/test_frozen_floor.py``. Regenerate the parts with ``python -m tests.eval.generate``
and ``python -m tests.eval.frozen.generate``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.eval.corpus import PARTS, Part, load_part
from tests.eval.evaluate import evaluate, render
from tests.eval.leaks import LeakReport, count_leaks


def _leak_lines(part: Part, leaks: LeakReport) -> list[str]:
    lines = [
        "",
        f"leaks: {leaks.leaks}",
        f"  {len(leaks.tables)} tables through the pipeline in {leaks.seconds:.1f} s;"
        f" {sum(1 for t in leaks.tables if t.leaked)} leaking,"
        f" {len(leaks.failed)} runs failed",
        f"  publication guard: {leaks.withheld} columns withheld, {leaks.false_holds} of them"
        " not personal (false holds)",
    ]
    if part == "dev":
        lines += [f"  {t.table}: {t.leaked} leaked" for t in leaks.tables if t.leaked]
        lines += [f"  {t.table}: {t.status}" for t in leaks.failed]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation of the chosen parts and print (or dump as JSON) the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--skip-leaks", action="store_true", help="no pipeline runs")
    args = parser.parse_args(argv)
    parts: tuple[Part, ...] = PARTS if args.part == "all" else (args.part,)
    evaluate(load_part("dev")[:3])  # warm up imports and regex compilation; runs below are timed
    out: dict[str, object] = {}
    for part in parts:
        report = evaluate(part=part)
        leaks = None if args.skip_leaks else count_leaks(load_part(part))
        if args.json:
            body = report.summary()
            if part == "dev":
                body["mistakes"] = report.mistakes()
            if leaks is not None:
                summary = leaks.summary()
                if part == "dev":
                    summary["by_table"] = {t.table: t.leaked for t in leaks.tables}
                body["leaks"] = summary
            out[part] = body
            continue
        text = render(report, names=part == "dev")
        print("\n".join([text, *(_leak_lines(part, leaks) if leaks else [])]) + "\n")
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
