"""How delta-rs and pyarrow reach the lake: a local folder or an ``s3://`` object store.

One place turns :class:`etl.settings.S3Settings` into delta-rs ``storage_options`` and a native
pyarrow filesystem, so writers, readers, DuckDB views and maintenance all talk to the same store
the same way.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pyarrow.fs as pafs

from etl.settings import S3Settings, Settings

S3_SCHEMES = ("s3://", "s3a://")


def is_s3(uri: str) -> bool:
    """Whether ``uri`` names an S3-compatible object store location."""
    return uri.startswith(S3_SCHEMES)


def is_local(uri: str) -> bool:
    """Whether ``uri`` is a local path (plain or ``file://``)."""
    return "://" not in uri or uri.startswith("file://")


def split_s3(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b`` -> ``("bucket", "a/b")`` (the key prefix has no leading slash)."""
    parts = urlsplit(uri)
    return parts.netloc, parts.path.strip("/")


def s3_settings(s3: S3Settings | None = None) -> S3Settings:
    """The object-store settings given, else those of the environment."""
    return s3 if s3 is not None else Settings.from_env().s3


def storage_options(uri: str, s3: S3Settings | None = None) -> dict[str, str] | None:
    """delta-rs ``storage_options`` for ``uri`` (None for local tables and other schemes).

    ``aws_conditional_put=etag`` makes every commit a ``PUT`` with ``If-None-Match: *``: two
    writers racing for the same log version cannot both win, so no DynamoDB lock is needed
    (delta-rs 1.x dropped its DynamoDB log store). It is delta-rs' default for S3 already; it
    is spelled out so a future default cannot silently turn it off. A store that ignores the
    header would lose commits, which :mod:`etl.lake.store_probe` checks before the first one.
    """
    if not is_s3(uri):
        return None
    cfg = s3_settings(s3)
    options = {"AWS_REGION": cfg.region, "aws_conditional_put": "etag"}
    if cfg.endpoint:
        options["AWS_ENDPOINT_URL"] = cfg.endpoint
    if cfg.allow_http:
        options["AWS_ALLOW_HTTP"] = "true"
    options["aws_virtual_hosted_style_request"] = "true" if cfg.virtual_hosted else "false"
    if cfg.access_key_id and cfg.secret_access_key:
        options["AWS_ACCESS_KEY_ID"] = cfg.access_key_id
        options["AWS_SECRET_ACCESS_KEY"] = cfg.secret_access_key
        if cfg.session_token:
            options["AWS_SESSION_TOKEN"] = cfg.session_token
    return options


def s3_filesystem(s3: S3Settings | None = None) -> pafs.S3FileSystem:
    """A native pyarrow S3 filesystem for the configured store."""
    cfg = s3_settings(s3)
    kwargs: dict[str, object] = {
        "region": cfg.region,
        "force_virtual_addressing": cfg.virtual_hosted,
    }
    if cfg.endpoint:
        parts = urlsplit(cfg.endpoint)
        kwargs["endpoint_override"] = parts.netloc + parts.path.rstrip("/")
        kwargs["scheme"] = parts.scheme
    if cfg.access_key_id and cfg.secret_access_key:
        kwargs["access_key"] = cfg.access_key_id
        kwargs["secret_key"] = cfg.secret_access_key
        if cfg.session_token:
            kwargs["session_token"] = cfg.session_token
    return pafs.S3FileSystem(**kwargs)


def filesystem(uri: str, s3: S3Settings | None = None) -> pafs.FileSystem | None:
    """A native pyarrow filesystem rooted at the table ``uri`` (None: let delta-rs choose).

    delta-rs' default reader goes through a Python filesystem handler whose pyarrow I/O threads
    abort the interpreter at exit ("terminate called without an active exception"); a native
    pyarrow filesystem rooted at the table avoids that. S3 tables get pyarrow's own S3
    filesystem with the same settings as the writers, so reads need no Python handler either.
    """
    if is_local(uri):
        return pafs.SubTreeFileSystem(uri.removeprefix("file://"), pafs.LocalFileSystem())
    if is_s3(uri):
        bucket, key = split_s3(uri)
        return pafs.SubTreeFileSystem(f"{bucket}/{key}".rstrip("/"), s3_filesystem(s3))
    return None
