"""GET /health/live (the process answers) and GET /health/ready (database and schema ready)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from pricing_service.core.db import schema_is_current
from pricing_service.core.errors import SERVICE_UNAVAILABLE, ProblemError
from pricing_service.core.logging import get_logger
from pricing_service.core.state import state_of

router = APIRouter(prefix="/health", tags=["health"])
logger = get_logger(__name__)


class Health(BaseModel):
    status: Literal["ok"] = "ok"


@router.get("/live", summary="The process is up")
async def live() -> Health:
    return Health()


@router.get(
    "/ready",
    summary="The database answers and its schema is at the migration head",
    responses={503: {"description": "Not ready"}},
)
async def ready(request: Request) -> Health:
    try:
        database = state_of(request).database
        current = await schema_is_current(database.engine, set(database.heads))
    except (SQLAlchemyError, OSError) as error:
        logger.warning("readiness_database_unreachable", error=type(error).__name__)
        raise ProblemError(
            SERVICE_UNAVAILABLE, "the database is unreachable", headers={"Retry-After": "5"}
        ) from error
    if not current:
        raise ProblemError(
            SERVICE_UNAVAILABLE,
            "the database schema is not at the migration head: run `pricing-service migrate`",
            headers={"Retry-After": "5"},
        )
    return Health()
