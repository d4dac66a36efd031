"""The moving parts of the staging smoke: its database, its TLS material and its processes.

Its processes run under `liveproc` (each in a new session, stopped by pid and process group), so
a failed run leaves nothing behind on the machine.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import make_url

DATABASE_NAME = "staging_smoke"
DEFAULT_DATABASE_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE_NAME}"
PROBE_TIMEOUT_SECONDS = 3.0


class SmokeError(Exception):
    """The smoke cannot go on; the message is one line for the person."""


# --- database ---------------------------------------------------------------------------------


def smoke_database_url(environ: Mapping[str, str]) -> str:
    """STAGING_DATABASE_URL; else TEST_DATABASE_URL's server with database staging_smoke."""
    explicit = environ.get("STAGING_DATABASE_URL", "").strip()
    if explicit:
        return explicit
    test_url = environ.get("TEST_DATABASE_URL", "").strip()
    if test_url.startswith("postgresql"):
        return make_url(test_url).set(database=DATABASE_NAME).render_as_string(hide_password=False)
    return DEFAULT_DATABASE_URL


def server_address(database_url: str) -> tuple[str, int]:
    url = make_url(database_url)
    return url.host or "127.0.0.1", url.port or 5432


def unreachable_reason(database_url: str) -> str | None:
    """Why nothing answers at the database server's TCP address, or None when something does."""
    host, port = server_address(database_url)
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS):
            return None
    except OSError as error:
        return error.strerror or type(error).__name__


def recreate_database(database_url: str) -> None:
    """Drop and create the smoke's own database (only a name starting with staging_smoke)."""
    url = make_url(database_url)
    name = url.database or ""
    if not url.drivername.startswith("postgresql"):
        raise SmokeError(f"staging runs on PostgreSQL, not {url.drivername}")
    if not name.startswith(DATABASE_NAME):
        raise SmokeError(
            f"refusing to recreate database {name!r}: its name must start with {DATABASE_NAME}"
        )
    admin = url.set(drivername="postgresql", database="postgres")
    try:
        with psycopg.connect(
            admin.render_as_string(hide_password=False),
            autocommit=True,
            connect_timeout=int(PROBE_TIMEOUT_SECONDS),
        ) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0]
        raise SmokeError(f"cannot recreate database {name}: {reason}") from None


def drop_database(database_url: str) -> None:
    url = make_url(database_url)
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


# --- TLS: a throwaway CA and a certificate for the fake marketplace on the loopback -------------


@dataclass(frozen=True)
class TlsFiles:
    ca_bundle: Path  # what the service trusts (ML_CA_BUNDLE)
    certificate: Path  # the fake's certificate chain
    private_key: Path


def make_tls_files(directory: Path) -> TlsFiles:
    """A CA valid for one day and a server certificate it signs for 127.0.0.1 and localhost."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "pricing-service staging smoke CA")]
    )
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    files = TlsFiles(directory / "ca.pem", directory / "fake-cert.pem", directory / "fake-key.pem")
    files.ca_bundle.write_bytes(ca_cert.public_bytes(pem))
    files.certificate.write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    files.private_key.touch(mode=0o600)
    files.private_key.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


def redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
