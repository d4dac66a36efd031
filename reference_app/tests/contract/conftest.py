"""Fixtures of the response-shape tests: the committed contract and a checker bound to the app."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from govkit import contracts
from tests.contract.gate import CONTRACT
from tests.contract.shapes import ShapeChecker


@pytest.fixture(scope="session")
def contract() -> dict[str, Any]:
    return contracts.load_spec(CONTRACT)


@pytest.fixture
def shapes(contract: dict[str, Any], app: FastAPI) -> ShapeChecker:
    return ShapeChecker(contract, app)
