"""Every ORM model on one metadata, so Alembic's autogenerate and the tests see the whole schema."""

from __future__ import annotations

from sqlalchemy import MetaData

from pricing_service.auth import models as auth_models
from pricing_service.core.db import Base
from pricing_service.pricing import models as pricing_models
from pricing_service.sync import models as sync_models

# Each domain adds its models module here; importing it puts its tables on the metadata.
DOMAIN_MODELS = (auth_models, pricing_models, sync_models)


def all_metadata() -> MetaData:
    """The metadata every domain's tables are on (read when called: tests may swap it)."""
    return Base.metadata
