"""Every router of the service, registered in one place."""

from __future__ import annotations

from fastapi import FastAPI

from pricing_service.health.router import router as health_router


def register_routers(app: FastAPI) -> None:
    app.include_router(health_router)
