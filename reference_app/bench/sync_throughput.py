"""Sync throughput benchmark (not a test): push N pending products to the fake marketplace.

The fake runs as its own process (`python -m pricing_service_dev fake-marketplace`) with 20 ms
latency, a 200 requests/s limit (429 + Retry-After beyond it) and 5% transient 5xx errors; the
worker runs in this process with the service defaults (8 requests in flight) and a client-side rate
limit equal to the marketplace's. Reported per run: items/s, the ratio to the limit, retries, lost
items (still pending, or a marketplace price different from the database) and duplicated items (more
than one applied PUT). Target: ratio >= 0.9, 0 lost, 0 duplicated.

    uv run python reference_app/bench/sync_throughput.py            # 3 runs, medians
    uv run python reference_app/bench/sync_throughput.py --runs 1 --items 1000
    nox -s bench_sync -- --runs 5 --check                            # exit 1 below target
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import uvloop
from alembic import command
from liveproc import LiveProcess, ProcessError, free_port
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import insert, select, text

from pricing_service.core.db import alembic_config, create_engine, session_factory, sync_url
from pricing_service.core.logging import configure_logging
from pricing_service.pricing.models import Product
from pricing_service.settings import Settings, load_settings
from pricing_service.sync.models import JobTrigger, SyncJob
from pricing_service.sync.service import enqueue_job
from pricing_service.sync.worker import open_worker

TARGET_RATIO = 0.9


@dataclass(frozen=True)
class Result:
    items: int
    seconds: float
    cpu_seconds: float  # of this process (the worker); the fake runs in its own process
    retries: int
    lost: int
    duplicated: int
    limit: float

    @property
    def items_per_second(self) -> float:
        return self.items / self.seconds

    @property
    def cpu_ms_per_item(self) -> float:
        return self.cpu_seconds * 1000 / self.items

    @property
    def ratio(self) -> float:
        return self.items_per_second / self.limit

    def line(self) -> str:
        return (
            f"items={self.items} seconds={self.seconds:.2f} items/s={self.items_per_second:.1f} "
            f"ratio={self.ratio:.3f} retries={self.retries} "
            f"worker_cpu_ms/item={self.cpu_ms_per_item:.2f} lost={self.lost} "
            f"duplicated={self.duplicated}"
        )


def start_fake(args: argparse.Namespace) -> tuple[LiveProcess, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ML_", "SYNC_"))}
    env.update({"APP_ENV": "test", "LOG_LEVEL": "WARNING", "LOG_FORMAT": "json"})
    argv = [
        sys.executable,
        "-m",
        "pricing_service_dev",
        "fake-marketplace",
        f"--port={port}",
        f"--latency-ms={args.latency_ms}",
        f"--rate-limit={args.limit}",
        f"--error-rate={args.error_rate}",
        f"--seed={args.seed}",
    ]
    fake = LiveProcess.start(argv, name="fake-marketplace", env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        fake.wait_http(f"{url}/_fake/health", timeout=10)
    except ProcessError as error:
        fake.stop()
        raise SystemExit(f"the fake marketplace did not start: {error}") from None
    return fake, url


def prepare_database(database_url: str, items: int) -> None:
    engine = create_sync_engine(sync_url(database_url))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    command.upgrade(alembic_config(database_url), "head")
    engine = create_sync_engine(sync_url(database_url))
    now = datetime.now(UTC)
    rows = [
        {
            "sku": f"BENCH-{n}",
            "title": f"Benchmark product {n}",
            "currency": "ARS",
            "cost": Decimal("10.00"),
            "price": Decimal("100.00") + Decimal(n) / 100,
            "min_price": Decimal("1.00"),
            "max_price": Decimal("100000.00"),
            "marketplace_item_id": f"MLB{n}",
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "pending_sync_since": now - timedelta(seconds=n % 600),
        }
        for n in range(1, items + 1)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Product), rows)
    engine.dispose()


async def push_all(settings: Settings) -> tuple[float, float, int]:
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            await enqueue_job(session, trigger=JobTrigger.CLI)
        async with open_worker(settings, sessions, worker_id="bench") as worker:
            started, cpu_started = time.perf_counter(), time.process_time()
            await worker.drain()
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        async with sessions() as session:
            job = (await session.scalars(select(SyncJob))).one()
            return elapsed, cpu, job.retries
    finally:
        await engine.dispose()


def count_lost_and_duplicated(database_url: str, fake_url: str) -> tuple[int, int]:
    engine = create_sync_engine(sync_url(database_url))
    with engine.connect() as connection:
        products = connection.execute(
            select(Product.marketplace_item_id, Product.price, Product.pending_sync_since)
        ).all()
    engine.dispose()
    with httpx.Client(base_url=fake_url, timeout=30) as http:
        items = http.get("/_fake/items").json()
        requests = http.get("/_fake/requests").json()
    applied: dict[str, int] = {}
    for row in requests:
        if row["method"] == "PUT" and row["applied"]:
            applied[row["item_id"]] = applied.get(row["item_id"], 0) + 1
    lost = sum(
        1
        for item_id, price, pending in products
        if pending is not None or Decimal(items.get(item_id, {}).get("price") or -1) != price
    )
    duplicated = sum(1 for count in applied.values() if count > 1)
    return lost, duplicated


def run_once(args: argparse.Namespace, database_url: str) -> Result:
    prepare_database(database_url, args.items)
    fake, fake_url = start_fake(args)
    try:
        settings = load_settings(
            _env_file=None,
            app_env="test",
            database_url=database_url,
            log_level="WARNING",
            log_format="json",
            ml_api_base_url=fake_url,
            sync_rate_limit_per_second=args.limit,
            sync_schedule_seconds=0,
        )
        configure_logging(settings.log_level, settings.effective_log_format)
        seconds, cpu, retries = uvloop.run(push_all(settings))  # as `pricing-service worker`
        lost, duplicated = count_lost_and_duplicated(database_url, fake_url)
    finally:
        fake.stop()
    return Result(args.items, seconds, cpu, retries, lost, duplicated, args.limit)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--limit", type=float, default=200.0, help="requests/s (both sides)")
    parser.add_argument("--error-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL URL (its schema is reset); else SQLite"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a median misses")
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(1, args.runs + 1):
            database_url = args.database_url or f"sqlite:///{Path(folder) / f'bench{run}.db'}"
            result = run_once(args, database_url)
            results.append(result)
            sys.stdout.write(f"run {run}: {result.line()}\n")
            sys.stdout.flush()
    ratio = statistics.median(r.ratio for r in results)
    items_per_second = statistics.median(r.items_per_second for r in results)
    sys.stdout.write(
        f"median of {len(results)}: items/s={items_per_second:.1f} ratio={ratio:.3f} "
        f"retries={statistics.median(r.retries for r in results):.0f} "
        f"worker_cpu_ms/item={statistics.median(r.cpu_ms_per_item for r in results):.2f} "
        f"lost={max(r.lost for r in results)} duplicated={max(r.duplicated for r in results)} "
        f"(target: ratio >= {TARGET_RATIO}, 0 lost, 0 duplicated)\n"
    )
    met = ratio >= TARGET_RATIO and all(r.lost == 0 and r.duplicated == 0 for r in results)
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
