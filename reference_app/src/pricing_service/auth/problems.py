"""The auth problem types (policies/error-contract.md) and their RFC 6750 challenge headers."""

from __future__ import annotations

from pricing_service.errors import ProblemError, problem_type

AUTHENTICATION_REQUIRED = problem_type("authentication_required", 401, "Authentication required")
INVALID_TOKEN = problem_type("invalid_token", 401, "Invalid or expired token")
INVALID_CREDENTIALS = problem_type("invalid_credentials", 401, "Invalid email or password")
PERMISSION_DENIED = problem_type("permission_denied", 403, "Permission denied")
TOO_MANY_LOGIN_ATTEMPTS = problem_type("too_many_login_attempts", 429, "Too many login attempts")
REAUTHENTICATION_REQUIRED = problem_type(
    "reauthentication_required", 401, "A recent sign-in is required"
)

REALM = 'Bearer realm="pricing-service"'


def authentication_required() -> ProblemError:
    return ProblemError(
        AUTHENTICATION_REQUIRED,
        "send an access token: Authorization: Bearer <access_token>",
        headers={"WWW-Authenticate": REALM},
    )


def invalid_token(reason: str) -> ProblemError:
    # reason comes from our own fixed messages, never from the token, so it is header-safe.
    return ProblemError(
        INVALID_TOKEN,
        reason,
        headers={
            "WWW-Authenticate": f'{REALM}, error="invalid_token", error_description="{reason}"'
        },
    )


def invalid_credentials() -> ProblemError:
    return ProblemError(
        INVALID_CREDENTIALS,
        "the email or password is wrong, or the account is disabled",
        headers={"WWW-Authenticate": REALM},
    )


def permission_denied(permission: str) -> ProblemError:
    return ProblemError(
        PERMISSION_DENIED,
        f"this action needs the permission {permission}",
        headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{permission}"'},
        required_permission=permission,
    )


def too_many_login_attempts(retry_after_seconds: int) -> ProblemError:
    return ProblemError(
        TOO_MANY_LOGIN_ATTEMPTS,
        f"too many failed logins; try again in {retry_after_seconds} seconds",
        headers={"Retry-After": str(retry_after_seconds)},
    )


def reauthentication_required(max_age_seconds: int) -> ProblemError:
    """RFC 9470 step-up: the token is valid, but its sign-in is older than ``max_age``."""
    minutes = max(1, max_age_seconds // 60)
    reason = "sign in again to end other sessions"
    return ProblemError(
        REAUTHENTICATION_REQUIRED,
        f"{reason}: this needs a sign-in from the last {minutes} minutes",
        headers={
            "WWW-Authenticate": f'{REALM}, error="insufficient_user_authentication", '
            f'error_description="{reason}", max_age={max_age_seconds}'
        },
        max_age=max_age_seconds,
    )
