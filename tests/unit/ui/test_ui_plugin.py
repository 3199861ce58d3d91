"""The Airflow plugin module, imported in a subprocess with an isolated Airflow home.

(Airflow reads its configuration once per process, so the import happens in a child process
whose environment is the embedded one; the real api-server path is the browser test's.)
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from etl.runtime.airflow_env import airflow_environment
from tests.conftest import REPO, make_settings

SCRIPT = textwrap.dedent(
    """
    import importlib.util, json, sys
    from airflow.models.taskinstancekey import TaskInstanceKey
    from airflow.plugins_manager import is_valid_plugin
    from starlette.requests import Request

    spec = importlib.util.spec_from_file_location("pubdata_ui", sys.argv[1])
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    heavy_after_import = sorted(m for m in ("etl.ui", "pyarrow", "deltalake") if m in sys.modules)

    def request(headers):
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        return Request({"type": "http", "headers": raw, "method": "GET", "path": "/"})

    link = plugin.DatasetPageLink()
    key = TaskInstanceKey("ingest__health__clinic_visits", "extract", "manual__2024+x:1")
    other = TaskInstanceKey("pubdata_maintenance", "compact", "manual__1")
    print(json.dumps({
        "valid": is_valid_plugin(plugin.PubdataUiPlugin),
        "heavy_after_import": heavy_after_import,
        "name": link.name,
        "link": link.get_link(None, ti_key=key),
        "other": link.get_link(None, ti_key=other),
        "bearer_wins": plugin._credential(
            request({"Authorization": "Bearer abc", "Cookie": "_token=cookie"})
        ),
        "cookie": plugin._credential(request({"Cookie": "_token=cookie"})),
        "none": plugin._credential(request({"Authorization": "Basic x"})),
        "views": [v["href"] for v in plugin.PubdataUiPlugin.external_views],
        "prefix": plugin.PubdataUiPlugin.fastapi_apps[0]["url_prefix"],
    }))
    """
)


def test_plugin_registers_cheaply_and_links_dataset_dags(tmp_path: Path) -> None:
    env = airflow_environment(make_settings(tmp_path / "home"), base={"PATH": "/usr/bin:/bin"})
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(REPO / "plugins" / "pubdata_ui.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["valid"] is True
    assert found["heavy_after_import"] == []  # the app is built on the first request
    assert found["link"] == (
        "/pubdata/dags/ingest__health__clinic_visits/runs/manual__2024%2Bx%3A1"
    )
    assert found["other"] == ""
    assert (found["bearer_wins"], found["cookie"], found["none"]) == ("abc", "cookie", None)
    assert found["views"][0] == "/pubdata/catalog" and found["prefix"] == "/pubdata"
