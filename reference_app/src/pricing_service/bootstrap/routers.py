"""Every router of the service, registered in one place."""

from __future__ import annotations

from fastapi import FastAPI

from pricing_service.auth.router import router as auth_router
from pricing_service.console import register_console
from pricing_service.health.router import router as health_router
from pricing_service.observability.metrics import router as metrics_router
from pricing_service.pricing.router import router as pricing_router
from pricing_service.sync.router import router as sync_router


def register_routers(app: FastAPI) -> None:
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(pricing_router)
    app.include_router(sync_router)
    if app.state.settings.serves_metrics:  # private to the scraper: off unless enabled
        app.include_router(metrics_router)
    register_console(app)  # last: the built console answers only what no route matched
