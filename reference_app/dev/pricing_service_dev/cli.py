"""``python -m pricing_service_dev fake-marketplace``: the local fake MercadoLibre API.

It accepts the marketplace credentials of the service's settings (the development defaults
unless ML_CLIENT_ID / ML_CLIENT_SECRET / ML_REFRESH_TOKEN are set), so `pricing-service worker`
with the same settings talks to it out of the box. See ``pricing_service_dev.fake_marketplace``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import uvicorn
from pydantic import ValidationError

from pricing_service.commands import CommandError
from pricing_service.core.logging import configure_logging
from pricing_service.core.settings import SettingsError
from pricing_service.settings import Settings, load_settings
from pricing_service_dev.fake_marketplace import FakeConfig, FakeMarketplace


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "fake-marketplace", help="run the local fake MercadoLibre API", description=__doc__
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to each item call")
    parser.add_argument(
        "--error-rate", type=float, default=0.0, help="share of item calls answered 5xx (0..1)"
    )
    parser.add_argument(
        "--rate-limit", type=float, default=None, help="item calls per second before 429"
    )
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After of a 429 (s)")
    parser.add_argument(
        "--token-ttl", type=int, default=21600, help="access token lifetime in seconds"
    )
    parser.add_argument("--min-price", default=None, help="reject prices below this amount")
    parser.add_argument(
        "--no-auto-create",
        action="store_true",
        help="answer 404 for items not seeded through PUT /_fake/items/{id}",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the random error draw")
    parser.add_argument(
        "--ssl-certfile", default=None, help="serve https with this PEM certificate (chain)"
    )
    parser.add_argument("--ssl-keyfile", default=None, help="the certificate's PEM private key")
    parser.set_defaults(handler=handle)


def build_config(args: argparse.Namespace, settings: Settings) -> FakeConfig:
    client_id, client_secret = settings.ml_client_credentials
    try:
        min_price = None if args.min_price is None else Decimal(args.min_price)
    except InvalidOperation:
        raise CommandError(f"--min-price: {args.min_price!r} is not an amount") from None
    try:
        return FakeConfig(
            latency_ms=args.latency_ms,
            error_rate=args.error_rate,
            rate_limit_per_second=args.rate_limit,
            retry_after_seconds=args.retry_after,
            token_ttl_seconds=args.token_ttl,
            min_price=min_price,
            auto_create_items=not args.no_auto_create,
            client_id=client_id,
            client_secret=client_secret.get_secret_value(),
            initial_refresh_token=settings.ml_initial_refresh_token.get_secret_value(),
            seed=args.seed,
        )
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        option = "--" + str(first["loc"][0]).replace("_", "-") if first["loc"] else "option"
        raise CommandError(f"{option}: {first['msg']}") from None


def handle(args: argparse.Namespace, settings: Settings) -> int:
    if settings.app_env.is_deployed:
        raise CommandError(
            f"the fake marketplace is for development and tests, not {settings.app_env}"
        )
    if not 0 < args.port < 65536:
        raise CommandError(f"--port: {args.port} is not a TCP port")
    if (args.ssl_certfile is None) != (args.ssl_keyfile is None):
        raise CommandError("--ssl-certfile and --ssl-keyfile go together")
    fake = FakeMarketplace(build_config(args, settings))
    uvicorn.run(
        fake,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        http="httptools",
        loop="uvloop",
        timeout_graceful_shutdown=5,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Development commands; the same one-line errors and exit code 2 as ``pricing-service``."""
    parser = argparse.ArgumentParser(
        prog="python -m pricing_service_dev",
        description="Development doubles of the pricing service (never in its wheel).",
    )
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.effective_log_format)
        code: int = args.handler(args, settings)
    except (SettingsError, CommandError) as error:
        sys.stderr.write(f"pricing_service_dev {args.command}: {error}\n")
        return 2
    return code
