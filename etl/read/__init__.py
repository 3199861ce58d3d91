"""The read side: curated tables through the Delta log, for people and downstream code.

``read(dataset, zone="shared", date=None, columns=None, as_of=None)`` returns an Arrow table
(``to_pandas`` a DataFrame); :mod:`etl.read.sql` runs DuckDB over every table the caller is
granted. Every read is decided by :func:`etl.read.access.granted_tables`: the caller's
principal and grants (the access file), narrowed by ``PUBDATA_CLEARANCE``.
"""

from etl.read.access import (
    Granted,
    TableRef,
    authorized_ref,
    granted_tables,
    readable_tables,
    table_ref,
)
from etl.read.reader import read, to_pandas, versions

__all__ = [
    "Granted",
    "TableRef",
    "authorized_ref",
    "granted_tables",
    "read",
    "readable_tables",
    "table_ref",
    "to_pandas",
    "versions",
]
