"""Start-up probe: refuse an object store that ignores ``If-None-Match: *``.

Delta commits on S3 are ``PUT`` requests for ``_delta_log/<version>.json`` that must fail when the
version already exists; a store that ignores the precondition lets a second writer overwrite
the first one's commit, and that commit's data is lost without an error. So before the first
commit to an ``s3://`` lake the process writes a probe object twice with ``If-None-Match: *``:
the second write must be refused with HTTP 412. The verdict is cached per endpoint and bucket
for the life of the process.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from etl.errors import ConfigError, TransientError
from etl.lake.storage import split_s3
from etl.settings import S3Settings

log = logging.getLogger(__name__)

#: Where probe objects go, under the lake prefix; they are deleted right after.
PROBE_FOLDER = "_pubdata_probe"

_lock = threading.Lock()
#: (endpoint, bucket) -> the error to raise again, or None when the store passed.
_verdicts: dict[tuple[str, str], ConfigError | None] = {}


def _endpoint_name(s3: S3Settings) -> str:
    return s3.endpoint or f"AWS S3 ({s3.region})"


def _client(s3: S3Settings) -> Any:
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    config = Config(
        region_name=s3.region,
        s3={"addressing_style": "virtual" if s3.virtual_hosted else "path"},
        retries={"max_attempts": 2, "mode": "standard"},
        connect_timeout=5,
        read_timeout=15,
    )
    return boto3.client(
        "s3",
        endpoint_url=s3.endpoint,
        aws_access_key_id=s3.access_key_id,
        aws_secret_access_key=s3.secret_access_key,
        aws_session_token=s3.session_token,
        config=config,
    )


def _status(exc: Exception) -> tuple[int, str]:
    response = getattr(exc, "response", None) or {}
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return status, str(response.get("Error", {}).get("Code") or type(exc).__name__)


def probe(uri: str, s3: S3Settings) -> None:
    """Check once that the store behind ``uri`` refuses a second conditional ``PUT``.

    Args:
        uri: an ``s3://bucket/prefix`` location (the lake root or any table under it).
        s3: how to reach the store.

    Raises:
        ConfigError: the store accepted the second ``PUT`` (it would lose Delta commits), or
            the bucket or credentials are wrong. Cached: later calls raise it again at once.
        TransientError: the store could not be reached; not cached, the next call retries.
    """
    bucket, prefix = split_s3(uri)
    cache_key = (s3.endpoint or "", bucket)
    with _lock:
        if cache_key in _verdicts:
            cached = _verdicts[cache_key]
            if cached is not None:
                raise cached
            return
        verdict = _run(s3, bucket, prefix)
        _verdicts[cache_key] = verdict
    if verdict is not None:
        raise verdict


def _run(s3: S3Settings, bucket: str, prefix: str) -> ConfigError | None:
    from botocore.exceptions import (  # type: ignore[import-untyped]
        BotoCoreError,
        ClientError,
    )

    where = _endpoint_name(s3)
    # Keep the probe beside the lake, never at a table's root: the lake prefix's first segment
    # is enough for the store to apply the same rules as for the tables.
    root = prefix.split("/", 1)[0] if prefix else ""
    key = "/".join(p for p in (root, PROBE_FOLDER, f"{uuid.uuid4().hex}.json") if p)
    client = _client(s3)
    try:
        try:
            client.put_object(Bucket=bucket, Key=key, Body=b"{}", IfNoneMatch="*")
        except ClientError as exc:
            status, code = _status(exc)
            return ConfigError(
                f"the lake's object store {where} refused a conditional PUT to bucket "
                f"{bucket} ({status} {code}): check the bucket, credentials and that it "
                "supports If-None-Match"
            )
        try:
            client.put_object(Bucket=bucket, Key=key, Body=b"{}", IfNoneMatch="*")
        except ClientError as exc:
            status, code = _status(exc)
            if status == 412 or code == "PreconditionFailed":
                log.info("object store %s honours If-None-Match (bucket %s)", where, bucket)
                return None
            return ConfigError(
                f"the lake's object store {where} answered {status} {code} to a second "
                "PUT with If-None-Match: * (expected 412 Precondition Failed); Delta "
                "commits need conditional writes"
            )
        return ConfigError(
            f"the lake's object store {where} ignores If-None-Match: * (a second PUT to "
            f"bucket {bucket} was accepted): concurrent Delta commits would be lost "
            "silently; use a store with conditional writes (AWS S3, MinIO, Cloudflare R2)"
        )
    except BotoCoreError as exc:
        raise TransientError(
            f"cannot reach the lake's object store {where}: {type(exc).__name__}"
        ) from None
    finally:
        try:
            client.delete_object(Bucket=bucket, Key=key)
        except (ClientError, BotoCoreError):
            log.warning("could not delete the probe object %s in bucket %s", key, bucket)


def forget() -> None:
    """Drop cached verdicts (tests; a process that re-points its lake)."""
    with _lock:
        _verdicts.clear()
