"""Fake credentials in every format the secrets gate must catch, assembled at run time.

Tests of the gate (govkit's own and those of stamped repositories) write these into
temporary files. Each value is built from a hash and a split prefix, so no source file
ever holds one contiguous fake secret for a scanner to trip over.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass

_ALNUM = string.ascii_letters + string.digits
_UPPER_ALNUM = string.ascii_uppercase + string.digits
_HEX = "0123456789abcdef"


@dataclass(frozen=True)
class FakeSecret:
    """One fake credential: a short name, the text to write and the type a scan reports."""

    name: str
    value: str
    secret_type: str


def noise(label: str, length: int, alphabet: str = _ALNUM) -> str:
    """A deterministic, random-looking string (never a sequence that scanners ignore)."""
    out: list[str] = []
    counter = 0
    while len(out) < length:
        digest = hashlib.sha256(f"{label}:{counter}".encode()).digest()
        out.extend(alphabet[byte % len(alphabet)] for byte in digest)
        counter += 1
    return "".join(out[:length])


def _private_key() -> str:
    marker = "PRIVATE" + " KEY"
    body = "\n".join(noise(f"pem{i}", 64, _ALNUM + "+/") for i in range(4))
    return f"-----BEGIN RSA {marker}-----\n{body}\n-----END RSA {marker}-----"


def _slack_token() -> str:
    digits = string.digits
    lower = string.ascii_lowercase + digits
    return (
        f"{'xo'}{'xb'}-{noise('s1', 11, digits)}-{noise('s2', 12, digits)}-{noise('s3', 24, lower)}"
    )


def _slack_webhook() -> str:
    team, bot, key = noise("w1", 8, _UPPER_ALNUM), noise("w2", 8, _UPPER_ALNUM), noise("w3", 24)
    return f"https://{'hooks'}.slack.com/services/T{team}/B{bot}/{key}"


def builtin_fakes() -> list[FakeSecret]:
    """Formats detect-secrets' own plugins catch (the issue's "done when" list)."""
    aws_key = "AK" + "IA" + noise("aws", 16, _UPPER_ALNUM)
    return [
        FakeSecret("aws-access-key", aws_key, "AWS Access Key"),
        FakeSecret("github-token", "gh" + "p_" + noise("ghp", 36), "GitHub Token"),
        FakeSecret("slack-token", _slack_token(), "Slack Token"),
        FakeSecret("slack-webhook", _slack_webhook(), "Slack Token"),
        FakeSecret("private-key", _private_key(), "Private Key"),
    ]


def govkit_fakes() -> list[FakeSecret]:
    """Formats only govkit's plugins catch, one per plugin in govkit.secrets.plugins."""
    fine_grained = "github" + "_pat_" + noise("fg1", 22) + "_" + noise("fg2", 59)
    return [
        FakeSecret("github-fine-grained-token", fine_grained, "GitHub Fine-Grained Token"),
        FakeSecret("google-api-key", "AI" + "za" + noise("gapi", 35), "Google API Key"),
        FakeSecret(
            "google-oauth-client-secret",
            "GOC" + "SPX-" + noise("gcs", 28),
            "Google OAuth Client Secret",
        ),
        FakeSecret(
            "anthropic-api-key", "sk-" + "ant-api03-" + noise("ant", 93) + "AA", "Anthropic API Key"
        ),
        FakeSecret("openai-project-key", "sk-" + "proj-" + noise("oai", 48), "OpenAI Project Key"),
        FakeSecret(
            "hugging-face-token",
            "hf" + "_" + noise("hf", 34, string.ascii_letters),
            "Hugging Face Token",
        ),
        FakeSecret(
            "digitalocean-token", "dop" + "_v1_" + noise("do", 64, _HEX), "DigitalOcean Token"
        ),
        FakeSecret("shopify-token", "shp" + "at_" + noise("shop", 32, _HEX), "Shopify Token"),
        FakeSecret("npm-access-token", "np" + "m_" + noise("npm", 36), "npm Access Token"),
        FakeSecret(
            "mercadolibre-access-token",
            "APP"
            + "_USR-"
            + "-".join(
                (
                    noise("ml-app", 16, string.digits),
                    noise("ml-date", 6, string.digits),
                    noise("ml-hash", 32, _HEX),
                    noise("ml-user", 9, string.digits),
                )
            ),
            "MercadoLibre Access Token",
        ),
        FakeSecret(
            "mercadolibre-refresh-token",
            "T" + "G-" + noise("ml-refresh", 24, _HEX) + "-" + noise("ml-seller", 9, string.digits),
            "MercadoLibre Refresh Token",
        ),
    ]
