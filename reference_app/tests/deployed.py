"""The minimum settings a deployed environment (staging, production) requires, for tests."""

from __future__ import annotations

import base64
import hashlib


def deployed(env: str = "staging") -> dict[str, str]:
    """Valid staging/production values; the PostgreSQL URL is never reached by these tests."""
    return {
        "app_env": env,
        "database_url": "postgresql+psycopg://pricing@127.0.0.1:1/unreached",
        "cors_allowed_origins": "https://console.acme.example",
        "jwt_secret": "k"
        + "9f2c7a1e5b3d8f6a0c4e2b7d9a1f3c5e8b"
        + "4d6f8a0b2c4e6a8d0f1b3d5e7a9c1e3f",  # pragma: allowlist secret
        # A Fernet key made here, so no file holds one (and it is never the development key).
        "token_encryption_keys": base64.urlsafe_b64encode(
            hashlib.sha256(b"tests/deployed.py").digest()
        ).decode(),
        "ml_api_base_url": "https://api.marketplace.example",
        "ml_client_id": "client",
        "ml_client_secret": "client-" + "credential",
        "ml_refresh_token": "TG-" + "refresh",
    }
