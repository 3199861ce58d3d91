"""How delta-rs and pyarrow reach the lake: a local folder or an ``s3://`` object store.

One place turns :class:`etl.settings.S3Settings` into delta-rs ``storage_options`` and a native
pyarrow filesystem, so writers, readers, DuckDB views and maintenance all talk to the same store
the same way. Each zone may live in its own location with its own keys
(:meth:`etl.settings.Settings.zone_store`); a table's URI picks the keys of the zone holding it,
so the store itself refuses a process whose keys do not reach that zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyarrow.fs as pafs

from etl.errors import StoreRefused
from etl.settings import S3Settings, Settings
from etl.zones import Zone

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


@dataclass(frozen=True)
class ZoneLocation:
    """Where one zone lives and how delta-rs reaches it.

    Attributes:
        zone: the zone.
        uri: the zone's root URI; its tables are below it (:mod:`etl.lake.layout`).
        storage_options: delta-rs options with the zone's keys (None: a local folder).
            Never shown.
    """

    zone: Zone
    uri: str
    storage_options: dict[str, str] | None = field(repr=False)


def zone_location(settings: Settings, zone: Zone) -> ZoneLocation:
    """The location of ``zone`` and the storage options with its keys.

    Table URIs below it come from :mod:`etl.lake.layout` (given the same settings); delta-rs and
    pyarrow reach each with the keys of the zone holding it (:func:`storage_options`).
    """
    store = settings.zone_store(zone)
    return ZoneLocation(zone, store.root, storage_options(store.root, store.s3))


#: What the stores' and clients' messages say when the keys do not reach an object: S3's
#: ``AccessDenied`` (403), as delta-rs (object_store) and pyarrow's S3 filesystem word it.
_REFUSALS = ("AccessDenied", "ACCESS_DENIED", "lacked the necessary privileges", "403 Forbidden")


def refusal(uri: str, exc: BaseException) -> StoreRefused | None:
    """The one-line error for a store's refusal of ``uri`` (None: ``exc`` is another error).

    The message names the zone holding the table and the table's URI; the store's own text
    (request ids, the XML body) is left out.
    """
    if not is_s3(uri) or not any(word in str(exc) for word in _REFUSALS):
        return None
    store = Settings.from_env().store_of(uri)
    where = f"the {store.zone} zone's table" if store is not None else "the table"
    return StoreRefused(
        f"the object store refused this process's keys on {where} {uri} (AccessDenied)"
    )


def s3_settings(s3: S3Settings | None = None, uri: str | None = None) -> S3Settings:
    """The object-store settings given, else those of the environment that reach ``uri``.

    Without settings given, the keys are those of the zone holding ``uri``
    (``PUBDATA_S3_<ZONE>_*``), else the lake's.
    """
    if s3 is not None:
        return s3
    env = Settings.from_env()
    return env.s3_for(uri) if uri is not None else env.s3


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
    cfg = s3_settings(s3, uri)
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
        return pafs.SubTreeFileSystem(
            f"{bucket}/{key}".rstrip("/"), s3_filesystem(s3_settings(s3, uri))
        )
    return None
