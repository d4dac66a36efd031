"""The ceiling of this stack: a bare FastAPI app with one async endpoint and a constant JSON body.

`api_load.py` serves it with the same uvicorn settings as `pricing-service serve` (httptools,
uvloop, the same worker count, no access log) so the service's figures can be read as a fraction
of what FastAPI + uvicorn can do on this machine at all.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

BODY: dict[str, Any] = {"id": 1, "email": "bench@example.com", "role": "viewer"}


@app.get("/bare")
async def bare() -> dict[str, Any]:
    return BODY
