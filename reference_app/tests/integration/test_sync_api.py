"""The sync API: start a job (one active at a time, race-safe), read jobs and items, freshness."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pricing_service.core.db import create_engine, session_factory
from pricing_service.settings import Settings
from pricing_service.sync.models import JobTrigger, SyncItem, SyncJob
from pricing_service.sync.service import enqueue_job
from tests.problems import assert_problem
from tests.sync_support import add_products

Headers = Callable[..., dict[str, str]]


def test_start_sync_returns_202_with_the_job_and_its_location(
    client: TestClient, auth_headers: Headers, db: Session
) -> None:
    response = client.post(
        "/api/sync/ml",
        headers={**auth_headers("pricing_manager"), "X-Request-ID": "req-start-sync-0001"},
    )
    assert response.status_code == 202
    job = response.json()
    assert response.headers["location"] == f"/api/sync/jobs/{job['id']}"
    assert job["status"] == "queued"
    assert job["trigger"] == "api"
    assert job["request_id"] == "req-start-sync-0001"
    assert job["requested_by"] is not None
    assert job["product_ids"] is None
    assert (job["items_total"], job["items_succeeded"], job["items_failed"]) == (0, 0, 0)

    again = client.post("/api/sync/ml", headers=auth_headers("admin"))
    assert again.status_code == 200  # the active job, not a second one
    assert again.json()["id"] == job["id"]
    assert again.headers["location"] == response.headers["location"]
    assert len(db.scalars(select(SyncJob)).all()) == 1


def test_start_sync_for_given_products(
    client: TestClient, auth_headers: Headers, db: Session
) -> None:
    products = add_products(db, 3)
    ids = [products[2].id, products[0].id, products[0].id]
    response = client.post("/api/sync/ml", json={"product_ids": ids}, headers=auth_headers())
    assert response.status_code == 202
    assert response.json()["product_ids"] == sorted({products[0].id, products[2].id})


def test_start_sync_with_unknown_products_is_a_problem(
    client: TestClient, auth_headers: Headers
) -> None:
    response = client.post("/api/sync/ml", json={"product_ids": [999_999]}, headers=auth_headers())
    body = assert_problem(response, 422, "sync_unknown_products")
    assert body["product_ids"] == [999_999]


def test_start_sync_validates_its_body(client: TestClient, auth_headers: Headers) -> None:
    bodies: list[dict[str, object]] = [
        {"product_ids": []},
        {"product_ids": [0]},
        {"everything": True},
    ]
    for body in bodies:
        assert_problem(
            client.post("/api/sync/ml", json=body, headers=auth_headers()), 422, "validation_failed"
        )


def test_permissions(client: TestClient, auth_headers: Headers) -> None:
    assert_problem(client.post("/api/sync/ml"), 401, "authentication_required")
    assert_problem(
        client.post("/api/sync/ml", headers=auth_headers("viewer")), 403, "permission_denied"
    )
    viewer = auth_headers("viewer")
    for path in ("/api/sync/jobs", "/api/sync/status"):
        assert client.get(path, headers=viewer).status_code == 200
        assert_problem(client.get(path), 401, "authentication_required")


def test_concurrent_starts_create_one_job(settings: Settings) -> None:
    """The partial unique index makes the check-then-insert race-safe (PostgreSQL and SQLite)."""

    async def start_many() -> list[tuple[int, bool]]:
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)

        async def start() -> tuple[int, bool]:
            async with sessions() as session:
                job, created = await enqueue_job(session, trigger=JobTrigger.API)
                return job.id, created

        try:
            return list(await asyncio.gather(*(start() for _ in range(8))))
        finally:
            await engine.dispose()

    results = asyncio.run(start_many())
    assert len({job_id for job_id, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1


def _finished_job(db: Session, **values: object) -> SyncJob:
    now = datetime.now(UTC)
    job = SyncJob(
        marketplace="mercadolibre",
        trigger="schedule",
        items_total=0,
        items_succeeded=0,
        items_failed=0,
        retries=0,
        claims=1,
        created_at=now,
        **values,
    )
    db.add(job)
    db.commit()
    return job


def test_jobs_list_newest_first_with_a_cursor(
    client: TestClient, auth_headers: Headers, db: Session
) -> None:
    jobs = [_finished_job(db, status="succeeded") for _ in range(5)]
    headers = auth_headers("viewer")
    first = client.get("/api/sync/jobs?limit=2", headers=headers).json()
    assert [j["id"] for j in first["items"]] == [jobs[4].id, jobs[3].id]
    second = client.get(f"/api/sync/jobs?limit=2&cursor={first['next_cursor']}", headers=headers)
    assert [j["id"] for j in second.json()["items"]] == [jobs[2].id, jobs[1].id]
    last = client.get(f"/api/sync/jobs?limit=2&cursor={jobs[1].id}", headers=headers).json()
    assert [j["id"] for j in last["items"]] == [jobs[0].id]
    assert last["next_cursor"] is None
    assert_problem(
        client.get("/api/sync/jobs?cursor=abc", headers=headers), 422, "validation_failed"
    )


def test_job_detail_items_and_404(client: TestClient, auth_headers: Headers, db: Session) -> None:
    products = add_products(db, 2)
    job = _finished_job(db, status="partial", last_error="product 2 (MLA2): Item not found")
    for product, status, error in (
        (products[0], "succeeded", None),
        (products[1], "rejected", "Item with id MLA2 not found"),
    ):
        db.add(
            SyncItem(
                job_id=job.id,
                product_id=product.id,
                product_version=1,
                marketplace_item_id=str(product.marketplace_item_id),
                price=product.price,
                status=status,
                attempts=1,
                error_code="item_not_found" if error else None,
                error=error,
                created_at=datetime.now(UTC),
            )
        )
    db.commit()
    headers = auth_headers("viewer")

    detail = client.get(f"/api/sync/jobs/{job.id}", headers=headers).json()
    assert (detail["status"], detail["last_error"]) == (
        "partial",
        "product 2 (MLA2): Item not found",
    )
    items = client.get(f"/api/sync/jobs/{job.id}/items", headers=headers).json()["items"]
    assert [(i["marketplace_item_id"], i["status"], i["price"]) for i in items] == [
        ("MLA1", "succeeded", "101.00"),
        ("MLA2", "rejected", "102.00"),
    ]
    rejected = client.get(f"/api/sync/jobs/{job.id}/items?status=rejected", headers=headers)
    assert [i["error"] for i in rejected.json()["items"]] == ["Item with id MLA2 not found"]
    assert_problem(client.get("/api/sync/jobs/424242", headers=headers), 404, "not_found")
    assert_problem(client.get("/api/sync/jobs/424242/items", headers=headers), 404, "not_found")


def test_status_reports_backlog_oldest_age_and_last_success(
    client: TestClient, auth_headers: Headers, db: Session
) -> None:
    headers = auth_headers("viewer")
    empty = client.get("/api/sync/status", headers=headers).json()
    assert empty == {
        "backlog": 0,
        "oldest_pending_since": None,
        "oldest_pending_age_seconds": 0.0,
        "last_success_at": None,
        "last_push_at": None,
        "rejected": 0,
        "degraded": False,
        "degraded_reason": None,
        "active_job": None,
    }

    add_products(db, 3)  # pending for 30 s
    add_products(db, 2, pending=False, start=10)
    unlisted = add_products(db, 1, start=20)[0]
    unlisted.marketplace_item_id = None  # not on the marketplace: nothing to push
    db.commit()
    finished = datetime.now(UTC) - timedelta(minutes=5)
    _finished_job(db, status="succeeded", finished_at=finished)
    _finished_job(db, status="partial", finished_at=datetime.now(UTC))
    client.post("/api/sync/ml", headers=auth_headers("admin"))

    status = client.get("/api/sync/status", headers=headers).json()
    assert status["backlog"] == 3
    assert 29 <= status["oldest_pending_age_seconds"] < 120
    assert datetime.fromisoformat(status["last_success_at"]) == finished  # not the partial one
    assert status["active_job"]["status"] == "queued"
