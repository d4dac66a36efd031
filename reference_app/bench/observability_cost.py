"""CPU per request of what the middleware records: the two HTTP metrics and the access line.

    uv run python reference_app/bench/observability_cost.py [--calls 50000]

In-process, no server: ``record_request`` (the histogram and the counter) and the access line
as ``bootstrap.middleware`` writes it (structlog, JSON, to stdout, here /dev/null), each called
``--calls`` times. Prometheus' multiprocess mode (what ``serve --workers N`` uses) writes every
value to a memory-mapped file; the single-process mode keeps them in memory. Each mode runs in a
process of its own, because prometheus-client picks the mode at import.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence

MODES = ("multiprocess", "single")


def per_call_us(function: Callable[[], object], calls: int) -> float:
    for _ in range(1000):
        function()
    started = time.process_time()
    for _ in range(calls):
        function()
    return (time.process_time() - started) / calls * 1e6


def measure(mode: str, calls: int) -> str:
    """Run in a fresh process: the metrics module must be imported after the mode is set."""
    import structlog

    from pricing_service.core.logging import configure_logging, get_logger
    from pricing_service.observability.metrics import record_request

    configure_logging("INFO", "json")
    access = get_logger("pricing_service.access")
    route = "/api/products/{product_id}"
    structlog.contextvars.bind_contextvars(request_id="0123456789abcdef0123456789abcdef")
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        metrics = per_call_us(lambda: record_request("GET", route, 200, 0.0123), calls)
        line = per_call_us(
            lambda: access.info("request", method="GET", route=route, status=200, duration_ms=12.3),
            calls,
        )
    return f"{mode:<13} {metrics:>10.1f} {line:>12.1f} {metrics + line:>9.1f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="observability_cost.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args(argv)
    if args.mode:
        sys.stdout.write(measure(args.mode, args.calls) + "\n")
        return 0
    sys.stdout.write(f"{'mode':<13} {'metrics us':>10} {'access us':>12} {'both us':>9}\n")
    for mode in MODES:
        env = dict(os.environ)
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with tempfile.TemporaryDirectory() as directory:
            if mode == "multiprocess":
                env["PROMETHEUS_MULTIPROC_DIR"] = directory
            command = [sys.executable, __file__, "--mode", mode, "--calls", str(args.calls)]
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            return result.returncode
        sys.stdout.write(result.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
