"""The only module that touches Great Expectations; it imports GX lazily.

``import great_expectations`` takes seconds, so nothing here imports it at module level: the
first call that needs GX imports it through :func:`gx_module`, which first quiets the
``great_expectations`` logger (GX logs "Skipping registering function ..." at INFO while it
imports, which Airflow's log configuration would otherwise show).

Network: GX 1.24.1 has no usage-statistics client; the ephemeral context is nevertheless created
with ``analytics_enabled=False``, in-memory stores, no data-docs sites and no progress bars, so a
validation neither writes files nor opens connections.
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

GX_LOGGER = "great_expectations"

# Only row indices may come back: never unexpected values, value counts or index queries.
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 0,
    "exclude_unexpected_values": True,
    "include_unexpected_rows": False,
    "return_unexpected_index_query": False,
}

INDEX_META = "pubdata_index"

_EXCEPTION_LINE = re.compile(r"^((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception))(?::|$)")

_MAP_BASES = ("ColumnMapExpectation", "ColumnPairMapExpectation", "MulticolumnMapExpectation")


def gx_module(name: str = "great_expectations") -> ModuleType:
    """Import a Great Expectations module, quieting GX's logger first.

    The ``great_expectations`` logger is set to WARNING unless someone already set its level.

    Args:
        name: the dotted module name.

    Returns:
        The module.
    """
    gx_logger = logging.getLogger(GX_LOGGER)
    if gx_logger.level == logging.NOTSET:
        gx_logger.setLevel(logging.WARNING)
    return importlib.import_module(name)


def expectation_class(kind: str) -> Any | None:
    """The registered GX expectation class for a type name, or None if there is none."""
    gx_module()
    registry = gx_module("great_expectations.expectations.registry")
    exceptions = gx_module("great_expectations.exceptions")
    try:
        return registry.get_expectation_impl(kind)
    except exceptions.ExpectationNotFoundError:
        return None


def is_map_expectation(kind: str) -> bool:
    """Whether GX evaluates this expectation row by row (and can name the failing rows)."""
    cls = expectation_class(kind)
    if cls is None:
        return False
    expectation = gx_module("great_expectations.expectations.expectation")
    return issubclass(cls, tuple(getattr(expectation, base) for base in _MAP_BASES))


class ExpectationProblem(ValueError):
    """GX refuses to build an expectation; the message quotes parameter names only.

    Attributes:
        position: the expectation's position in the list given to :func:`run_suite`.
    """

    def __init__(self, problem: str, position: int = -1) -> None:
        super().__init__(problem)
        self.position = position


def build_expectation(kind: str, kwargs: Mapping[str, Any], meta: Mapping[str, Any]) -> Any:
    """Build a GX expectation object.

    Args:
        kind: the expectation type.
        kwargs: its parameters.
        meta: its ``meta`` dict.

    Returns:
        The expectation.

    Raises:
        ExpectationProblem: unknown type, or kwargs GX rejects.
    """
    cls = expectation_class(kind)
    if cls is None:
        raise ExpectationProblem("unknown expectation type")
    gx_error = gx_module("great_expectations.exceptions").GreatExpectationsError
    try:
        return cls(**kwargs, meta=dict(meta))
    # pydantic's ValidationError is a ValueError; some GX validators raise GX's own config error
    except (ValueError, TypeError, gx_error) as exc:
        raise ExpectationProblem(_describe(exc)) from exc


def check_expectation(kind: str, kwargs: Mapping[str, Any]) -> str | None:
    """Check an expectation type and its kwargs the way GX does when building it.

    Args:
        kind: the expectation type.
        kwargs: its parameters.

    Returns:
        None if GX accepts them, else a one-line description of the problem (parameter names
        and GX's messages, which quote no data).
    """
    try:
        build_expectation(kind, kwargs, {})
    except ExpectationProblem as exc:
        return str(exc)
    return None


def _describe(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        parts = []
        for error in errors():
            loc = ".".join(str(p) for p in error.get("loc", ()) if p != "__root__")
            msg = str(error.get("msg", "invalid"))
            if msg == "field required":
                msg = "missing kwarg"
            elif msg == "extra fields not permitted":
                msg = "unknown kwarg"
            parts.append(f"{msg} {loc!r}" if loc else msg)
        return "; ".join(dict.fromkeys(parts)) or type(exc).__name__
    return f"invalid kwargs ({type(exc).__name__}: {exc})"


@dataclass(frozen=True)
class RawResult:
    """What GX returned for one expectation, before scrubbing.

    Attributes:
        success: GX's verdict.
        result: GX's ``result`` dict (counts, index lists, maybe an observed value).
        exception: the class name of the exception GX caught, or None.
    """

    success: bool
    result: Mapping[str, Any]
    exception: str | None


def _skip_batch_fingerprint() -> None:
    """Stop GX from hashing every DataFrame it is given.

    GX 1.24's pandas engine fingerprints each batch with ``pd.util.hash_pandas_object`` for its
    batch markers, but only below ``HASH_THRESHOLD`` bytes (1 GB): above that it already skips
    the hash as too costly. Nothing here reads the markers, and the hash costs as much as the
    expectations themselves (~3 s per 1M rows of 15 columns), so the threshold is set to 0:
    GX's own large-frame path, taken for every frame. Results are unchanged.
    """
    engine = gx_module("great_expectations.execution_engine.pandas_execution_engine")
    setattr(engine, "HASH_THRESHOLD", 0)  # noqa: B010 (a module constant, set once)


def new_context() -> Any:
    """An ephemeral, in-memory GX context with analytics and progress bars off."""
    gx = gx_module()
    base = gx_module("great_expectations.data_context.types.base")
    config = base.DataContextConfig(
        store_backend_defaults=base.InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=base.ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


@functools.cache
def _whole_frame() -> Any:
    """The batch definition every validation gets its batch from: one context per process.

    A context and its pandas data source are built once (a validation batch after batch, or a
    forked worker's many batches, reuse them); each validation passes its own DataFrame.
    """
    _skip_batch_fingerprint()
    return (
        new_context()
        .data_sources.add_pandas("pubdata")
        .add_dataframe_asset("table")
        .add_batch_definition_whole_dataframe("whole")
    )


def run_suite(
    frame: Any, suite_name: str, expectations: Sequence[tuple[str, Mapping[str, Any]]]
) -> dict[int, RawResult]:
    """Validate a pandas DataFrame against expectations (in the process's one GX context).

    Args:
        frame: the pandas DataFrame, with a default ``RangeIndex`` (row positions).
        suite_name: the suite's name.
        expectations: ``(type, kwargs)`` pairs, already checked.

    Returns:
        The raw results keyed by the expectation's position in ``expectations``.

    Raises:
        ExpectationProblem: GX refuses to build one of the expectations.
    """
    gx = gx_module()
    batch = _whole_frame().get_batch(batch_parameters={"dataframe": frame})
    built = []
    for position, (kind, kwargs) in enumerate(expectations):
        try:
            built.append(build_expectation(kind, kwargs, {INDEX_META: position}))
        except ExpectationProblem as exc:
            exc.position = position
            raise
    suite = gx.ExpectationSuite(name=suite_name, expectations=built)
    validation = batch.validate(suite, result_format=dict(RESULT_FORMAT))
    raw: dict[int, RawResult] = {}
    for result in validation.results:
        index = (result.expectation_config.meta or {}).get(INDEX_META)
        if isinstance(index, int):
            raw[index] = RawResult(
                success=bool(result.success),
                result=dict(result.result or {}),
                exception=_exception_name(result.exception_info or {}),
            )
    return raw


def _exception_name(info: Mapping[str, Any]) -> str | None:
    """The class name of the exception GX caught, without its message (it may quote data).

    GX wraps failures in ``MetricResolutionError``; the root cause is the first exception line
    of the traceback. Only names that look like exception classes are returned, so a line of a
    multi-line message can never be taken for one.
    """
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, Mapping) and entry.get("raised_exception"):
            traceback = str(entry.get("exception_traceback") or "")
            for line in traceback.splitlines():
                match = _EXCEPTION_LINE.match(line)
                if match:
                    return match.group(1).rsplit(".", 1)[-1]
            return "Exception"
    return None
