"""Products over the sample lake with releases made: for the CLI, the status and the UI tests.

A copy of the sample lake's registry holds four products (ids under a prefix, so each test module
records its own rows in the session's shared ``_meta.product_releases``):

- ``<prefix>_district``: aggregated, authorised 2024-05-20, expires 2099: released for
  2024-06-30, 2024-12-31 and 2025-01-31;
- ``<prefix>_recipients``: row level, authorised 2024-05-28, expired 2025-06-30: released for
  2024-06-30;
- ``<prefix>_strict``: row level with k=1000, authorised 2024-06-01, expires 2099: refused by
  the k-anonymity check for 2024-07-31;
- ``<prefix>_later``: authorised 2025-03-01, expires 2099, never released.
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from etl.errors import PolicyError
from etl.integrate import load_domains
from etl.products import Product, load_products
from etl.products.manifest import Release
from etl.products.release import release
from etl.registry import Registry, load_registry
from etl.registry.loader import PRODUCTS_FOLDER
from etl.settings import Settings
from tests.unit.sample_lake import SampleLake

FAR = date(2099, 12, 31)
DISTRICT_DAYS = (date(2024, 6, 30), date(2024, 12, 31), date(2025, 1, 31))
RECIPIENTS_DAY = date(2024, 6, 30)
STRICT_DAY = date(2024, 7, 31)


@dataclass(frozen=True)
class Released:
    """The settings (own registry and home, the sample lake), products and releases made."""

    settings: Settings
    registry: Registry
    products: dict[str, Product]
    releases: dict[str, list[Release]]
    refusal: str

    def env(self) -> dict[str, str]:
        """The environment a ``pubdata`` command needs to see these."""
        return {
            "PUBDATA_HOME": str(self.settings.home),
            "PUBDATA_REGISTRY": str(self.settings.registry),
            "PUBDATA_LAKE": self.settings.lake,
            "PUBDATA_TOKEN_KEY": str(self.settings.token_key),
        }


def _write(folder: Path, name: str, document: dict[str, Any]) -> None:
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def _documents(root: Path) -> dict[str, dict[str, Any]]:
    samples = root / PRODUCTS_FOLDER
    district = yaml.safe_load((samples / "relief_by_district.yaml").read_text(encoding="utf-8"))
    rows = yaml.safe_load((samples / "relief_recipients.yaml").read_text(encoding="utf-8"))
    strict_authorisation = {"document": "武数授〔2024〕20号", "approved_by": "市数据局"}
    later_authorisation = {"document": "武数授〔2025〕3号", "approved_by": "市数据局"}
    return {
        "district": {**district, "expires": FAR},
        "recipients": rows,
        "strict": {
            **rows,
            "k": 1000,
            "authorisation": {**strict_authorisation, "date": date(2024, 6, 1)},
            "expires": FAR,
        },
        "later": {
            **district,
            "consumer": {"name": "武汉某某数据科技有限公司", "uscc": "91420100MA4K00001U"},
            "authorisation": {**later_authorisation, "date": date(2025, 3, 1)},
            "expires": FAR,
        },
    }


def build_released(lake: SampleLake, root: Path, prefix: str) -> Released:
    """Copy the registry, write the four products, make their releases and the refusal."""
    registry_root = root / "registry"
    shutil.copytree(lake.registry.root, registry_root)
    folder = registry_root / PRODUCTS_FOLDER
    documents = _documents(registry_root)
    shutil.rmtree(folder)
    folder.mkdir()
    for name, document in documents.items():
        document.update(id=f"{prefix}_{name}", destination=str(root / "out" / name))
        _write(folder, name, document)
    settings = dataclasses.replace(
        lake.settings, home=root / "home", registry=registry_root, access=None
    )
    registry = load_registry(registry_root)
    found = load_products(registry, load_domains(registry))
    assert found.problems == (), found.problems
    products = {name: found.get(f"{prefix}_{name}") for name in documents}
    releases = {
        "district": [
            release(settings, products["district"], day=d, registry=registry) for d in DISTRICT_DAYS
        ],
        "recipients": [
            release(settings, products["recipients"], day=RECIPIENTS_DAY, registry=registry)
        ],
    }
    try:
        release(settings, products["strict"], day=STRICT_DAY, registry=registry)
    except PolicyError as exc:
        refusal = exc.message
    else:  # pragma: no cover - the fixture needs its refusal
        raise AssertionError("the strict product was released")
    return Released(settings, registry, products, releases, refusal)
