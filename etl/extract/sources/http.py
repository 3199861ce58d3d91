"""HTTP JSON API sources (the exchange platform pattern), with the standard library only.

One part per page, fetched when the reader asks for it. Pagination by page number, offset or
cursor (a dotted JSON path to the next cursor); records at a dotted path; nested objects
flattened like JSON files. 429, 408 and
5xx answers and network errors are retried with exponential backoff (``Retry-After`` honoured,
both bounded by ``max_backoff_seconds``); any other 4xx fails at once with one line naming the
endpoint and the status. Response bodies never reach logs or messages, and the connection's
headers (auth) are not forwarded on redirects.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import logging
import time as clock
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from etl.errors import ConfigError, DataError, TransientError
from etl.extract._records import records_at, records_table
from etl.extract._table import check_reserved
from etl.extract.connections import ConnectionResolver, HttpTarget
from etl.extract.fingerprint import SourceFingerprint
from etl.extract.sources import ReadRequest, SourcePart, WholePart
from etl.local_time import UTC_ZONE, day_start
from etl.registry.sources import (
    CursorPagination,
    HttpSource,
    OffsetPagination,
    PagePagination,
    Source,
)
from etl.settings import DEFAULT_BATCH_ROWS

logger = logging.getLogger(__name__)

Sleep = Callable[[float], None]
RETRIABLE = frozenset({408, 429, 500, 502, 503, 504})
_USER_AGENT = "pubdata-extract"


@dataclass(frozen=True)
class _Page:
    query: dict[str, str]
    body: bytes
    charset: str
    records: list[object]


def fill(
    text: str,
    logical_date: date,
    interval: tuple[datetime, datetime] | None,
    tz: ZoneInfo = UTC_ZONE,
) -> str:
    """Fill ``{ds}``, ``{ds_nodash}``, ``{start}``, ``{end}`` (ISO 8601) in a registry string.

    Without an interval, ``{start}``/``{end}`` are the logical date's day in ``tz`` (the
    pipeline's zone: a logical date is a local day).
    """
    if interval is None:
        interval = (day_start(logical_date, tz), day_start(logical_date + timedelta(days=1), tz))
    values = {
        "{ds}": logical_date.isoformat(),
        "{ds_nodash}": logical_date.strftime("%Y%m%d"),
        "{start}": interval[0].isoformat(),
        "{end}": interval[1].isoformat(),
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


class _Client:
    """GET with retries; knows the source's limits and the connection's secret parts."""

    def __init__(self, source: HttpSource, target: HttpTarget, where: str, sleep: Sleep) -> None:
        self.source, self.target, self.where, self.sleep = source, target, where, sleep
        self.opener = urllib.request.build_opener()

    def _wait(self, attempt: int, hint: float | None, why: str) -> None:
        limit = self.source.max_backoff_seconds
        delay = min(limit, hint if hint is not None else self.source.backoff_seconds * 2**attempt)
        logger.warning(
            "%s: %s; retry %d of %d in %.1fs",
            self.where,
            why,
            attempt + 1,
            self.source.retries,
            delay,
        )
        self.sleep(delay)

    def get(self, url: str, page: int) -> tuple[bytes, str]:
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": _USER_AGENT}
        )
        for name, value in self.target.headers.items():
            request.add_unredirected_header(name, value)
        attempt = 0
        while True:
            exhausted = attempt >= self.source.retries
            try:
                with self.opener.open(request, timeout=self.source.timeout_seconds) as response:
                    charset = response.headers.get_content_charset() or "utf-8"
                    return bytes(response.read()), charset
            except urllib.error.HTTPError as error:
                status, hint = error.code, _retry_after(error.headers.get("Retry-After"))
                error.close()
                if status not in RETRIABLE:
                    raise ConfigError(
                        f"{self.where} page {page}: HTTP {status}"
                        f" ({http.client.responses.get(status, 'error')}); not retried"
                    ) from None
                if exhausted:
                    raise TransientError(
                        f"{self.where} page {page}: HTTP {status} after {attempt + 1} attempts"
                    ) from None
                self._wait(attempt, hint, f"HTTP {status}")
            except (
                urllib.error.URLError,
                TimeoutError,
                ConnectionError,
                http.client.HTTPException,
            ) as error:
                kind = type(getattr(error, "reason", None) or error).__name__
                if exhausted:
                    raise TransientError(
                        f"{self.where} page {page}: {kind} after {attempt + 1} attempts"
                    ) from None
                self._wait(attempt, None, kind)
            attempt += 1


def _decode(body: bytes, charset: str, where: str) -> object:
    try:
        text = body.decode("utf-8-sig" if charset.lower().replace("_", "-") == "utf-8" else charset)
        return json.loads(text)
    except (UnicodeDecodeError, LookupError):
        raise DataError(f"{where}: the response cannot be decoded as {charset}") from None
    except json.JSONDecodeError as error:
        raise DataError(f"{where}: the response is not valid JSON (line {error.lineno})") from None


def _lookup(document: object, path: str) -> object:
    node = document
    for key in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _paging(source: HttpSource) -> Iterator[dict[str, str]]:
    """Pagination parameters of page-number and offset paging (cursor paging is driven apart)."""
    paging = source.pagination
    if isinstance(paging, PagePagination):
        page = paging.first_page
        while True:
            yield {paging.page_param: str(page), paging.size_param: str(paging.size)}
            page += 1
    elif isinstance(paging, OffsetPagination):
        offset = 0
        while True:
            yield {paging.offset_param: str(offset), paging.limit_param: str(paging.limit)}
            offset += paging.limit
    else:
        while True:
            yield {}


def _page_size(source: HttpSource) -> int | None:
    """How many records a full page holds (None for cursor paging or none)."""
    if isinstance(source.pagination, PagePagination):
        return source.pagination.size
    if isinstance(source.pagination, OffsetPagination):
        return source.pagination.limit
    return None


def _pages(
    source: HttpSource, client: _Client, base: str, params: dict[str, str]
) -> Iterator[_Page]:
    paging = source.pagination
    size = _page_size(source)
    cursor: str | None = None
    previous: bytes | None = None
    pages = _paging(source)
    for number in range(1, source.max_pages + 1):
        query = {**params, **next(pages)}
        if isinstance(paging, CursorPagination):
            if paging.size_param and paging.size:
                query[paging.size_param] = str(paging.size)
            if cursor is not None:
                query[paging.cursor_param] = cursor
        sent = {**query, **client.target.params}
        url = f"{base}?{urlencode(sent)}" if sent else base
        body, charset = client.get(url, number)
        where = f"{client.where} page {number}"
        document = _decode(body, charset, where)
        records = records_at(document, source.records, where)
        if previous is not None and body == previous and records:
            raise DataError(
                f"{where}: same response as the page before; pagination does not advance"
            )
        previous = body
        yield _Page(query, body, charset, records)
        if paging is None:
            return
        if isinstance(paging, CursorPagination):
            following = _lookup(document, paging.next)
            if following in (None, "") or str(following) == cursor:
                return
            cursor = str(following)
        elif size is not None and len(records) < size:
            return
    raise DataError(
        f"{client.where}: more than {source.max_pages} pages; raise max_pages if expected"
    )


def open_parts(source: Source, request: ReadRequest) -> Iterator[SourcePart]:
    """Fetch the pages of an HTTP source as they are read, one part per page.

    Raises:
        ConfigError: a 4xx answer other than 408/429 (names the endpoint and status).
        TransientError: retries exhausted on 429/5xx or network errors.
        DataError: a response that is not JSON, has no records array, does not paginate, or a
            reserved column name.
    """
    if not isinstance(source, HttpSource):
        raise ConfigError(f"the http source kind cannot read a {source.kind} source")
    yield from read_http_parts(
        source,
        logical_date=request.logical_date,
        interval=request.interval,
        connections=request.resolver(source.kind, source.conn_id),
        batch_rows=request.batch_rows,
        zone=ZoneInfo(request.timezone),
    )


def read_http_parts(
    source: HttpSource,
    *,
    logical_date: date,
    interval: tuple[datetime, datetime] | None,
    connections: ConnectionResolver,
    sleep: Sleep = clock.sleep,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    zone: ZoneInfo = UTC_ZONE,
) -> Iterator[WholePart]:
    """Fetch every page of an HTTP source, one part per page, each page when it is wanted.

    A page is one JSON document, parsed whole (its size is the API's page size); the next page
    is requested only once the part before it has been taken.

    Args:
        source: the registry's http source.
        logical_date: the run's logical date (``{ds}``, ``{ds_nodash}``).
        interval: the run's data interval (``{start}``, ``{end}``); None: the logical date's
            day in ``zone``.
        zone: the pipeline's zone (``Settings.zone``).
        connections: resolves ``source.conn_id`` to a base URL and auth headers.
        sleep: how to wait between retries (tests pass a recorder).
        batch_rows: the most rows per batch of a page.

    Yields:
        One part per page: its records as strings, a fingerprint with the page's sha256.

    Raises:
        ConfigError: a 4xx answer other than 408/429 (names the endpoint and status).
        TransientError: retries exhausted on 429/5xx or network errors.
        DataError: a response that is not JSON, has no records array, or does not paginate.
    """
    target = connections.http_target(source.conn_id)
    endpoint = fill(source.endpoint, logical_date, interval, zone)
    where = f"{source.conn_id}:{endpoint}"
    client = _Client(source, target, where, sleep)
    params = {
        key: fill(value, logical_date, interval, zone) for key, value in source.params.items()
    }
    base = f"{target.base_url}/{endpoint.lstrip('/')}"
    for page in _pages(source, client, base, params):
        shown = f"{where}?{urlencode(page.query)}" if page.query else where
        table = records_table(page.records, shown)
        fingerprint = SourceFingerprint(
            uri=f"{base}?{urlencode(page.query)}" if page.query else base,
            relative_path=shown,
            sha256=hashlib.sha256(page.body).hexdigest(),
            bytes=len(page.body),
            encoding=page.charset,
            format="json",
            rows=table.num_rows,
            kind="http",
        )
        # an API's own columns may not take a name the pipeline writes
        check_reserved(table.column_names, shown)
        logger.info("read %s: %d records", shown, table.num_rows)
        yield WholePart(table, fingerprint, batch_rows=batch_rows)
