"""The dataset registry: YAML files under ``PUBDATA_REGISTRY``, one dataset each."""

from etl.registry.loader import Registry, RegistryProblem, load_registry, parse_file
from etl.registry.model import ClassificationSpec, ColumnOverrideSpec, Dataset
from etl.registry.normalize import NormalizeSpec, SchemaChangesSpec
from etl.registry.sources import FileSource, HttpSource, Source, SqlSource

__all__ = [
    "ClassificationSpec",
    "ColumnOverrideSpec",
    "Dataset",
    "FileSource",
    "HttpSource",
    "NormalizeSpec",
    "Registry",
    "RegistryProblem",
    "SchemaChangesSpec",
    "Source",
    "SqlSource",
    "load_registry",
    "parse_file",
]
