"""Input rules every router shares: text never carries control characters.

A NUL byte reached PostgreSQL and made it refuse the statement (a 500 the client chose); tabs,
newlines and escape sequences in a title or a search end up in logs, CSV exports and terminals.
Every free-text input is therefore ``PlainText`` (bodies) or carries ``NO_CONTROL_CHARACTERS``
(query parameters): a 422 ``validation_failed`` naming the field, before any database work. The
OpenAPI schema says so with a ``pattern``, so the contract and Schemathesis know it too.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# C0 controls (NUL, tab, newline, ESC, ...), DEL and the C1 controls: Unicode category Cc.
CONTROL_FREE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
CONTROL_FREE_SCHEMA: dict[str, Any] = {"pattern": CONTROL_FREE_PATTERN}
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def refuse_control_characters(value: str | None) -> str | None:
    if value is not None and _CONTROL_CHARACTER.search(value):
        raise PydanticCustomError(
            "control_characters",
            "must not contain control characters (such as NUL, tab or a line break)",
        )
    return value


NO_CONTROL_CHARACTERS = AfterValidator(refuse_control_characters)
CONTROL_FREE = Field(json_schema_extra=CONTROL_FREE_SCHEMA)  # says it in the OpenAPI schema
# A string field free of control characters. Length limits go on the field (``Field(...)``),
# or before these two in an ``Annotated`` (after them pydantic no longer applies them):
# ``Annotated[str, StringConstraints(...), NO_CONTROL_CHARACTERS, CONTROL_FREE]``.
PlainText = Annotated[str, NO_CONTROL_CHARACTERS, CONTROL_FREE]
