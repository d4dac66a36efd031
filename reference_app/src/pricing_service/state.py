"""The pricing service's typed application state: the core's (settings, database) and what the
domains open in the lifespan. Read it with ``state_of(request, AppState)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pricing_service.core.state import CoreState, started
from pricing_service.settings import Settings

if TYPE_CHECKING:  # the modules below read the state: types only, no import cycle
    from pricing_service.auth.lifecycle import AuthToolkit
    from pricing_service.observability.metrics import ScrapeHook
    from pricing_service.pricing.reads import ProductReads


class AppState(CoreState[Settings]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.scrape_hooks: list[ScrapeHook] = []  # run before each /metrics scrape
        self._auth: AuthToolkit | None = None
        self._product_reads: ProductReads | None = None

    @property
    def auth(self) -> AuthToolkit:
        return started(self._auth, "auth toolkit")

    @auth.setter
    def auth(self, toolkit: AuthToolkit | None) -> None:
        self._auth = toolkit

    @property
    def product_reads(self) -> ProductReads:
        return started(self._product_reads, "product reader")

    @product_reads.setter
    def product_reads(self, reads: ProductReads | None) -> None:
        self._product_reads = reads
