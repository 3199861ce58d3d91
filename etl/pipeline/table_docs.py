"""What each table of a dataset says about itself: the registry's data dictionary, per zone.

The load step hands a :class:`~etl.lake.dictionary.TableDoc` to every table it writes: the
dataset's title as the table name, its description with the department and the zone, and per
column the registry's title and description (:meth:`etl.registry.Dataset.column`). A column a
zone changed (tokenized, masked, generalized) keeps its source column's title, with a note of
what was done to it; the note says how, never a value. The pipeline's own columns (``_run_id``,
``_source_row``, ...) are documented too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from etl.extract.parts import RAW_LINE, REASONS, SOURCE_FILE, SOURCE_LINE, SOURCE_ROW, SOURCE_SHA256
from etl.extract.reserved import LOGICAL_DATE, RUN_ID
from etl.lake.dictionary import FieldDoc, TableDoc
from etl.protect.transformations import TRANSFORMATIONS
from etl.protect.zones import ColumnLineage
from etl.registry import Dataset
from etl.zones import TITLES, TableZone

#: The pipeline's columns (:data:`etl.extract.reserved.RESERVED_COLUMNS`), described.
PIPELINE_COLUMNS: dict[str, FieldDoc] = {
    RUN_ID: FieldDoc("运行编号", "the Airflow run that loaded the row"),
    SOURCE_FILE: FieldDoc("来源文件", "landing-relative path, <conn_id>:<table> or the HTTP page"),
    SOURCE_SHA256: FieldDoc("来源文件哈希", "SHA-256 of the delivered file or page"),
    SOURCE_ROW: FieldDoc("来源行号", "1-based data row number in the source file"),
    LOGICAL_DATE: FieldDoc("数据日期", "the run's logical date (the partition column)"),
    SOURCE_LINE: FieldDoc("来源文件行", "line number in the source file"),
    RAW_LINE: FieldDoc("原始行", "the row's text as delivered"),
    REASONS: FieldDoc("隔离原因", "reason codes of the checks the row failed"),
}


def _description(dataset: Dataset, zone: TableZone) -> str:
    where = (
        f"{dataset.department_title or dataset.department} ({dataset.department}) · "
        f"{TITLES[zone]} ({zone}) · pubdata dataset {dataset.id}"
    )
    return f"{dataset.description}\n\n{where}" if dataset.description else where


def table_doc(
    dataset: Dataset,
    zone: TableZone,
    names: Iterable[str],
    lineage: Iterable[ColumnLineage] = (),
    comments: Mapping[str, str] | None = None,
) -> TableDoc:
    """The name, description and column docs of one of the dataset's tables.

    Args:
        dataset: the registry entry.
        zone: the table's zone (or the quarantine table).
        names: the table's column names.
        lineage: the zone's column lineage (a column not in it is as delivered).
        comments: the source's column comments (databases), by source column.

    Returns:
        The table's doc; every column of ``names`` is documented.
    """
    comments = comments or {}
    # A dropped column kept in the table (as nulls) is named by its source.
    made = {line.output or line.source: line for line in lineage}
    fields: dict[str, FieldDoc] = {}
    for name in names:
        if name in PIPELINE_COLUMNS:
            fields[name] = PIPELINE_COLUMNS[name]
            continue
        line = made.get(name)
        source = line.source if line is not None else name
        spec = dataset.column(source, comments.get(source))
        fields[name] = FieldDoc(
            title=spec.title or source,
            description=spec.description,
            transformation=line.transformation if line is not None else None,
            note=TRANSFORMATIONS[line.transformation].note if line is not None else None,
            source_column=source if source != name else None,
        )
    return TableDoc(dataset.title, _description(dataset, zone), fields)
