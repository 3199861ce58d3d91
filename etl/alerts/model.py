"""The alert model: what happened to which dataset in which run, and what a person should do.

An alert is built only from counts, grades, categories, expectation names, reason codes and
registry text: never from a data value. Renderings are plain text (e-mail) and markdown
(group bots), with Chinese labels and English alongside (the readers are Chinese staff).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from etl.registry import Dataset
from etl.registry.alerts import AlertKind

Severity = Literal["critical", "warning", "notice"]
SEVERITY_LABELS: dict[Severity, str] = {
    "critical": "严重 critical",
    "warning": "警告 warning",
    "notice": "提示 notice",
}
KIND_LABELS: dict[AlertKind, str] = {
    "failure": "运行失败 run failed",
    "not_delivered": "数据未按时报送 source not delivered",
    "quality": "质量告警 quality warning",
    "drift": "分类漂移待确认 classification drift held",
    "important": "重要数据候选 IMP candidate",
}


class Message(Protocol):
    """What a channel sends: a subject line, a plain-text body and a markdown body."""

    @property
    def title(self) -> str:
        """The subject line (starts with ``[pubdata] ``)."""
        ...

    def plain(self) -> str:
        """The body as plain text (e-mail)."""
        ...

    def markdown(self) -> str:
        """The body as markdown (group bots)."""
        ...


@dataclass(frozen=True)
class DatasetRef:
    """Which dataset: registry id, title and the department that delivers it."""

    id: str
    title: str
    department: str
    department_title: str | None = None
    owner: str | None = None

    @classmethod
    def of(cls, dataset: Dataset) -> DatasetRef:
        """The reference of a registry entry."""
        return cls(
            id=dataset.id,
            title=dataset.title,
            department=dataset.department,
            department_title=dataset.department_title,
            owner=dataset.owner,
        )

    @property
    def department_label(self) -> str:
        """``市公安局 (public_security)``, or the department id alone."""
        if self.department_title:
            return f"{self.department_title} ({self.department})"
        return self.department


@dataclass(frozen=True)
class RunRef:
    """Which run: DAG id, run id, logical date and a link to the run in the Airflow UI."""

    dag_id: str
    run_id: str
    logical_date: str
    url: str | None = None


@dataclass(frozen=True)
class Alert:
    """One alert about one run of one dataset.

    Attributes:
        kind: what happened (``failure``, ``not_delivered``, ``quality``, ``drift``,
            ``important``).
        severity: how urgent it is.
        dataset: the dataset.
        run: the run.
        headline: one line saying what happened.
        facts: (label, value) pairs: counts, grades, expectation names, reason codes.
        actions: what to do, most useful first (commands a person can paste).
    """

    kind: AlertKind
    severity: Severity
    dataset: DatasetRef
    run: RunRef
    headline: str
    facts: tuple[tuple[str, str], ...] = ()
    actions: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        """The subject line: kind, dataset title and id."""
        return f"[pubdata] {KIND_LABELS[self.kind]}: {self.dataset.title} ({self.dataset.id})"

    def _header(self) -> list[tuple[str, str]]:
        run = self.run
        rows = [
            ("数据集 dataset", f"{self.dataset.title} ({self.dataset.id})"),
            ("部门 department", self.dataset.department_label),
            ("级别 severity", SEVERITY_LABELS[self.severity]),
            ("运行 run", f"{run.dag_id} / {run.run_id}"),
            ("业务日期 logical date", run.logical_date),
        ]
        if run.url:
            rows.append(("Airflow", run.url))
        return rows

    def plain(self) -> str:
        """The alert as plain text (the e-mail body)."""
        lines = [self.title, "", self.headline, ""]
        lines += [f"{label}: {value}" for label, value in (*self._header(), *self.facts)]
        if self.actions:
            lines += ["", "处理 what to do:"]
            lines += [f"  {i}. {action}" for i, action in enumerate(self.actions, 1)]
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        """The alert as markdown (group bots): bold title, one fact per line, numbered actions."""
        run = self.run
        lines = [f"**{self.title}**", "", self.headline, ""]
        for label, value in (*self._header(), *self.facts):
            if label == "Airflow" and run.url:
                value = f"[{run.run_id}]({run.url})"
            lines.append(f"> {label}: {value}")
        if self.actions:
            lines += ["", "**处理 what to do**"]
            lines += [f"{i}. {action}" for i, action in enumerate(self.actions, 1)]
        return "\n".join(lines)
