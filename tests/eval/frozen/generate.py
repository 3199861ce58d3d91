"""Build the frozen test part (deterministic): ``python -m tests.eval.frozen.generate``.

Writes ``tests/eval/frozen/corpus.json``. Headers and values come from the published sources
listed in :mod:`tests.eval.frozen.sources`; labels follow classification.md and issue #11, never
what the classifier answers. Do not tune the classifier on this part, and do not print its
tables: the bench reports it in aggregate only.
"""

from __future__ import annotations

import contextlib
import datetime
import types
from collections.abc import Iterator

from faker.providers.ssn import zh_CN as faker_ssn

from tests.eval.corpus import FROZEN, LabelledTable, dump
from tests.eval.frozen.organisations import organisation_tables
from tests.eval.frozen.persons import person_tables

#: The day the committed part was generated: Faker's Chinese ID numbers count ages back from
#: "today", so without a fixed day the part would change every midnight.
GENERATED_ON = datetime.date(2026, 12, 5)


class _FixedDay(datetime.date):
    @classmethod
    def today(cls) -> _FixedDay:
        return cls(GENERATED_ON.year, GENERATED_ON.month, GENERATED_ON.day)


@contextlib.contextmanager
def _generated_on_fixed_day() -> Iterator[None]:
    real = faker_ssn.datetime
    faker_ssn.datetime = types.SimpleNamespace(date=_FixedDay, timedelta=datetime.timedelta)  # type: ignore[assignment]
    try:
        yield
    finally:
        faker_ssn.datetime = real


def build() -> list[LabelledTable]:
    """Every table of the frozen part."""
    with _generated_on_fixed_day():
        return [*person_tables(), *organisation_tables()]


if __name__ == "__main__":
    FROZEN.write_text(dump(build()), encoding="utf-8")
