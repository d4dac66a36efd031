"""Fixtures of the response-shape tests: the committed contract and a checker bound to the app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI

from tests.contract.shapes import CONTRACT, ShapeChecker


@pytest.fixture(scope="session")
def contract() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(CONTRACT.read_text(encoding="utf-8"))
    return document


@pytest.fixture
def shapes(contract: dict[str, Any], app: FastAPI) -> ShapeChecker:
    return ShapeChecker(contract, app)
