"""The dataset registry: YAML files under ``PUBDATA_REGISTRY``, one dataset each."""

from etl.registry.loader import Registry, RegistryProblem, load_registry, parse_file
from etl.registry.model import ClassificationSpec, ColumnOverrideSpec, Dataset, FileSource

__all__ = [
    "ClassificationSpec",
    "ColumnOverrideSpec",
    "Dataset",
    "FileSource",
    "Registry",
    "RegistryProblem",
    "load_registry",
    "parse_file",
]
