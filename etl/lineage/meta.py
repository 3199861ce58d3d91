"""The ``_meta`` tables: who loaded what, from which file, with which checks and grades.

Every table has an explicit schema so that the first append fixes the column types and later
appends (from other datasets, other runs) line up. Nothing written here may contain a data value:
counts, names of columns and expectations, grades, fingerprints and URIs only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from etl.audit import findings as audit_findings
from etl.audit import log as access_log
from etl.lake import delta
from etl.lake.layout import meta_table_uri

_TS = pa.timestamp("us", tz="UTC")

SCHEMAS: dict[str, pa.Schema] = {
    "lineage_runs": pa.schema(
        [
            ("lineage_run_id", pa.string()),
            ("dag_id", pa.string()),
            ("run_id", pa.string()),
            ("try_number", pa.int32()),
            ("logical_date", pa.date32()),
            ("department", pa.string()),
            ("domain", pa.string()),
            ("dataset", pa.string()),
            ("zone", pa.string()),
            ("table_uri", pa.string()),
            ("delta_version", pa.int64()),
            ("rows_in", pa.int64()),
            ("rows_loaded", pa.int64()),
            ("rows_quarantined", pa.int64()),
            ("dataset_grade", pa.string()),
            ("flags", pa.string()),
            ("source_sha256", pa.string()),
            ("suite", pa.string()),
            ("suite_success", pa.bool_()),
            ("status", pa.string()),
            ("error_stage", pa.string()),
            ("error_message", pa.string()),
            ("invocation", pa.string()),
            # JSON: columns added (warnings), removed/retyped as declared; null when unchanged
            ("schema_change", pa.string()),
            ("started_at", _TS),
            # when the row's status was reached (for ``loading``: when the load began)
            ("finished_at", _TS),
            ("pipeline_version", pa.string()),
            # The run's claim on its date: the generation every table it committed holds as
            # the Delta application transaction ``pubdata:<date>`` (``pubdata:table`` for the
            # tables of snapshot loads); older rows read back as nulls.
            ("generation", pa.int64()),
        ]
    ),
    "source_files": pa.schema(
        [
            ("lineage_run_id", pa.string()),
            ("dataset", pa.string()),
            ("logical_date", pa.date32()),
            ("uri", pa.string()),
            ("relative_path", pa.string()),
            ("sha256", pa.string()),
            ("bytes", pa.int64()),
            ("encoding", pa.string()),
            ("format", pa.string()),
            ("rows", pa.int64()),
            # "delivery" (a file, page or query result loaded), "duplicate" (a file already
            # loaded for another date: not loaded again) or "resubmission" (fixed rows)
            ("role", pa.string()),
            # JSON list of the _source_row numbers a resubmission replaced
            ("amended_rows", pa.string()),
            # the source kind: file, sql (a query result) or http (one page)
            ("kind", pa.string()),
            # role "duplicate": the lineage run and path of the delivery it repeats
            ("duplicate_of_run", pa.string()),
            ("duplicate_of_path", pa.string()),
            ("recorded_at", _TS),
        ]
    ),
    "validation_results": pa.schema(
        [
            ("lineage_run_id", pa.string()),
            ("dataset", pa.string()),
            ("logical_date", pa.date32()),
            ("suite", pa.string()),
            ("expectation_type", pa.string()),
            ("column", pa.string()),
            ("level", pa.string()),
            ("success", pa.bool_()),
            ("unexpected_count", pa.int64()),
            ("unexpected_percent", pa.float64()),
            ("kwargs", pa.string()),
            ("observed", pa.string()),
            ("severity", pa.string()),
            ("reason", pa.string()),
            ("error", pa.string()),
            ("recorded_at", _TS),
        ]
    ),
    "classifications": pa.schema(
        [
            ("lineage_run_id", pa.string()),
            ("dataset", pa.string()),
            ("logical_date", pa.date32()),
            ("column", pa.string()),
            ("category", pa.string()),
            ("grade", pa.string()),
            ("confidence", pa.float64()),
            ("evidence", pa.string()),
            ("decided_by", pa.string()),
            ("dataset_grade", pa.string()),
            ("flags", pa.string()),
            ("rules", pa.string()),
            ("recorded_at", _TS),
            # Added with the grading record (GB/T 43697-2024); older rows read back as nulls.
            # The dataset rule that lifted the column's grade (R4, TRACK), if one did
            ("lifted_by", pa.string()),
            # who confirmed a registry label and on which day (null: a detector's decision,
            # dated by recorded_at)
            ("reviewer", pa.string()),
            ("reviewed", pa.date32()),
            # the column's comment in the source system (databases), for the inventory's title
            ("column_comment", pa.string()),
        ]
    ),
    "reviews": pa.schema(
        [
            ("lineage_run_id", pa.string()),
            ("dataset", pa.string()),
            ("logical_date", pa.date32()),
            ("kind", pa.string()),
            ("subject", pa.string()),
            ("detail", pa.string()),
            ("status", pa.string()),
            ("recorded_at", _TS),
            # Added with the review loop; older rows read back as nulls. The category and
            # grade a hold suggests confirming (or a confirmation set), and who confirmed it.
            ("category", pa.string()),
            ("grade", pa.string()),
            ("reviewer", pa.string()),
        ]
    ),
    "column_lineage": pa.schema(
        [
            ("lineage_run_id", pa.string()),
            ("dataset", pa.string()),
            ("logical_date", pa.date32()),
            ("zone", pa.string()),
            ("source_column", pa.string()),
            ("output_column", pa.string()),
            ("transformation", pa.string()),
            ("recorded_at", _TS),
        ]
    ),
    # One row per load that began: the run's claim on its date, recorded before any table is
    # committed. A load with no lineage_runs row of the same generation has not finished
    # (or was killed: the next successful run of the date records it as superseded).
    "loads": pa.schema(
        [
            ("lineage_run_id", pa.string()),
            ("dag_id", pa.string()),
            ("run_id", pa.string()),
            ("try_number", pa.int32()),
            ("dataset", pa.string()),
            ("logical_date", pa.date32()),
            ("generation", pa.int64()),
            # JSON: table (restricted, quarantine, shared, open) -> URI, in commit order
            ("tables", pa.string()),
            ("started_at", _TS),
        ]
    ),
    # One row per contributing run an integration of a repository read (etl.integrate): the
    # run's key match counts, then the integration's totals, the same on each of its rows.
    # Counts, ids and dates only: never a key or a value.
    "integration_runs": pa.schema(
        [
            ("integration_id", pa.string()),
            ("domain", pa.string()),
            # full (every run of every contributor, tables rewritten) or incremental
            ("mode", pa.string()),
            # the date the records were computed as of (freshness, valid_from)
            ("as_of", pa.date32()),
            ("dataset", pa.string()),
            ("run_id", pa.string()),
            ("logical_date", pa.date32()),
            ("rows", pa.int64()),
            ("keys_delivered", pa.int64()),
            ("keys_matched", pa.int64()),
            ("entities_touched", pa.int64()),
            ("entities_inserted", pa.int64()),
            ("entities_changed", pa.int64()),
            ("conflicts_opened", pa.int64()),
            ("conflicts_closed", pa.int64()),
            ("started_at", _TS),
            ("finished_at", _TS),
        ]
    ),
    # One row per release attempt of an authorised data product (etl.products): the release,
    # its consumer, files, row counts, source table versions and gate outcomes (JSON), or the
    # refusal's one line. Ids, counts, grades and column names only: never a value.
    "product_releases": pa.schema(
        [
            ("release_id", pa.string()),
            ("product", pa.string()),
            ("consumer_uscc", pa.string()),
            ("consumer_name", pa.string()),
            ("logical_date", pa.date32()),
            # released, or refused (by the gate, or because the product expired)
            ("status", pa.string()),
            ("error", pa.string()),
            ("destination", pa.string()),
            ("files", pa.int32()),
            ("rows", pa.int64()),
            ("k", pa.int32()),
            ("suppressed_cells", pa.int64()),
            # JSON: [{source, uri, zone, version}]
            ("source_versions", pa.string()),
            # JSON: [{gate, source, passed, detail}]
            ("gate", pa.string()),
            ("manifest_sha256", pa.string()),
            ("created_at", _TS),
        ]
    ),
    # One row per quarantined source row: its number and reason codes, never its values.
    "quarantine_rows": pa.schema(
        [
            ("lineage_run_id", pa.string()),
            ("dataset", pa.string()),
            ("logical_date", pa.date32()),
            ("source_row", pa.int64()),
            ("reasons", pa.string()),
            # the file (or page) the row came from, for deliveries of several files
            ("source_file", pa.string()),
            ("recorded_at", _TS),
        ]
    ),
    # Every read of the lake, hash-chained (etl.audit.log): names and counts, never a value.
    "access_log": access_log.SCHEMA,
    # The anomaly findings already raised (etl.audit.findings), so each alerts once.
    "access_findings": audit_findings.SCHEMA,
}


def append_rows(
    lake: str, table: str, rows: Sequence[Mapping[str, Any]], once: tuple[str, int] | None = None
) -> int | None:
    """Append rows to one ``_meta`` table (created on first use); returns the version or None.

    ``once`` (an app id and version, see :func:`etl.lake.delta.append`) appends the rows only
    if this table has not recorded them already: None is returned then.
    """
    if not rows:
        return None
    schema = SCHEMAS[table]
    unknown = set().union(*(r.keys() for r in rows)) - set(schema.names)
    if unknown:
        raise ValueError(f"_meta.{table} has no column {sorted(unknown)[0]!r}")
    data = pa.Table.from_pylist([dict(r) for r in rows], schema=schema)
    return delta.append(meta_table_uri(lake, table), data, {"pubdata.meta_table": table}, once)


def read_meta(lake: str, table: str) -> pa.Table:
    """Read one ``_meta`` table (an empty table with the right schema if nothing was written).

    Columns added to a schema after a table was first written come back as nulls for the older
    rows, so readers can rely on every column of :data:`SCHEMAS` being there.
    """
    uri = meta_table_uri(lake, table)
    if not delta.table_exists(uri):
        return SCHEMAS[table].empty_table()
    data = delta.read(uri)
    for name in SCHEMAS[table].names:
        if name not in data.column_names:
            data = data.append_column(
                SCHEMAS[table].field(name), pa.nulls(data.num_rows, SCHEMAS[table].field(name).type)
            )
    return data
