"""``/api/v1/courses``: the courses the caller instructs, with their videos (to attach to)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from server.api.deps import CurrentUser, Db
from server.api.serializers import course_out
from server.db.models import Course, User
from shared.api_schemas import envelope

router = APIRouter(prefix="/api/v1", tags=["courses"])


@router.get("/courses")
def courses(user: CurrentUser, db: Db) -> dict[str, Any]:
    query = select(Course).order_by(Course.created_at, Course.id)
    if user.role != "admin":
        query = query.where(Course.instructors.any(User.id == user.id))
    return envelope([course_out(c) for c in db.execute(query).scalars()])
