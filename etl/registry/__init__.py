"""The dataset registry: YAML files under ``PUBDATA_REGISTRY``, one dataset each."""

from etl.registry.alerts import AlertsConfig, AlertsSpec, EmailChannel, WebhookChannel
from etl.registry.loader import Registry, RegistryProblem, load_registry, parse_file
from etl.registry.model import ClassificationSpec, ColumnOverrideSpec, Dataset
from etl.registry.normalize import NormalizeSpec, SchemaChangesSpec
from etl.registry.sources import FileSource, HttpSource, Source, SqlSource

__all__ = [
    "AlertsConfig",
    "AlertsSpec",
    "ClassificationSpec",
    "ColumnOverrideSpec",
    "Dataset",
    "EmailChannel",
    "FileSource",
    "HttpSource",
    "NormalizeSpec",
    "Registry",
    "RegistryProblem",
    "SchemaChangesSpec",
    "Source",
    "SqlSource",
    "WebhookChannel",
    "load_registry",
    "parse_file",
]
