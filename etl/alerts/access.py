"""Alerts about unusual reads: the access log's findings (:mod:`etl.audit.rules`).

An access alert names the rule, the principal, the window and the counts; never a value, a
token or a query. It goes to the channels of ``alerts.yaml``'s ``audit.channels``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from etl.alerts.dispatch import Delivery, Sender, deliver_to, send_message
from etl.audit.rules import RULE_LABELS, Finding
from etl.extract.connections import FieldsResolver
from etl.registry.alerts import AlertsConfig

#: The kind of an access alert (in logs and deliveries).
KIND = "access"


@dataclass(frozen=True)
class AccessAlert:
    """One finding as a message for the alert channels.

    Attributes:
        finding: what was found.
        tz: the zone its window is shown in.
    """

    finding: Finding
    tz: ZoneInfo

    @property
    def title(self) -> str:
        """The subject line: rule and principal."""
        rule = RULE_LABELS[self.finding.rule]
        return f"[pubdata] 访问审计 access audit: {rule}: {self.finding.principal}"

    def _facts(self) -> list[tuple[str, str]]:
        f = self.finding
        start = f.start.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
        end = f.end.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
        return [
            ("主体 principal", f.principal),
            ("规则 rule", f"{RULE_LABELS[f.rule]} ({f.rule})"),
            ("时段 window", f"{start} – {end} ({self.tz.key})"),
            ("读取次数 reads", str(f.events)),
            ("行数 rows" if f.rule != "token_lookups" else "查询次数 look-ups", str(f.rows)),
            ("说明 detail", f.detail),
        ]

    def _actions(self) -> list[str]:
        since = self.finding.start.astimezone(self.tz).date().isoformat()
        return [f"pubdata audit --principal {self.finding.principal} --since {since}"]

    def plain(self) -> str:
        """The alert as plain text (the e-mail body)."""
        lines = [self.title, "", *(f"{label}: {value}" for label, value in self._facts())]
        lines += ["", "处理 what to do:"]
        lines += [f"  {i}. {action}" for i, action in enumerate(self._actions(), 1)]
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        """The alert as markdown (group bots)."""
        lines = [f"**{self.title}**", ""]
        lines += [f"> {label}: {value}" for label, value in self._facts()]
        lines += ["", "**处理 what to do**"]
        lines += [f"{i}. `{action}`" for i, action in enumerate(self._actions(), 1)]
        return "\n".join(lines)


def deliver_findings(
    findings: Sequence[Finding],
    config: AlertsConfig,
    connections: FieldsResolver,
    tz: ZoneInfo,
    *,
    send: Sender = send_message,
) -> list[list[Delivery]]:
    """Send each finding to ``config.audit.channels``; never raises for a channel's trouble.

    Returns:
        Per finding, one :class:`Delivery` per channel (none without channels).
    """
    channels = list(dict.fromkeys(config.audit.channels))
    return [
        [
            deliver_to(AccessAlert(f, tz), KIND, f.principal, name, config, connections, send)
            for name in channels
        ]
        for f in findings
    ]
