"""What the Airflow metadata DB says about pubdata's DAGs, read with SQL (no Airflow import).

The catalog shows whether each dataset's DAG is paused: a new DAG starts paused unless its
registry entry says ``start_paused: false``, and a paused DAG is not scheduled.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa

from etl.runtime.airflow_env import airflow_environment
from etl.settings import Settings

log = logging.getLogger(__name__)


def paused_dags(settings: Settings) -> dict[str, bool]:
    """``dag_id`` → whether it is paused, for every DAG Airflow has registered.

    Empty when the metadata DB is not there yet (nothing registered) or cannot be read; the
    catalog then says "not registered".
    """
    url = airflow_environment(settings)["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return {}  # connecting would create an empty database file
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT dag_id, is_paused FROM dag")).all()
    except sa.exc.SQLAlchemyError as exc:
        log.info("airflow metadata DB not readable: %s", type(exc).__name__)
        return {}
    finally:
        engine.dispose()
    return {str(dag_id): bool(paused) for dag_id, paused in rows}
