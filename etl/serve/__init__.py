"""The SQL endpoint for BI tools: the lake's shared and open tables served from PostgreSQL.

Set ``PUBDATA_SERVE_URL`` to a PostgreSQL database and:

- :func:`refresh` copies each served table (:func:`served_tables`: every dataset's shared and
  open tables, the integrated repositories' shared records, restricted tables only with
  ``PUBDATA_SERVE_RESTRICTED=1``) into a view ``<zone>_<domain>.<dataset>``, swapping a new
  copy in atomically, with the data dictionary in column comments;
- :func:`sync_roles` gives each principal of the access file a role ``pubdata_<principal>``
  holding ``SELECT`` on exactly the views its active grants cover, so the database itself
  refuses the rest;
- :func:`collect_reads` returns the reads the views captured, for the access log.

Submodules import pyarrow and psycopg; this package's names are imported lazily by callers that
need them (DAG files import :mod:`etl.serve` only inside tasks).
"""

from etl.serve.model import RoleGrant, ServedRead, ServedTable, TableRefresh, TableStatus
from etl.serve.publish import refresh
from etl.serve.reads import acknowledge_reads, collect_reads, record_served_reads
from etl.serve.roles import scram_verifier, sync_roles
from etl.serve.sources import served_tables
from etl.serve.status import serve_status

__all__ = [
    "RoleGrant",
    "ServedRead",
    "ServedTable",
    "TableRefresh",
    "TableStatus",
    "acknowledge_reads",
    "collect_reads",
    "record_served_reads",
    "refresh",
    "scram_verifier",
    "serve_status",
    "served_tables",
    "sync_roles",
]
