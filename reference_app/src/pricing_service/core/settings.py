"""The settings every service shares, read from the environment (and an optional .env file).

The service's own settings class (``pricing_service.settings.Settings``) extends
:class:`CoreSettings`; nothing else reads ``os.environ``. Invalid settings stop startup with one
line naming the variable (:func:`build_settings`).
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal, Self, TypeVar

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_CORS_ORIGINS = (
    "http://localhost:5173",
    "http://127.0.0.1:5173",
    "http://localhost:8000",
    "http://127.0.0.1:8000",
)


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"

    @property
    def is_deployed(self) -> bool:
        """Staging and production: real users, so no permissive defaults."""
        return self in (Environment.STAGING, Environment.PRODUCTION)


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming the variable."""


class CoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    # Unset means production: a forgotten variable must never open the development defaults.
    app_env: Environment = Environment.PRODUCTION
    database_url: str = Field(description="each service defaults it to its own SQLite file")
    cors_allowed_origins: Annotated[tuple[str, ...], NoDecode] = ()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["json", "console"] | None = Field(
        default=None, description="json by default outside development"
    )
    # Serving (docs/deploy.md): interactive docs are off in production unless asked for.
    api_docs_enabled: bool | None = Field(
        default=None,
        description="serve /docs, /redoc and /openapi.json; default: not in production",
    )

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(o.strip() for o in value.split(",") if o.strip())
        return value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _origins_are_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"origin {origin!r} must start with http:// or https://")
            if origin.endswith("/"):
                raise ValueError(f"origin {origin!r} must not end with '/'")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @model_validator(mode="after")
    def _deployed_needs_explicit_origins(self) -> Self:
        if self.app_env.is_deployed:
            if not self.cors_allowed_origins:
                raise ValueError(
                    "CORS_ALLOWED_ORIGINS: an explicit list of trusted origins is required "
                    f"in {self.app_env}"
                )
            if "*" in self.cors_allowed_origins:
                raise ValueError(f"CORS_ALLOWED_ORIGINS: '*' is not allowed in {self.app_env}")
            if self.database_url.startswith("sqlite"):
                raise ValueError(
                    f"DATABASE_URL: SQLite is for one machine; {self.app_env} needs "
                    "postgresql+psycopg://..."
                )
        return self

    @cached_property
    def serves_api_docs(self) -> bool:
        if self.api_docs_enabled is not None:
            return self.api_docs_enabled
        return self.app_env is not Environment.PRODUCTION

    @cached_property
    def allowed_origins(self) -> tuple[str, ...]:
        """The explicit list, or localhost defaults in development and test."""
        if self.cors_allowed_origins:
            return self.cors_allowed_origins
        return () if self.app_env.is_deployed else DEV_CORS_ORIGINS

    @cached_property
    def effective_log_format(self) -> Literal["json", "console"]:
        if self.log_format is not None:
            return self.log_format
        return "console" if self.app_env is Environment.DEVELOPMENT else "json"


SettingsT = TypeVar("SettingsT", bound=CoreSettings)


def build_settings(settings_class: type[SettingsT], **overrides: object) -> SettingsT:
    """Build settings from the environment; raise SettingsError with one readable line."""
    try:
        return settings_class(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(_one_line(error)) from None


def _one_line(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["loc"]:
            name = str(item["loc"][0]).upper()
            problems.append(f"{name}: {message}")
        else:
            problems.append(message)
    return "invalid settings: " + "; ".join(problems)
