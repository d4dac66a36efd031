"""Run the reference service the way staging runs it, and check it over HTTP.

    cd reference_app && python -m staging.smoke [--database-url URL] [--products N]
    nox -s staging_smoke

Setup, in release order: install the service into a fresh environment with the Dockerfile's own
``uv sync`` line (staging/shipping.py: what the image ships, never the development environment),
recreate the PostgreSQL database ``staging_smoke`` (STAGING_DATABASE_URL, else TEST_DATABASE_URL's
server, else postgres@127.0.0.1:5432), start the fake marketplace (`python -m pricing_service_dev
fake-marketplace`, a development double from this environment, not the image) over https with a
certificate from a throwaway CA made here (the service trusts it through ML_CA_BUNDLE: staging keeps
its https-only rule for ML_API_BASE_URL), `migrate`, `users create --role pricing_manager
--password-stdin`, `seed --products N`, then `serve --workers 2` and a separate `worker
--metrics-port P`, all with APP_ENV=staging, explicit CORS origins, a random 64-byte JWT secret, a
fresh TOKEN_ENCRYPTION_KEYS key, random marketplace credentials, METRICS_ENABLED=true and
API_DOCS_ENABLED=false.

Checks (one line each, then a summary): health, login, a guarded price update (If-Match), a sync
job pushed to the marketplace, the worker's own /metrics, hardening (security headers, no-store
on tokens, a 413 for a large body, a 422 for a NUL, the marketplace tokens sealed in the
database), CORS allowed/denied, problem+json with request ids (404, 422),
/docs off as configured, /metrics summing both API workers, SIGTERM to `serve` during a burst of
logins (every in-flight request answered, exit 0) and SIGTERM to the worker (exit 0).

Exit codes: 0 all checks passed, 1 a check or the setup failed, 3 PostgreSQL is not reachable
(a failure too: a smoke that did not run proves nothing). Child processes are always stopped;
their logs stay in the work directory when something failed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
from cryptography.fernet import Fernet
from liveproc import LiveProcess, ProcessError, free_port, port_is_closed, run_to_end
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import make_url

from pricing_service.settings import Settings
from staging.shipping import install_as_the_image_does
from staging.stack import (
    SmokeError,
    make_tls_files,
    recreate_database,
    redacted,
    server_address,
    smoke_database_url,
    unreachable_reason,
)

UNREACHABLE_EXIT = 3
ALLOWED_ORIGIN = "https://console.staging.example"
DENIED_ORIGIN = "https://evil.example"
USER_EMAIL = "smoke-manager@example.com"
API_WORKERS = 2
READY_TIMEOUT = 90.0
JOB_TIMEOUT = 60.0
STOP_TIMEOUT = 40.0  # uvicorn's graceful shutdown is 20 s
# Concurrent logins in flight when serve gets SIGTERM (argon2: slow-ish on purpose). At most
# LOGIN_MAX_FAILURES (5) attempts of one account from one address are evaluated at once: each
# counts as a failure from its arrival until it succeeds (auth/throttle.py).
BURST = 5
HEALTH_ROUTE = {"method": "GET", "route": "/health/live", "status_class": "2xx"}
HTTP_TIMEOUT = httpx.Timeout(15.0, connect=3.0)
SPAWNED = b"spawn_main"  # uvicorn's workers (multiprocessing spawn), not its resource tracker


class CheckError(Exception):
    """A check saw something wrong; the message says what."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckError(message)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# --- the running stack ------------------------------------------------------------------------


@dataclass
class Stack:
    workdir: Path
    api_url: str
    fake_url: str
    ca_bundle: Path
    metrics_dir: Path
    password: str
    serve: LiveProcess
    worker: LiveProcess
    fake: LiveProcess
    worker_metrics_url: str
    database_url: str
    children: list[LiveProcess] = field(default_factory=list)

    def api(self, **options: Any) -> httpx.Client:
        return httpx.Client(base_url=self.api_url, timeout=HTTP_TIMEOUT, **options)

    def fake_client(self) -> httpx.Client:
        trust = ssl.create_default_context(cafile=self.ca_bundle)
        return httpx.Client(base_url=self.fake_url, timeout=HTTP_TIMEOUT, verify=trust)


def setting_free_environment() -> dict[str, str]:
    """This process's environment without any service setting, so nothing leaks in."""
    names = {name.upper() for name in Settings.model_fields}
    return {k: v for k, v in os.environ.items() if k.upper() not in names}


@contextmanager
def running_stack(database_url: str, products: int, workdir: Path) -> Iterator[Stack]:
    """Set everything up in release order; stop every child process on the way out."""
    with ExitStack() as cleanup:
        program = install_as_the_image_does(workdir / "image-env")
        say(f"setup  {program}: installed by the Dockerfile's own `uv sync` line")
        recreate_database(database_url)
        say(f"setup  database {redacted(database_url)} recreated")
        tls = make_tls_files(workdir)
        fake_port, api_port = free_port(), free_port()
        marketplace = {
            "ML_CLIENT_ID": "smoke-" + secrets.token_hex(4),
            "ML_CLIENT_SECRET": secrets.token_urlsafe(32),
            "ML_REFRESH_TOKEN": "TG-" + secrets.token_urlsafe(32),
        }
        base = setting_free_environment()
        # The fake refuses to run as staging: it is a test double with the same credentials.
        fake_env = base | marketplace | {"APP_ENV": "test", "LOG_FORMAT": "json"}
        metrics_dir = workdir / "metrics"
        metrics_dir.mkdir()  # as a deployment provides it (a volume); see the report
        staging_env = (
            base
            | marketplace
            | {
                "APP_ENV": "staging",
                "DATABASE_URL": database_url,
                "CORS_ALLOWED_ORIGINS": ALLOWED_ORIGIN,
                "JWT_SECRET": secrets.token_urlsafe(64),
                "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                "ML_API_BASE_URL": f"https://127.0.0.1:{fake_port}",
                "ML_CA_BUNDLE": str(tls.ca_bundle),
                "METRICS_ENABLED": "true",
                "API_DOCS_ENABLED": "false",
                "LOG_FORMAT": "json",
                "SYNC_POLL_SECONDS": "0.2",
                "SYNC_SCHEDULE_SECONDS": "0",  # only the job this smoke starts
            }
        )
        fake = LiveProcess.start(  # a development double: from this environment, not the image's
            [
                sys.executable,
                "-m",
                "pricing_service_dev",
                "fake-marketplace",
                "--port",
                str(fake_port),
                "--ssl-certfile",
                str(tls.certificate),
                "--ssl-keyfile",
                str(tls.private_key),
            ],
            name="fake-marketplace",
            env=fake_env,
            cwd=workdir,
            log_dir=workdir,
        )
        children = [fake]
        cleanup.callback(stop_all, children)
        fake_url = f"https://127.0.0.1:{fake_port}"
        trust = ssl.create_default_context(cafile=tls.ca_bundle)
        fake.wait_http(f"{fake_url}/_fake/health", READY_TIMEOUT, context=trust)
        say(f"setup  fake marketplace at {fake_url} (certificate from a throwaway CA)")

        run_to_end([program, "migrate"], env=staging_env, cwd=workdir, timeout=180)
        say("setup  pricing-service migrate")
        password = secrets.token_urlsafe(18)
        create_user = ["users", "create", "--email", USER_EMAIL, "--role", "pricing_manager"]
        run_to_end(
            [program, *create_user, "--password-stdin"],
            env=staging_env,
            cwd=workdir,
            stdin=password + "\n",
        )
        say(f"setup  pricing-service users create {USER_EMAIL} (pricing_manager)")
        run_to_end([program, "seed", "--products", str(products)], env=staging_env, cwd=workdir)
        say(f"setup  pricing-service seed --products {products}")

        # Only the API shares a metrics directory; a worker elsewhere has its own process.
        serve = LiveProcess.start(
            [program, "serve", "--port", str(api_port), "--workers", str(API_WORKERS)],
            name="serve",
            env=staging_env | {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
            cwd=workdir,
            log_dir=workdir,
        )
        children.append(serve)
        api_url = f"http://127.0.0.1:{api_port}"
        serve.wait_http(f"{api_url}/health/ready", READY_TIMEOUT)
        serve.wait_until(
            f"waiting for {API_WORKERS} API worker processes",
            lambda: len(serve.children(SPAWNED)) == API_WORKERS,
            READY_TIMEOUT,
        )
        say(f"setup  pricing-service serve --workers {API_WORKERS} at {api_url}")
        worker_metrics_port = free_port()
        worker = LiveProcess.start(
            [program, "worker", "--metrics-port", str(worker_metrics_port)],
            name="worker",
            env=staging_env,
            cwd=workdir,
            log_dir=workdir,
        )
        children.append(worker)
        worker.wait_log("sync_worker_started", READY_TIMEOUT)
        say(f"setup  pricing-service worker --metrics-port {worker_metrics_port}")
        yield Stack(
            workdir,
            api_url,
            fake_url,
            tls.ca_bundle,
            metrics_dir,
            password,
            serve,
            worker,
            fake,
            f"http://127.0.0.1:{worker_metrics_port}/metrics",
            database_url,
            children,
        )


def stop_all(children: list[LiveProcess]) -> None:
    for child in reversed(children):
        child.stop(timeout=10)  # also kills what is left of its group (orphaned workers)


# --- checks -------------------------------------------------------------------------------------


def problem_of(response: httpx.Response, status: int, code: str) -> str:
    """Check a problem+json answer; return its request id."""
    expect(response.status_code == status, f"expected {status}, got {response.status_code}")
    media = response.headers.get("content-type", "")
    expect(media.startswith("application/problem+json"), f"content-type is {media!r}")
    body = response.json()
    expect(body.get("code") == code, f"code is {body.get('code')!r}, expected {code!r}")
    header = response.headers.get("x-request-id")
    expect(
        bool(header) and body.get("request_id") == header,
        f"request_id {body.get('request_id')!r} differs from X-Request-ID {header!r}",
    )
    return str(header)


def check_health(stack: Stack, _state: dict[str, Any]) -> str:
    with stack.api() as api:
        live, ready = api.get("/health/live"), api.get("/health/ready")
    expect(live.status_code == 200 and live.json() == {"status": "ok"}, f"live: {live.text}")
    expect(ready.status_code == 200, f"ready: {ready.status_code} {ready.text}")
    return "/health/live 200, /health/ready 200 (PostgreSQL at head)"


def login(api: httpx.Client, password: str) -> httpx.Response:
    return api.post("/api/auth/login", json={"email": USER_EMAIL, "password": password})


def check_login(stack: Stack, state: dict[str, Any]) -> str:
    with stack.api() as api:
        wrong = login(api, "not-the-password-" + secrets.token_hex(4))
        problem_of(wrong, 401, "invalid_credentials")
        answer = login(api, stack.password)
        expect(answer.status_code == 200, f"login: {answer.status_code} {answer.text}")
        state["auth"] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        me = api.get("/api/auth/me", headers=state["auth"])
    expect(me.status_code == 200 and me.json()["role"] == "pricing_manager", f"me: {me.text}")
    return "wrong password 401 problem+json; pricing_manager logged in, /api/auth/me 200"


def check_price_update(stack: Stack, state: dict[str, Any]) -> str:
    with stack.api(headers=state["auth"]) as api:
        page = api.get("/api/products", params={"limit": 5})
        expect(page.status_code == 200 and page.json()["items"], f"products: {page.text}")
        product_id = page.json()["items"][0]["id"]
        read = api.get(f"/api/products/{product_id}")
        etag, old = read.headers.get("etag"), read.json()
        expect(etag == f'"{old["version"]}"', f"ETag {etag!r} is not the version")
        new_price = (Decimal(old["price"]) * Decimal("1.05")).quantize(Decimal("0.01"))
        body = {"price": str(new_price), "reason": "staging smoke"}
        path = f"/api/products/{product_id}/price"
        missing = api.put(path, json=body)
        problem_of(missing, 428, "precondition_required")
        changed = api.put(path, json=body, headers={"If-Match": etag})
        expect(changed.status_code == 200, f"price update: {changed.status_code} {changed.text}")
        after = changed.json()
        expect(Decimal(after["price"]) == new_price, f"price is {after['price']}")
        expect(after["version"] == old["version"] + 1, "the version did not move by one")
        expect(after["pending_sync_since"] is not None, "the change is not marked pending")
        stale = api.put(path, json=body, headers={"If-Match": etag})
        expect(stale.status_code == 412, f"a stale If-Match got {stale.status_code}")
    state["product"] = after
    return (
        f"product {product_id}: {old['price']} -> {new_price} with If-Match {etag} "
        f"(no If-Match 428, stale 412)"
    )


def check_sync(stack: Stack, state: dict[str, Any]) -> str:
    product = state["product"]
    with stack.api(headers=state["auth"]) as api:
        started = api.post("/api/sync/ml")
        expect(started.status_code in (200, 202), f"start: {started.status_code} {started.text}")
        job_path = started.headers.get("location", "")
        deadline = time.monotonic() + JOB_TIMEOUT
        job = started.json()
        while job["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.25)
            job = api.get(job_path).json()
        expect(job["status"] == "succeeded", f"job {job['id']} is {job['status']}: {job}")
        expect(job["items_succeeded"] >= 1, f"job {job['id']} pushed nothing")
        synced = api.get(f"/api/products/{product['id']}").json()
    expect(synced["pending_sync_since"] is None, "the product is still pending after the job")
    with stack.fake_client() as fake:
        item = fake.get("/_fake/items").json().get(product["marketplace_item_id"])
    expect(item is not None, f"the marketplace never saw {product['marketplace_item_id']}")
    expect(Decimal(item["price"]) == Decimal(product["price"]), f"marketplace has {item}")
    return (
        f"job {job['id']} succeeded ({job['items_succeeded']} pushed over https); "
        f"{product['marketplace_item_id']} is at {item['price']} on the marketplace"
    )


def check_worker_metrics(stack: Stack, _state: dict[str, Any]) -> str:
    answer = httpx.get(stack.worker_metrics_url, timeout=HTTP_TIMEOUT)
    expect(answer.status_code == 200, f"worker /metrics: {answer.status_code}")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }
    pushed = samples.get(("pricing_sync_items_total", (("outcome", "pushed"),)), 0.0)
    expect(pushed >= 1, f"the worker's /metrics counts {pushed} pushed items")
    expect(("pricing_sync_rejected_products", ()) in samples, "no pricing_sync_rejected_products")
    return f"{stack.worker_metrics_url}: {pushed:.0f} item(s) pushed, sync gauges present"


def check_hardening(stack: Stack, state: dict[str, Any]) -> str:
    with stack.api() as api:
        health = api.get("/health/live")
        huge = api.post(
            "/api/auth/login",
            content=b"{" + b" " * (100 * 1024) + b"}",
            headers={"Content-Type": "application/json"},
        )
        nul = api.get("/api/products", params={"q": "a\x00b"}, headers=state["auth"])
        tokens = login(api, stack.password)
    expect(health.headers.get("x-content-type-options") == "nosniff", "no nosniff")
    expect(
        health.headers.get("content-security-policy") == "frame-ancestors 'none'",
        "no frame-ancestors 'none'",
    )
    expect("strict-transport-security" not in health.headers, "HSTS outside production")
    expect(tokens.headers.get("cache-control") == "no-store", "token response is cacheable")
    problem_of(huge, 413, "payload_too_large")
    problem_of(nul, 422, "validation_failed")
    url = make_url(stack.database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
        row = connection.execute(
            "SELECT refresh_token, access_token FROM marketplace_credentials"
        ).fetchone()
    expect(row is not None, "no marketplace credentials row")
    assert row is not None
    sealed = [value for value in row if value is not None]
    expect(
        all(not value.startswith(("TG-", "APP_USR-")) for value in sealed),
        "marketplace tokens stored in plain text",
    )
    return (
        "nosniff, frame-ancestors 'none', no-store on tokens; 100 KiB login 413; NUL 422; "
        f"{len(sealed)} marketplace token(s) sealed at rest"
    )


def check_cors(stack: Stack, _state: dict[str, Any]) -> str:
    preflight = {
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization,if-match",
    }
    with stack.api() as api:
        allowed = api.options(
            "/api/products/1/price", headers={"Origin": ALLOWED_ORIGIN, **preflight}
        )
        denied = api.options(
            "/api/products/1/price", headers={"Origin": DENIED_ORIGIN, **preflight}
        )
        simple_ok = api.get("/health/live", headers={"Origin": ALLOWED_ORIGIN})
        simple_denied = api.get("/health/live", headers={"Origin": DENIED_ORIGIN})
    acao = "access-control-allow-origin"
    expect(allowed.status_code == 200, f"allowed preflight got {allowed.status_code}")
    expect(allowed.headers.get(acao) == ALLOWED_ORIGIN, f"allowed preflight: {allowed.headers}")
    expect(simple_ok.headers.get(acao) == ALLOWED_ORIGIN, "allowed GET has no ACAO")
    expect(acao not in denied.headers, f"denied preflight got ACAO {denied.headers.get(acao)}")
    expect(acao not in simple_denied.headers, "denied GET got an ACAO header")
    return f"{ALLOWED_ORIGIN} gets ACAO (preflight and GET), {DENIED_ORIGIN} does not"


def check_problems(stack: Stack, state: dict[str, Any]) -> str:
    mine = "smoke-" + secrets.token_hex(8)
    with stack.api(headers=state["auth"]) as api:
        missing = api.get("/api/products/2147483647", headers={"X-Request-ID": mine})
        invalid = api.get("/api/products", params={"limit": 0})
    echoed = problem_of(missing, 404, "not_found")
    expect(echoed == mine, f"the client's X-Request-ID came back as {echoed}")
    generated = problem_of(invalid, 422, "validation_failed")
    return f"404 not_found (X-Request-ID {mine} echoed), 422 validation_failed (id {generated})"


def check_docs(stack: Stack, _state: dict[str, Any]) -> str:
    with stack.api() as api:
        statuses = {
            path: api.get(path).status_code for path in ("/docs", "/redoc", "/openapi.json")
        }
    expect(set(statuses.values()) == {404}, f"API_DOCS_ENABLED=false but {statuses}")
    return "API_DOCS_ENABLED=false: /docs, /redoc, /openapi.json answer 404"


def scraped_total(api: httpx.Client) -> float:
    answer = api.get("/metrics")
    expect(answer.status_code == 200, f"/metrics: {answer.status_code}")
    total = 0.0
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            if sample.name == "http_requests_total" and all(
                sample.labels.get(k) == v for k, v in HEALTH_ROUTE.items()
            ):
                total += sample.value
    return total


def per_process_totals(metrics_dir: Path) -> dict[int, float]:
    """The health counter in each process's own file (``counter_<pid>.db``)."""
    totals: dict[int, float] = {}
    for path in metrics_dir.glob("counter_*.db"):
        pid = int(path.stem.removeprefix("counter_"))
        merged = MultiProcessCollector.merge([str(path)])  # type: ignore[no-untyped-call]
        totals[pid] = sum(
            sample.value
            for metric in merged
            for sample in metric.samples
            if sample.name == "http_requests_total"
            and all(sample.labels.get(k) == v for k, v in HEALTH_ROUTE.items())
        )
    return totals


def check_metrics(stack: Stack, _state: dict[str, Any]) -> str:
    with stack.api() as api:
        before = scraped_total(api)
    files_before = per_process_totals(stack.metrics_dir)
    sent = 0

    def one_request(_: int) -> int:
        # A new connection each time, so the kernel hands them to either worker.
        with httpx.Client(base_url=stack.api_url, timeout=HTTP_TIMEOUT) as client:
            return client.get("/health/live", headers={"Connection": "close"}).status_code

    served: dict[int, float] = {}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _round in range(10):  # until both workers have answered some of them
            statuses = list(pool.map(one_request, range(20)))
            expect(statuses == [200] * 20, f"health answers {set(statuses)}")
            sent += 20
            after = per_process_totals(stack.metrics_dir)
            served = {pid: n - files_before.get(pid, 0.0) for pid, n in after.items()}
            if sum(1 for n in served.values() if n > 0) >= API_WORKERS:
                break
    # A worker counts a request just after its response leaves: let the last ones land.
    deadline = time.monotonic() + 5.0
    while sum(served.values()) < sent and time.monotonic() < deadline:
        time.sleep(0.1)
        after = per_process_totals(stack.metrics_dir)
        served = {pid: n - files_before.get(pid, 0.0) for pid, n in after.items()}
    expect(sum(served.values()) == sent, f"sent {sent}, the workers' files count {served}")
    workers = {pid for pid, n in served.items() if n > 0}
    expect(len(workers) == API_WORKERS, f"only processes {sorted(workers)} served requests")
    expect(workers <= set(stack.serve.children(SPAWNED)), "counts come from unknown processes")
    with stack.api() as api:
        scrapes = [scraped_total(api) - before for _ in range(4)]
    expect(all(delta == sent for delta in scrapes), f"sent {sent}, the scrapes counted {scrapes}")
    split = " + ".join(f"{served[pid]:.0f}" for pid in sorted(workers))
    return f"{sent} requests = {split} over {API_WORKERS} workers; 4 scrapes each counted {sent}"


def check_logout_everywhere(stack: Stack, _state: dict[str, Any]) -> str:
    """ADR 0009: every worker remembers the session, and every worker forgets it at logout."""
    with stack.api() as api:
        answer = login(api, stack.password)
    expect(answer.status_code == 200, f"login: {answer.status_code}")
    auth = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def me(_: int) -> int:  # a new connection each time, so either worker may answer
        with httpx.Client(base_url=stack.api_url, timeout=HTTP_TIMEOUT) as client:
            return client.get("/api/auth/me", headers={**auth, "Connection": "close"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        before = list(pool.map(me, range(40)))
        with stack.api() as api:
            expect(api.post("/api/auth/logout", headers=auth).status_code == 204, "logout")
        time.sleep(0.2)  # notifications take milliseconds; this is a generous bound
        after = list(pool.map(me, range(40)))
    expect(before == [200] * 40, f"before logout: {sorted(set(before))}")
    expect(after == [401] * 40, f"after logout: {after.count(200)} of 40 still answered 200")
    return "40 x /api/auth/me 200 on new connections; after logout 40 x 401"


def check_serve_sigterm(stack: Stack, _state: dict[str, Any]) -> str:
    """SIGTERM while logins (argon2, slow-ish) are in flight: all answered, exit 0."""
    finished: list[tuple[int | str, float]] = []
    lock = threading.Lock()
    clients = [stack.api() for _ in range(BURST)]
    for client in clients:  # an open keep-alive connection each: already accepted by a worker
        expect(client.get("/health/live").status_code == 200, "warm-up request failed")

    def log_in(client: httpx.Client) -> None:
        try:
            outcome: int | str = login(client, stack.password).status_code
        except httpx.HTTPError as error:
            outcome = type(error).__name__
        with lock:
            finished.append((outcome, time.monotonic()))

    threads = [threading.Thread(target=log_in, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # the requests reach the workers; argon2 keeps them busy well past this
    signalled = time.monotonic()
    code = stack.serve.terminate(timeout=STOP_TIMEOUT)
    for thread in threads:
        thread.join(timeout=STOP_TIMEOUT)
    for client in clients:
        client.close()
    outcomes = [outcome for outcome, _ in finished]
    after_signal = sum(1 for _, at in finished if at > signalled)
    expect(code == 0, f"serve exited with {code} (None: still running after {STOP_TIMEOUT:.0f} s)")
    expect(outcomes == [200] * BURST, f"in-flight logins ended as {outcomes}")
    expect(after_signal > 0, "every login finished before SIGTERM: nothing was in flight")
    expect(port_is_closed(int(stack.api_url.rsplit(":", 1)[1])), "the port still accepts")
    return (
        f"exit 0; {BURST}/{BURST} logins answered 200, {after_signal} of them after SIGTERM; "
        f"port closed"
    )


def check_worker_sigterm(stack: Stack, _state: dict[str, Any]) -> str:
    code = stack.worker.terminate(timeout=STOP_TIMEOUT)
    expect(code == 0, f"worker exited with {code}")
    expect(
        "sync_worker_stopped" in stack.worker.log_path.read_text(errors="replace"),
        "the worker did not log sync_worker_stopped",
    )
    return "exit 0 after sync_worker_stopped"


Check = Callable[[Stack, dict[str, Any]], str]
CHECKS: tuple[tuple[str, Check, bool], ...] = (  # (name, check, later checks need it)
    ("health", check_health, True),
    ("login", check_login, True),
    ("price update", check_price_update, True),
    ("sync job", check_sync, False),
    ("worker metrics", check_worker_metrics, False),
    ("hardening", check_hardening, False),
    ("cors", check_cors, False),
    ("problem+json", check_problems, False),
    ("docs", check_docs, False),
    ("metrics", check_metrics, False),
    ("logout on every worker", check_logout_everywhere, False),
    ("serve SIGTERM", check_serve_sigterm, False),
    ("worker SIGTERM", check_worker_sigterm, False),
)


def run_checks(stack: Stack) -> tuple[int, int]:
    state: dict[str, Any] = {}
    passed = failed = 0
    for index, (name, check, needed) in enumerate(CHECKS):
        try:
            detail = check(stack, state)
        except (CheckError, httpx.HTTPError, KeyError, ValueError, TypeError) as error:
            failed += 1
            say(f"FAIL   {name}: {type(error).__name__ if not str(error) else error}")
            if needed:
                for later, _check, _needed in CHECKS[index + 1 :]:
                    say(f"SKIP   {later}: needs {name}")
                break
        else:
            passed += 1
            say(f"ok     {name}: {detail}")
    return passed, failed


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m staging.smoke",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Database: STAGING_DATABASE_URL, else TEST_DATABASE_URL's server with database "
        "staging_smoke, else postgresql+psycopg://postgres@127.0.0.1:5432/staging_smoke.",
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL; dropped first")
    parser.add_argument("--products", type=int, default=5, help="demo products to seed (5)")
    parser.add_argument(
        "--keep-workdir", action="store_true", help="keep logs and certificates even on success"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.products <= 1000:
        parser.error("--products must be between 1 and 1000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = args.database_url or smoke_database_url(os.environ)
    host, port = server_address(database_url)
    reason = unreachable_reason(database_url)
    if reason is not None:
        say(
            f"PostgreSQL is not reachable at {host}:{port} ({reason}): start PostgreSQL there "
            "(e.g. `pg_ctlcluster 15 main start`) or set STAGING_DATABASE_URL to one that answers"
        )
        return UNREACHABLE_EXIT
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="staging-smoke-"))
    passed = failed = 0
    try:
        with running_stack(database_url, args.products, workdir) as stack:
            passed, failed = run_checks(stack)
    except (SmokeError, ProcessError) as error:
        failed += 1
        say(f"FAIL   setup: {error}")
    if failed:
        for log in sorted(workdir.glob("*.log")):
            tail = log.read_text(errors="replace").strip().splitlines()[-15:]
            say(f"--- last lines of {log}\n" + "\n".join(tail))
    elapsed = time.monotonic() - started
    say(f"staging smoke: {passed} passed, {failed} failed in {elapsed:.1f} s")
    if failed or args.keep_workdir:
        say(f"logs, certificates and metrics files are in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
