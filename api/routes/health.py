"""`/health`: liveness plus a database round trip. `/ready`: readiness (draxis.readiness)."""

from __future__ import annotations

import logging

import psycopg
from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import PoolDep, SettingsDep
from api.problems import RETRY_AFTER_SECONDS, Problem, problem_responses
from draxis.readiness import Check, migrations_check, secrets_check

router = APIRouter(tags=["health"], responses=problem_responses(503))
log = logging.getLogger("draxis.api.health")


class Health(BaseModel):
    status: str
    database: str


class CheckOut(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, CheckOut]


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


@router.get("/ready", response_model=Readiness)
def ready(pool: PoolDep, settings: SettingsDep) -> Readiness:
    """200 when the database answers, its schema is at this release's head and the secrets
    this process needs are loaded; 503 naming the failing checks otherwise."""
    checks: dict[str, Check] = {}
    try:
        with pool.connection(timeout=2) as conn:
            conn.execute("select 1")
            checks["database"] = Check(True, "reachable")
            checks["migrations"] = migrations_check(conn)
    except (psycopg.Error, TimeoutError) as exc:
        log.warning("readiness: database unreachable", extra={"error": str(exc)})
        checks["database"] = Check(False, "unreachable")
        checks.setdefault("migrations", Check(False, "not checked: the database is unreachable"))
    checks["secrets"] = secrets_check(settings)
    out = {name: CheckOut(ok=c.ok, detail=c.detail) for name, c in checks.items()}
    failing = sorted(name for name, c in checks.items() if not c.ok)
    if failing:
        log.warning("not ready", extra={"failing": failing})
        raise Problem(
            503,
            f"Not ready: {', '.join(failing)}.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            checks={name: c.model_dump() for name, c in out.items()},
        )
    return Readiness(status="ready", checks=out)
