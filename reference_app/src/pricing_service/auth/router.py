"""/api/auth: login, refresh (rotation), me, logout. Thin: the work is in ``service``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy import select

from pricing_service.auth.dependencies import (
    Authenticated,
    CurrentUser,
    auth_service,
    authenticated,
    require,
)
from pricing_service.auth.models import User
from pricing_service.auth.permissions import Permission, permissions_for
from pricing_service.auth.problems import (
    invalid_credentials,
    invalid_token,
    too_many_login_attempts,
)
from pricing_service.auth.schemas import (
    LoginRequest,
    Me,
    RefreshRequest,
    TokenResponse,
    UserSummary,
)
from pricing_service.auth.service import (
    AuthService,
    InvalidCredentialsError,
    LoginThrottledError,
    TokenPair,
)
from pricing_service.auth.session_cache import Principal
from pricing_service.auth.tokens import InvalidTokenError
from pricing_service.db import Session
from pricing_service.responses import OrjsonResponse

router = APIRouter(prefix="/api/auth", tags=["auth"])
Service = Annotated[AuthService, Depends(auth_service)]

_UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, invalid or expired credentials"}
}


def _tokens(pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post(
    "/login",
    summary="Exchange email and password for an access and a refresh token",
    responses={
        **_UNAUTHORIZED,
        422: {"description": "Invalid body"},
        429: {"description": "Throttled"},
    },
)
async def login(body: LoginRequest, request: Request, service: Service) -> TokenResponse:
    client_ip = request.client.host if request.client else "unknown"
    try:
        pair = await service.login(body.email, body.password, client_ip)
    except LoginThrottledError as error:
        raise too_many_login_attempts(error.retry_after_seconds) from None
    except InvalidCredentialsError:
        raise invalid_credentials() from None
    return _tokens(pair)


@router.post(
    "/refresh",
    summary="Rotate a refresh token: a new access token and a new refresh token",
    responses={**_UNAUTHORIZED, 422: {"description": "Invalid body"}},
)
async def refresh(body: RefreshRequest, service: Service) -> TokenResponse:
    try:
        pair = await service.refresh(body.refresh_token)
    except InvalidTokenError as error:
        raise invalid_token(str(error)) from None
    return _tokens(pair)


@router.get(
    "/me",
    response_model=Me,
    summary="The current user and their permissions",
    responses=_UNAUTHORIZED,
)
async def me(user: CurrentUser) -> Response:
    # The body of ``Me``, rendered by orjson: FastAPI's validation of the returned model cost
    # more than the rest of this handler (reference_app/bench).
    return OrjsonResponse(
        {
            "id": user.id,
            "email": user.email,
            "role": user.role,
            "permissions": sorted(p.value for p in permissions_for(user.role)),
            "is_active": user.is_active,
        }
    )


@router.post(
    "/logout",
    summary="End the current session: its refresh tokens and access tokens stop working",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_UNAUTHORIZED,
)
async def logout(
    auth: Annotated[Authenticated, Depends(authenticated)], service: Service
) -> Response:
    await service.logout(auth.claims)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/users",
    summary="List users (admin)",
    responses={**_UNAUTHORIZED, 403: {"description": "Needs users:manage"}},
)
async def list_users(
    _admin: Annotated[Principal, Depends(require(Permission.USERS_MANAGE))],
    session: Session,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[UserSummary]:
    users = await session.scalars(select(User).order_by(User.id).limit(limit).offset(offset))
    return [UserSummary(id=u.id, email=u.email, role=u.role, is_active=u.is_active) for u in users]
