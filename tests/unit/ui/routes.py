"""Every request the operators' app answers, enumerated from the app itself.

A route added later is in the list without anyone editing a test; a path parameter gets a
sample value (a name this table does not know gets ``x``, enough for a refusal to be checked).
"""

from __future__ import annotations

import re
from typing import Any

SAMPLE_PARAMS = {
    "dataset_id": "household_register",
    "dag_id": "ingest__public_security__household_register",
    "run_id": "manual__1",
    "path": "index.html",
    "domain_id": "population",
    "product_id": "relief_by_district",
}
#: Paths no route declares: what FastAPI would serve by default, and paths that match nothing.
UNDECLARED = ("/openapi.json", "/docs", "/redoc", "/no/such/page", "/api/no_such")
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def every_route(app: Any) -> list[tuple[str, str]]:
    """``(method, path)`` for each method of each route of ``app``, parameters filled in."""
    found = set()
    for route in app.routes:
        path = _PARAM.sub(lambda m: SAMPLE_PARAMS.get(m.group(1), "x"), route.path)
        found.update((method, path) for method in route.methods)
    return sorted(found)


def every_request(app: Any) -> list[tuple[str, str]]:
    """The app's routes plus the undeclared paths (GET)."""
    return [*every_route(app), *(("GET", path) for path in UNDECLARED)]
