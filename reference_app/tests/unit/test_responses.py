"""OrjsonResponse writes the bytes JSONResponse writes, and timestamps as isoformat()."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from starlette.responses import JSONResponse

from pricing_service.responses import OrjsonResponse

BODIES: list[Any] = [
    {"items": [], "next_cursor": None},
    {"id": 1, "title": "Mate de calabaza — ñandú 🧉", "ok": True, "no": False, "n": None},
    {"text": 'quote " backslash \\ slash / controls \n\t\r\b\f\x00\x1f\x7f \u2028 \u2029'},
    {"nested": [{"a": [1, -2, 2_147_483_647]}, [], {}], "price": "1999.90"},
    {"big": 2**64, "negative": -(2**63) - 1},  # beyond 64 bits: orjson refuses, json renders
    {1: "int key", None: "none key"},  # keys that are not strings: the same
    ["a", 1, None],
]


@pytest.mark.parametrize("body", BODIES)
def test_same_bytes_as_starlette(body: Any) -> None:
    response = OrjsonResponse(body, status_code=201, headers={"ETag": '"3"'})
    expected = JSONResponse(body, status_code=201, headers={"ETag": '"3"'})
    assert response.body == expected.body
    assert response.headers.items() == expected.headers.items()
    assert response.media_type == "application/json"


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 26, 12, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 11, 26, 12, 0, 0, 500_000, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(999, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-3))),
        datetime(2026, 1, 1),
    ],
)
def test_datetimes_render_as_isoformat(value: datetime) -> None:
    assert OrjsonResponse({"at": value}).body == JSONResponse({"at": value.isoformat()}).body


def test_what_neither_renders_still_fails() -> None:
    with pytest.raises(TypeError):
        OrjsonResponse({"amount": object()})
