"""FastAPI dependencies: ``current_user`` and ``require(permission)``.

Usage in any router::

    user: Annotated[Principal, Depends(require(Permission.PRICES_WRITE))]

The session is checked on every request (one query joined with the session's family, or the
worker's memory of it while PostgreSQL notifications keep that current: ``session_cache``), so a
disabled or deleted user, or a logged-out session, stops working on the next call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pricing_service.auth.lifecycle import AuthToolkit
from pricing_service.auth.permissions import Permission, permissions_for
from pricing_service.auth.problems import AuthenticationRequiredError, PermissionDeniedError
from pricing_service.auth.service import AuthService
from pricing_service.auth.session_cache import Principal
from pricing_service.auth.tokens import Claims
from pricing_service.core.deps import Session
from pricing_service.core.state import state_of
from pricing_service.state import AppState

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="Access token from POST /api/auth/login or /api/auth/refresh",
)


async def auth_toolkit(request: Request) -> AuthToolkit:
    return state_of(request, AppState).auth  # built by auth.lifecycle


# async on purpose, like every dependency here: FastAPI runs a sync `def` dependency in the
# threadpool, a hop per request that dominated GET /api/auth/me (reference_app/bench).
async def auth_service(
    session: Session, toolkit: Annotated[AuthToolkit, Depends(auth_toolkit)]
) -> AuthService:
    return AuthService(
        session, toolkit.settings, toolkit.codec, toolkit.passwords, toolkit.sessions
    )


@dataclass(frozen=True)
class Authenticated:
    user: Principal
    claims: Claims


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


async def _authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Authenticated:
    # No request session here: the authenticator reads only when its cache cannot answer.
    if credentials is None:
        raise AuthenticationRequiredError()
    toolkit = state_of(request, AppState).auth
    user, claims = await toolkit.authenticator.authenticate(credentials.credentials)
    structlog.contextvars.bind_contextvars(user_id=user.id)
    return Authenticated(user, claims)


# Each dependency below reads the token itself rather than depending on another one: every
# level of FastAPI's dependency tree costs CPU on every request (reference_app/bench).
async def authenticated(request: Request, credentials: Credentials) -> Authenticated:
    return await _authenticate(request, credentials)


async def current_user(request: Request, credentials: Credentials) -> Principal:
    return (await _authenticate(request, credentials)).user


CurrentUser = Annotated[Principal, Depends(current_user)]


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency that answers 401 without a valid token and 403 without the permission."""

    async def dependency(request: Request, credentials: Credentials) -> Principal:
        user = (await _authenticate(request, credentials)).user
        if permission not in permissions_for(user.role):
            raise PermissionDeniedError(permission.value)
        return user

    dependency.__name__ = f"require_{permission.name.lower()}"
    return dependency
