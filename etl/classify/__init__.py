"""Classification and grading of columns and datasets (classification.md).

``classify_table`` samples each column, runs the registered detectors, weighs name hints, applies
registry overrides and the dataset rules, and returns a :class:`DatasetClassification`.
"""

from etl.classify.detectors import Detector, detectors, get_detector, register
from etl.classify.engine import classify_table
from etl.classify.grades import DEFAULT_GRADES, FLAGS, GRADES, grade_rank, max_grade
from etl.classify.model import ColumnClassification, ColumnOverride, DatasetClassification

__all__ = [
    "DEFAULT_GRADES",
    "FLAGS",
    "GRADES",
    "ColumnClassification",
    "ColumnOverride",
    "DatasetClassification",
    "Detector",
    "classify_table",
    "detectors",
    "get_detector",
    "grade_rank",
    "max_grade",
    "register",
]
