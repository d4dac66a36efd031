"""``pricing-service seed --products N``: realistic, valid, idempotent demo products."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pricing_service.cli import main
from pricing_service.pricing.models import Product
from pricing_service.pricing.money import ISO_4217
from pricing_service.pricing.schemas import MarketplaceItemId, Sku, Title


@pytest.fixture
def seed_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("LOG_FORMAT", "json")


def count(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(Product)) or 0)


@pytest.mark.usefixtures("seed_env")
def test_seed_creates_valid_products_and_is_idempotent(
    db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed", "--products", "30"]) == 0
    assert "seeded 30 demo product(s); 0 of the 30 already existed" in capsys.readouterr().out
    assert count(db) == 30
    products = db.scalars(select(Product)).all()
    for product in products:
        TypeAdapter(Sku).validate_python(product.sku)
        TypeAdapter(Title).validate_python(product.title)
        TypeAdapter(MarketplaceItemId).validate_python(product.marketplace_item_id)
        assert product.currency in ISO_4217
        assert 0 < product.cost < product.min_price <= product.price <= product.max_price
        assert product.pending_sync_since is None
        assert product.version == 1
    assert len({p.marketplace_item_id for p in products}) == 30

    assert main(["seed", "--products", "35"]) == 0
    assert "seeded 5 demo product(s); 30 of the 35 already existed" in capsys.readouterr().out
    assert count(db) == 35
    assert main(["seed", "--products", "10"]) == 0
    assert count(db) == 35


@pytest.mark.usefixtures("seed_env")
@pytest.mark.parametrize("value", ["0", "-3", "1000001"])
def test_seed_refuses_a_bad_count(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed", "--products", value]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pricing-service seed: --products must be between 1 and")
    assert "\n" not in err


def test_seed_on_an_unmigrated_database_says_migrate(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/empty.db")
    monkeypatch.setenv("APP_ENV", "test")
    assert main(["seed", "--products", "3"]) == 2
    assert "pricing-service migrate" in capsys.readouterr().err
