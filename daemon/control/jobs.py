"""``/v1/jobs``: add, list, act on, remove and clear upload jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query

from daemon.control.deps import Core, dump
from daemon.core.errors import InvalidRequest
from shared.control.schemas import AddJobsRequest

router = APIRouter()
ACTIONS = ("pause", "resume", "cancel", "retry")


def _action(core: Core, action: str) -> Any:
    if action not in ACTIONS:
        raise InvalidRequest(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    return getattr(core.jobs, action)


@router.get("/v1/jobs")
def list_jobs(core: Core, id: Annotated[list[str] | None, Query()] = None) -> Any:
    """Every job, or (``?id=A&id=B``) only those."""
    return {"jobs": dump(core.jobs.all(id))}


@router.post("/v1/jobs")
def add_jobs(body: AddJobsRequest, core: Core) -> Any:
    added = core.add_files(
        [Path(p) for p in body.paths], body.course_id, body.source, body.watch_folder
    )
    return {"jobs": dump(added)}


@router.post("/v1/jobs/clear")
def clear(core: Core, all: bool = False) -> Any:
    return {"removed": core.jobs.clear(everything=all)}


@router.get("/v1/jobs/{job_id}")
def get_job(job_id: str, core: Core) -> Any:
    return dump(core.jobs.get(job_id))


@router.delete("/v1/jobs/{job_id}")
def remove_job(job_id: str, core: Core) -> Any:
    core.jobs.remove(job_id)
    return {"removed": job_id}


@router.post("/v1/jobs/{job_id}/{action}")
def act_on_one(job_id: str, action: str, core: Core) -> Any:
    return {"jobs": dump(_action(core, action)(job_id))}


@router.post("/v1/all/{action}")
def act_on_all(action: str, core: Core) -> Any:
    return {"jobs": dump(_action(core, action)(None))}
