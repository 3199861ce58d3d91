"""Classification and grading of columns and datasets (classification.md).

Each category is one :class:`Category` record in :data:`CATEGORIES`; ``classify_table`` samples
each column, runs the registered detectors (derived from the records), weighs name hints, scans
free text, applies registry overrides and the dataset rules, and returns a
:class:`DatasetClassification`. ``count_distinct_persons``/``apply_scale_rule`` evaluate R5 over
a whole dataset; ``detect_drift`` compares a run with the previous one.
"""

from etl.classify.categories import CATEGORIES
from etl.classify.category import Category
from etl.classify.detectors.base import Detector
from etl.classify.detectors.registry import detectors, get_detector, register
from etl.classify.drift import Drift, classification_from_meta, detect_drift
from etl.classify.engine import DerivedFrom, classify_table
from etl.classify.grades import DEFAULT_GRADES, FLAGS, GRADES, grade_rank, max_grade
from etl.classify.model import ColumnClassification, ColumnOverride, DatasetClassification
from etl.classify.rule_settings import RuleSettings
from etl.classify.scale import (
    PersonCount,
    apply_scale_rule,
    count_distinct_persons,
    count_persons,
    person_columns,
)

__all__ = [
    "CATEGORIES",
    "DEFAULT_GRADES",
    "FLAGS",
    "GRADES",
    "Category",
    "ColumnClassification",
    "ColumnOverride",
    "DatasetClassification",
    "DerivedFrom",
    "Detector",
    "Drift",
    "PersonCount",
    "RuleSettings",
    "apply_scale_rule",
    "classification_from_meta",
    "classify_table",
    "count_distinct_persons",
    "count_persons",
    "detect_drift",
    "detectors",
    "get_detector",
    "grade_rank",
    "max_grade",
    "person_columns",
    "register",
]
