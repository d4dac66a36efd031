"""The reference API under load, side by side with a bare FastAPI app on the same server settings.

    uv run python reference_app/bench/api_load.py [--workers 2] [--duration 10] [--repeat 3]
    nox -s bench -- --database sqlite --output bench-results.json

It recreates a PostgreSQL database ``bench`` (or a temporary SQLite file), migrates it, seeds
10,000 products and a few users, starts ``pricing-service serve --workers N`` and the bare app
(``bare_app.py`` under uvicorn with httptools + uvloop and the same worker count) on free
loopback ports, logs in, and drives each endpoint from a separate process with wrk.

Why wrk: written in C with an event loop per thread, it keeps connections alive, records every
latency in an HdrHistogram, and costs little CPU, which matters on a 2-core machine where the
load generator shares the cores with the server and PostgreSQL; a Python generator would use
more CPU than the servers it measures. Lua (``wrk_load.lua``) adds the bearer token, walks
product ids and sends each PUT to a distinct product with the If-Match it expects.

Reported per endpoint: medians over ``--repeat`` runs of requests/s, p50, p95 and p99; errors
summed over the runs (responses >= 400 plus socket errors and timeouts); throughput as a ratio
of the bare app's. See BENCHMARKS.md ("API load") for how to read them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from harness import (
    BENCH_DIR,
    READY_TIMEOUT_SECONDS,
    BenchError,
    Load,
    Measurement,
    Server,
    backend_pids,
    cpu_seconds,
    pricing_service_command,
    recreate_postgres_database,
    run_cli,
    run_wrk,
    run_wrk_profiled,
    summarize_profile,
)
from liveproc import ProcessError, free_port, running

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
READ_P99_TARGET_MS = 40.0
# h11 stalled every keep-alive request ~44 ms on this machine; httptools answers in ~1 ms.
KEEPALIVE_STALL_MS = 20.0
# Issue 24's targets, as ratios of the bare app's req/s in the same run.
RATIO_TARGETS = {
    "health_live": 0.8,
    "auth_me": 0.6,
    "products_list": 0.25,
    "product_get": 0.3,
    "price_put": 0.1,
}
READS = ("auth_me", "products_list", "product_get")
LOGIN_USERS = 4
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    target: str  # "api" or "bare"
    mode: str  # wrk_load.lua BENCH_MODE
    path: str
    role: str | None = None  # whose token; None: no token
    login: bool = False  # reported apart: bounded by argon2 on purpose


ENDPOINTS = (
    Endpoint("bare", "bare FastAPI GET /bare", "bare", "get", "/bare"),
    # The service's middleware stack alone (request id, access log, metrics, CORS, errors).
    Endpoint("health_live", "GET /health/live", "api", "get", "/health/live"),
    Endpoint("auth_me", "GET /api/auth/me", "api", "get", "/api/auth/me", "viewer"),
    Endpoint(
        "products_list",
        "GET /api/products?limit=50",
        "api",
        "get",
        "/api/products?limit=50",
        "viewer",
    ),
    Endpoint("product_get", "GET /api/products/{id}", "api", "walk", "/api/products/", "viewer"),
    Endpoint("price_put", "PUT /api/products/{id}/price", "api", "put", "/", "pricing_manager"),
    Endpoint("login", "POST /api/auth/login", "api", "login", "/", login=True),
)
BY_KEY = {e.key: e for e in ENDPOINTS}


@dataclass
class Result:
    endpoint: Endpoint
    connections: int
    runs: list[Measurement] = field(default_factory=list)
    profile: dict[str, Any] | None = None

    def median(self, name: str) -> float:
        return float(statistics.median(getattr(run, name) for run in self.runs))

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)

    def summary(self, bare_rps: float | None) -> dict[str, Any]:
        rps = self.median("requests_per_second")
        return {
            "endpoint": self.endpoint.label,
            "connections": self.connections,
            "requests_per_second": round(rps, 1),
            "p50_ms": round(self.median("p50_ms"), 2),
            "p95_ms": round(self.median("p95_ms"), 2),
            "p99_ms": round(self.median("p99_ms"), 2),
            "server_cpu_us": round(self.median("server_cpu_us")),
            "database_cpu_us": round(self.median("database_cpu_us")),
            "errors": self.errors,
            "ratio_to_bare": round(rps / bare_rps, 3) if bare_rps else None,
            "runs": [asdict(run) for run in self.runs],
            **({"profile": self.profile} if self.profile else {}),
        }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="api_load.py",
        description="Load the reference API with wrk next to a bare FastAPI baseline.",
    )
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_POSTGRES_URL,
        help="PostgreSQL database to RECREATE (its name must start with 'bench')",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers, both apps")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint run")
    parser.add_argument("--warmup", type=float, default=2.0, help="unrecorded seconds first")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--login-connections", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=10.0, help="wrk socket timeout, s")
    parser.add_argument("--repeat", type=int, default=3, help="runs per endpoint (medians)")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument(
        "--endpoints",
        default=",".join(BY_KEY),
        help=f"comma-separated subset of: {', '.join(BY_KEY)} (bare always runs)",
    )
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (server logs)")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="after the measured runs, one more run per endpoint under py-spy (raw stacks to DIR)",
    )
    args = parser.parse_args(argv)
    unknown = set(args.endpoints.split(",")) - set(BY_KEY)
    if unknown:
        parser.error(f"unknown endpoint(s): {', '.join(sorted(unknown))}")
    for name in ("workers", "connections", "threads", "login_connections", "repeat", "products"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.duration < 1 or args.connections < args.threads:
        parser.error("--duration must be >= 1 s and --connections >= --threads")
    return args


def service_env(args: argparse.Namespace, work: Path) -> dict[str, str]:
    """Production settings on PostgreSQL; SQLite is refused there, so development made alike."""
    if args.database == "postgresql":
        database_url, app_env = args.database_url, "production"
    else:
        database_url, app_env = f"sqlite:///{work / 'bench.db'}", "development"
    env = {key: value for key, value in os.environ.items() if key not in _SERVICE_VARIABLES}
    env.update(
        APP_ENV=app_env,
        DATABASE_URL=database_url,
        JWT_SECRET=secrets.token_urlsafe(48),
        ACCESS_TOKEN_TTL_SECONDS="7200",  # noqa: S106  # a lifetime: outlives the whole run
        CORS_ALLOWED_ORIGINS="https://pricing.example.com",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",  # one access line per request, as in production
        API_DOCS_ENABLED="false",
        METRICS_ENABLED="false",
        SYNC_WORKER_IN_PROCESS="false",
        # Never contacted: the sync worker does not run in the API process here.
        ML_API_BASE_URL="https://marketplace.invalid",
        ML_CLIENT_ID="bench",
        ML_CLIENT_SECRET=secrets.token_urlsafe(24),
        ML_REFRESH_TOKEN=secrets.token_urlsafe(24),
        TOKEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    return env


_SERVICE_VARIABLES = frozenset(
    {"DATABASE_URL", "APP_ENV", "JWT_PREVIOUS_SECRET", "PROMETHEUS_MULTIPROC_DIR", "LOG_FORMAT"}
)


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    role: str


def accounts() -> list[Account]:
    fixed = [
        Account("bench-viewer@example.com", secrets.token_urlsafe(18), "viewer"),
        Account("bench-manager@example.com", secrets.token_urlsafe(18), "pricing_manager"),
    ]
    logins = [
        Account(f"bench-login-{n}@example.com", secrets.token_urlsafe(18), "viewer")
        for n in range(1, LOGIN_USERS + 1)
    ]
    return fixed + logins


def prepare_database(
    args: argparse.Namespace, env: dict[str, str], work: Path, users: list[Account]
) -> str:
    """Migrate, seed products and create users; return the database server description."""
    if args.database == "postgresql":
        version = "PostgreSQL " + recreate_postgres_database(args.database_url)
    else:
        version = "SQLite " + sqlite3.sqlite_version
    run_cli(["migrate"], env, work)
    run_cli(["seed", "--products", str(args.products)], env, work)
    for user in users:
        run_cli(
            ["users", "create", "--email", user.email, "--role", user.role, "--password-stdin"],
            env,
            work,
            stdin=user.password + "\n",
        )
    return version


def log_in(client: httpx.Client, base_url: str, account: Account) -> str:
    response = client.post(
        base_url + "/api/auth/login", json={"email": account.email, "password": account.password}
    )
    if response.status_code != 200:
        raise BenchError(f"login of {account.email} answered {response.status_code}")
    token: str = response.json()["access_token"]
    return token


def price_rows(client: httpx.Client, token: str, half: int) -> list[str]:
    """'id version a b' for the products with id % 2 == half: b is the current price, a a
    neighbour within bounds. Consecutive PUT runs take alternate halves, so a request still in
    flight when wrk stops can never make the next run's If-Match stale."""
    rows: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "200", **({"cursor": cursor} if cursor else {})}
        response = client.get(
            "/api/products", params=params, headers={"Authorization": f"Bearer {token}"}
        )
        response.raise_for_status()
        page = response.json()
        for item in page["items"]:
            if item["id"] % 2 != half:
                continue
            price, low, high = (Decimal(item[k]) for k in ("price", "min_price", "max_price"))
            step = max(CENT, (price * Decimal("0.01")).quantize(CENT))
            other = price + step if price + step <= high else price - step
            if other < low:
                continue  # bounds too tight to move: leave this product out
            rows.append(f"{item['id']} {item['version']} {other} {price}")
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


def preflight(
    client: httpx.Client, base_url: str, endpoint: Endpoint, tokens: dict[str, str]
) -> None:
    """One request by hand: a 3xx/4xx here means the setup is wrong, not the service slow."""
    if endpoint.mode in ("put", "login"):
        return  # their first wrk run shows it: every non-2xx is counted as an error
    headers = {"Authorization": f"Bearer {tokens[endpoint.role]}"} if endpoint.role else {}
    path = endpoint.path + ("1" if endpoint.mode == "walk" else "")
    response = client.get(base_url + path, headers=headers)
    if not 200 <= response.status_code < 300:
        raise BenchError(f"{endpoint.label} answered {response.status_code} before the load")


@contextmanager
def servers(
    args: argparse.Namespace, env: dict[str, str], work: Path
) -> Iterator[dict[str, Server]]:
    with ExitStack() as stack:
        api_port, bare_port = free_port(), free_port()
        api_command = [
            *pricing_service_command(),
            "serve",
            "--workers",
            str(args.workers),
            "--port",
            str(api_port),
        ]
        bare_command = [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--app-dir",
            str(BENCH_DIR),
            "--host",
            "127.0.0.1",
            "--port",
            str(bare_port),
            "--workers",
            str(args.workers),
            "--http",
            "httptools",
            "--loop",
            "uvloop",
            "--no-access-log",
            "--no-server-header",
            "--log-level",
            "warning",
        ]
        started = {}
        for name, command, port, ready in (
            ("api", api_command, api_port, "/health/ready"),
            ("bare", bare_command, bare_port, "/bare"),
        ):
            url = f"http://127.0.0.1:{port}"
            live = running(
                command,
                name=name,
                env=env,
                cwd=work,
                log_dir=work,
                ready_url=url + ready,
                timeout=READY_TIMEOUT_SECONDS,
                stop_timeout=30,
            )
            started[name] = Server(url, stack.enter_context(live))
        yield started


@dataclass
class Driver:
    """Runs wrk against the running servers with what each endpoint needs."""

    args: argparse.Namespace
    work: Path
    running: dict[str, Server]
    api: httpx.Client
    tokens: dict[str, str]
    put_runs: int = 0

    @property
    def on_postgresql(self) -> bool:
        return bool(self.args.database == "postgresql")

    def run(
        self,
        endpoint: Endpoint,
        connections: int,
        seconds: float,
        profile: Path | None = None,
        threads: int | None = None,
    ) -> Measurement:
        env = {"BENCH_MODE": endpoint.mode}
        if endpoint.role:
            env["BENCH_TOKEN"] = self.tokens[endpoint.role]
        if endpoint.mode == "walk":
            env.update(BENCH_PATH=endpoint.path, BENCH_COUNT=str(self.args.products))
        elif endpoint.mode == "put":  # versions read right before every run
            self.put_runs += 1
            rows = price_rows(self.api, self.tokens["viewer"], self.put_runs % 2)
            data = self.work / "prices.txt"
            data.write_text("\n".join(rows) + "\n")
            env["BENCH_DATA"] = str(data)
        elif endpoint.mode == "login":
            env["BENCH_DATA"] = str(self.work / "logins.txt")
        path = endpoint.path if endpoint.mode == "get" else "/"
        server = self.running[endpoint.target]
        load = Load(
            url=server.base_url + path,
            connections=connections,
            threads=threads or self.args.threads,
            duration_seconds=seconds,
            timeout_seconds=self.args.timeout,
            env=env,
        )
        workers = server.worker_pids()
        backends = backend_pids(self.args.database_url) if self.on_postgresql else []
        server_cpu, database_cpu = cpu_seconds(workers), cpu_seconds(backends)
        if profile is None:
            measurement = run_wrk(load)
        else:
            measurement = run_wrk_profiled(load, server.live.pid, profile)
        requests = max(measurement.requests, 1)
        measurement = replace(
            measurement,
            server_cpu_us=(cpu_seconds(workers) - server_cpu) / requests * 1e6,
            database_cpu_us=(cpu_seconds(backends) - database_cpu) / requests * 1e6,
        )
        if not server.live.running:  # e.g. killed from outside: the figures are void
            raise BenchError(f"{server.name} server exited during {endpoint.label}")
        return measurement


def measure(
    args: argparse.Namespace, work: Path, users: list[Account], env: dict[str, str]
) -> tuple[list[Result], dict[str, Any]]:
    selected = [e for e in ENDPOINTS if e.key == "bare" or e.key in args.endpoints.split(",")]
    results = {
        e.key: Result(e, args.login_connections if e.login else args.connections) for e in selected
    }
    (work / "logins.txt").write_text(
        "".join(f"{u.email} {u.password}\n" for u in users if u.email.startswith("bench-login"))
    )
    with servers(args, env, work) as running, httpx.Client(timeout=30.0) as client:
        api_url = running["api"].base_url
        tokens = {u.role: log_in(client, api_url, u) for u in users[:2]}
        for endpoint in selected:
            preflight(client, running[endpoint.target].base_url, endpoint, tokens)
        driver = Driver(args, work, running, httpx.Client(base_url=api_url, timeout=30.0), tokens)
        keepalive = keepalive_check(driver)
        for repeat in range(1, args.repeat + 1):
            for endpoint in selected:
                result = results[endpoint.key]
                if args.warmup > 0:
                    driver.run(endpoint, result.connections, args.warmup)
                measurement = driver.run(endpoint, result.connections, args.duration)
                result.runs.append(measurement)
                sys.stderr.write(
                    f"run {repeat}/{args.repeat} {endpoint.label}: "
                    f"{measurement.requests_per_second:,.0f} req/s, "
                    f"p95 {measurement.p95_ms:.1f} ms, errors {measurement.errors}\n"
                )
        if args.profile:  # extra runs, never mixed into the figures above
            args.profile.mkdir(parents=True, exist_ok=True)
            for endpoint in selected:
                raw = args.profile / f"{endpoint.key}.txt"
                driver.run(endpoint, results[endpoint.key].connections, args.duration, raw)
                results[endpoint.key].profile = {"raw": str(raw), **summarize_profile(raw)}
                sys.stderr.write(f"profiled {endpoint.label}: {raw}\n")
    return list(results.values()), keepalive


def keepalive_check(driver: Driver) -> dict[str, Any]:
    """One connection, one request at a time: a server that stalls keep-alive shows it here."""
    endpoint = BY_KEY["auth_me"]
    one = driver.run(endpoint, connections=1, seconds=3, threads=1)
    return {
        "endpoint": endpoint.label,
        "connections": 1,
        "requests_per_second": round(one.requests_per_second, 1),
        "p50_ms": round(one.p50_ms, 2),
        "p99_ms": round(one.p99_ms, 2),
        "stalled": one.p50_ms >= KEEPALIVE_STALL_MS,
    }


def machine(database: str) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("fastapi", "starlette", "uvicorn", "httptools", "uvloop", "sqlalchemy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "missing"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "database": database,
        "packages": versions,
    }


def verdicts(summaries: dict[str, dict[str, Any]]) -> list[tuple[str, bool]]:
    checks: list[tuple[str, bool]] = []
    for key, target in RATIO_TARGETS.items():
        if key in summaries:
            ratio = summaries[key]["ratio_to_bare"] or 0.0
            label = f"{BY_KEY[key].label} >= {target} x bare (got {ratio})"
            checks.append((label, ratio >= target))
    for key in READS:
        if key in summaries:
            p99 = summaries[key]["p99_ms"]
            checks.append(
                (
                    f"{BY_KEY[key].label} p99 <= {READ_P99_TARGET_MS:g} ms (got {p99})",
                    p99 <= READ_P99_TARGET_MS,
                )
            )
    errors = sum(s["errors"] for s in summaries.values())
    checks.append((f"0 errors (got {errors})", errors == 0))
    return checks


def table(summaries: dict[str, dict[str, Any]]) -> str:
    header = f"{'endpoint':<32} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8}"
    header += f" {'p99 ms':>8} {'errors':>6} {'x bare':>7} {'app us':>7} {'db us':>6}"
    lines = [header, "-" * len(header)]
    for key, s in summaries.items():
        if key == "login":
            lines.append("-- bounded by argon2 on purpose (RFC 9106 profile), reported apart --")
        ratio = f"{s['ratio_to_bare']:.2f}" if s["ratio_to_bare"] is not None else "-"
        lines.append(
            f"{s['endpoint']:<32} {s['connections']:>5} {s['requests_per_second']:>9,.0f} "
            f"{s['p50_ms']:>8.2f} {s['p95_ms']:>8.2f} {s['p99_ms']:>8.2f} {s['errors']:>6} "
            f"{ratio:>7} {s['server_cpu_us']:>7} {s['database_cpu_us']:>6}"
        )
    return "\n".join(lines)


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(143)  # unwinds the with-blocks: the servers we started are stopped


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    work = Path(tempfile.mkdtemp(prefix="pricing-bench-"))
    env = service_env(args, work)
    users = accounts()
    try:
        sys.stderr.write(f"preparing the {args.database} database ({args.products} products)\n")
        database = prepare_database(args, env, work, users)
        results, keepalive = measure(args, work, users, env)
    except (BenchError, ProcessError) as error:
        sys.stderr.write(f"api_load.py: {error} (logs kept in {work})\n")
        return 2
    if args.keep:
        sys.stderr.write(f"work dir kept: {work}\n")
    else:
        shutil.rmtree(work, ignore_errors=True)
    bare_rps = next(r.median("requests_per_second") for r in results if r.endpoint.key == "bare")
    summaries = {r.endpoint.key: r.summary(bare_rps) for r in results}
    host = machine(database)
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
        "machine": host,
        "config": {
            "workers": args.workers,
            "connections": args.connections,
            "login_connections": args.login_connections,
            "threads": args.threads,
            "duration_seconds": args.duration,
            "warmup_seconds": args.warmup,
            "repeat": args.repeat,
            "products": args.products,
            "app_env": env["APP_ENV"],
        },
        "results": summaries,
        "targets": [{"check": c, "met": ok} for c, ok in verdicts(summaries)],
        "keepalive_check": keepalive,
    }
    out = sys.stdout
    out.write(
        f"\n{host['cpu']}, {host['cores']} cores, {database}; "
        f"{args.workers} workers, wrk {args.threads} threads, {args.connections} connections, "
        f"{args.duration:g} s x {args.repeat} (medians)\n\n"
    )
    out.write(table(summaries) + "\n\n")
    for check, ok in verdicts(summaries):
        out.write(f"[{'met' if ok else 'MISSED'}] {check}\n")
    out.write(
        f"[{'STALLED' if keepalive['stalled'] else 'ok'}] keep-alive, 1 connection: "
        f"{keepalive['endpoint']} p50 {keepalive['p50_ms']} ms, p99 {keepalive['p99_ms']} ms "
        f"(a stalling server shows ~44 ms)\n"
    )
    for s in summaries.values():
        if "profile" in s:
            libraries = ", ".join(
                f"{k} {v}%" for k, v in s["profile"]["self_by_library_pct"].items()
            )
            out.write(f"\nprofile {s['endpoint']} (py-spy, self time): {libraries}\n")
            for name, pct in s["profile"]["service_functions_inclusive_pct"].items():
                out.write(f"    {pct:5.1f}%  {name}\n")
    if args.output:
        args.output.write_text(json.dumps(report, indent=2) + "\n")
        out.write(f"\nwrote {args.output}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
