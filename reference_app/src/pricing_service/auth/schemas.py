"""Request and response bodies of /api/auth (their shapes are part of the frozen contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from pricing_service.auth.passwords import MAX_PASSWORD_LENGTH
from pricing_service.auth.tokens import MAX_TOKEN_LENGTH
from pricing_service.validation import NO_CONTROL_CHARACTERS, PlainText


class LoginRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"email": "ana@example.com", "password": "a long passphrase"}]
        },
    )

    email: Annotated[EmailStr, NO_CONTROL_CHARACTERS] = Field(max_length=320)
    password: PlainText = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: PlainText = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  # the OAuth 2.0 token type name
    expires_in: int = Field(description="Seconds until the access token expires")


class Me(BaseModel):
    id: int
    email: str
    role: str
    permissions: list[str] = Field(description="Sorted permission names of the role")
    is_active: bool


class UserSummary(BaseModel):
    id: int
    email: str
    role: str
    is_active: bool


class SessionOut(BaseModel):
    """One of the caller's active sessions (a login and the refreshes that followed it)."""

    id: str = Field(description="the session id (the `sid` claim of its tokens)")
    created_at: datetime = Field(description="when its login happened")
    last_used_at: datetime | None = Field(description="its last refresh; null before the first")
    expires_at: datetime = Field(description="its absolute end (SESSION_MAX_AGE_SECONDS)")
    client_address: str | None = Field(description="the address it signed in from")
    user_agent: str | None = Field(description="the User-Agent it signed in with")
    current: bool = Field(description="the session of the token that asked")
