"""detect-secrets plugins for token formats that detect-secrets 1.5.0 misses.

Each detector was added after checking that no built-in plugin reports the bare token
(a token pasted into a shell command, a URL or a Markdown code block; see
kit_tests/test_secrets.py). detect-secrets loads this file by path (``plugins_used`` entries
with ``path: file://...``), so it imports nothing from govkit.
"""

# ruff: noqa: S105 - `secret_type` names a kind of secret, not a secret (hence the pragmas)

from __future__ import annotations

import re

from detect_secrets.plugins.base import RegexBasedDetector


class GitHubFineGrainedTokenDetector(RegexBasedDetector):
    """GitHub fine-grained personal access token (``github_pat_`` + 82 characters)."""

    secret_type = "GitHub Fine-Grained Token"  # pragma: allowlist secret
    denylist = (re.compile(r"github_pat_[A-Za-z0-9_]{82}"),)


class GoogleApiKeyDetector(RegexBasedDetector):
    """Google Cloud / Firebase / Maps API key."""

    secret_type = "Google API Key"  # pragma: allowlist secret
    denylist = (re.compile(r"AIza[0-9A-Za-z_\-]{35}"),)


class GoogleOAuthClientSecretDetector(RegexBasedDetector):
    """Google OAuth 2.0 client secret."""

    secret_type = "Google OAuth Client Secret"  # pragma: allowlist secret
    denylist = (re.compile(r"GOCSPX-[0-9A-Za-z_\-]{28}"),)


class AnthropicApiKeyDetector(RegexBasedDetector):
    """Anthropic API and admin keys (``sk-ant-api03-...``)."""

    secret_type = "Anthropic API Key"  # pragma: allowlist secret
    denylist = (re.compile(r"sk-ant-[a-z]{3,5}\d{2}-[A-Za-z0-9_\-]{80,}"),)


class OpenAIProjectKeyDetector(RegexBasedDetector):
    """OpenAI project, service-account and admin keys (the built-in plugin needs ``T3BlbkFJ``)."""

    secret_type = "OpenAI Project Key"  # pragma: allowlist secret
    denylist = (re.compile(r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}"),)


class HuggingFaceTokenDetector(RegexBasedDetector):
    """Hugging Face user access token."""

    secret_type = "Hugging Face Token"  # pragma: allowlist secret
    denylist = (re.compile(r"(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9_])"),)


class DigitalOceanTokenDetector(RegexBasedDetector):
    """DigitalOcean personal access, OAuth and refresh tokens."""

    secret_type = "DigitalOcean Token"  # pragma: allowlist secret
    denylist = (re.compile(r"do[por]_v1_[a-f0-9]{64}"),)


class ShopifyTokenDetector(RegexBasedDetector):
    """Shopify admin, custom-app, private-app tokens and shared secrets."""

    secret_type = "Shopify Token"  # pragma: allowlist secret
    denylist = (re.compile(r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"),)


class NpmAccessTokenDetector(RegexBasedDetector):
    """npm access token anywhere (the built-in plugin reads ``.npmrc`` lines only)."""

    secret_type = "npm Access Token"  # pragma: allowlist secret
    denylist = (re.compile(r"npm_[A-Za-z0-9]{36}"),)


class MercadoLibreAccessTokenDetector(RegexBasedDetector):
    """MercadoLibre / Mercado Pago OAuth access token, production or sandbox.

    ``APP_USR-<application id>-<date digits>-<32-hex hash>-<user id>`` (``TEST-`` in the
    sandbox). The masked examples of MercadoLibre's documentation (``XXXXXXXX``,
    ``25######3458``) and the public keys (``APP_USR-`` and a UUID) do not match.
    """

    secret_type = "MercadoLibre Access Token"  # pragma: allowlist secret
    denylist = (
        re.compile(
            r"(?<![A-Za-z0-9_-])(?:APP_USR|TEST)-\d{4,20}-\d{6,8}-[0-9a-f]{32}-\d{3,15}(?![0-9A-Za-z])"
        ),
    )


class MercadoLibreRefreshTokenDetector(RegexBasedDetector):
    """MercadoLibre OAuth refresh token (and authorization code): ``TG-<hex>-<user id>``.

    The reference service's development placeholders (``TG-dev-refresh-for-the-fake``) and the
    documentation's masked ``TG-XXXXXXXX-241983636`` do not match.
    """

    secret_type = "MercadoLibre Refresh Token"  # pragma: allowlist secret
    denylist = (re.compile(r"(?<![A-Za-z0-9_-])TG-[0-9a-f]{20,40}-\d{3,15}(?![0-9A-Za-z])"),)


GOVKIT_PLUGINS: tuple[type[RegexBasedDetector], ...] = (
    GitHubFineGrainedTokenDetector,
    GoogleApiKeyDetector,
    GoogleOAuthClientSecretDetector,
    AnthropicApiKeyDetector,
    OpenAIProjectKeyDetector,
    HuggingFaceTokenDetector,
    DigitalOceanTokenDetector,
    ShopifyTokenDetector,
    NpmAccessTokenDetector,
    MercadoLibreAccessTokenDetector,
    MercadoLibreRefreshTokenDetector,
)
