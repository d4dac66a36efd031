"""Request and response bodies of /api/auth (their shapes are part of the frozen contract)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from pricing_service.auth.passwords import MAX_PASSWORD_LENGTH
from pricing_service.auth.tokens import MAX_TOKEN_LENGTH


class LoginRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"email": "ana@example.com", "password": "a long passphrase"}]
        },
    )

    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)


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
