"""/api/auth: login, refresh (rotation), me, logout, the caller's sessions. Thin: the work is in
``service``. Every answer here is ``Cache-Control: no-store`` (bootstrap/middleware.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
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
from pricing_service.auth.schemas import (
    LoginRequest,
    Me,
    RefreshRequest,
    SessionOut,
    TokenResponse,
    UserSummary,
)
from pricing_service.auth.service import AuthService, TokenPair
from pricing_service.auth.session_cache import Principal
from pricing_service.core.deps import Session
from pricing_service.core.time import as_utc
from pricing_service.responses import OrjsonResponse

router = APIRouter(prefix="/api/auth", tags=["auth"])
MAX_OFFSET = 10_000  # deeper pages cost a scan of everything before them
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
    # The client's address: the socket peer, or what a trusted proxy saw (bootstrap/middleware).
    client = request.client.host if request.client else None
    pair = await service.login(body.email, body.password, client, request.headers.get("user-agent"))
    return _tokens(pair)


@router.post(
    "/refresh",
    summary="Rotate a refresh token: a new access token and a new refresh token",
    responses={**_UNAUTHORIZED, 422: {"description": "Invalid body"}},
)
async def refresh(body: RefreshRequest, service: Service) -> TokenResponse:
    return _tokens(await service.refresh(body.refresh_token))


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


Caller = Annotated[Authenticated, Depends(authenticated)]
SessionId = Annotated[
    str, Path(pattern=r"^[0-9a-f]{32}$", description="a session id from GET /api/auth/sessions")
]
_ENDING: dict[int | str, dict[str, Any]] = {
    401: {
        "description": "No valid token, or (reauthentication_required) a sign-in too old to "
        "end another session: sign in again"
    }
}


@router.get(
    "/sessions",
    summary="The caller's active sessions, newest first",
    responses=_UNAUTHORIZED,
)
async def list_sessions(auth: Caller, service: Service) -> list[SessionOut]:
    return [
        SessionOut(
            id=family.id,
            created_at=as_utc(family.created_at),
            last_used_at=family.last_used_at and as_utc(family.last_used_at),
            expires_at=service.session_expires_at(family),
            client_address=family.client_address,
            user_agent=family.user_agent,
            current=family.id == auth.claims.session_id,
        )
        for family in await service.active_sessions(auth.user.id)
    ]


@router.delete(
    "/sessions/{session_id}",
    summary="End one of the caller's sessions (another than the current needs a recent sign-in)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **_ENDING,
        404: {"description": "No active session of the caller has this id"},
        422: {"description": "Not a session id"},
    },
)
async def end_session(auth: Caller, service: Service, session_id: SessionId) -> Response:
    await service.end_session(auth.claims, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/sessions",
    summary="End every session of the caller but the current one (needs a recent sign-in)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_ENDING,
)
async def end_other_sessions(auth: Caller, service: Service) -> Response:
    await service.end_other_sessions(auth.claims)
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
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="at most 10000")] = 0,
) -> list[UserSummary]:
    users = await session.scalars(select(User).order_by(User.id).limit(limit).offset(offset))
    return [UserSummary(id=u.id, email=u.email, role=u.role, is_active=u.is_active) for u in users]
