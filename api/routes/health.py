"""`/health`: liveness plus a database round trip."""

from __future__ import annotations

import logging

import psycopg
from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import PoolDep
from api.problems import RETRY_AFTER_SECONDS, Problem, problem_responses

router = APIRouter(tags=["health"], responses=problem_responses(503))
log = logging.getLogger("draxis.api.health")


class Health(BaseModel):
    status: str
    database: str


@router.get("/health", response_model=Health)
def health(pool: PoolDep) -> Health:
    try:
        with pool.connection(timeout=2) as conn:
            conn.execute("select 1")
    except (psycopg.Error, TimeoutError) as exc:
        log.warning("health check: database unreachable", extra={"error": str(exc)})
        raise Problem(
            503,
            "The database is unreachable.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None
    return Health(status="ok", database="ok")
