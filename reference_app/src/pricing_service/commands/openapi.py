"""``pricing-service openapi``: print the API contract (the OpenAPI document) as canonical JSON.

The document is the one the service serves at ``/openapi.json`` in the test environment with the
scraper-only ``/metrics`` route off, so it does not depend on the local ``.env``. The text is
canonical (sorted keys, 2-space indent, trailing newline): the committed
``contracts/openapi.json`` is exactly this output (``nox -s contracts -- --update``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pricing_service.commands import CommandError
from pricing_service.core.settings import Environment
from pricing_service.settings import Settings, load_settings


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "openapi", help="print the OpenAPI contract (canonical JSON)", description=__doc__
    )
    parser.add_argument(
        "--output", "-o", type=Path, help="write to this file instead of standard output"
    )
    parser.set_defaults(handler=handle)


def contract_settings(settings: Settings) -> Settings:
    """The settings the contract is generated with: test environment, no /metrics route."""
    return load_settings(
        _env_file=None,
        app_env=Environment.TEST,
        database_url=settings.database_url,
        metrics_enabled=False,
        log_level="WARNING",  # building the app logs at INFO; stdout carries the document only
    )


def contract_document(settings: Settings) -> dict[str, Any]:
    """The OpenAPI document of the app built for ``contract_settings(settings)``."""
    from pricing_service.main import create_app  # the app imports every domain: only when asked

    return create_app(contract_settings(settings)).openapi()


def canonical_json(document: dict[str, Any]) -> str:
    """Sorted keys, 2-space indent, UTF-8 characters kept, trailing newline (deterministic)."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def handle(args: argparse.Namespace, settings: Settings) -> int:
    text = canonical_json(contract_document(settings))
    output: Path | None = args.output
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror or error}") from None
    return 0
