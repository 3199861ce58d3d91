"""DAG tests parse the real dags/ folder with an isolated Airflow home, set before airflow loads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from etl.runtime.airflow_env import airflow_environment
from tests.conftest import make_settings

_home = Path(tempfile.mkdtemp(prefix="pubdata-dagtest-"))
os.environ.update(airflow_environment(make_settings(_home), base={}))
