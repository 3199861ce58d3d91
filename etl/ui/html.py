"""HTML responses: the Jinja environment, the labels the templates show, the 404 and 403 pages."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from etl.lineage.quality import percent
from etl.local_time import show
from etl.ui.deps import ui_config
from etl.ui.login import is_api

log = logging.getLogger(__name__)

#: Flag code (:func:`etl.catalog.entries.dataset_flags`) → label (Chinese with English alongside).
FLAG_LABELS: dict[str, str] = {
    "IMP": "重要数据候选 IMP candidate",
    "DRIFT": "分类漂移暂停发布 drift held",
    "WITHHELD": "列暂缓发布 columns withheld",
    "CORE": "核心数据拒收 CORE refused",
}
#: Run states → label.
STATE_LABELS: dict[str, str] = {
    "success": "成功 success",
    "failed": "失败 failed",
    "skipped": "跳过 skipped",
}
#: Freshness states → label.
FRESHNESS_LABELS: dict[str, str] = {
    "fresh": "及时 fresh",
    "late": "滞后 late",
    "never": "未加载 never",
    "unscheduled": "未排期 unscheduled",
}
#: DAG states (:func:`etl.catalog.entries.catalog`'s ``dag``) → label.
DAG_LABELS: dict[str, str] = {
    "active": "运行中 active",
    "paused": "已暂停 paused",
    "not registered": "未注册 not registered",
}


def when(value: datetime | str | None, tz: ZoneInfo) -> str:
    """A timestamp as the pages show it: local time in ``tz``, to the second; ``-`` when unknown.

    Every timestamp a page shows goes through this one function (the ``|when`` filter, with the
    deployment's zone, which the page names), so how times are shown is decided here.
    """
    return show(value, tz)


@pass_context
def _when_filter(context: Context, value: datetime | str | None) -> str:
    return when(value, context["zone"])


def duration(seconds: float | None) -> str:
    """A run's length for people: ``0.4 s``, ``12 s``, ``3 min 05 s``, ``2 h 07 min``."""
    if seconds is None:
        return "-"
    if round(seconds, 1) < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("etl.ui", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = percent
    env.filters["num"] = lambda v: "-" if v is None else f"{int(v):,}"
    env.filters["when"] = _when_filter
    env.filters["duration"] = duration
    env.globals.update(
        flag_labels=FLAG_LABELS,
        state_labels=STATE_LABELS,
        freshness_labels=FRESHNESS_LABELS,
        dag_labels=DAG_LABELS,
    )
    return env


_TEMPLATES = _environment()


def base_path(request: Request) -> str:
    """Where the app is mounted (``/pubdata`` under Airflow), for links and redirects."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The template ``name`` rendered with ``context``, the mount and Airflow paths and the zone."""
    config = ui_config(request)
    html = _TEMPLATES.get_template(name).render(
        base=base_path(request),
        airflow_root=config.airflow_root,
        zone=config.settings_factory().zone,
        **context,
    )
    return HTMLResponse(html, status_code=status)


async def not_found(request: Request, exc: Exception) -> Response:
    """A :class:`etl.ui.deps.NotFound` as JSON under ``/api/``, else as a page."""
    if is_api(request):
        return JSONResponse({"detail": str(exc)}, status_code=404)
    return page(request, "message.html", 404, title="未找到 Not found", message=str(exc))


async def forbidden(request: Request, exc: Exception) -> Response:
    """A :class:`etl.ui.deps.Forbidden` as JSON under ``/api/``, else as a page; logged."""
    log.warning("refused: %s", exc)  # names the user and the dataset, never a value
    if is_api(request):
        return JSONResponse({"detail": str(exc)}, status_code=403)
    return page(request, "message.html", 403, title="无权访问 Forbidden", message=str(exc))
