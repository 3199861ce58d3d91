"""Releases of the sample products over the sample lake: files, manifest, gate, tokens, records."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from etl.audit import Action, read_events
from etl.errors import PolicyError
from etl.integrate import load_domains
from etl.lineage.meta import read_meta
from etl.products import Product, ProductRegistry, load_products
from etl.products.manifest import MANIFEST_FILE, file_sha256
from etl.products.release import destination, release
from etl.products.tokens import find_consumer
from etl.protect.keys import load_token_key
from etl.read import read
from tests.unit.sample_lake import IMPORTANT, SampleLake

DAY = date(2024, 6, 30)
OTHER_CONSUMER = "91420106MA4K00002M"


@pytest.fixture(scope="module")
def products(lake: SampleLake) -> ProductRegistry:
    found = load_products(lake.registry, load_domains(lake.registry))
    assert found.problems == ()
    return found


def sample(products: ProductRegistry, name: str, tmp_path: Path, **changes: object) -> Product:
    """A sample product under a test's own id and folder (the lake is shared by the session)."""
    update: dict[str, object] = {
        "id": f"{name}_{tmp_path.name}"[:64],
        "destination": str(tmp_path / "out"),
    }
    update.update(changes)
    return products.get(name).model_copy(update=update)


def recorded(lake: SampleLake, product: Product) -> list[dict[str, object]]:
    rows = read_meta(lake.settings.lake, "product_releases")
    return rows.filter(pc.equal(rows["product"], product.id)).to_pylist()


def test_an_aggregated_release_suppresses_small_cells(
    lake: SampleLake, products: ProductRegistry, tmp_path: Path
) -> None:
    product = sample(products, "relief_by_district", tmp_path)
    done = release(lake.settings, product, day=DAY, registry=lake.registry)
    assert done.path == tmp_path / "out" / f"{product.id}-2024-06-30"
    cells = pq.read_table(done.path / "relief_payments.parquet")
    assert cells.column_names == ["jzdz", "jzlx", "payments"]
    assert pc.min(cells["payments"]).as_py() >= 10
    assert done.suppressed_cells > 0
    shared = read("relief_payments", settings=lake.settings)
    assert pc.sum(cells["payments"]).as_py() < shared.num_rows  # the suppressed cells' rows
    assert [c.gate for c in done.gate] == ["ceiling", "approval", "suppression"]


def test_a_row_level_release_writes_files_and_manifest_and_records_it(
    lake: SampleLake, products: ProductRegistry, tmp_path: Path
) -> None:
    product = sample(products, "relief_recipients", tmp_path)
    done = release(lake.settings, product, day=DAY, registry=lake.registry)
    manifest = json.loads((done.path / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["product"] == product.id
    assert manifest["consumer"] == {"name": product.consumer.name, "uscc": product.consumer.uscc}
    assert manifest["release_id"] == done.release_id == f"{product.id}-2024-06-30"
    [file] = manifest["files"]
    path = done.path / file["name"]
    assert file["sha256"] == file_sha256(path)
    rows = pq.read_table(path)
    assert file["rows"] == rows.num_rows == done.rows > 0
    assert rows.column_names == ["sfzh", "jzdz", "jzlx", "ffyf"]
    [source] = manifest["sources"]
    assert source["source"] == "relief_payments" and source["zone"] == "shared"
    assert isinstance(source["version"], int)
    assert manifest["k"] == 10 and manifest["suppressed_cells"] == 0
    k_check = manifest["gate"][-1]
    assert k_check["gate"] == "k_anonymity" and k_check["passed"]
    assert k_check["detail"].startswith("10-anonymous over (jzdz)")
    [row] = recorded(lake, product)
    assert row["status"] == "released" and row["rows"] == done.rows and row["files"] == 1
    assert row["manifest_sha256"] == file_sha256(done.path / MANIFEST_FILE)
    # the access log says who released what to whom, without a value
    [event] = [
        e.event
        for e in read_events(lake.settings)
        if e.event.action == Action.RELEASE
        and e.event.origin == f"product {product.id} to {product.consumer.uscc}"
    ]
    assert event.tables == ("shared.social_assistance.relief_payments",)
    assert event.rows == done.rows and set(event.columns) == set(product.read_columns)
    assert json.loads(str(row["source_versions"]))[0]["version"] == source["version"]
    assert not [
        p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")
    ]  # no staging left


def test_a_release_is_made_once_per_product_and_day(
    lake: SampleLake, products: ProductRegistry, tmp_path: Path
) -> None:
    product = sample(products, "relief_recipients", tmp_path)
    first = release(lake.settings, product, day=DAY, registry=lake.registry)
    second = release(lake.settings, product, day=DAY, registry=lake.registry)
    assert second.reused and not first.reused
    assert second.created_at == first.created_at and second.files == first.files
    assert len(recorded(lake, product)) == 1


def test_tokens_are_keyed_per_consumer_and_a_leak_names_its_consumer(
    lake: SampleLake, products: ProductRegistry, tmp_path: Path
) -> None:
    mine = sample(products, "relief_recipients", tmp_path)
    consumer = mine.consumer.model_copy(update={"uscc": OTHER_CONSUMER})
    theirs = mine.model_copy(update={"id": f"{mine.id}_b", "consumer": consumer})
    a = release(lake.settings, mine, day=DAY, registry=lake.registry)
    again = release(lake.settings, mine, day=date(2024, 7, 31), registry=lake.registry)
    b = release(lake.settings, theirs, day=DAY, registry=lake.registry)

    def tokens(done: object) -> set[str]:
        return set(pq.read_table(done.path / "relief_payments.parquet")["sfzh"].to_pylist())  # type: ignore[attr-defined]

    shared = read("relief_payments", columns=["sfzh"], settings=lake.settings)["sfzh"]
    assert tokens(a).isdisjoint(tokens(b))  # two consumers cannot join on person tokens
    assert tokens(a).isdisjoint(shared.to_pylist())  # nor join back to the shared zone
    assert tokens(a) == tokens(again)  # the same consumer's releases join among themselves
    key = load_token_key(lake.settings.home, lake.settings.token_key)
    leaked = sorted(tokens(b))[:20]
    found = find_consumer(leaked, shared, [mine.consumer.uscc, OTHER_CONSUMER], key)
    assert [(m.uscc, m.matched) for m in found] == [(OTHER_CONSUMER, 20)]


def test_a_column_above_the_ceiling_refuses_the_release(
    lake: SampleLake, products: ProductRegistry, tmp_path: Path
) -> None:
    product = sample(products, "relief_recipients", tmp_path, grade_ceiling="L2")
    with pytest.raises(PolicyError) as refused:
        release(lake.settings, product, day=DAY, registry=lake.registry)
    assert str(refused.value) == (
        f"product {product.id}: column relief_payments.sfzh is graded L3, above the product's "
        "ceiling L2 (and 1 more column(s))"
    )
    assert not destination(lake.settings, product).exists()
    [row] = recorded(lake, product)
    assert row["status"] == "refused" and row["error"] == str(refused.value)


def test_a_release_that_is_not_k_anonymous_is_refused_naming_the_combination(
    lake: SampleLake, products: ProductRegistry, tmp_path: Path
) -> None:
    product = sample(products, "relief_recipients", tmp_path, k=11)
    with pytest.raises(PolicyError) as refused:
        release(lake.settings, product, day=DAY, registry=lake.registry)
    assert str(refused.value) == (
        f"product {product.id}: relief_payments is not 11-anonymous over the quasi-identifier "
        "combination (jzdz): its smallest class has 10 row(s)"
    )
    assert "武汉" not in str(refused.value)  # a combination's name, never its values
    assert not destination(lake.settings, product).exists()


def test_an_imp_dataset_without_approval_is_refused(
    lake: SampleLake, products: ProductRegistry, tmp_path: Path
) -> None:
    source = products.get("relief_recipients").sources[0].model_copy(update={"dataset": IMPORTANT})
    product = sample(
        products,
        "relief_recipients",
        tmp_path,
        sources=[source],
        columns=["xmbm", "ysje"],
        filters=[],
    )
    with pytest.raises(PolicyError) as refused:
        release(lake.settings, product, day=DAY, registry=lake.registry)
    assert str(refused.value) == (
        f"product {product.id}: dataset {IMPORTANT} is IMP (重要数据); the product file "
        "records no approval for it (approvals: dataset, document, approved_by, date)"
    )


def test_an_expired_product_is_not_released(
    lake: SampleLake, products: ProductRegistry, tmp_path: Path
) -> None:
    product = sample(products, "relief_recipients", tmp_path, expires=date(2024, 6, 29))
    with pytest.raises(PolicyError) as refused:
        release(lake.settings, product, day=DAY, registry=lake.registry)
    assert str(refused.value) == (
        f"product {product.id} expired on 2024-06-29; no release for 2024-06-30"
    )
    assert recorded(lake, product)[0]["status"] == "refused"
