"""The read side: curated tables through the Delta log, for people and downstream code.

``read(dataset, zone="shared", date=None, columns=None, as_of=None)`` returns an Arrow table
(``to_pandas`` a DataFrame); :mod:`etl.read.sql` runs DuckDB over every table the caller is
cleared for. Both refuse a zone beyond ``PUBDATA_CLEARANCE``.
"""

from etl.read.access import TableRef, check_clearance, readable_tables, table_ref
from etl.read.reader import read, to_pandas, versions

__all__ = [
    "TableRef",
    "check_clearance",
    "read",
    "readable_tables",
    "table_ref",
    "to_pandas",
    "versions",
]
