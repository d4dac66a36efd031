"""Composition root: ``create_app(settings)`` wires the modules of ``bootstrap``. Nothing else."""

from __future__ import annotations

from fastapi import FastAPI

from pricing_service import __version__
from pricing_service.bootstrap.lifespan import build_lifespan
from pricing_service.bootstrap.middleware import register_middleware
from pricing_service.bootstrap.openapi import install_openapi
from pricing_service.bootstrap.routers import register_routers
from pricing_service.core.errors import register_error_handlers
from pricing_service.core.logging import configure_logging
from pricing_service.core.state import attach_state
from pricing_service.settings import Settings, load_settings
from pricing_service.state import AppState


def create_app(settings: Settings) -> FastAPI:
    configure_logging(settings.log_level, settings.effective_log_format)
    app = FastAPI(
        title="Pricing service",
        version=__version__,
        description="Products, guarded price updates and MercadoLibre sync.",
        lifespan=build_lifespan(settings),
        docs_url="/docs" if settings.serves_api_docs else None,
        redoc_url="/redoc" if settings.serves_api_docs else None,
        openapi_url="/openapi.json" if settings.serves_api_docs else None,
    )
    attach_state(app, AppState(settings))
    register_error_handlers(app)
    register_routers(app, settings)
    register_middleware(app, settings)  # after the routers: it reads their body limits
    install_openapi(app)
    return app


def app_factory() -> FastAPI:
    """Entry point for uvicorn workers: settings from the environment."""
    return create_app(load_settings())
