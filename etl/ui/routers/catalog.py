"""The catalog page: every dataset the user may see, filtered by department, domain or grade.

Above the table, a link to each integrated repository's page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from etl import catalog
from etl.ui.deps import Loaded, User, guarded_router
from etl.ui.html import page

router = guarded_router()


@dataclass(frozen=True)
class Filters:
    """The catalog's filters (None: no filter)."""

    department: str | None = None
    domain: str | None = None
    grade: str | None = None

    def keep(self, item: Mapping[str, Any]) -> bool:
        """Whether a catalog row passes every filter set."""
        return (
            (self.department is None or item["department"] == self.department)
            and (self.domain is None or item["domain"] == self.domain)
            and (self.grade is None or item["grade"] == self.grade)
        )


def filter_options(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The values each filter can take, from the rows themselves."""
    return {
        "department": sorted({r["department"] for r in rows}),
        "domain": sorted({r["domain"] for r in rows}),
        "grade": sorted({r["grade"] for r in rows if r["grade"]}),
    }


@router.get("/catalog", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    user: User,
    loaded: Loaded,
    department: str | None = None,
    domain: str | None = None,
    grade: str | None = None,
) -> HTMLResponse:
    """The catalog table with its filters: the datasets and repositories the user may see."""
    rows = catalog.catalog_rows(loaded.settings, loaded.visible)
    filters = Filters(department or None, domain or None, grade or None)
    return page(
        request,
        "catalog.html",
        user=user,
        rows=[r for r in rows if filters.keep(r)],
        total=len(rows),
        options=filter_options(rows),
        filters=filters,
        repositories=loaded.domains(),
    )
