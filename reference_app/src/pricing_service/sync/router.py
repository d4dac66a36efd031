"""HTTP API of the sync domain: start a MercadoLibre sync, read jobs, items and freshness."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import JSONResponse

from pricing_service.auth.dependencies import require
from pricing_service.auth.permissions import Permission
from pricing_service.auth.session_cache import Principal
from pricing_service.core.deps import Session
from pricing_service.core.request_context import request_id_of
from pricing_service.sync import service
from pricing_service.sync.models import ItemStatus, JobTrigger
from pricing_service.sync.schemas import (
    SyncItemOut,
    SyncItemPage,
    SyncJobOut,
    SyncJobPage,
    SyncRequest,
    SyncStatusOut,
)

router = APIRouter(prefix="/api/sync", tags=["sync"])

JobIdPath = Annotated[int, Path(ge=1, le=2_147_483_647)]
Limit = Annotated[int, Query(ge=1, le=200, description="page size, at most 200")]
Cursor = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{1,10}$", description="next_cursor of the previous page (opaque)"),
]
Reader = Annotated[Principal, Depends(require(Permission.SYNC_READ))]
Runner = Annotated[Principal, Depends(require(Permission.SYNC_RUN))]

Responses = dict[int | str, dict[str, Any]]
_AUTH: Responses = {
    401: {"description": "No valid token"},
    403: {"description": "Missing permission"},
}
_INVALID: Responses = {422: {"description": "Invalid parameter"}}


def _job_location(job_id: int) -> str:
    return f"/api/sync/jobs/{job_id}"


@router.post(
    "/ml",
    response_model=SyncJobOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Push pending prices (or the given products) to MercadoLibre",
    description="202 with a new queued job. When a job is already queued or running, that job "
    "is returned with 200 instead of starting a second one. Location points at the job.",
    responses={
        200: {"description": "A job was already queued or running: that job", "model": SyncJobOut},
        **_AUTH,
        422: {"description": "Invalid body, or unknown product ids (sync_unknown_products)"},
        503: {"description": "The seller's marketplace authorization is unusable"},
    },
)
async def start_sync(
    request: Request, session: Session, user: Runner, body: SyncRequest | None = None
) -> JSONResponse:
    job, created = await service.enqueue_job(
        session,
        trigger=JobTrigger.API,
        requested_by=user.id,
        request_id=request_id_of(request.scope),
        product_ids=body.product_ids if body else None,
    )
    return JSONResponse(
        SyncJobOut.of(job).model_dump(mode="json"),
        status_code=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        headers={"Location": _job_location(job.id)},
    )


@router.get(
    "/jobs",
    response_model=SyncJobPage,
    summary="Sync jobs, newest first (cursor pagination)",
    responses={**_AUTH, **_INVALID},
)
async def list_jobs(
    session: Session, _user: Reader, limit: Limit = 20, cursor: Cursor = None
) -> SyncJobPage:
    jobs, next_cursor = await service.list_jobs(
        session, limit=limit, cursor=int(cursor) if cursor else None
    )
    return SyncJobPage(items=[SyncJobOut.of(j) for j in jobs], next_cursor=next_cursor)


@router.get(
    "/jobs/{job_id}",
    response_model=SyncJobOut,
    summary="One sync job: status, counts, timestamps, last error",
    responses={**_AUTH, 404: {"description": "No such job"}, **_INVALID},
)
async def get_job(session: Session, _user: Reader, job_id: JobIdPath) -> SyncJobOut:
    return SyncJobOut.of(await service.get_job(session, job_id))


@router.get(
    "/jobs/{job_id}/items",
    response_model=SyncItemPage,
    summary="Per-item outcomes of a job: price sent, attempts, status, marketplace error",
    responses={**_AUTH, 404: {"description": "No such job"}, **_INVALID},
)
async def list_job_items(
    session: Session,
    _user: Reader,
    job_id: JobIdPath,
    item_status: Annotated[ItemStatus | None, Query(alias="status")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> SyncItemPage:
    await service.get_job(session, job_id)  # 404 when there is no such job
    items, next_cursor = await service.list_items(
        session, job_id, status=item_status, limit=limit, cursor=int(cursor) if cursor else None
    )
    return SyncItemPage(items=[SyncItemOut.of(i) for i in items], next_cursor=next_cursor)


@router.get(
    "/status",
    response_model=SyncStatusOut,
    summary="Marketplace freshness: backlog, oldest pending age, last success, degraded",
    responses=_AUTH,
)
async def sync_status(session: Session, _user: Reader) -> SyncStatusOut:
    return SyncStatusOut.of(await service.publish_metrics(session))
