"""``pubdata audit``: who read what (the access log), its chain check, and its anomaly rules.

- ``pubdata audit [--principal P] [--dataset D] [--since ISO|Nd] [--json]``: the reads;
- ``pubdata audit verify``: exit 0 with the row count and head hash when the chain holds,
  exit 1 with one line naming the first broken ``seq`` when it does not;
- ``pubdata audit check [--since ISO|Nd] [--json]``: evaluate the rules, alert new findings
  through ``alerts.yaml``'s ``audit.channels``, record them so they alert once.

Only the pipeline's own OS user reads the log and raises its alerts (the log says who read
what, which is not every reader's business); ``verify`` shows only counts and a hash.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from etl.cli.output import emit, parse_instant, say
from etl.cli.table import render
from etl.errors import PolicyError
from etl.settings import Settings

if TYPE_CHECKING:
    from etl.audit import AccessEvent

_DAYS = re.compile(r"^(\d{1,4})d$")


def since_instant(
    text: str | None, settings: Settings, now: datetime | None = None
) -> datetime | None:
    """``--since``: ``Nd`` (N days before now) or an ISO-8601 time (local without an offset).

    Raises:
        ConfigError: neither form.
    """
    if text is None:
        return None
    days = _DAYS.match(text.strip())
    if days:
        return (now or datetime.now(UTC)) - timedelta(days=int(days.group(1)))
    return parse_instant(text, settings.zone, "--since").astimezone(UTC)


def _pipeline_only(settings: Settings, what: str) -> None:
    from etl.access import current_principal

    principal = current_principal(settings)
    if not principal.is_pipeline:
        raise PolicyError(
            f"principal {principal.name} may not {what}; only the pipeline's own user reads "
            "the access log"
        )


def _of_dataset(tables: tuple[str, ...], dataset: str) -> bool:
    names = {table.rsplit(".", 1)[-1] for table in tables}
    return dataset in names or f"{dataset}__quarantine" in names


def _collect_served(settings: Settings) -> None:
    """Bring the SQL endpoint's captured reads into the log first (when one is configured)."""
    if settings.serve_url is None:
        return
    from etl.serve import record_served_reads

    record_served_reads(settings)


def cmd_audit(settings: Settings, args: argparse.Namespace) -> int:
    """List the recorded reads, newest last, filtered by principal, dataset and time."""
    from etl.audit import read_events

    _pipeline_only(settings, "read the access log")
    _collect_served(settings)
    since = since_instant(args.since, settings)
    shown = [
        e
        for e in read_events(settings)
        if (args.principal is None or e.event.principal == args.principal)
        and (args.dataset is None or _of_dataset(e.event.tables, args.dataset))
        and (since is None or e.event.at >= since)
    ]
    if args.json:
        emit([_event_doc(e.seq, e.event) for e in shown])
        return 0
    if not shown:
        say("no reads recorded" + (" that match" if args.principal or args.dataset else ""))
        return 0
    rows = [
        [
            e.event.at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M:%S"),
            e.event.principal,
            e.event.action,
            ", ".join(e.event.tables),
            "" if e.event.rows is None else e.event.rows,
            e.event.purpose or "",
            e.event.origin,
        ]
        for e in shown
    ]
    headers = ["when", "principal", "action", "tables", "rows", "purpose", "origin"]
    say(render(headers, rows))
    return 0


def _event_doc(seq: int, event: AccessEvent) -> dict[str, Any]:
    return {"seq": seq, **event.fields(), "at": event.at.isoformat()}


def cmd_verify(settings: Settings, args: argparse.Namespace) -> int:
    """Check the chain: exit 0 when intact, 1 naming the first broken seq."""
    from etl.audit import verify_chain

    report = verify_chain(settings)
    if args.json:
        emit(
            {
                "ok": report.ok,
                "rows": report.rows,
                "head_seq": report.head_seq,
                "head_hash": report.head_hash,
                "broken_seq": report.broken_seq,
                "problem": report.problem,
            }
        )
    elif report.ok:
        say(f"access log intact: {report.rows} rows, head seq {report.head_seq} {report.head_hash}")
    else:
        say(f"access log broken at seq {report.broken_seq}: {report.problem}")
    return 0 if report.ok else 1


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    """Evaluate the rules, alert and record the findings not raised before."""
    from etl.alerts.access import deliver_findings
    from etl.audit import evaluate, read_events
    from etl.audit.findings import record_findings, recorded_findings, unrecorded
    from etl.audit.tokens import token_columns
    from etl.extract.connections import EnvConnections
    from etl.registry.loader import parse_alerts
    from etl.registry.problems import raise_for

    _pipeline_only(settings, "check the access log")
    _collect_served(settings)
    config, problems = parse_alerts(settings.registry)
    raise_for(problems)
    events = [e.event for e in read_events(settings)]
    found = evaluate(
        events,
        config.audit.rules,
        token_columns(settings.lake),
        settings.zone,
        since_instant(args.check_since or args.since, settings),
    )
    fresh = unrecorded(found, recorded_findings(settings))
    deliveries = deliver_findings(
        fresh, config, EnvConnections(settings.connections), settings.zone
    )
    states = [", ".join(f"{d.channel}:{d.status}" for d in sent) for sent in deliveries]
    record_findings(settings, list(zip(fresh, states, strict=True)))
    docs = [
        {
            "rule": str(f.rule),
            "principal": f.principal,
            "start": f.start.isoformat(),
            "end": f.end.isoformat(),
            "events": f.events,
            "rows": f.rows,
            "detail": f.detail,
            "delivery": state,
        }
        for f, state in zip(fresh, states, strict=True)
    ]
    if args.json:
        emit({"findings": docs, "already_raised": len(found) - len(fresh)})
        return 0
    if not fresh:
        say(f"no new findings ({len(found)} already raised)")
        return 0
    rows = [
        [
            f.rule,
            f.principal,
            f.start.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M"),
            f.events,
            f.rows,
            state or "no channel",
        ]
        for f, state in zip(fresh, states, strict=True)
    ]
    say(render(["rule", "principal", "from", "reads", "rows", "alert"], rows))
    return 0


def register(sub: Any) -> None:
    """Add ``pubdata audit`` (with ``verify`` and ``check``) to the command parser."""
    since_help = "only reads from this time: ISO-8601 (local time without an offset) or Nd"
    cmd = sub.add_parser(
        "audit",
        help="who read what (access log), its chain check and anomaly rules",
        description=(
            "Every read of the lake is recorded in the hash-chained _meta.access_log: who, "
            "when, how, which tables and columns, rows returned, purpose, origin; never a "
            "value. Without a subcommand: list the reads (the pipeline's own user only)."
        ),
    )
    cmd.add_argument("--principal", help="only this principal's reads (os:<login>, a name)")
    cmd.add_argument("--dataset", help="only reads of this dataset's tables")
    cmd.add_argument("--since", help=since_help)
    cmd.add_argument("--json", action="store_true", help="JSON for machines")
    cmd.set_defaults(func=cmd_audit)
    audit_sub = cmd.add_subparsers(dest="audit_command")
    verify = audit_sub.add_parser(
        "verify",
        help="check the access log's hash chain",
        description=(
            "Exit 0 with the row count and head hash when every row follows its predecessor; "
            "exit 1 with one line naming the first broken seq (a row changed, removed, "
            "inserted or reordered)."
        ),
    )
    verify.add_argument("--json", action="store_true", help="JSON for machines")
    verify.set_defaults(func=cmd_verify)
    check = audit_sub.add_parser(
        "check",
        help="evaluate the anomaly rules and alert new findings",
        description=(
            "Rules: bulk reads of tokenized identifiers, reads outside working hours, a "
            "principal's day far above its baseline, repeated single-token look-ups. "
            "Thresholds and channels: the audit section of the registry's alerts.yaml. New "
            "findings go to audit.channels and are recorded in _meta.access_findings, so the "
            "next check does not raise them again."
        ),
    )
    check.add_argument("--since", dest="check_since", help="only findings from this time")
    check.add_argument("--json", action="store_true", help="JSON for machines")
    check.set_defaults(func=cmd_check)
