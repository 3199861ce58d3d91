"""Benchmark: accuracy of the classifier on the labelled corpus (tests/eval/corpus.json).

Usage: ``python bench/classify_eval.py``. Prints per-category precision/recall, the column-level
F1, distractor false positives, the dataset-grade confusion matrix and throughput. The floors
are held by ``tests/eval/test_eval_floor.py``; regenerate the corpus with
``python -m tests.eval.generate``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.eval.evaluate import evaluate, render

if __name__ == "__main__":
    evaluate()  # warm up imports and regex compilation; the second run is timed
    print(render(evaluate()))
