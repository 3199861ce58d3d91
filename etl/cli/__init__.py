"""The ``pubdata`` command line.

Every command pays for importing :mod:`etl.cli.main` (which imports each command module to build
the parser), so a command module imports the heavy libraries its commands need (pyarrow,
deltalake, DuckDB, Great Expectations, ...) inside those commands, and type-only names under
``TYPE_CHECKING``: ``pubdata --help``, a registry check or an unknown dataset answer at once.
"""
