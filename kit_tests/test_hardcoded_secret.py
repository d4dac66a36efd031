"""SEC104: a signing secret written as a literal in deployed code is reported at its line."""

from __future__ import annotations

from pathlib import Path

from kit_tests.check_support import audit_one


def _audit(
    tmp_path: Path, files: dict[str, str]
) -> tuple[str, list[tuple[str | None, int | None]]]:
    return audit_one(tmp_path, "SEC104", files)


def test_django_secret_key_literal_and_insecure_prefix(tmp_path: Path) -> None:
    status, where = _audit(
        tmp_path,
        {
            "mysite/settings.py": (
                "DEBUG = False\n"
                'SECRET_KEY = "django-insecure-q8#v2m!k9z"\n'  # pragma: allowlist secret
            ),
            "api/config.py": (
                "class Settings:\n"
                '    jwt_secret: str = "s3cr3t-Value-91f2"\n'
                '    SECRET_KEY = os.getenv("SECRET_KEY", "a8f5f167f44f4964e6c998dee827110c")\n'
            ),
        },
    )
    assert status == "fail"
    assert where == [("api/config.py", 2), ("api/config.py", 3), ("mysite/settings.py", 2)]


def test_env_placeholders_and_dev_settings_pass(tmp_path: Path) -> None:
    status, where = _audit(
        tmp_path,
        {
            "mysite/settings/base.py": (
                'import os\nSECRET_KEY = os.environ["SECRET_KEY"]\n'
                'JWT_SECRET = os.getenv("JWT_SECRET", "changethis")\n'
                'SECRET_KEY_FALLBACK = "insecure"\n'  # pragma: allowlist secret
                'API_SECRET_NAME = "prod-key-name"\n'  # pragma: allowlist secret
                'DEV_JWT_SECRET = "development-only-jwt-secret-0123"\n'  # pragma: allowlist secret
            ),
            "mysite/settings/local.py": (
                'SECRET_KEY = "django-insecure-local-only-key"\n'  # pragma: allowlist secret
            ),
            "tests/settings.py": (
                'SECRET_KEY = "a-test-only-key-123456"\n'  # pragma: allowlist secret
            ),
        },
    )
    assert (status, where) == ("pass", [])
