"""Column names the pipeline writes beside the delivered ones: no delivered column may take them.

A delivered header named like one of these would be overwritten or collide when the pipeline
adds its own column (``_run_id`` at load, ``_reasons`` in quarantine), so it is refused when the
file is read, in every format.
"""

from __future__ import annotations

from etl.extract.parts import RAW_LINE, REASONS, SOURCE_FILE, SOURCE_LINE, SOURCE_ROW, SOURCE_SHA256

RUN_ID = "_run_id"
LOGICAL_DATE = "_logical_date"

#: The row lineage columns every curated row carries (the load step appends them).
LINEAGE_COLUMNS = (RUN_ID, SOURCE_SHA256, SOURCE_ROW, LOGICAL_DATE)

#: Every name the pipeline adds to a delivered table on its way to the zones and quarantine.
RESERVED_COLUMNS = frozenset((*LINEAGE_COLUMNS, SOURCE_FILE, SOURCE_LINE, RAW_LINE, REASONS))
