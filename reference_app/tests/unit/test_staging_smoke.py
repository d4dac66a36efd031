"""The staging smoke's own parts (``staging/``): which database it may drop, and its TLS material.

The smoke itself runs in `nox -s staging_smoke`; these tests keep its safety rules honest.
"""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

import pytest
from staging.stack import (
    DEFAULT_DATABASE_URL,
    SmokeError,
    TlsFiles,
    make_tls_files,
    recreate_database,
    smoke_database_url,
)

from pricing_service.core.settings import SettingsError
from pricing_service.settings import load_settings
from tests.deployed import deployed


def test_database_url_prefers_staging_then_the_test_server_then_the_default() -> None:
    explicit = "postgresql+psycopg://ci:pw@db:6543/staging_smoke_ci"  # pragma: allowlist secret
    test = "postgresql+psycopg://ci:pw@db:6543/test_pricing"  # pragma: allowlist secret
    assert smoke_database_url({"STAGING_DATABASE_URL": explicit, "TEST_DATABASE_URL": test}) == (
        explicit
    )
    assert smoke_database_url({"TEST_DATABASE_URL": test}) == (
        "postgresql+psycopg://ci:pw@db:6543/staging_smoke"  # pragma: allowlist secret
    )
    assert smoke_database_url({"TEST_DATABASE_URL": "sqlite:///x.db"}) == DEFAULT_DATABASE_URL
    assert smoke_database_url({}) == DEFAULT_DATABASE_URL


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:5432/test", "must start with staging_smoke"),
        ("sqlite:///staging_smoke.db", "staging runs on PostgreSQL"),
    ],
)
def test_only_its_own_postgresql_database_is_ever_dropped(url: str, reason: str) -> None:
    with pytest.raises(SmokeError, match=reason):
        recreate_database(url)


def handshake(tls: TlsFiles, client: ssl.SSLContext) -> str:
    """One TLS handshake against a loopback server presenting the smoke's certificate."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tls.certificate, tls.private_key)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve_once() -> None:
            connection, _ = listener.accept()
            try:
                with server_context.wrap_socket(connection, server_side=True):
                    pass
            except (ssl.SSLError, OSError):  # the client refused us: what one test expects
                connection.close()

        thread = threading.Thread(target=serve_once, daemon=True)
        thread.start()
        try:
            with (
                socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
                client.wrap_socket(raw, server_hostname="127.0.0.1") as secure,
            ):
                return str(secure.version())
        finally:
            thread.join(timeout=10)


def test_the_fake_certificate_is_trusted_through_the_generated_ca(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path)
    # What the worker does with ML_CA_BUNDLE (sync.worker.build_client).
    client = ssl.create_default_context(cafile=tls.ca_bundle)
    assert handshake(tls, client).startswith("TLSv1.")
    assert tls.private_key.stat().st_mode & 0o077 == 0


def test_the_system_store_does_not_trust_it(tmp_path: Path) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(make_tls_files(tmp_path), ssl.create_default_context())


def test_ml_ca_bundle_must_be_a_file(tmp_path: Path) -> None:
    values = deployed() | {"ml_ca_bundle": str(tmp_path / "missing.pem")}
    with pytest.raises(SettingsError, match=r"ML_CA_BUNDLE: .*missing\.pem is not a file"):
        load_settings(_env_file=None, **values)
    (tmp_path / "ca.pem").write_text("pem")
    values["ml_ca_bundle"] = str(tmp_path / "ca.pem")
    assert load_settings(_env_file=None, **values).ml_ca_bundle == tmp_path / "ca.pem"
