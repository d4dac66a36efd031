"""The auth problem types (policies/error-contract.md), the exceptions that carry them and their
RFC 6750 challenge headers. Auth code raises these; the one handler renders them."""

from __future__ import annotations

from pricing_service.core.errors import DomainError, problem_type

AUTHENTICATION_REQUIRED = problem_type("authentication_required", 401, "Authentication required")
INVALID_TOKEN = problem_type("invalid_token", 401, "Invalid or expired token")
INVALID_CREDENTIALS = problem_type("invalid_credentials", 401, "Invalid email or password")
PERMISSION_DENIED = problem_type("permission_denied", 403, "Permission denied")
TOO_MANY_LOGIN_ATTEMPTS = problem_type("too_many_login_attempts", 429, "Too many login attempts")
REAUTHENTICATION_REQUIRED = problem_type(
    "reauthentication_required", 401, "A recent sign-in is required"
)
SESSION_NOT_FOUND = problem_type("not_found", 404, "Resource not found")

REALM = 'Bearer realm="pricing-service"'


class AuthenticationRequiredError(DomainError):
    """No access token was sent."""

    PROBLEM = AUTHENTICATION_REQUIRED

    def __init__(self) -> None:
        super().__init__(
            "send an access token: Authorization: Bearer <access_token>",
            headers={"WWW-Authenticate": REALM},
        )


class InvalidTokenError(DomainError):
    """The token cannot be used; the message is safe to show (RFC 6750 error_description)."""

    PROBLEM = INVALID_TOKEN

    def __init__(self, reason: str) -> None:
        # reason comes from our own fixed messages, never from the token, so it is header-safe.
        super().__init__(
            reason,
            headers={
                "WWW-Authenticate": f'{REALM}, error="invalid_token", error_description="{reason}"'
            },
        )


class InvalidCredentialsError(DomainError):
    """Unknown email, wrong password or inactive account: one answer for all three."""

    PROBLEM = INVALID_CREDENTIALS

    def __init__(self) -> None:
        super().__init__(
            "the email or password is wrong, or the account is disabled",
            headers={"WWW-Authenticate": REALM},
        )


class PermissionDeniedError(DomainError):
    PROBLEM = PERMISSION_DENIED

    def __init__(self, permission: str) -> None:
        super().__init__(
            f"this action needs the permission {permission}",
            headers={
                "WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{permission}"'
            },
            required_permission=permission,
        )


class LoginThrottledError(DomainError):
    PROBLEM = TOO_MANY_LOGIN_ATTEMPTS

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"too many failed logins; try again in {retry_after_seconds} seconds",
            headers={"Retry-After": str(retry_after_seconds)},
        )
        self.retry_after_seconds = retry_after_seconds


class ReauthenticationRequiredError(DomainError):
    """RFC 9470 step-up: the token is valid, but its sign-in is older than ``max_age``
    (SESSION_REAUTHENTICATION_SECONDS)."""

    PROBLEM = REAUTHENTICATION_REQUIRED

    def __init__(self, max_age_seconds: int) -> None:
        minutes = max(1, max_age_seconds // 60)
        reason = "sign in again to end other sessions"
        super().__init__(
            f"{reason}: this needs a sign-in from the last {minutes} minutes",
            headers={
                "WWW-Authenticate": f'{REALM}, error="insufficient_user_authentication", '
                f'error_description="{reason}", max_age={max_age_seconds}'
            },
            max_age=max_age_seconds,
        )


class SessionNotFoundError(DomainError):
    """No active session of the caller has that id."""

    PROBLEM = SESSION_NOT_FOUND

    def __init__(self) -> None:
        super().__init__("you have no active session with this id")
