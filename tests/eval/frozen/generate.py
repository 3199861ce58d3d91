"""Build the frozen test part (deterministic): ``python -m tests.eval.frozen.generate``.

Writes ``tests/eval/frozen/corpus.json``. Headers and values come from the published sources
listed in :mod:`tests.eval.frozen.sources`; labels follow classification.md and issue #11, never
what the classifier answers. Do not tune the classifier on this part, and do not print its
tables: the bench reports it in aggregate only.
"""

from __future__ import annotations

from tests.eval.corpus import FROZEN, LabelledTable, dump
from tests.eval.frozen.organisations import organisation_tables
from tests.eval.frozen.persons import person_tables


def build() -> list[LabelledTable]:
    """Every table of the frozen part."""
    return [*person_tables(), *organisation_tables()]


if __name__ == "__main__":
    FROZEN.write_text(dump(build()), encoding="utf-8")
